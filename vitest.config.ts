import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    // One moto_server for the whole suite, started and stopped by the suite itself.
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Sandbox tests share one emulator and reset it: run files one at a time.
    fileParallelism: false,
    env: { NO_COLOR: '1', AWS_MAX_ATTEMPTS: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
