import {
  DeletePublicAccessBlockCommand,
  GetPublicAccessBlockCommand,
  PutPublicAccessBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import type { PublicAccessBlockConfiguration } from '@aws-sdk/client-s3-control';
import { describe, expect, it } from 'vitest';
import { iamActionFor } from '../../src/aws/actions.js';
import { MutationBlockedError } from '../../src/aws/errors.js';
import type { RunContext } from '../../src/engine/context.js';
import { checkStep, planStep } from '../../src/engine/runner.js';
import type { Step } from '../../src/engine/types.js';
import { FULL_BLOCK } from '../../steps/data/_shared/publicness.js';
import type { BlockConfig } from '../../steps/data/_shared/publicness.js';
import step from '../../steps/data/s3-account-public-access/index.js';
import bucketStep from '../../steps/data/s3-bucket-public-access/index.js';
import { SHARED_BUCKET, WEBSITE_BUCKET, makeBucket } from '../../steps/data/_shared/bucket-fixtures.js';
import { inSandbox, isReadRequest, recordCheckAndPlan, runStepCases, ScriptedAsker, withChecked } from '../helpers/step-tester.js';
import { fixThenUndo } from '../helpers/undo.js';

const ACCOUNT = '123456789012';
const RESOURCE = `arn:aws:s3::${ACCOUNT}:account`;
const PUT = 's3control:PutPublicAccessBlock';

function accountBlock(block: Partial<BlockConfig>) {
  return async (ctx: RunContext) => {
    const config = { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false, ...block };
    await ctx.client(S3ControlClient).send(new PutPublicAccessBlockCommand({ AccountId: ACCOUNT, PublicAccessBlockConfiguration: config }));
  };
}

const both =
  (...seeds: ((ctx: RunContext) => Promise<void>)[]) =>
  async (ctx: RunContext) => {
    for (const s of seeds) await s(ctx);
  };

/** See test/sandbox/steps-s3-bucket-public-access.test.ts: StepTester matches operation names literally against the IAM actions. */
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
    name: 'no block and no public bucket: turned on without inputs',
    seed: (ctx) => makeBucket(ctx, { name: 'ss-acct-private' }).then(() => undefined),
    expectStatus: 'fail',
    expectFindings: [
      {
        status: 'fail',
        resource: RESOURCE,
        region: 'global',
        message:
          'Block Public Access is not set for the account: any bucket can be opened to the public by its ACL or policy. ' +
          'No bucket is public today, so turning it on closes nothing that works now.',
      },
    ],
    expectOperations: [PUT],
    expectFindingsAfter: [{ status: 'pass', message: 'Block Public Access is on for the account (all four settings): no bucket can be made public.' }],
  },
  {
    name: 'day-one seed: the public website is found; named in the answers, the block is turned on',
    seed: (ctx) => step.seed!(ctx),
    inputs: { publicBucketsToClose: [WEBSITE_BUCKET] },
    expectStatus: 'fail',
    expectFindings: [
      {
        status: 'fail',
        message: expect.stringContaining(
          '1 bucket is public today and would stop being public when it is turned on: day-one-website (us-east-1).',
        ),
      },
    ],
    expectOperations: [PUT],
  },
  {
    name: 'all four settings on: passes, and no bucket is read',
    seed: accountBlock(FULL_BLOCK),
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', resource: RESOURCE }],
  },
  {
    name: 'a partial block names what is off; a public ACL it already ignores does not count',
    // The seed removes any account block first, so the block comes after it.
    seed: both((ctx) => step.seed!(ctx), accountBlock({ BlockPublicAcls: true, IgnorePublicAcls: true })),
    expectStatus: 'fail',
    expectFindings: [
      {
        status: 'fail',
        message:
          'Block Public Access is only partly on for the account (on: BlockPublicAcls, IgnorePublicAcls; off: BlockPublicPolicy, RestrictPublicBuckets): ' +
          'the settings that are off leave a way to make a bucket public. No bucket is public today, so turning it on closes nothing that works now.',
      },
    ],
    expectOperations: [PUT],
  },
  {
    name: 'every public bucket must be named: two public buckets, both named',
    seed: both((ctx) => step.seed!(ctx), (ctx) => bucketStep.seed!(ctx)),
    inputs: { publicBucketsToClose: [SHARED_BUCKET, WEBSITE_BUCKET] },
    expectStatus: 'fail',
    expectFindings: [{ status: 'fail', message: expect.stringContaining('2 buckets are public today and would stop being public when it is turned on: day-one-shared-files (us-east-1), day-one-website (us-east-1).') }],
    expectOperations: [PUT],
  },
]);

