import { CreateFlowLogsCommand, CreateVpcCommand, DescribeFlowLogsCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { FlowLog } from '@aws-sdk/client-ec2';
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context.js';
import { applyPlan, checkStep, planStep } from '../../src/engine/runner.js';
import type { JournalEntry } from '../../src/engine/runner.js';
import step, { DAY_ONE_VPC, FLOW_LOG_NAME } from '../../steps/monitoring/flow-logs/index.js';
import type { LogDelivery } from '../../steps/monitoring/_shared/logging-bucket.js';
import { loggingBucketActions, loggingBucketName, readLoggingBucket } from '../../steps/monitoring/_shared/logging-bucket.js';
import { inSandbox, recordCheckAndPlan, runStepCases, SANDBOX_ACCOUNT_ID } from '../helpers/step-tester.js';
import { deliverLog, LOGGING_BUCKET_SETUP } from '../helpers/logging-bucket.js';
import { fixThenUndo } from '../helpers/undo.js';

const entry = { meta: step.meta, load: async () => step };
const BUCKET = loggingBucketName({ accountId: SANDBOX_ACCOUNT_ID, homeRegion: 'us-east-1' });

/** Undo of a fix that made the bucket (newest first): the flow log, the policy, the settings that go with the bucket, the bucket. */
const UNDO_WITH_BUCKET = ['undo', 'undo', 'nothing', 'nothing', 'nothing', 'undo'] as const;

/** A record in the logging bucket, as flow logs would deliver it. */
const putLog = (ctx: RunContext) => deliverLog(ctx, `AWSLogs/${SANDBOX_ACCOUNT_ID}/vpcflowlogs/us-east-1/x.log.gz`, 'x');

const CREATE = 'ec2:CreateFlowLogs';
/** Somebody else's bucket for flow logs that are not ours. */
const OTHER_BUCKET = 'team-network-logs';

async function vpcIds(ctx: RunContext, region = 'us-east-1'): Promise<string[]> {
  return ((await ctx.client(EC2Client, region).send(new DescribeVpcsCommand({}))).Vpcs ?? []).map((v) => v.VpcId!);
}

async function defaultVpc(ctx: RunContext, region = 'us-east-1'): Promise<string> {
  return ((await ctx.client(EC2Client, region).send(new DescribeVpcsCommand({}))).Vpcs ?? []).find((v) => v.IsDefault)!.VpcId!;
}

async function vpc(ctx: RunContext, cidr: string, name?: string, region = 'us-east-1'): Promise<string> {
  const tags = name ? [{ ResourceType: 'vpc' as const, Tags: [{ Key: 'Name', Value: name }] }] : undefined;
  return (await ctx.client(EC2Client, region).send(new CreateVpcCommand({ CidrBlock: cidr, TagSpecifications: tags }))).Vpc!.VpcId!;
}

async function otherBucket(ctx: RunContext): Promise<string> {
  await ctx.client(S3Client).send(new CreateBucketCommand({ Bucket: OTHER_BUCKET }));
  return `arn:aws:s3:::${OTHER_BUCKET}`;
}

async function toS3(ctx: RunContext, ids: string[], traffic: 'ALL' | 'ACCEPT' | 'REJECT', bucketArn: string, region = 'us-east-1'): Promise<void> {
  const out = await ctx
    .client(EC2Client, region)
    .send(new CreateFlowLogsCommand({ ResourceIds: ids, ResourceType: 'VPC', TrafficType: traffic, LogDestinationType: 's3', LogDestination: bucketArn }));
  expect(out.Unsuccessful ?? []).toEqual([]);
}

async function flowLogs(ctx: RunContext, region = 'us-east-1'): Promise<FlowLog[]> {
  return (await ctx.client(EC2Client, region).send(new DescribeFlowLogsCommand({}))).FlowLogs ?? [];
}

/** Readies the logging bucket as a monitoring step would have (the fix's own actions, run directly). */
async function loggingBucketFor(ctx: RunContext, deliveries: LogDelivery[]): Promise<void> {
  for (const a of loggingBucketActions(ctx, await readLoggingBucket(ctx), deliveries)) await a.run(ctx);
}

const DEFAULT_FAILS = { status: 'fail' as const, region: 'us-east-1', resource: expect.stringMatching(/^vpc-\w+$/), message: expect.stringMatching(/\(the default VPC\) in us-east-1 has no flow log/) };
const DEFAULT_PASSES = { status: 'pass' as const, region: 'us-east-1', message: expect.stringMatching(/\(the default VPC\) in us-east-1 records all traffic in flow log fl-\w+/) };

runStepCases(step, [
  {
    name: 'a fresh account: the default VPC has no flow log; the logging bucket is made first, then the flow log',
    expectStatus: 'fail',
    expectFindings: [DEFAULT_FAILS],
    expectOperations: [...LOGGING_BUCKET_SETUP, CREATE],
    expectUndo: { kinds: [...UNDO_WITH_BUCKET] },
    // A record in the bucket: its undo empties it first (destructive; the table says yes).
    expectApplied: putLog,
    expectFindingsAfter: [{ ...DEFAULT_PASSES, message: expect.stringContaining(`to S3 arn:aws:s3:::${BUCKET}`) }],
  },
  {
    name: 'the day-one seed: the default VPC and day-one-app both lack flow logs, and one call covers both',
    seed: (ctx) => step.seed!(ctx),
    expectStatus: 'fail',
    expectFindings: [DEFAULT_FAILS, { status: 'fail', resource: expect.stringMatching(new RegExp(`^vpc-\\w+ \\(${DAY_ONE_VPC}\\)$`)), message: expect.stringContaining('has no flow log') }],
    expectOperations: [...LOGGING_BUCKET_SETUP, CREATE],
    expectUndo: { kinds: [...UNDO_WITH_BUCKET] },
    expectFindingsAfter: [DEFAULT_PASSES, { status: 'pass', resource: expect.stringContaining(DAY_ONE_VPC) }],
  },
  {
    name: 'every VPC with an active flow log of all traffic passes, whatever bucket it goes to',
    seed: async (ctx) => {
      await vpc(ctx, '10.70.0.0/16', 'app');
      await toS3(ctx, await vpcIds(ctx), 'ALL', await otherBucket(ctx));
    },
    expectStatus: 'pass',
    expectFindings: [
      { ...DEFAULT_PASSES, message: expect.stringContaining(OTHER_BUCKET) },
      { status: 'pass', resource: expect.stringMatching(/^vpc-\w+ \(app\)$/) },
    ],
  },
  {
    name: 'a flow log of rejected traffic only is enough',
    seed: async (ctx) => toS3(ctx, await vpcIds(ctx), 'REJECT', await otherBucket(ctx)),
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', message: expect.stringContaining('records rejected traffic') }],
  },
  {
    name: 'a flow log of accepted traffic only does not count: a new one records all traffic, the old one is kept',
    seed: async (ctx) => toS3(ctx, await vpcIds(ctx), 'ACCEPT', await otherBucket(ctx)),
    expectStatus: 'fail',
    expectFindings: [{ status: 'fail', message: expect.stringMatching(/has no flow log that records rejected traffic: fl-\w+ records only accepted traffic/) }],
    expectOperations: [...LOGGING_BUCKET_SETUP, CREATE],
    expectUndo: { kinds: [...UNDO_WITH_BUCKET] },
  },
  {
    name: 'a flow log to CloudWatch Logs counts',
    seed: async (ctx) => {
      await ctx.client(EC2Client).send(
        new CreateFlowLogsCommand({
          ResourceIds: await vpcIds(ctx),
          ResourceType: 'VPC',
          TrafficType: 'ALL',
          LogDestinationType: 'cloud-watch-logs',
          LogGroupName: 'vpc-flow-logs',
          DeliverLogsPermissionArn: `arn:aws:iam::${SANDBOX_ACCOUNT_ID}:role/flow-logs`,
        }),
      );
    },
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', message: expect.stringContaining('to CloudWatch Logs vpc-flow-logs') }],
  },
  {
    name: 'the logging bucket already made for flow logs is reused as it is: only the flow log is created',
    seed: (ctx) => loggingBucketFor(ctx, [{ service: 'flow-logs' }]),
    expectStatus: 'fail',
    expectOperations: [CREATE],
  },
  {
    name: 'the logging bucket made for CloudTrail only gets the flow-log statements added, not a second bucket',
    seed: (ctx) => loggingBucketFor(ctx, [{ service: 'cloudtrail', trailArn: `arn:aws:cloudtrail:us-east-1:${SANDBOX_ACCOUNT_ID}:trail/secure-start` }]),
    expectStatus: 'fail',
    expectOperations: ['s3:PutBucketPolicy', CREATE],
  },
  {
    name: 'two regions: one CreateFlowLogs in the region that lacks them, delivering to the one bucket in the home region',
    regions: ['us-east-1', 'eu-west-1'],
    seed: async (ctx) => {
      await vpc(ctx, '10.80.0.0/16', 'eu-app', 'eu-west-1');
      await toS3(ctx, [await defaultVpc(ctx)], 'ALL', await otherBucket(ctx));
    },
    expectStatus: 'fail',
    expectFindings: [
      { region: 'us-east-1', status: 'pass' },
      { region: 'eu-west-1', status: 'fail' },
      { region: 'eu-west-1', status: 'fail' },
    ],
    expectOperations: [...LOGGING_BUCKET_SETUP.map((o) => `${o}@us-east-1`), `${CREATE}@eu-west-1`],
    expectUndo: { kinds: [...UNDO_WITH_BUCKET] },
    expectPlan: async (plan, ctx) => {
      const creates = plan.actions.filter((a) => a.operation === 'CreateFlowLogs');
      // The eu-west-1 VPCs: its default one and eu-app.
      expect(creates.map((a) => [a.region, [...(a.params.ResourceIds as string[])].sort(), a.params.LogDestination])).toEqual([
        ['eu-west-1', (await vpcIds(ctx, 'eu-west-1')).sort(), `arn:aws:s3:::${BUCKET}`],
      ]);
      expect(plan.warnings!.join('\n')).toMatch(/flow logs of eu-west-1 are delivered to the logging bucket in us-east-1/);
    },
    expectApplied: async (ctx) => {
      const ours = (await flowLogs(ctx, 'eu-west-1')).filter((l) => l.LogDestination === `arn:aws:s3:::${BUCKET}`);
      expect(ours.map((l) => l.ResourceId).sort()).toEqual((await vpcIds(ctx, 'eu-west-1')).sort());
    },
  },
]);

describe('monitoring.flow-logs: beyond the table', () => {
  it('plans only the VPCs without a flow log, with the parameters as sent', async () => {
    await inSandbox({}, async (ctx) => {
      ctx.factory.readOnly = false;
      const covered = await vpc(ctx, '10.71.0.0/16', 'covered');
      const bare = await vpc(ctx, '10.72.0.0/16', 'bare');
      const def = await defaultVpc(ctx);
      await toS3(ctx, [covered], 'ALL', await otherBucket(ctx));
      ctx.factory.readOnly = true;
      const checked = await checkStep(entry, ctx);
      // The default VPC first, then by id.
      const others = [
        [`${bare} (bare)`, 'fail'],
        [`${covered} (covered)`, 'pass'],
      ].sort((a, b) => a[0]!.localeCompare(b[0]!));
      expect(checked.result.findings.map((f) => [f.resource, f.status])).toEqual([[def, 'fail'], ...others]);
      const plan = await planStep(checked, ctx, undefined);
      const create = plan.actions.at(-1)!;
      expect(create).toMatchObject({ service: 'ec2', operation: 'CreateFlowLogs', region: 'us-east-1' });
      expect(create.params).toEqual({
        ResourceIds: [def, bare],
        ResourceType: 'VPC',
        TrafficType: 'ALL',
        LogDestinationType: 's3',
        LogDestination: `arn:aws:s3:::${BUCKET}`,
        MaxAggregationInterval: 600,
        TagSpecifications: [{ ResourceType: 'vpc-flow-log', Tags: [{ Key: 'Name', Value: FLOW_LOG_NAME }] }],
      });
      expect(plan.cost).toEqual({ scale: 'cents', detail: expect.stringMatching(/^2 VPCs in 1 region: .*\$0\.25 per GB/) });
      // The bucket policy that lets the log delivery service write comes before the flow log.
      const ops = plan.actions.map((a) => a.operation);
      expect(ops.indexOf('PutBucketPolicy')).toBeLessThan(ops.indexOf('CreateFlowLogs'));
      expect(String(plan.actions.find((a) => a.operation === 'PutBucketPolicy')!.params.Policy)).toContain('delivery.logs.amazonaws.com');
    });
  });

  it('check reads each region with exactly two calls, DescribeVpcs and DescribeFlowLogs, however many VPCs', async () => {
    const sent: string[] = [];
    const regions = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
    const seed = async (ctx: RunContext) => {
      for (const cidr of ['10.1.0.0/16', '10.2.0.0/16', '10.3.0.0/16']) await vpc(ctx, cidr);
    };
    await inSandbox({ regions, seed, onRequest: (s, o) => sent.push(`${s}:${o}`) }, async (ctx) => {
      sent.length = 0;
      const checked = await checkStep(entry, ctx);
      expect(checked.result.findings).toHaveLength(6);
      expect(sent.sort()).toEqual([...Array(3).fill('EC2:DescribeFlowLogs'), ...Array(3).fill('EC2:DescribeVpcs')]);
    });
  });

  it('check and plan send only reads', async () => {
    const { checked, plan, sent } = await recordCheckAndPlan(step, { seed: (ctx) => step.seed!(ctx) });
    expect(checked.result.status).toBe('fail');
    expect(plan.actions.length).toBeGreaterThan(0);
    expect([...new Set(sent)].every((s) => /:(Describe|Get|Head|List)/.test(s))).toBe(true);
  });

  it('the journal’s inverse names the flow logs that were created, and the flow logs carry our name tag', async () => {
    await inSandbox({}, async (ctx) => {
      const plan = await planStep(await checkStep(entry, ctx), ctx, undefined);
      const create = plan.actions.at(-1)!;
      expect(create.inverse).toMatchObject({ operation: 'DeleteFlowLogs', params: { FlowLogIds: ['(the flow logs this call creates)'] } });
      const journal: JournalEntry[] = [];
      expect((await applyPlan(step.meta.id, plan, ctx, (e) => void journal.push(e))).ok).toBe(true);
      const last = journal.at(-1)!;
      const ids = last.output!.FlowLogIds as string[];
      expect(ids).toHaveLength(1);
      expect(last.inverse).toMatchObject({ operation: 'DeleteFlowLogs', params: { FlowLogIds: ids } });
      const made = (await flowLogs(ctx)).find((l) => l.FlowLogId === ids[0]);
      expect(made).toMatchObject({ TrafficType: 'ALL', FlowLogStatus: 'ACTIVE', LogDestinationType: 's3', Tags: [{ Key: 'Name', Value: FLOW_LOG_NAME }] });
    });
  });

  it('seeding again reuses the day-one VPC and takes away the flow logs it got since', async () => {
    await inSandbox({ seed: (ctx) => step.seed!(ctx) }, async (ctx) => {
      const plan = await planStep(await checkStep(entry, ctx), ctx, undefined);
      expect((await applyPlan(step.meta.id, plan, ctx, () => undefined)).ok).toBe(true);
      expect((await checkStep(entry, ctx)).result.status).toBe('pass');
      ctx.factory.readOnly = false;
      await step.seed!(ctx);
      ctx.factory.readOnly = true;
      ctx.invalidate();
      const again = await checkStep(entry, ctx);
      expect(again.result.findings.map((f) => f.status)).toEqual(['fail', 'fail']);
      expect(again.result.findings.filter((f) => f.resource.includes(DAY_ONE_VPC))).toHaveLength(1);
    });
  });
});

describe('monitoring.flow-logs: undo', () => {
  const entry = { meta: step.meta, load: async () => step };
  const flowLogs = async (ctx: RunContext) => (await ctx.client(EC2Client).send(new DescribeFlowLogsCommand({}))).FlowLogs ?? [];
  const bucketExists = (ctx: RunContext) => ctx.client(S3Client).send(new HeadBucketCommand({ Bucket: BUCKET })).then(() => true, () => false);

  it('deletes the flow log and the empty bucket it made, and the check reads as before', async () => {
    await inSandbox({}, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, undefined);
      expect(await flowLogs(ctx)).toEqual([]);
      expect(await bucketExists(ctx)).toBe(false);
      expect(run.afterUndo).toEqual(run.before);
    });
  });

  it('keeps the bucket that holds records under undo --yes (its deletion is destructive)', async () => {
    await inSandbox({}, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, undefined, { between: putLog });
      expect(await bucketExists(ctx)).toBe(true);
      expect(run.items.at(-1)!.kind === 'undo' && (run.items.at(-1) as { actions: { destructive?: boolean }[] }).actions[0]!.destructive).toBe(true);
    });
  });

  it('the shared bucket stays while CloudTrail delivers to it too: the bucket and its policy are refused, the flow log goes', async () => {
    await inSandbox({}, async (ctx) => {
      const trail: LogDelivery = { service: 'cloudtrail', trailArn: `arn:aws:cloudtrail:us-east-1:${SANDBOX_ACCOUNT_ID}:trail/secure-start-trail` };
      const between = async (c: RunContext) => {
        // monitoring.cloudtrail fixed after this step: its statements join the policy.
        for (const a of loggingBucketActions(c, await readLoggingBucket(c), [trail])) await a.run(c);
      };
      const run = await fixThenUndo(entry, ctx, undefined, { between, includeDestructive: true });
      const kinds = Object.fromEntries(run.items.map((i) => [i.entry.operation, i.kind]));
      expect(kinds).toMatchObject({ CreateFlowLogs: 'undo', PutBucketPolicy: 'drifted', CreateBucket: 'drifted' });
      expect(run.items.find((i) => i.entry.operation === 'CreateBucket')).toMatchObject({ reason: expect.stringContaining('it also receives logs from CloudTrail') });
      expect(await bucketExists(ctx)).toBe(true);
      expect(await flowLogs(ctx)).toEqual([]);
    });
  });
});
