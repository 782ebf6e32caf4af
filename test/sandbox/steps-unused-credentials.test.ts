/**
 * account.unused-credentials against moto. moto stamps every password and key with the current
 * time and cannot back-date them, so old credentials are expressed two ways here:
 * - the day-one seed's users carry their age in their IAM path (the sandbox-only aging the step
 *   applies when the target is the sandbox), and
 * - the step's clock is moved forward (`clock.now`), which ages everything in moto at once.
 * A key that is old but used yesterday cannot be made in moto (its creation and last use are both
 * "now"); the unit tests cover those dates with synthetic report rows. The check names keys by
 * report slot; only the plan lists key ids (ListAccessKeys, a read declared under fix).
 */
import {
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  IAMClient,
  ListAccessKeysCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterEach, describe, expect, it } from 'vitest';
import { RunContext } from '../../src/engine/context.js';
import { resolveInputs } from '../../src/engine/inputs.js';
import { checkStep, planStep } from '../../src/engine/runner.js';
import { SANDBOX_AGE_PATH } from '../../steps/account/_shared/credentials-inputs.js';
import { clock } from '../../steps/account/unused-credentials/assess.js';
import step, { SEED_FRESH_KEY, SEED_IDLE_KEY, SEED_IDLE_PASSWORD } from '../../steps/account/unused-credentials/index.js';
import { motoEndpoint, resetMoto } from '../helpers/moto.js';
import { inSandbox, isReadRequest, makeSandboxContext, recordCheckAndPlan, runStepCases } from '../helpers/step-tester.js';
import { fixThenUndo } from '../helpers/undo.js';

const DAY = 86_400_000;
const realNow = clock.now;
afterEach(() => {
  clock.now = realNow;
});

const AGED_ARN = (days: number, user: string) => `arn:aws:iam::123456789012:user${SANDBOX_AGE_PATH(days)}${user}`;
const ARN = (user: string) => `arn:aws:iam::123456789012:user/${user}`;
const DEACTIVATE = 'iam:UpdateAccessKey';
const REMOVE = 'iam:DeleteLoginProfile';

/**
 * Key ids exist only once moto has made the key, so a case's answers cannot name them in advance:
 * its seed pushes the id into the (already schema-checked) answers object before the check runs.
 */
function answers(removeConsoleAccess: string[] = []) {
  return { deactivateKeys: [] as string[], removeConsoleAccess };
}

/** Runs the day-one seed and lists the idle key's id in `into`. */
function dayOne(into?: { deactivateKeys: string[] }) {
  return async (ctx: RunContext) => {
    await step.seed!(ctx);
    if (into) {
      const keys = await ctx.client(IAMClient).send(new ListAccessKeysCommand({ UserName: SEED_IDLE_KEY }));
      into.deactivateKeys.push(keys.AccessKeyMetadata![0]!.AccessKeyId!);
    }
  };
}

/** A user with a key that is used once now (moto records the use), the clock then moved `days` ahead. */
function keyUsedThen(days: number, into: { deactivateKeys: string[] }) {
  return async (ctx: RunContext) => {
    const iam = ctx.client(IAMClient);
    await iam.send(new CreateUserCommand({ UserName: 'deployer' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'deployer' }))).AccessKey!;
    const sts = new STSClient({
      region: 'us-east-1',
      endpoint: motoEndpoint(),
      credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! },
      maxAttempts: 1,
    });
    try {
      await sts.send(new GetCallerIdentityCommand({}));
    } finally {
      sts.destroy();
    }
    into.deactivateKeys.push(key.AccessKeyId!);
    const later = Date.now() + days * DAY;
    clock.now = () => new Date(later);
  };
}

const both = answers([SEED_IDLE_PASSWORD]);
/** What the wizard records: the key by user and slot, as the findings name it (the check reads no key ids). */
const bySlot = { deactivateKeys: [] as string[], deactivateKeySlots: [{ user: SEED_IDLE_KEY, slot: 1 as const }], removeConsoleAccess: [] as string[] };
const keyOnly = answers();
const used50 = answers();

