/**
 * vitest globalSetup: one private moto_server for the whole test run, shared by every sandbox test
 * through `inject('motoEndpoint')` (see test/helpers/moto.ts). Its recorder writes to a temp file.
 *
 * The server is shared: tests that reset it or read its recording must not run in parallel with
 * other files that use it, or must only look at the resources and requests they made themselves.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startMoto } from '../../src/sandbox/moto.js';

declare module 'vitest' {
  export interface ProvidedContext {
    motoEndpoint: string;
  }
}

export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'secure-start-test-moto-'));
  const startedAt = Date.now();
  const moto = await startMoto({ env: { MOTO_RECORDER_FILEPATH: join(dir, 'moto_recording.jsonl') } });
  if (process.env.SECURE_START_DEBUG) console.log(`moto_server ready at ${moto.endpoint} (pid ${moto.pid}) in ${Date.now() - startedAt} ms`);
  provide('motoEndpoint', moto.endpoint);
  return async () => {
    await moto.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