describe('data.s3-account-public-access: a public website is seen before it goes dark', () => {
  it('the plan names the public website, warns that it stops being public, and is destructive (confirmation defaults to No)', async () => {
    await withChecked(step, { seed: (c) => step.seed!(c) }, async (ctx, checked) => {
      const inputs = await step.inputs!.ask(new ScriptedAsker([]), step.inputs!.defaults(checked.result.findings), checked.result.findings);
      expect(inputs).toEqual({ publicBucketsToClose: [WEBSITE_BUCKET] });
      const plan = await planStep(checked, ctx, inputs);
      expect(plan.actions).toHaveLength(1);
      expect(plan.actions[0]).toMatchObject({
        service: 's3control',
        operation: 'PutPublicAccessBlock',
        region: 'global',
        destructive: true,
        summary: `Turn on all four Block Public Access settings for account ${ACCOUNT}, ending public access to 1 bucket: day-one-website (us-east-1)`,
        params: { AccountId: ACCOUNT, PublicAccessBlockConfiguration: FULL_BLOCK },
        inverse: { service: 's3control', operation: 'DeletePublicAccessBlock', params: { AccountId: ACCOUNT } },
      });
      expect(plan.warnings).toEqual([
        'Bucket day-one-website (us-east-1) stops being public: its ACL grants READ to everyone (AllUsers).',
        expect.stringContaining('Anything served to the public straight from these buckets (a static website, download links) stops working at once.'),
      ]);
    });
  });

  it('the wizard says which buckets it would close before the plan, and asks nothing itself', async () => {
    await withChecked(step, { seed: (c) => step.seed!(c) }, async (ctx, checked) => {
      const asker = new ScriptedAsker([]);
      await step.inputs!.ask(asker, step.inputs!.defaults(checked.result.findings), checked.result.findings);
      expect(asker.notes).toEqual([expect.stringMatching(/^Turning on Block Public Access for the account ends public access to 1 bucket: day-one-website \(us-east-1\)\. .*defaults to No\.$/)]);
    });
  });

  it('under fix --yes without the names, nothing is planned: the warnings name the buckets and the guidance says how to go ahead', async () => {
    await withChecked(step, { seed: both((c) => step.seed!(c), (c) => bucketStep.seed!(c)) }, async (ctx, checked) => {
      const plan = await planStep(checked, ctx, step.inputs!.defaults(checked.result.findings));
      expect(plan.actions).toEqual([]);
      expect(plan.warnings).toEqual([
        'Bucket day-one-shared-files (us-east-1) stops being public: its policy: statement 1 ("ShareDownloads") allows anyone s3:GetObject.',
        'Bucket day-one-website (us-east-1) stops being public: its ACL grants READ to everyone (AllUsers).',
      ]);
      expect(plan.guidance).toContain('"data.s3-account-public-access": { "publicBucketsToClose": ["day-one-shared-files","day-one-website"] }');
      // Naming only one of them is not enough.
      const half = await planStep(checked, ctx, { publicBucketsToClose: [WEBSITE_BUCKET] });
      expect(half.actions).toEqual([]);
      expect(half.guidance).toMatch(/^Turning on Block Public Access for the account would end public access to 1 bucket that nobody confirmed: day-one-shared-files/);
    });
  });

  it('a bucket whose policy cannot be parsed may be public, and must be named too', async () => {
    await withChecked(step, { seed: (c) => makeBucket(c, { name: 'ss-acct-garbled', policy: 'Allow everyone' }).then(() => undefined) }, async (ctx, checked) => {
      expect(checked.result.findings[0]!.message).toContain('Whether 1 bucket is public could not be told: ss-acct-garbled (us-east-1).');
      expect((await planStep(checked, ctx, undefined)).actions).toEqual([]);
      const plan = await planStep(checked, ctx, { publicBucketsToClose: ['ss-acct-garbled'] });
      expect(plan.actions[0]!.destructive).toBe(true);
      expect(plan.warnings![0]).toMatch(/^Bucket ss-acct-garbled \(us-east-1\) may be public \(its policy cannot be read \(it is not valid JSON/);
    });
  });
});

describe('data.s3-account-public-access: permissions, reads and undo', () => {
  it('declares its calls as IAM actions (S3 Control names them differently)', () => {
    expect(iamActionFor('s3control', 'PutPublicAccessBlock')).toBe('s3:PutAccountPublicAccessBlock');
    expect(step.meta.permissions.fix).toEqual(['s3:PutAccountPublicAccessBlock']);
    expect(step.meta.permissions.check).toContain('s3:GetAccountPublicAccessBlock');
  });

  it('with the block on, the check is one read; otherwise it reads the buckets, and never writes', async () => {
    const on = await recordCheckAndPlan(step, { seed: both((c) => step.seed!(c), accountBlock(FULL_BLOCK)) });
    expect(on.sent).toEqual(['S3Control:GetPublicAccessBlock']);
    const off = await recordCheckAndPlan(step, { seed: (c) => step.seed!(c) });
    expect(off.checked.result.status).toBe('fail');
    expect(new Set(off.sent)).toEqual(
      new Set(['S3Control:GetPublicAccessBlock', 'S3:ListBuckets', 'S3:GetBucketLocation', 'S3:GetPublicAccessBlock', 'S3:GetBucketAcl', 'S3:GetBucketPolicy']),
    );
    expect(off.recorded.filter((r) => !isReadRequest(r))).toEqual([]);
  });

  it('the read-only guard refuses the planned change while a check or plan runs', async () => {
    await withChecked(step, {}, async (ctx, checked) => {
      const plan = await planStep(checked, ctx, undefined);
      await expect(plan.actions[0]!.run(ctx)).rejects.toBeInstanceOf(MutationBlockedError);
    });
  });

  it.each([
    ['none', undefined],
    ['a partial one', { BlockPublicPolicy: true, RestrictPublicBuckets: true }],
  ])('the inverse restores the previous configuration exactly (%s)', async (_name, block) => {
    await withChecked(step, { seed: block ? accountBlock(block) : async () => undefined }, async (ctx, checked) => {
      const [action] = (await planStep(checked, ctx, undefined)).actions;
      ctx.factory.readOnly = false;
      await action!.run(ctx);
      const s3c = ctx.client(S3ControlClient);
      expect((await s3c.send(new GetPublicAccessBlockCommand({ AccountId: ACCOUNT }))).PublicAccessBlockConfiguration).toEqual(FULL_BLOCK);
      const inverse = action!.inverse!;
      if (inverse.operation === 'DeletePublicAccessBlock') await s3c.send(new DeletePublicAccessBlockCommand({ AccountId: ACCOUNT }));
      else await s3c.send(new PutPublicAccessBlockCommand(inverse.params as { AccountId: string; PublicAccessBlockConfiguration: PublicAccessBlockConfiguration }));
      ctx.invalidate();
      const restored = await checkStep({ meta: step.meta, load: async () => step }, ctx);
      expect(restored.result.findings).toEqual(checked.result.findings);
    });
  });
});

describe('data.s3-account-public-access: undo', () => {
  const entry = { meta: step.meta, load: async () => step };

  it('puts back a partial block exactly, and the check reads as before', async () => {
    await inSandbox({ seed: accountBlock({ BlockPublicPolicy: true }) }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, undefined);
      expect(run.afterFix).not.toEqual(run.before);
      expect(run.items.map((i) => i.kind)).toEqual(['undo']);
      expect(run.journal.at(-1)).toMatchObject({ operation: 'PutPublicAccessBlock', undoes: 0, result: 'ok' });
      expect(run.afterUndo).toEqual(run.before);
    });
  });

  it('refuses when someone changed the block after the fix, and leaves their change', async () => {
    await inSandbox({}, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, undefined, { between: accountBlock({ BlockPublicAcls: true, IgnorePublicAcls: true }) });
      expect(run.items).toEqual([expect.objectContaining({ kind: 'drifted', reason: expect.stringContaining('changed after the fix') })]);
      expect(run.journal.some((e) => e.undoes !== undefined)).toBe(false);
      const now = await ctx.client(S3ControlClient).send(new GetPublicAccessBlockCommand({ AccountId: ACCOUNT }));
      expect(now.PublicAccessBlockConfiguration).toMatchObject({ BlockPublicAcls: true, BlockPublicPolicy: false });
    });
  });

  it('has nothing to do when the block is already back as before', async () => {
    await inSandbox({}, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, undefined, {
        between: (c) => c.client(S3ControlClient).send(new DeletePublicAccessBlockCommand({ AccountId: ACCOUNT })).then(() => undefined),
      });
      expect(run.items.map((i) => i.kind)).toEqual(['nothing']);
    });
  });
});
