/** A run context against a local emulator for the benchmarks (the sandbox's credentials and region). */
import { ClientFactory } from '../src/aws/factory.js';
import { RunContext } from '../src/engine/context.js';
import type { Target } from '../src/engine/types.js';
import { SANDBOX_CREDENTIALS, SANDBOX_REGION } from '../src/sandbox/constants.js';

export const BENCH_ACCOUNT = '123456789012';

export function benchContext(endpoint: string, onRequest: (service: string, operation: string) => void): RunContext {
  const factory = new ClientFactory({
    region: SANDBOX_REGION,
    endpoint,
    credentials: { ...SANDBOX_CREDENTIALS },
    maxAttempts: 1,
    userAgent: 'secure-start-bench',
    onRequest,
  });
  const target: Target = {
    accountId: BENCH_ACCOUNT,
    principalArn: `arn:aws:iam::${BENCH_ACCOUNT}:user/moto`,
    isRoot: false,
    sandbox: true,
    endpoint,
    partition: 'aws',
    homeRegion: SANDBOX_REGION,
  };
  return new RunContext(target, factory, async () => [SANDBOX_REGION]);
}