runStepCases(step, [
  {
    name: 'no users: nothing is stale',
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', resource: 'arn:aws:iam::123456789012:account', message: expect.stringContaining('(0 IAM users checked)') }],
  },
  {
    name: 'the day-one seed: the listed idle key is deactivated and the listed idle password removed; the 30-day key stays',
    seed: dayOne(both),
    inputs: both,
    expectStatus: 'fail',
    expectFindings: [
      {
        status: 'fail',
        resource: AGED_ARN(120, SEED_IDLE_KEY),
        message: expect.stringMatching(
          new RegExp(`^Access key 1 of ${SEED_IDLE_KEY} is active but has never been used since it was created on \\S+ \\(120 days ago\\), and at 120 days old it is past the 90-day limit for keys\\. \\[sandbox: dates moved back 120 days`),
        ),
      },
      {
        status: 'fail',
        resource: AGED_ARN(60, SEED_IDLE_PASSWORD),
        message: expect.stringMatching(new RegExp(`^The console password of ${SEED_IDLE_PASSWORD} has never been used since it was set on \\S+ \\(60 days ago\\)\\.`)),
      },
    ],
    expectOperations: [DEACTIVATE, REMOVE],
    expectFindingsAfter: [{ status: 'pass', message: expect.stringContaining('(3 IAM users checked)') }],
    // Newest first: the removed password cannot come back; the key is active again.
    expectUndo: { kinds: ['irreversible', 'undo'], findingsAfterUndo: [{ status: 'fail', resource: AGED_ARN(120, SEED_IDLE_KEY) }] },
  },
  {
    name: 'only what the answers list changes: the idle password stays, and the step still fails',
    seed: dayOne(keyOnly),
    inputs: keyOnly,
    expectStatus: 'fail',
    expectOperations: [DEACTIVATE],
    expectAfter: 'fail',
    expectFindingsAfter: [{ status: 'fail', resource: AGED_ARN(60, SEED_IDLE_PASSWORD) }],
  },
  {
    name: 'a key last used 50 days ago (clock moved ahead) is unused; deactivating it passes',
    seed: keyUsedThen(50, used50),
    inputs: used50,
    expectStatus: 'fail',
    expectFindings: [{ status: 'fail', resource: ARN('deployer'), message: expect.stringMatching(/^Access key 1 of deployer is active but was last used on \S+ \(50 days ago\)\.$/) }],
    expectOperations: [DEACTIVATE],
  },
  {
    name: 'a key chosen by user and slot (as the wizard records it): the plan looks up its id and deactivates it',
    seed: dayOne(),
    inputs: bySlot,
    expectStatus: 'fail',
    expectOperations: [DEACTIVATE],
    expectAfter: 'fail',
    expectFindingsAfter: [{ status: 'fail', resource: AGED_ARN(60, SEED_IDLE_PASSWORD) }],
  },
  {
    name: 'credentials 30 days old are fine, and an inactive old key opens nothing',
    seed: async (ctx) => {
      const iam = ctx.client(IAMClient);
      await iam.send(new CreateUserCommand({ UserName: 'recent', Path: SANDBOX_AGE_PATH(30) }));
      await iam.send(new CreateAccessKeyCommand({ UserName: 'recent' }));
      await iam.send(new CreateLoginProfileCommand({ UserName: 'recent', Password: 'Sandbox-Only-Pa55word!' }));
      await iam.send(new CreateUserCommand({ UserName: 'parked', Path: SANDBOX_AGE_PATH(200) }));
      const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'parked' }))).AccessKey!;
      await iam.send(new UpdateAccessKeyCommand({ UserName: 'parked', AccessKeyId: key.AccessKeyId!, Status: 'Inactive' }));
    },
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', message: expect.stringContaining('(2 IAM users checked)') }],
  },
]);

