/**
 * The engine against a real moto: unimplemented APIs become `unsupported`, checks keep catalogue
 * order under bounded concurrency, plan cannot mutate, apply journals and stops at the first failure.
 */
import { ListRegionsCommand, AccountClient } from '@aws-sdk/client-account';
import { GetAccountPasswordPolicyCommand, IAMClient, UpdateAccountPasswordPolicyCommand } from '@aws-sdk/client-iam';
import { beforeEach, describe, expect, it } from 'vitest';
import { ClientFactory } from '../../src/aws/factory.js';
import { RunContext } from '../../src/engine/context.js';
import type { JournalEntry } from '../../src/engine/runner.js';
import { applyPlan, checkAll, checkStep, mapLimit, planStep } from '../../src/engine/runner.js';
import type { Plan, Step, StepMeta } from '../../src/engine/types.js';
import type { StepEntry } from '../../steps/index.js';
import { motoEndpoint, resetMoto } from '../helpers/moto.js';

function context(): RunContext {
  const factory = new ClientFactory({
    region: 'us-east-1',
    endpoint: motoEndpoint(),
    credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
    maxAttempts: 1,
    userAgent: 'secure-start-test',
  });
  const target = { accountId: '123456789012', principalArn: 'arn:aws:sts::123456789012:user/moto', isRoot: false, sandbox: true, partition: 'aws', homeRegion: 'us-east-1' };
  return new RunContext(target, factory, async () => ['us-east-1']);
}

function meta(id: string): StepMeta {
  return {
    id,
    area: 'account',
    title: id,
    severity: 'low',
    scope: 'global',
    references: { docs: ['x'] },
    lesson: 'account/README.md',
    permissions: { check: ['iam:GetAccountPasswordPolicy'], fix: [] },
    fix: { kind: 'auto', costScale: 'free', cost: 'free', risk: 'none', destructive: false, paid: false },
  };
}

function entryOf(step: Step<unknown>): StepEntry {
  return { meta: step.meta, load: async () => step };
}

const noPlan = async (): Promise<Plan> => ({ actions: [] });

beforeEach(async () => {
  await resetMoto();
});

describe('engine against moto', () => {
  it('an API the emulator lacks makes the step unsupported, not a crash', async () => {
    const step: Step<unknown> = {
      meta: meta('account.test-unsupported'),
      check: async (ctx) => {
        await ctx.client(AccountClient).send(new ListRegionsCommand({}));
        return [];
      },
      plan: noPlan,
    };
    const { result } = await checkStep(entryOf(step), context());
    expect(result.status).toBe('unsupported');
    expect(result.error).toMatch(/does not implement/);
  });

  it('a check that tries to change the account is stopped by the read-only guard and reported as an error', async () => {
    const ctx = context();
    const step: Step<unknown> = {
      meta: meta('account.test-sneaky'),
      check: async (c) => {
        await c.client(IAMClient).send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 6 }));
        return [];
      },
      plan: noPlan,
    };
    const { result } = await checkStep(entryOf(step), ctx);
    expect(result.status).toBe('error');
    expect(result.error).toMatch(/read-only/);
    await expect(ctx.client(IAMClient).send(new GetAccountPasswordPolicyCommand({}))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });

  it('checks run with bounded concurrency and keep catalogue order', async () => {
    let running = 0;
    let peak = 0;
    const entries = Array.from({ length: 9 }, (_, i) =>
      entryOf({
        meta: meta(`account.test-${i}`),
        check: async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 20 + ((i * 7) % 5) * 10));
          running--;
          return [{ status: i % 2 ? 'fail' : 'pass', resource: `r${i}`, region: 'global', message: `m${i}` }];
        },
        plan: noPlan,
      }),
    );
    const results = await checkAll(entries, context(), { concurrency: 3 });
    expect(results.map((r) => r.result.step)).toEqual(entries.map((e) => e.meta.id));
    expect(peak).toBe(3);
    expect(results.map((r) => r.result.status)).toEqual(['pass', 'fail', 'pass', 'fail', 'pass', 'fail', 'pass', 'fail', 'pass']);
  });

  it('S3 Control reaches an emulator: the account-id host prefix is not put in front of its address', async () => {
    const { S3ControlClient, GetPublicAccessBlockCommand, PutPublicAccessBlockCommand } = await import('@aws-sdk/client-s3-control');
    const ctx = context();
    const s3c = ctx.client(S3ControlClient);
    await expect(s3c.send(new GetPublicAccessBlockCommand({ AccountId: '123456789012' }))).rejects.toMatchObject({ name: 'NoSuchPublicAccessBlockConfiguration' });
    ctx.factory.readOnly = false;
    const block = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
    await s3c.send(new PutPublicAccessBlockCommand({ AccountId: '123456789012', PublicAccessBlockConfiguration: block }));
    expect((await s3c.send(new GetPublicAccessBlockCommand({ AccountId: '123456789012' }))).PublicAccessBlockConfiguration).toEqual(block);
  });

  it('mapLimit handles empty input', async () => {
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
  });

  it('apply journals every action and stops at the first failure; plan cannot mutate', async () => {
    const ctx = context();
    const calls: string[] = [];
    const step: Step<unknown> = {
      meta: meta('account.test-apply'),
      check: async () => [{ status: 'fail', resource: 'r', region: 'global', message: 'm' }],
      plan: async (c) => {
        // Building a plan may read, never write.
        await expect(c.client(IAMClient).send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 6 }))).rejects.toThrow(/read-only/);
        return {
          actions: [
            {
              summary: 'first',
              service: 'iam',
              operation: 'UpdateAccountPasswordPolicy',
              region: 'global',
              params: { MinimumPasswordLength: 14 },
              run: async (cc) => {
                calls.push('first');
                await cc.client(IAMClient).send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 14 }));
              },
            },
            {
              summary: 'second fails',
              service: 'iam',
              operation: 'UpdateAccountPasswordPolicy',
              region: 'global',
              params: { MinimumPasswordLength: 999 },
              run: async (cc) => {
                calls.push('second');
                await cc.client(IAMClient).send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 999 }));
              },
            },
            { summary: 'never', service: 'iam', operation: 'X', region: 'global', params: {}, run: async () => void calls.push('third') },
          ],
        };
      },
    };
    const checked = await checkStep(entryOf(step), ctx);
    const plan = await planStep(checked, ctx, undefined);
    const journal: JournalEntry[] = [];
    const outcome = await applyPlan('account.test-apply', plan, ctx, (e) => void journal.push(e));
    expect(outcome.ok).toBe(false);
    expect(outcome.applied).toBe(1);
    expect(calls).toEqual(['first', 'second']);
    expect(journal.map((j) => j.result)).toEqual(['ok', 'failed']);
    expect(journal[1]!.error).toBeTruthy();
    // After apply the factory is read-only again.
    expect(ctx.factory.readOnly).toBe(true);
    const policy = await ctx.client(IAMClient).send(new GetAccountPasswordPolicyCommand({}));
    expect(policy.PasswordPolicy?.MinimumPasswordLength).toBe(14);
  });
});
