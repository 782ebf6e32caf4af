/**
 * vitest globalSetup: one private moto_server per test worker, started before the run and stopped
 * after it. Files run in parallel, one at a time per worker, and a file only ever talks to its own
 * worker's moto (test/helpers/moto.ts picks it by VITEST_POOL_ID), so resetting it or reading its
 * recorder never disturbs another file. Each moto's recorder writes to its own temp file.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startMoto } from '../../src/sandbox/moto.js';
import type { RunningMoto } from '../../src/sandbox/moto.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** One endpoint per worker, indexed by VITEST_POOL_ID - 1. */
    motoEndpoints: string[];
  }
}

/** As many as vitest.config.ts allows workers. */
export const TEST_WORKERS = Math.max(1, Number(process.env.SECURE_START_TEST_WORKERS ?? 2));

export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'secure-start-test-moto-'));
  const startedAt = Date.now();
  const motos: RunningMoto[] = [];
  try {
    for (let i = 0; i < TEST_WORKERS; i++) motos.push(await startMoto({ env: { MOTO_RECORDER_FILEPATH: join(dir, `moto_recording-${i + 1}.jsonl`) } }));
  } catch (err) {
    await Promise.all(motos.map((m) => m.stop()));
    throw err;
  }
  if (process.env.SECURE_START_DEBUG) console.log(`${motos.length} moto_server(s) ready in ${Date.now() - startedAt} ms: ${motos.map((m) => m.endpoint).join(', ')}`);
  provide('motoEndpoints', motos.map((m) => m.endpoint));
  return async () => {
    await Promise.all(motos.map((m) => m.stop()));
    await rm(dir, { recursive: true, force: true });
  };
}