describe('account.unused-credentials: nothing is implied by --yes', () => {
  it('without an answers entry the plan is empty, and says what is left and how', async () => {
    await inSandbox({ seed: (ctx) => step.seed!(ctx) }, async (ctx) => {
      const checked = await checkStep({ meta: step.meta, load: async () => step }, ctx);
      expect(checked.result.findings.map((f) => f.status)).toEqual(['fail', 'fail']);
      const resolved = resolveInputs(step, checked.result.findings, undefined);
      expect(resolved.ok).toBe(true);
      const plan = await planStep(checked, ctx, resolved.ok ? resolved.inputs : undefined);
      expect(plan.actions).toEqual([]);
      expect(plan.guidance).toContain('**Keys nobody uses**');
      expect(plan.guidance).toContain(`**Console passwords nobody uses** (\`${SEED_IDLE_PASSWORD}\`)`);
    });
  });
});

describe('account.unused-credentials: reads', () => {
  const fiveNewKeys = async (ctx: RunContext) => {
    await step.seed!(ctx);
    const iam = ctx.client(IAMClient);
    for (const u of ['k1', 'k2', 'k3', 'k4', 'k5']) {
      await iam.send(new CreateUserCommand({ UserName: u }));
      await iam.send(new CreateAccessKeyCommand({ UserName: u }));
    }
  };

  it('the check reads the credential report and nothing per user; with nothing chosen, neither does the plan', async () => {
    const { checked, plan, sent, recorded } = await recordCheckAndPlan(step, { seed: fiveNewKeys });
    expect(checked.result.status).toBe('fail');
    expect(checked.result.findings.map((f) => f.message)).toEqual([expect.stringMatching(/^Access key 1 of build-bot .* created on \S+ \(120 days ago\)/), expect.any(String)]);
    expect(plan.actions).toEqual([]);
    expect(sent.filter((s) => s === 'IAM:GetCredentialReport')).toHaveLength(1);
    expect(new Set(sent)).toEqual(new Set(['IAM:GenerateCredentialReport', 'IAM:GetCredentialReport']));
    expect(recorded.filter((r) => !isReadRequest(r))).toEqual([]);
    for (const op of sent) expect(step.meta.permissions.check).toContain(`iam:${op.split(':')[1]}`);
  });

  it('key ids from the answers file: the plan lists the keys of users with a flagged key only, a read the check policy allows', async () => {
    const given = answers();
    const { checked, plan, sent } = await recordCheckAndPlan(step, {
      seed: async (ctx) => {
        await fiveNewKeys(ctx);
        await dayOne(given)(ctx);
      },
      inputs: given,
    });
    const planSent = sent.slice(sent.lastIndexOf('IAM:GetCredentialReport') + 1);
    expect(checked.result.status).toBe('fail');
    expect(planSent).toEqual(['IAM:ListAccessKeys']);
    // `plan` runs under the check policy (issue 9): its reads are declared there, not with the fix.
    for (const op of planSent) expect(step.meta.permissions.check).toContain(`iam:${op.split(':')[1]}`);
    expect(step.meta.permissions.fix).not.toContain('iam:ListAccessKeys');
    expect(plan.actions.map((a) => a.params)).toEqual([{ UserName: SEED_IDLE_KEY, AccessKeyId: given.deactivateKeys[0], Status: 'Inactive' }]);
  });

  it('a key deactivated after the report was made is not planned again, and the plan says so', async () => {
    await resetMoto();
    const ctx = makeSandboxContext();
    const entry = { meta: step.meta, load: async () => step };
    try {
      const given = answers();
      ctx.factory.readOnly = false;
      await dayOne(given)(ctx);
      ctx.factory.readOnly = true;
      ctx.invalidate();
      const checked = await checkStep(entry, ctx);
      ctx.factory.readOnly = false;
      await ctx.client(IAMClient).send(new UpdateAccessKeyCommand({ UserName: SEED_IDLE_KEY, AccessKeyId: given.deactivateKeys[0], Status: 'Inactive' }));
      ctx.factory.readOnly = true;
      for (const inputs of [given, bySlot]) {
        const plan = await planStep(checked, ctx, inputs);
        expect(plan.actions).toEqual([]);
        expect(plan.warnings).toEqual([expect.stringContaining(`access key 1 (${given.deactivateKeys[0]}) of ${SEED_IDLE_KEY} (already inactive)`)]);
      }
    } finally {
      ctx.factory.destroy();
    }
  });
});

