import { DeleteAccountPasswordPolicyCommand, IAMClient, UpdateAccountPasswordPolicyCommand } from '@aws-sdk/client-iam';
import type { UpdateAccountPasswordPolicyRequest } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { MutationBlockedError } from '../../src/aws/errors.js';
import type { RunContext } from '../../src/engine/context.js';
import { checkStep, planStep } from '../../src/engine/runner.js';
import step from '../../steps/account/password-policy/index.js';
import { resetMoto } from '../helpers/moto.js';
import { fixThenUndo } from '../helpers/undo.js';
import { inSandbox, isReadRequest, makeSandboxContext, recordCheckAndPlan, runStepCases } from '../helpers/step-tester.js';

const ACCOUNT = 'arn:aws:iam::123456789012:account';
const UPDATE = 'iam:UpdateAccountPasswordPolicy';

const STRONG: UpdateAccountPasswordPolicyRequest = {
  MinimumPasswordLength: 14,
  PasswordReusePrevention: 24,
  RequireUppercaseCharacters: true,
  RequireLowercaseCharacters: true,
  RequireNumbers: true,
  RequireSymbols: true,
  AllowUsersToChangePassword: true,
};

function policy(p: UpdateAccountPasswordPolicyRequest) {
  return async (ctx: RunContext) => {
    await ctx.client(IAMClient).send(new UpdateAccountPasswordPolicyCommand(p));
  };
}

runStepCases(step, [
  {
    name: 'no policy: the recommended one is set without inputs',
    expectStatus: 'fail',
    expectFindings: [{ status: 'fail', resource: ACCOUNT, region: 'global', message: expect.stringContaining('No password policy') }],
    expectOperations: [UPDATE],
    expectFindingsAfter: [{ status: 'pass', message: expect.stringContaining('length ≥ 14, remember 24, all four character types') }],
  },
  {
    name: 'the day-one seed (length 6, no character types) fails and is fixed',
    seed: (ctx) => step.seed!(ctx),
    expectStatus: 'fail',
    expectFindings: [
      {
        status: 'fail',
        message: expect.stringMatching(/minimum length is 6.*old passwords can be reused.*uppercase letters, lowercase letters, numbers and symbols not required.*cannot change/),
      },
    ],
    expectOperations: [UPDATE],
  },
  {
    name: 'an already strong policy passes and plans nothing',
    seed: policy(STRONG),
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', resource: ACCOUNT }],
  },
  {
    name: 'a stronger existing length and an existing expiry are kept',
    seed: policy({ ...STRONG, MinimumPasswordLength: 20, PasswordReusePrevention: 5, MaxPasswordAge: 90 }),
    expectStatus: 'fail',
    expectFindings: [{ status: 'fail', message: expect.stringContaining('only the last 5 passwords are remembered') }],
    expectOperations: [UPDATE],
    expectFindingsAfter: [{ status: 'pass', message: expect.stringMatching(/length ≥ 20, remember 24, .*expire after 90 days/) }],
  },
  {
    name: 'custom inputs from an answers file are applied',
    inputs: { minimumLength: 16, reusePrevention: 24, maxAgeDays: 180 },
    expectStatus: 'fail',
    expectOperations: [UPDATE],
    expectFindingsAfter: [{ status: 'pass', message: expect.stringMatching(/length ≥ 16, .*expire after 180 days/) }],
  },
  {
    name: 'a weaker length chosen on purpose is applied, and the step still fails',
    seed: (ctx) => step.seed!(ctx),
    inputs: { minimumLength: 10 },
    expectStatus: 'fail',
    expectOperations: [UPDATE],
    expectAfter: 'fail',
    expectFindingsAfter: [{ status: 'fail', message: expect.stringContaining('minimum length is 10') }],
  },
]);

