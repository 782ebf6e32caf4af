import type { AdvancedEventSelector, EventSelector } from '@aws-sdk/client-cloudtrail';
import { CloudTrailClient, CreateTrailCommand, DescribeTrailsCommand, GetEventSelectorsCommand, PutEventSelectorsCommand, StartLoggingCommand, UpdateTrailCommand } from '@aws-sdk/client-cloudtrail';
import { CreateBucketCommand, GetBucketPolicyCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { iamActionFor } from '../../src/aws/actions.js';
import { RunContext } from '../../src/engine/context.js';
import { applyPlan, checkStep, planStep } from '../../src/engine/runner.js';
import { loggingBucketActions, loggingBucketName, readLoggingBucket } from '../../steps/monitoring/_shared/logging-bucket.js';
import { TRAIL_NAME } from '../../steps/monitoring/_shared/trails.js';
import step, { DAY_ONE_TRAIL, dayOneTrailBucket } from '../../steps/monitoring/cloudtrail/index.js';
import { inSandbox, isReadRequest, recordCheckAndPlan, runStepCases, SANDBOX_ACCOUNT_ID, withChecked } from '../helpers/step-tester.js';
import { deliverLog, LOGGING_BUCKET_SETUP } from '../helpers/logging-bucket.js';
import { fixThenUndo } from '../helpers/undo.js';

const A = SANDBOX_ACCOUNT_ID;
const LOGS = loggingBucketName({ accountId: A, homeRegion: 'us-east-1' });
/** A bucket someone made for their own trail (not the shared logging bucket). */
const THEIR_BUCKET = 'ct-their-trail-logs';
const NEW_TRAIL = ['cloudtrail:CreateTrail', 'cloudtrail:PutEventSelectors', 'cloudtrail:StartLogging'];
const ALL: EventSelector[] = [{ ReadWriteType: 'All', IncludeManagementEvents: true }];
const S3_DATA = { Type: 'AWS::S3::Object', Values: [`arn:aws:s3:::${THEIR_BUCKET}/`] };

interface TrailFixture {
  name: string;
  /** The trail's home region; default us-east-1. */
  region?: string;
  multiRegion?: boolean;
  validation?: boolean;
  logging?: boolean;
  /** Omitted: none set (moto then reports no selector at all). */
  selectors?: EventSelector[];
  advanced?: AdvancedEventSelector[];
  bucket?: string;
}

async function bucket(ctx: RunContext, name: string): Promise<void> {
  try {
    await ctx.client(S3Client).send(new CreateBucketCommand({ Bucket: name }));
  } catch (err) {
    if ((err as Error).name !== 'BucketAlreadyOwnedByYou') throw err;
  }
}

async function makeTrail(ctx: RunContext, t: TrailFixture): Promise<string> {
  const region = t.region ?? 'us-east-1';
  const S3BucketName = t.bucket ?? THEIR_BUCKET;
  await bucket(ctx, S3BucketName);
  const ct = ctx.client(CloudTrailClient, region);
  const arn = (
    await ct.send(new CreateTrailCommand({ Name: t.name, S3BucketName, IsMultiRegionTrail: t.multiRegion ?? true, EnableLogFileValidation: t.validation ?? true }))
  ).TrailARN!;
  if (t.selectors) await ct.send(new PutEventSelectorsCommand({ TrailName: arn, EventSelectors: t.selectors }));
  if (t.advanced) await ct.send(new PutEventSelectorsCommand({ TrailName: arn, AdvancedEventSelectors: t.advanced }));
  if (t.logging ?? true) await ct.send(new StartLoggingCommand({ Name: t.name }));
  return arn;
}

const trails =
  (...list: TrailFixture[]) =>
  async (ctx: RunContext) => {
    for (const t of list) await makeTrail(ctx, t);
  };

/** The shared logging bucket as an earlier monitoring step (flow logs) left it: ready, with only its own statements. */
async function loggingBucketFromFlowLogs(ctx: RunContext): Promise<void> {
  const actions = loggingBucketActions(ctx, await readLoggingBucket(ctx), [{ service: 'flow-logs' }]);
  for (const a of actions) await a.run(ctx);
}

/**
 * Undo of a new trail (newest first): logging stopped, its selectors go with it, the trail deleted,
 * the bucket policy removed; the bucket's settings go with the bucket, which is deleted (empty).
 */
const UNDO_NEW_TRAIL = ['undo', 'nothing', 'undo', 'undo'] as const;
const UNDO_NEW_BUCKET = ['nothing', 'nothing', 'nothing', 'undo'] as const;

/** A log file in the logging bucket, as CloudTrail would deliver it. */
const putLog = (ctx: RunContext) => deliverLog(ctx, `AWSLogs/${A}/CloudTrail/us-east-1/log.json.gz`, '{}');

const ARN = (name: string, region = 'us-east-1') => `arn:aws:cloudtrail:${region}:${A}:trail/${name}`;

runStepCases(step, [
  {
    name: 'day-one: a single-region trail that never started does not count; the shared bucket and a new trail are made',
    seed: (ctx) => step.seed!(ctx),
    expectStatus: 'fail',
    expectFindings: [
      {
        status: 'fail',
        resource: `arn:aws:cloudtrail:us-east-1:${A}:trail/*`,
        region: 'global',
        message:
          'No multi-region trail of this account records management events in every region. ' +
          'Single-region trail day-one-trail (us-east-1) does not count: activity in every other region goes unrecorded.',
      },
    ],
    expectOperations: [...LOGGING_BUCKET_SETUP, ...NEW_TRAIL],
    expectFindingsAfter: [{ status: 'pass', resource: ARN(TRAIL_NAME) }],
    expectUndo: { kinds: [...UNDO_NEW_TRAIL, ...UNDO_NEW_BUCKET] },
  },
  {
    name: 'no trail at all: says what is lost and makes one',
    expectStatus: 'fail',
    expectFindings: [{ status: 'fail', message: expect.stringMatching(/^No CloudTrail trail: .*90 days/) }],
    expectOperations: [...LOGGING_BUCKET_SETUP, ...NEW_TRAIL],
    // moto delivers no logs: one is put there by hand, so the bucket's undo empties it (destructive; the table says yes).
    expectApplied: putLog,
    expectUndo: { kinds: [...UNDO_NEW_TRAIL, ...UNDO_NEW_BUCKET] },
  },
  {
    name: 'a multi-region trail that logs every management event with validation passes',
    seed: trails({ name: 'org-audit', selectors: ALL }),
    expectStatus: 'pass',
    expectFindings: [
      {
        status: 'pass',
        resource: ARN('org-audit'),
        message: 'Multi-region trail org-audit (home region us-east-1) is logging every management event, reads and writes, in every region, with log-file validation.',
      },
    ],
  },
  {
    name: 'a multi-region trail that is not logging: only StartLogging, the trail reused',
    seed: trails({ name: 'paused', selectors: ALL, logging: false }),
    expectStatus: 'fail',
    expectFindings: [{ resource: ARN('paused'), message: 'Multi-region trail paused (home region us-east-1) is not logging (it records nothing).' }],
    expectOperations: ['cloudtrail:StartLogging'],
    expectFindingsAfter: [{ status: 'pass', resource: ARN('paused') }],
  },
  {
    name: 'a multi-region trail without validation: only UpdateTrail',
    seed: trails({ name: 'unvalidated', selectors: ALL, validation: false }),
    expectStatus: 'fail',
    expectFindings: [{ message: 'Multi-region trail unvalidated (home region us-east-1) has log-file validation off.' }],
    expectOperations: ['cloudtrail:UpdateTrail'],
    expectFindingsAfter: [{ status: 'pass', resource: ARN('unvalidated') }],
  },
  {
    name: 'a multi-region trail with no event selector logs no management events: only PutEventSelectors',
    seed: trails({ name: 'no-selectors' }),
    expectStatus: 'fail',
    expectFindings: [{ message: 'Multi-region trail no-selectors (home region us-east-1) records no management events.' }],
    expectOperations: ['cloudtrail:PutEventSelectors'],
    // moto gives a new trail no selector at all (AWS gives a default one): none cannot be put back.
    expectUndo: { kinds: ['irreversible'], findingsAfterUndo: [{ status: 'pass', resource: ARN('no-selectors') }] },
  },
  {
    name: 'a multi-region trail with management events turned off (data events only) fails',
    seed: trails({ name: 'data-only', selectors: [{ ReadWriteType: 'All', IncludeManagementEvents: false, DataResources: [S3_DATA] }] }),
    expectStatus: 'fail',
    expectFindings: [{ message: expect.stringContaining('records no management events') }],
    expectOperations: ['cloudtrail:PutEventSelectors'],
  },
  {
    name: 'a multi-region trail in another home region lacking everything: three calls there, no bucket, no new trail',
    seed: trails({ name: 'eu-trail', region: 'eu-west-1', validation: false, logging: false, selectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }] }),
    expectStatus: 'fail',
    expectFindings: [
      {
        resource: ARN('eu-trail', 'eu-west-1'),
        message:
          'Multi-region trail eu-trail (home region eu-west-1) is not logging (it records nothing), has log-file validation off ' +
          'and records only write management events, not the reads.',
      },
    ],
    expectOperations: ['cloudtrail:UpdateTrail', 'cloudtrail:PutEventSelectors', 'cloudtrail:StartLogging'],
    expectFindingsAfter: [{ status: 'pass', resource: ARN('eu-trail', 'eu-west-1') }],
  },
  {
    name: 'the best of several multi-region trails is fixed, and single-region ones are named as not counting',
    seed: trails(
      { name: 'aaa-stopped', selectors: ALL, logging: false, validation: false },
      { name: 'bbb-logging', selectors: ALL, validation: false },
      { name: 'one-region', multiRegion: false, selectors: ALL, logging: false },
    ),
    expectStatus: 'fail',
    expectFindings: [
      {
        resource: ARN('bbb-logging'),
        message: 'Multi-region trail bbb-logging (home region us-east-1) has log-file validation off. Single-region trail one-region (us-east-1) does not count: activity in every other region goes unrecorded.',
      },
    ],
    expectOperations: ['cloudtrail:UpdateTrail'],
    expectFindingsAfter: [{ status: 'pass', resource: ARN('bbb-logging') }],
  },
  {
    name: 'a read-only management selector beside a data selector: one PutEventSelectors',
    seed: trails({
      name: 'reads-only',
      selectors: [
        { ReadWriteType: 'ReadOnly', IncludeManagementEvents: true },
        { ReadWriteType: 'WriteOnly', IncludeManagementEvents: false, DataResources: [S3_DATA] },
      ],
    }),
    expectStatus: 'fail',
    expectFindings: [{ message: expect.stringContaining('records only read management events') }],
    expectOperations: ['cloudtrail:PutEventSelectors'],
  },
  {
    name: 'advanced selectors split by readOnly: one PutEventSelectors',
    seed: trails({
      name: 'advanced-split',
      advanced: [
        {
          Name: 'Management reads',
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Management'] },
            { Field: 'readOnly', Equals: ['true'] },
          ],
        },
        {
          Name: 'S3 writes',
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Data'] },
            { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
          ],
        },
      ],
    }),
    expectStatus: 'fail',
    expectOperations: ['cloudtrail:PutEventSelectors'],
  },
  {
    name: 'an existing logging bucket from an earlier step is reused: only its policy gains the CloudTrail statements',
    seed: loggingBucketFromFlowLogs,
    expectStatus: 'fail',
    expectOperations: ['s3:PutBucketPolicy', ...NEW_TRAIL],
    expectUndo: { kinds: [...UNDO_NEW_TRAIL] },
  },
  {
    name: 'our own trail left single-region is widened, not duplicated',
    seed: trails({ name: TRAIL_NAME, multiRegion: false, validation: false, logging: false, bucket: LOGS }),
    expectStatus: 'fail',
    expectOperations: ['cloudtrail:UpdateTrail', 'cloudtrail:PutEventSelectors', 'cloudtrail:StartLogging'],
    // It had no selector (moto), which cannot be put back: the rest is undone, single-region again.
    expectUndo: {
      kinds: ['undo', 'irreversible', 'undo'],
      findingsAfterUndo: [{ status: 'fail', message: expect.stringContaining('Single-region trail secure-start-trail (us-east-1) does not count') }],
    },
    expectFindingsAfter: [{ status: 'pass', resource: ARN(TRAIL_NAME) }],
  },
]);