describe('account.unused-credentials: undo', () => {
  const entry = { meta: step.meta, load: async () => step };
  const keyOf = async (ctx: RunContext) => (await ctx.client(IAMClient).send(new ListAccessKeysCommand({ UserName: SEED_IDLE_KEY }))).AccessKeyMetadata![0]!;

  it('reactivates the key the fix deactivated, and the check reads as before', async () => {
    const given = answers();
    await inSandbox({ seed: dayOne(given) }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, given);
      expect(run.afterFix).not.toEqual(run.before);
      expect(run.items.map((i) => i.kind)).toEqual(['undo']);
      expect(run.journal.at(-1)).toMatchObject({ operation: 'UpdateAccessKey', params: { AccessKeyId: given.deactivateKeys[0], Status: 'Active' }, undoes: 0 });
      expect(run.afterUndo).toEqual(run.before);
    });
  });

  it('says before the fix and in undo that a removed console password cannot come back', async () => {
    const given = answers([SEED_IDLE_PASSWORD]);
    await inSandbox({ seed: dayOne() }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, given);
      expect(run.plan.actions.map((a) => [a.operation, a.irreversible])).toEqual([['DeleteLoginProfile', expect.stringContaining('IAM never reveals a password')]]);
      expect(run.items).toEqual([expect.objectContaining({ kind: 'irreversible', reason: expect.stringContaining(`console password of ${SEED_IDLE_PASSWORD} was removed`) })]);
      expect(run.afterUndo).toEqual(run.afterFix);
    });
  });

  it('leaves a key someone switched back on since: nothing to undo', async () => {
    const given = answers();
    await inSandbox({ seed: dayOne(given) }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, given, {
        between: async (c) => void (await c.client(IAMClient).send(new UpdateAccessKeyCommand({ UserName: SEED_IDLE_KEY, AccessKeyId: given.deactivateKeys[0], Status: 'Active' }))),
      });
      expect(run.items).toEqual([expect.objectContaining({ kind: 'nothing' })]);
      expect(run.journal.some((e) => e.undoes !== undefined)).toBe(false);
      expect(run.afterUndo).toEqual(run.before);
    });
  });

  it('cannot bring back a key someone deleted after the fix, and says so', async () => {
    const given = answers();
    await inSandbox({ seed: dayOne(given) }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, given, {
        between: async (c) => void (await c.client(IAMClient).send(new DeleteAccessKeyCommand({ UserName: SEED_IDLE_KEY, AccessKeyId: (await keyOf(c)).AccessKeyId! }))),
      });
      expect(run.items).toEqual([expect.objectContaining({ kind: 'irreversible', reason: expect.stringContaining('was deleted after the fix') })]);
      expect(run.journal.some((e) => e.undoes !== undefined)).toBe(false);
    });
  });
});

describe('account.unused-credentials: seed', () => {
  it('refuses to run outside the sandbox, and can run twice', async () => {
    await inSandbox({}, async (ctx) => {
      ctx.factory.readOnly = false;
      const real = new RunContext({ ...ctx.target, sandbox: false }, ctx.factory, ctx.regions.bind(ctx));
      await expect(step.seed!(real)).rejects.toThrow(/only against the sandbox/);
      await step.seed!(ctx);
      await step.seed!(ctx);
      ctx.factory.readOnly = true;
      ctx.invalidate();
      const checked = await checkStep({ meta: step.meta, load: async () => step }, ctx);
      expect(checked.result.findings.map((f) => f.resource)).toEqual([AGED_ARN(120, SEED_IDLE_KEY), AGED_ARN(60, SEED_IDLE_PASSWORD)]);
      expect(checked.result.findings.some((f) => f.resource.endsWith(SEED_FRESH_KEY))).toBe(false);
    });
  });
});