describe('account.password-policy: check and plan change nothing', () => {
  it('sends only reads, as the factory and moto’s recorder both see it', async () => {
    const { checked, plan, sent, recorded } = await recordCheckAndPlan(step, { seed: (ctx) => step.seed!(ctx) });
    expect(checked.result.status).toBe('fail');
    expect(plan.actions).toHaveLength(1);
    expect(sent).toEqual(['IAM:GetAccountPasswordPolicy']);
    expect(recorded.map((r) => r.action)).toEqual(['GetAccountPasswordPolicy']);
    expect(recorded.filter((r) => !isReadRequest(r))).toEqual([]);
  });

  it('the read-only guard refuses the planned change while a check or plan runs', async () => {
    await inSandbox({}, async (ctx) => {
      const plan = await planStep(await checkStep({ meta: step.meta, load: async () => step }, ctx), ctx, undefined);
      expect(ctx.factory.readOnly).toBe(true);
      await expect(plan.actions[0]!.run(ctx)).rejects.toBeInstanceOf(MutationBlockedError);
    });
  });
});

describe('account.password-policy: undo', () => {
  async function applyThenUndo(seed?: (ctx: RunContext) => Promise<void>) {
    await resetMoto();
    const ctx = makeSandboxContext();
    const entry = { meta: step.meta, load: async () => step };
    try {
      if (seed) {
        ctx.factory.readOnly = false;
        await seed(ctx);
      }
      const before = await checkStep(entry, ctx);
      const [action] = (await planStep(before, ctx, undefined)).actions;
      ctx.factory.readOnly = false;
      await action!.run(ctx);
      const inverse = action!.inverse!;
      const iam = ctx.client(IAMClient);
      if (inverse.operation === 'DeleteAccountPasswordPolicy') await iam.send(new DeleteAccountPasswordPolicyCommand({}));
      else await iam.send(new UpdateAccountPasswordPolicyCommand(inverse.params as UpdateAccountPasswordPolicyRequest));
      ctx.invalidate();
      const restored = await checkStep(entry, ctx);
      return { before: before.result.findings, restored: restored.result.findings, inverse };
    } finally {
      ctx.factory.destroy();
    }
  }

  it('the inverse of a first policy deletes it', async () => {
    const { before, restored, inverse } = await applyThenUndo();
    expect(inverse.operation).toBe('DeleteAccountPasswordPolicy');
    expect(restored).toEqual(before);
  });

  it('the inverse of a change restores the previous policy exactly', async () => {
    const { before, restored, inverse } = await applyThenUndo(policy({ MinimumPasswordLength: 9, PasswordReusePrevention: 3, MaxPasswordAge: 30, HardExpiry: true }));
    expect(inverse.operation).toBe('UpdateAccountPasswordPolicy');
    expect(restored).toEqual(before);
  });
});

describe('undo', () => {
  const entry = { meta: step.meta, load: async () => step };

  it('puts back the day-one policy the fix replaced, and the check fails again as before', async () => {
    await inSandbox({ seed: (ctx) => step.seed!(ctx) }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, {});
      expect(run.afterFix).not.toEqual(run.before);
      expect(run.items.map((i) => i.kind)).toEqual(['undo']);
      expect(run.afterUndo).toEqual(run.before);
      expect(run.journal.at(-1)).toMatchObject({ operation: 'UpdateAccountPasswordPolicy', undoes: 0, result: 'ok' });
    });
  });

  it('removes the policy when there was none before the fix', async () => {
    await inSandbox({}, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, {});
      expect(run.journal.at(-1)).toMatchObject({ operation: 'DeleteAccountPasswordPolicy', undoes: 0 });
      expect(run.afterUndo).toEqual(run.before);
    });
  });

  it('refuses when someone changed the policy after the fix, and leaves their change', async () => {
    await inSandbox({ seed: (ctx) => step.seed!(ctx) }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, {}, { between: policy({ ...STRONG, MinimumPasswordLength: 30 }) });
      expect(run.items).toEqual([expect.objectContaining({ kind: 'drifted', reason: expect.stringContaining('changed after the fix') })]);
      expect(run.journal.some((e) => e.undoes !== undefined)).toBe(false);
      expect(run.afterUndo.join('\n')).toContain('length ≥ 30');
    });
  });
});
