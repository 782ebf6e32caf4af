import { defineConfig } from 'vitest/config';
import LongestFirst from './test/helpers/sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    // The emulators the tests need, started and stopped by the suite itself.
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // One moto per worker (test/helpers/global-setup.ts): files run in parallel, each worker's
    // files one after another against its own emulator.
    pool: 'forks',
    // Longest files first (cached durations, else estimates), so both workers finish together.
    sequence: { sequencer: LongestFirst },
    maxWorkers: Number(process.env.SECURE_START_TEST_WORKERS ?? 2),
    env: { NO_COLOR: '1', AWS_MAX_ATTEMPTS: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
