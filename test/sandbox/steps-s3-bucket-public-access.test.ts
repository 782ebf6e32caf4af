import { DeletePublicAccessBlockCommand, GetPublicAccessBlockCommand, PutPublicAccessBlockCommand, S3Client } from '@aws-sdk/client-s3';
import type { PublicAccessBlockConfiguration } from '@aws-sdk/client-s3';
import { PutPublicAccessBlockCommand as PutAccountPublicAccessBlockCommand, S3ControlClient } from '@aws-sdk/client-s3-control';
import { describe, expect, it } from 'vitest';
import { iamActionFor } from '../../src/aws/actions.js';
import { MutationBlockedError } from '../../src/aws/errors.js';
import type { RunContext } from '../../src/engine/context.js';
import { checkStep, planStep } from '../../src/engine/runner.js';
import type { Step } from '../../src/engine/types.js';
import { FULL_BLOCK } from '../../steps/data/_shared/publicness.js';
import step from '../../steps/data/s3-bucket-public-access/index.js';
import { SHARED_BUCKET, WEBSITE_BUCKET, makeBucket } from '../../steps/data/_shared/bucket-fixtures.js';
import type { BucketFixture } from '../../steps/data/_shared/bucket-fixtures.js';
import accountStep from '../../steps/data/s3-account-public-access/index.js';
import { inSandbox, isReadRequest, recordCheckAndPlan, runStepCases, ScriptedAsker, withChecked } from '../helpers/step-tester.js';
import { fixThenUndo } from '../helpers/undo.js';

const PUT = 's3:PutPublicAccessBlock';
const arn = (name: string) => `arn:aws:s3:::${name}`;

function buckets(...fixtures: BucketFixture[]) {
  return async (ctx: RunContext) => {
    for (const f of fixtures) await makeBucket(ctx, f);
  };
}

