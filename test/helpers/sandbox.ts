/**
 * Run contexts for sandbox tests against this worker's moto: `makeSandboxContext()` for a client
 * factory and context of the sandbox account, and `inSandbox()` for a test's own run (reset, seed,
 * body, clients destroyed), with the run's regions and, where asked, regions that cannot be reached.
 */
import { ClientFactory } from '../../src/aws/factory.js';
import { RunContext } from '../../src/engine/context.js';
import { checkStep } from '../../src/engine/runner.js';
import type { CheckedStep } from '../../src/engine/runner.js';
import type { AnyStep, Target } from '../../src/engine/types.js';
import { SANDBOX_CREDENTIALS, SANDBOX_REGION } from '../../src/sandbox/constants.js';
import { startFaultProxy } from './fault-proxy.js';
import { motoEndpoint, resetMoto } from './moto.js';

/** The account moto answers for. */
export const SANDBOX_ACCOUNT_ID = '123456789012';

export interface SandboxContextOptions {
  /** Defaults to the suite's moto (this worker's, from test/helpers/moto.ts). */
  endpoint?: string;
  /** Called by the factory for every request it lets through, with the command's input. */
  onRequest?: (service: string, operation: string, input?: unknown) => void;
  /** The run's regions for regional steps; default: the sandbox's home region only. */
  regions?: string[];
}

/** A fresh client factory and run context for the sandbox account, read-only until something says otherwise. */
export function makeSandboxContext(opts: SandboxContextOptions = {}): RunContext {
  const endpoint = opts.endpoint ?? motoEndpoint();
  const factory = new ClientFactory({
    region: SANDBOX_REGION,
    endpoint,
    credentials: { ...SANDBOX_CREDENTIALS },
    maxAttempts: 1,
    userAgent: 'secure-start-test',
    ...(opts.onRequest ? { onRequest: opts.onRequest } : {}),
  });
  const target: Target = {
    accountId: SANDBOX_ACCOUNT_ID,
    principalArn: `arn:aws:iam::${SANDBOX_ACCOUNT_ID}:user/moto`,
    isRoot: false,
    sandbox: true,
    endpoint,
    partition: 'aws',
    homeRegion: SANDBOX_REGION,
  };
  const regions = opts.regions ?? [SANDBOX_REGION];
  return new RunContext(target, factory, async () => [...regions]);
}

/** Runs `seed` with writes allowed, then makes the context read-only again and forgets what it had read. */
export async function seedWith(ctx: RunContext, seed: (ctx: RunContext) => Promise<unknown>): Promise<void> {
  ctx.factory.readOnly = false;
  try {
    await seed(ctx);
  } finally {
    ctx.factory.readOnly = true;
    ctx.invalidate();
  }
}

export interface SandboxRunOptions extends SandboxContextOptions {
  /** Makes the account the test starts from (writes allowed only while it runs). */
  seed?: (ctx: RunContext) => Promise<unknown>;
  /**
   * Regions of the run whose requests fail as a dropped connection would: a fault-injecting proxy
   * (test/helpers/fault-proxy.ts) sits in front of moto and resets every request signed for them.
   */
  unreachable?: string[];
  /** Leave moto as the previous test left it (default: reset first). */
  keep?: boolean;
}

/**
 * A test's own run in the sandbox: moto reset, a fresh read-only context (seeded first, if asked),
 * then `body`; whatever happens, its clients are destroyed and the fault proxy, if any, closed.
 */
export async function inSandbox<T>(opts: SandboxRunOptions, body: (ctx: RunContext) => Promise<T>): Promise<T> {
  if (!opts.keep) await resetMoto();
  if (opts.unreachable?.length && opts.endpoint) throw new Error('inSandbox: unreachable regions put a proxy in front of moto; give no endpoint with them');
  const proxy = opts.unreachable?.length ? await startFaultProxy(motoEndpoint(), { reset: opts.unreachable }) : undefined;
  try {
    const ctx = makeSandboxContext({
      ...(opts.regions ? { regions: opts.regions } : {}),
      ...(opts.onRequest ? { onRequest: opts.onRequest } : {}),
      ...(proxy ? { endpoint: proxy.endpoint } : opts.endpoint ? { endpoint: opts.endpoint } : {}),
    });
    try {
      if (opts.seed) await seedWith(ctx, opts.seed);
      return await body(ctx);
    } finally {
      ctx.factory.destroy();
    }
  } finally {
    await proxy?.close();
  }
}

/** `inSandbox` with the step's check already made: the starting point of tests that look past the case table at one plan. */
export function withChecked<T>(step: AnyStep, opts: SandboxRunOptions, body: (ctx: RunContext, checked: CheckedStep) => Promise<T>): Promise<T> {
  return inSandbox(opts, async (ctx) => body(ctx, await checkStep({ meta: step.meta, load: async () => step }, ctx)));
}

/**
 * A fresh emulator with `seed` applied (writes allowed only while seeding), then the step's check
 * on it. The caller destroys `ctx.factory`; prefer `withChecked`, which does.
 */
export async function checkedWith(step: AnyStep, seed: (ctx: RunContext) => Promise<void>): Promise<{ ctx: RunContext; checked: CheckedStep }> {
  await resetMoto();
  const ctx = makeSandboxContext();
  await seedWith(ctx, seed);
  const checked = await checkStep({ meta: step.meta, load: async () => step }, ctx);
  return { ctx, checked };
}
