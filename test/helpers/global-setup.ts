/**
 * vitest globalSetup: two private moto_servers per test worker, started before the run and stopped
 * after it. One loads AWS's managed IAM policies (AdministratorAccess, ReadOnlyAccess…) as the
 * sandbox does; the other does not, and resets several times faster, so every file that needs no
 * managed policy runs on it (see useManagedPolicies() in test/helpers/moto.ts). Files run in
 * parallel, one at a time per worker, and a file only ever talks to its own worker's emulators
 * (picked by VITEST_POOL_ID), so resetting one or reading its recorder never disturbs another file.
 * Each moto's recorder writes to its own temp file.
 *
 * The managed policies are trimmed to those the steps and tests name (TEST_MANAGED_POLICIES, see
 * test/helpers/moto-python/sitecustomize.py): moto builds its whole catalogue after every reset,
 * which cost about 2.5 s per test. Private sandboxes that the CLI starts in e2e tests keep it all.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { startMoto } from '../../src/sandbox/moto.js';
import type { RunningMoto } from '../../src/sandbox/moto.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** One endpoint per worker, indexed by VITEST_POOL_ID - 1: moto with AWS managed IAM policies. */
    motoEndpoints: string[];
    /** The same without managed policies: resets several times faster. */
    motoLightEndpoints: string[];
  }
}

/** The AWS managed policies the steps, seeds and tests use; moto serves only these on the suite's emulators. */
export const TEST_MANAGED_POLICIES = [
  'AdministratorAccess',
  'ReadOnlyAccess',
  'PowerUserAccess',
  'SecurityAudit',
  'ViewOnlyAccess',
  'IAMFullAccess',
  'AmazonSSMManagedInstanceCore',
  'AWSBackupServiceRolePolicyForBackup',
  'AWSBackupServiceRolePolicyForRestores',
];

/** Where the sitecustomize.py that trims the catalogue lives. */
const TRIM_DIR = fileURLToPath(new URL('./moto-python', import.meta.url));

/** As many as vitest.config.ts allows workers. */
export const TEST_WORKERS = Math.max(1, Number(process.env.SECURE_START_TEST_WORKERS ?? 2));

export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'secure-start-test-moto-'));
  const startedAt = Date.now();
  const motos: RunningMoto[] = [];
  try {
    const start = async (name: string, env: NodeJS.ProcessEnv) => {
      const m = await startMoto({ env: { MOTO_RECORDER_FILEPATH: join(dir, `moto_recording-${name}.jsonl`), ...env } });
      motos.push(m);
      return m;
    };
    const workers = Array.from({ length: TEST_WORKERS }, (_, i) => i + 1);
    const [full, light] = await Promise.all([
      Promise.all(
        workers.map((i) =>
          start(`${i}`, {
            PYTHONPATH: [TRIM_DIR, process.env.PYTHONPATH].filter(Boolean).join(delimiter),
            SECURE_START_TEST_MANAGED_POLICIES: TEST_MANAGED_POLICIES.join(','),
          }),
        ),
      ),
      Promise.all(workers.map((i) => start(`${i}-light`, { MOTO_IAM_LOAD_MANAGED_POLICIES: 'false' }))),
    ]);
    provide('motoEndpoints', full.map((m) => m.endpoint));
    provide('motoLightEndpoints', light.map((m) => m.endpoint));
  } catch (err) {
    await Promise.all(motos.map((m) => m.stop()));
    throw err;
  }
  if (process.env.SECURE_START_DEBUG) console.log(`${motos.length} moto_server(s) ready in ${Date.now() - startedAt} ms: ${motos.map((m) => m.endpoint).join(', ')}`);
  return async () => {
    await Promise.all(motos.map((m) => m.stop()));
    await rm(dir, { recursive: true, force: true });
  };
}