const entry = { meta: step.meta, load: async () => step };

async function selectorsOf(ctx: RunContext, arn: string, region = 'us-east-1') {
  const r = await ctx.client(CloudTrailClient, region).send(new GetEventSelectorsCommand({ TrailName: arn }));
  return { basic: r.EventSelectors ?? [], advanced: r.AdvancedEventSelectors ?? [] };
}

async function fix(ctx: RunContext) {
  const checked = await checkStep(entry, ctx);
  const plan = await planStep(checked, ctx, undefined);
  const applied = await applyPlan(step.meta.id, plan, ctx, () => undefined);
  expect(applied.error ?? 'ok').toBe('ok');
  return plan;
}

describe('monitoring.cloudtrail: what the fix keeps', () => {
  it('a data-event selector is kept exactly; the management selector is widened to reads and writes', async () => {
    const data: EventSelector = { ReadWriteType: 'WriteOnly', IncludeManagementEvents: false, DataResources: [S3_DATA] };
    await withChecked(step, { seed: trails({ name: 'keep-data', selectors: [{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: true }, data] }) }, async (ctx) => {
      const plan = await fix(ctx);
      expect(plan.actions[0]).toMatchObject({
        params: { TrailName: ARN('keep-data'), EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }, data] },
        inverse: { operation: 'PutEventSelectors', params: { EventSelectors: [{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: true }, data] } },
      });
      const after = await selectorsOf(ctx, ARN('keep-data'));
      expect(after.basic).toEqual([{ ReadWriteType: 'All', IncludeManagementEvents: true }, expect.objectContaining(data)]);
    });
  });

  it('advanced selectors: the read-only management selector is replaced, the data selector kept', async () => {
    const s3Data: AdvancedEventSelector = {
      Name: 'S3 writes',
      FieldSelectors: [
        { Field: 'eventCategory', Equals: ['Data'] },
        { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
      ],
    };
    const reads: AdvancedEventSelector = {
      Name: 'Management reads',
      FieldSelectors: [
        { Field: 'eventCategory', Equals: ['Management'] },
        { Field: 'readOnly', Equals: ['true'] },
      ],
    };
    await withChecked(step, { seed: trails({ name: 'keep-advanced', advanced: [reads, s3Data] }) }, async (ctx) => {
      await fix(ctx);
      const after = await selectorsOf(ctx, ARN('keep-advanced'));
      expect(after.advanced).toEqual([s3Data, { Name: 'Management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }]);
    });
  });

  it('a reused trail keeps its own bucket and name; no trail or bucket is added', async () => {
    await withChecked(step, { seed: trails({ name: 'theirs', logging: false, validation: false }) }, async (ctx) => {
      const plan = await fix(ctx);
      expect(plan.actions.every((a) => a.service === 'cloudtrail' && a.params.Name !== TRAIL_NAME)).toBe(true);
      const list = (await ctx.client(CloudTrailClient).send(new DescribeTrailsCommand({ includeShadowTrails: true }))).trailList ?? [];
      expect(list.map((t) => [t.Name, t.S3BucketName, t.LogFileValidationEnabled])).toEqual([['theirs', THEIR_BUCKET, true]]);
      expect((await readLoggingBucket(ctx)).exists).toBe(false);
    });
  });

  it('a new trail delivers to the shared bucket, whose policy lets only this trail write below AWSLogs/<account>/', async () => {
    await withChecked(step, {}, async (ctx, checked) => {
      const plan = await planStep(checked, ctx, undefined);
      const create = plan.actions.find((a) => a.operation === 'CreateTrail')!;
      expect(create).toMatchObject({
        region: 'us-east-1',
        params: { Name: TRAIL_NAME, S3BucketName: LOGS, IsMultiRegionTrail: true, EnableLogFileValidation: true, IncludeGlobalServiceEvents: true },
        inverse: { operation: 'DeleteTrail', params: { Name: ARN(TRAIL_NAME) } },
      });
      const policy = JSON.parse(String(plan.actions.find((a) => a.operation === 'PutBucketPolicy')!.params.Policy)) as {
        Statement: { Sid: string; Condition?: Record<string, Record<string, string>> }[];
      };
      expect(policy.Statement.map((s) => s.Sid)).toEqual(['DenyInsecureTransport', 'AWSCloudTrailAclCheck', 'AWSCloudTrailWrite']);
      expect(policy.Statement[2]!.Condition!.StringEquals!['aws:SourceArn']).toBe(ARN(TRAIL_NAME));
      expect(plan.cost).toBeUndefined();
      expect(plan.warnings).toBeUndefined();
    });
  });

  it('beside a single-region trail that already records management events, the plan names the paid second copy', async () => {
    await withChecked(step, { seed: trails({ name: 'old-local', multiRegion: false, selectors: ALL }) }, async (ctx, checked) => {
      expect(checked.result.status).toBe('fail');
      const plan = await planStep(checked, ctx, undefined);
      expect(plan.actions.map((a) => a.operation)).toContain('CreateTrail');
      expect(plan.cost).toEqual({ scale: 'dollars', detail: expect.stringContaining('beside old-local (us-east-1)) costs $2.00 per 100,000 events') });
      expect(plan.warnings).toEqual([expect.stringMatching(/^Trail old-local \(us-east-1\) already records management events\. Only the first copy/)]);
    });
  });
});

describe('monitoring.cloudtrail: permissions, reads and guards', () => {
  it('declares every call of check and plan, and sends only reads', async () => {
    const { plan, sent, recorded } = await recordCheckAndPlan(step, { seed: (ctx) => step.seed!(ctx) });
    expect(plan.actions.length).toBeGreaterThan(0);
    for (const s of new Set(sent)) {
      const [service, operation] = s.split(':') as [string, string];
      expect(step.meta.permissions.check).toContain(iamActionFor(service, operation));
    }
    expect(recorded.filter((r) => !isReadRequest(r))).toEqual([]);
    // One DescribeTrails; status and selectors once per trail.
    expect(sent.filter((s) => s.startsWith('CloudTrail:')).sort()).toEqual(['CloudTrail:DescribeTrails', 'CloudTrail:GetEventSelectors', 'CloudTrail:GetTrailStatus']);
  });

  it('the seed is tolerant of running twice, and refuses to run outside the sandbox', async () => {
    await inSandbox({}, async (ctx) => {
      ctx.factory.readOnly = false;
      await step.seed!(ctx);
      await step.seed!(ctx);
      const list = (await ctx.client(CloudTrailClient).send(new DescribeTrailsCommand({}))).trailList ?? [];
      expect(list.map((t) => [t.Name, t.S3BucketName, t.IsMultiRegionTrail])).toEqual([[DAY_ONE_TRAIL, dayOneTrailBucket(A), false]]);
      const real = new RunContext({ ...ctx.target, sandbox: false }, ctx.factory, ctx.regions.bind(ctx));
      await expect(step.seed!(real)).rejects.toThrow(/only against the sandbox/);
    });
  });
});

describe('monitoring.cloudtrail: the day-one trail and the data area', () => {
  it("the day-one trail's bucket is judged by the S3 steps like any other bucket, without errors", async () => {
    const { default: accountPublic } = await import('../../steps/data/s3-account-public-access/index.js');
    const { default: bucketPublic } = await import('../../steps/data/s3-bucket-public-access/index.js');
    const { default: tlsOnly } = await import('../../steps/data/s3-tls-only/index.js');
    const { default: encryption } = await import('../../steps/data/s3-encryption/index.js');
    await withChecked(step, { seed: (c) => step.seed!(c) }, async (ctx) => {
      for (const s of [accountPublic, bucketPublic, tlsOnly, encryption]) {
        const checked = await checkStep({ meta: s.meta, load: async () => s }, ctx);
        expect(['pass', 'fail'], `${s.meta.id}: ${checked.result.findings.map((f) => f.message).join(' | ')}`).toContain(checked.result.status);
        const ours = checked.result.findings.filter((f) => f.resource.includes(dayOneTrailBucket(A)));
        expect(ours.every((f) => f.status === 'pass' || f.status === 'fail'), s.meta.id).toBe(true);
      }
      // Only the CloudTrail service may write to it: not public (it fails only for lacking a Block Public Access of its own).
      const bucketPublicCheck = await checkStep({ meta: bucketPublic.meta, load: async () => bucketPublic }, ctx);
      const trailBucket = bucketPublicCheck.result.findings.filter((f) => f.resource.includes(dayOneTrailBucket(A)));
      expect(trailBucket).toEqual([expect.objectContaining({ message: expect.stringContaining('is not public today'), data: expect.objectContaining({ exposure: 'private' }) })]);
    });
  });
});

describe('monitoring.cloudtrail: undo', () => {
  const entry = { meta: step.meta, load: async () => step };
  const bucketExists = (ctx: RunContext) => ctx.client(S3Client).send(new HeadBucketCommand({ Bucket: LOGS })).then(() => true, () => false);
  const trailNames = async (ctx: RunContext) => ((await ctx.client(CloudTrailClient).send(new DescribeTrailsCommand({}))).trailList ?? []).map((t) => t.Name);

  it('a bucket holding logs is kept under undo --yes (destructive, default No); the trail and its policy go', async () => {
    await inSandbox({}, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, undefined, { between: putLog });
      const create = run.items.at(-1)!;
      expect(create.kind === 'undo' && create.actions.map((a) => [a.operation, a.destructive])).toEqual([['DeleteBucket', true]]);
      expect(await trailNames(ctx)).toEqual([]);
      expect(await bucketExists(ctx)).toBe(true);
      expect(run.afterUndo).toEqual(run.before);
    });
  });

  it('the shared bucket stays while flow logs deliver to it too: the bucket and its policy are refused, the trail goes', async () => {
    await inSandbox({}, async (ctx) => {
      const between = async (c: RunContext) => {
        // monitoring.flow-logs fixed after this step: its statements join the policy.
        for (const a of loggingBucketActions(c, await readLoggingBucket(c), [{ service: 'flow-logs' }])) await a.run(c);
      };
      const run = await fixThenUndo(entry, ctx, undefined, { between, includeDestructive: true });
      const kinds = Object.fromEntries(run.items.map((i) => [i.entry.operation, i.kind]));
      expect(kinds).toMatchObject({ CreateTrail: 'undo', PutBucketPolicy: 'drifted', CreateBucket: 'drifted' });
      const kept = run.items.find((i) => i.entry.operation === 'CreateBucket')!;
      expect(kept.kind === 'drifted' && kept.reason).toContain('it also receives logs from VPC flow logs');
      expect(await bucketExists(ctx)).toBe(true);
      const policy = (await ctx.client(S3Client).send(new GetBucketPolicyCommand({ Bucket: LOGS }))).Policy!;
      expect(policy).toContain('AWSLogDeliveryWrite');
      expect(await trailNames(ctx)).toEqual([]);
    });
  });

  it('refuses the trail when someone changed it after the fix (validation off), and keeps it', async () => {
    await inSandbox({}, async (ctx) => {
      const between = (c: RunContext) => c.client(CloudTrailClient).send(new UpdateTrailCommand({ Name: TRAIL_NAME, EnableLogFileValidation: false })).then(() => undefined);
      const run = await fixThenUndo(entry, ctx, undefined, { between, includeDestructive: true });
      const trail = run.items.find((i) => i.entry.operation === 'CreateTrail')!;
      expect(trail).toMatchObject({ kind: 'drifted', reason: expect.stringContaining('Trail secure-start-trail changed after the fix') });
      expect(await trailNames(ctx)).toEqual([TRAIL_NAME]);
    });
  });
});