const publicPolicy = (name: string) => ({
  Version: '2012-10-17',
  Statement: [{ Sid: 'Anyone', Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:GetObject', Resource: `${arn(name)}/*` }],
});

/**
 * StepTester compares each planned `service:Operation` with `meta.permissions.fix` literally, but S3's
 * IAM actions are named differently from its operations (PutPublicAccessBlock needs
 * s3:PutBucketPublicAccessBlock; src/aws/actions.ts). The table runs on a copy whose fix permissions
 * also list the operation names that map to a declared action; the test below holds the real meta
 * to the IAM names.
 */
function withOperationNames<I>(s: Step<I>, operations: string[]): Step<I> {
  const fix = [...s.meta.permissions.fix];
  for (const op of operations) {
    const [service, operation] = op.split(':') as [string, string];
    if (fix.includes(iamActionFor(service, operation))) fix.push(op);
  }
  return { ...s, meta: { ...s.meta, permissions: { ...s.meta.permissions, fix } } };
}

runStepCases(withOperationNames(step, [PUT]), [
  {
    name: 'no buckets: passes with one finding',
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', resource: 'arn:aws:s3:::*', message: 'There are no S3 buckets in this account.' }],
  },
  {
    name: 'day-one seed: a policy granting "*" is public; named in the answers, the bucket is closed and its policy no longer counts',
    seed: (ctx) => step.seed!(ctx),
    inputs: { buckets: [SHARED_BUCKET] },
    expectStatus: 'fail',
    expectFindings: [
      {
        status: 'fail',
        resource: arn(SHARED_BUCKET),
        region: 'us-east-1',
        message:
          'Bucket day-one-shared-files (us-east-1) is public: its policy: statement 1 ("ShareDownloads") allows anyone s3:GetObject. ' +
          'It has no Block Public Access of its own.',
      },
    ],
    expectOperations: [PUT],
    expectFindingsAfter: [
      { status: 'pass', message: expect.stringContaining('has all four Block Public Access settings on; that keeps it private although its policy: statement 1') },
    ],
  },
  {
    name: 'the website with a public-read ACL, named, is closed',
    seed: (ctx) => accountStep.seed!(ctx),
    inputs: { buckets: [WEBSITE_BUCKET] },
    expectStatus: 'fail',
    expectFindings: [{ status: 'fail', resource: arn(WEBSITE_BUCKET), message: expect.stringContaining('is public: its ACL grants READ to everyone (AllUsers)') }],
    expectOperations: [PUT],
    expectFindingsAfter: [{ status: 'pass', message: 'Bucket day-one-website (us-east-1) has all four Block Public Access settings on.' }],
  },
  {
    name: 'with "all", private buckets are blocked and the public one is left open',
    seed: buckets(
      { name: 'ss-bpa-private' },
      { name: 'ss-bpa-public', acl: 'authenticated-read' },
      { name: 'ss-bpa-vpce', policy: { ...publicPolicy('ss-bpa-vpce'), Statement: [{ ...publicPolicy('ss-bpa-vpce').Statement[0], Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-0a1b2c3d' } } }] } },
    ),
    inputs: { buckets: 'all' },
    expectStatus: 'fail',
    expectFindings: [
      { status: 'fail', resource: arn('ss-bpa-private'), message: 'Bucket ss-bpa-private (us-east-1) is not public today, but it has no Block Public Access of its own.' },
      { status: 'fail', resource: arn('ss-bpa-public'), message: expect.stringContaining('is public: its ACL grants READ to any AWS account (AuthenticatedUsers)') },
      { status: 'fail', resource: arn('ss-bpa-vpce'), message: expect.stringContaining('is not public today') },
    ],
    expectOperations: [PUT, PUT],
    expectAfter: 'fail',
    expectFindingsAfter: [{ status: 'pass' }, { status: 'fail', resource: arn('ss-bpa-public') }, { status: 'pass' }],
  },
  {
    name: 'a bucket with all four settings passes and plans nothing, though its ACL and policy grant "*"',
    seed: buckets({ name: 'ss-bpa-blocked', acl: 'public-read', policy: publicPolicy('ss-bpa-blocked'), block: { ...FULL_BLOCK } }),
    expectStatus: 'pass',
    expectFindings: [
      {
        status: 'pass',
        message: 'Bucket ss-bpa-blocked (us-east-1) has all four Block Public Access settings on; that keeps it private although its policy: statement 1 ("Anyone") allows anyone s3:GetObject.',
      },
    ],
  },
  {
    name: 'a partial block fails and names the settings that are off',
    seed: buckets({ name: 'ss-bpa-partial', block: { BlockPublicAcls: true, IgnorePublicAcls: true } }),
    expectStatus: 'fail',
    expectFindings: [{ status: 'fail', message: expect.stringContaining('only partly on (on: BlockPublicAcls, IgnorePublicAcls; off: BlockPublicPolicy, RestrictPublicBuckets)') }],
    expectOperations: [PUT],
  },
  {
    name: 'a bucket in another region is read and fixed through that region',
    seed: buckets({ name: 'ss-bpa-eu', region: 'eu-west-1' }),
    expectStatus: 'fail',
    expectFindings: [{ status: 'fail', resource: arn('ss-bpa-eu'), region: 'eu-west-1', message: expect.stringContaining('Bucket ss-bpa-eu (eu-west-1)') }],
    expectOperations: [PUT],
  },
  {
    name: 'the account-level block makes a public policy harmless today, and the bucket still gets its own',
    seed: async (ctx) => {
      await buckets({ name: 'ss-bpa-covered', policy: publicPolicy('ss-bpa-covered') })(ctx);
      await ctx.client(S3ControlClient).send(new PutAccountPublicAccessBlockCommand({ AccountId: ctx.target.accountId, PublicAccessBlockConfiguration: { ...FULL_BLOCK } }));
    },
    expectStatus: 'fail',
    expectFindings: [{ status: 'fail', message: expect.stringContaining('is not public today (only Block Public Access at account level neutralises this: its policy') }],
    expectOperations: [PUT],
  },
  {
    name: 'a policy that cannot be parsed may be public: closed only by name',
    seed: buckets({ name: 'ss-bpa-garbled', policy: '{"Statement": [' }),
    inputs: { buckets: ['ss-bpa-garbled'] },
    expectStatus: 'fail',
    expectFindings: [{ status: 'fail', message: expect.stringContaining('may be public: its policy cannot be read (it is not valid JSON') }],
    expectOperations: [PUT],
  },
]);

describe('data.s3-bucket-public-access: a public bucket is never closed silently', () => {
  it('under fix --yes defaults ("all"), the public bucket is left open and the plan says how to name it', async () => {
    await withChecked(step, { seed: async (c) => {
      await step.seed!(c);
      await accountStep.seed!(c);
    } }, async (ctx, checked) => {
      expect(checked.result.status).toBe('fail');
      const plan = await planStep(checked, ctx, step.inputs!.defaults(checked.result.findings));
      expect(plan.actions).toEqual([]);
      expect(plan.warnings).toEqual([
        expect.stringMatching(/^Bucket day-one-shared-files \(us-east-1\) is left as it is: it is public \(its policy: .*\), and a public bucket is closed only when it is named .*"buckets": \["day-one-shared-files", …\]/),
        expect.stringMatching(/^Bucket day-one-website \(us-east-1\) is left as it is: it is public \(its ACL grants READ to everyone \(AllUsers\)\)/),
      ]);
    });
  });

  it('a named public bucket: the action is destructive and a warning says it stops being public', async () => {
    await withChecked(step, { seed: (c) => accountStep.seed!(c) }, async (ctx, checked) => {
      const plan = await planStep(checked, ctx, { buckets: [WEBSITE_BUCKET] });
      expect(plan.actions).toHaveLength(1);
      expect(plan.actions[0]).toMatchObject({
        summary: 'Turn on all four Block Public Access settings for bucket day-one-website (us-east-1), ending its public access',
        destructive: true,
        region: 'us-east-1',
        params: { Bucket: WEBSITE_BUCKET, PublicAccessBlockConfiguration: FULL_BLOCK },
        inverse: { operation: 'DeletePublicAccessBlock', params: { Bucket: WEBSITE_BUCKET } },
      });
      expect(plan.warnings).toEqual([expect.stringMatching(/^Bucket day-one-website \(us-east-1\) stops being public: its ACL grants READ to everyone \(AllUsers\)\. .*website visitors/)]);
    });
  });

  it('the wizard asks per public bucket (default No) and once for the others (default Yes)', async () => {
    await withChecked(step, { seed: buckets({ name: 'ss-ask-a' }, { name: 'ss-ask-b' }, { name: 'ss-ask-public', acl: 'public-read' }, { name: 'ss-ask-shared', policy: publicPolicy('ss-ask-shared') }) }, async (ctx, checked) => {
      const findings = checked.result.findings;
      const asker = new ScriptedAsker([{ confirm: null }, { confirm: true }, { confirm: null }]);
      const answer = await step.inputs!.ask(asker, step.inputs!.defaults(findings), findings);
      expect(asker.asked.map((q) => [q.message, q.default, q.answer])).toEqual([
        [expect.stringMatching(/^Bucket ss-ask-public \(us-east-1\) is public: its ACL grants READ to everyone \(AllUsers\)\. Block public access to it\? .*website/), false, false],
        [expect.stringMatching(/^Bucket ss-ask-shared \(us-east-1\) is public: its policy: statement 1 \("Anyone"\) allows anyone s3:GetObject\. Block/), false, true],
        ['Turn on Block Public Access for the buckets that are not public today: ss-ask-a (us-east-1), ss-ask-b (us-east-1)?', true, true],
      ]);
      expect(answer).toEqual({ buckets: ['ss-ask-shared', 'ss-ask-a', 'ss-ask-b'] });
      const plan = await planStep(checked, ctx, answer);
      expect(plan.actions.map((a) => a.params.Bucket)).toEqual(['ss-ask-a', 'ss-ask-b', 'ss-ask-shared']);

      const onlyOthers = await step.inputs!.ask(new ScriptedAsker([{ confirm: null }, { confirm: null }, { confirm: null }]), { buckets: 'all' }, findings);
      expect(onlyOthers).toEqual({ buckets: 'all' });
    });
  });
});

describe('data.s3-bucket-public-access: permissions, reads and undo', () => {
  it('declares its fix as the IAM action, not the operation name', async () => {
    await withChecked(step, { seed: buckets({ name: 'ss-perm', block: { BlockPublicAcls: true } }) }, async (ctx, checked) => {
      const plan = await planStep(checked, ctx, undefined);
      for (const a of plan.actions) expect(step.meta.permissions.fix).toContain(iamActionFor(a.service, a.operation));
      expect(step.meta.permissions.fix).toEqual(['s3:PutBucketPublicAccessBlock']);
    });
  });

  it('check and plan only read: the bucket list once, then one read of each kind per bucket', async () => {
    const { checked, plan, sent, recorded } = await recordCheckAndPlan(step, {
      seed: buckets({ name: 'ss-read-a' }, { name: 'ss-read-b', acl: 'public-read' }, { name: 'ss-read-c', block: { ...FULL_BLOCK } }),
    });
    expect(checked.result.status).toBe('fail');
    expect(plan.actions).toHaveLength(1);
    const count = (op: string) => sent.filter((s) => s === op).length;
    expect(count('S3:ListBuckets')).toBe(1);
    expect(count('S3:GetBucketLocation')).toBe(3);
    expect(count('S3:GetPublicAccessBlock')).toBe(3);
    expect(count('S3:GetBucketPolicy')).toBe(3);
    // ss-read-c ignores public ACLs itself: its ACL cannot make it public and is not read.
    expect(count('S3:GetBucketAcl')).toBe(2);
    expect(count('S3Control:GetPublicAccessBlock')).toBe(1);
    expect(sent.filter((s) => s.startsWith('S3:GetBucketPolicyStatus'))).toEqual([]);
    expect(recorded.filter((r) => !isReadRequest(r))).toEqual([]);
  });

  it('the read-only guard refuses the planned change while a check or plan runs', async () => {
    await withChecked(step, { seed: buckets({ name: 'ss-guard' }) }, async (ctx, checked) => {
      const plan = await planStep(checked, ctx, undefined);
      await expect(plan.actions[0]!.run(ctx)).rejects.toBeInstanceOf(MutationBlockedError);
    });
  });

  it.each([
    ['none', undefined],
    ['a partial one', { BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: true, RestrictPublicBuckets: false }],
  ])('the inverse restores the previous block exactly (%s)', async (_name, block) => {
    await withChecked(step, { seed: buckets({ name: 'ss-undo', region: 'eu-west-1', ...(block ? { block } : {}) }) }, async (ctx, checked) => {
      const [action] = (await planStep(checked, ctx, undefined)).actions;
      ctx.factory.readOnly = false;
      await action!.run(ctx);
      const s3 = ctx.client(S3Client, 'eu-west-1');
      expect((await s3.send(new GetPublicAccessBlockCommand({ Bucket: 'ss-undo' }))).PublicAccessBlockConfiguration).toEqual(FULL_BLOCK);
      const inverse = action!.inverse!;
      expect(inverse.region).toBe('eu-west-1');
      if (inverse.operation === 'DeletePublicAccessBlock') await s3.send(new DeletePublicAccessBlockCommand(inverse.params as { Bucket: string }));
      else await s3.send(new PutPublicAccessBlockCommand(inverse.params as { Bucket: string; PublicAccessBlockConfiguration: PublicAccessBlockConfiguration }));
      ctx.invalidate();
      const restored = await checkStep({ meta: step.meta, load: async () => step }, ctx);
      expect(restored.result.findings).toEqual(checked.result.findings);
    });
  });
});

describe('data.s3-bucket-public-access: undo', () => {
  const entry = { meta: step.meta, load: async () => step };
  const block = (Bucket: string, config: Partial<PublicAccessBlockConfiguration>) => async (ctx: RunContext) => {
    await ctx.client(S3Client).send(new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false, ...config } }));
  };

  it('puts back a partial bucket block exactly and removes a block that was not there', async () => {
    const seed = async (ctx: RunContext) => {
      await buckets({ name: 'ss-undo-partial' }, { name: 'ss-undo-none' })(ctx);
      await block('ss-undo-partial', { IgnorePublicAcls: true })(ctx);
    };
    await inSandbox({ seed }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, { buckets: 'all' });
      expect(run.items.map((i) => i.kind)).toEqual(['undo', 'undo']);
      expect(run.journal.filter((e) => e.undoes !== undefined).map((e) => e.operation).sort()).toEqual(['DeletePublicAccessBlock', 'PutPublicAccessBlock']);
      expect(run.afterUndo).toEqual(run.before);
    });
  });

  it('refuses a bucket whose block someone changed after the fix, leaves their change, and undoes the others', async () => {
    await inSandbox({ seed: buckets({ name: 'ss-undo-a' }, { name: 'ss-undo-b' }) }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, { buckets: 'all' }, { between: block('ss-undo-a', { BlockPublicAcls: true }) });
      const byBucket = Object.fromEntries(run.items.map((i) => [(i.entry.params as { Bucket: string }).Bucket, i.kind]));
      expect(byBucket).toEqual({ 'ss-undo-a': 'drifted', 'ss-undo-b': 'undo' });
      const a = await ctx.client(S3Client).send(new GetPublicAccessBlockCommand({ Bucket: 'ss-undo-a' }));
      expect(a.PublicAccessBlockConfiguration).toMatchObject({ BlockPublicAcls: true, IgnorePublicAcls: false });
      await expect(ctx.client(S3Client).send(new GetPublicAccessBlockCommand({ Bucket: 'ss-undo-b' }))).rejects.toThrow();
    });
  });
});
