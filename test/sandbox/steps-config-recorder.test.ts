import {
  ConfigServiceClient,
  DescribeConfigurationRecordersCommand,
  DescribeConfigurationRecorderStatusCommand,
  DescribeDeliveryChannelsCommand,
  PutConfigurationRecorderCommand,
  PutDeliveryChannelCommand,
  StartConfigurationRecorderCommand,
} from '@aws-sdk/client-config-service';
import type { RecordingGroup } from '@aws-sdk/client-config-service';
import { CreateRoleCommand, CreateServiceLinkedRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context.js';
import { applyPlan, checkStep, planStep } from '../../src/engine/runner.js';
import type { Plan } from '../../src/engine/types.js';
import { loggingBucketActions, loggingBucketName, readLoggingBucket } from '../../steps/monitoring/_shared/logging-bucket.js';
import step, { configRoleArn } from '../../steps/monitoring/config-recorder/index.js';
import { deliverLog, LOGGING_BUCKET_SETUP } from '../helpers/logging-bucket.js';
import { fixThenUndo } from '../helpers/undo.js';
import { inSandbox, isReadRequest, recordCheckAndPlan, runStepCases, SANDBOX_ACCOUNT_ID, withChecked } from '../helpers/step-tester.js';

const entry = { meta: step.meta, load: async () => step };
const LOGS = `secure-start-logs-${SANDBOX_ACCOUNT_ID}-us-east-1`;
const ROLE = `arn:aws:iam::${SANDBOX_ACCOUNT_ID}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`;

const ROLE_OP = 'iam:CreateServiceLinkedRole';
const PUT = 'config:PutConfigurationRecorder';
const CHANNEL = 'config:PutDeliveryChannel';
const START = 'config:StartConfigurationRecorder';

const ALL_GLOBAL: RecordingGroup = { allSupported: true, includeGlobalResourceTypes: true };
const ALL_REGIONAL: RecordingGroup = { allSupported: true, includeGlobalResourceTypes: false };
const EC2_ONLY: RecordingGroup = {
  allSupported: false,
  includeGlobalResourceTypes: false,
  resourceTypes: ['AWS::EC2::Instance'],
  recordingStrategy: { useOnly: 'INCLUSION_BY_RESOURCE_TYPES' },
};

const TWO = ['us-east-1', 'eu-west-1'];

/** Undo verdicts, newest first: a region's start, channel and recorder; then the role; then the new logging bucket (its settings go with it). */
const UNDO_REGION = ['undo', 'undo', 'undo'] as const;
const UNDO_NEW_BUCKET = ['undo', 'nothing', 'nothing', 'nothing', 'undo'] as const;
const config = (ctx: RunContext, region = 'us-east-1') => ctx.client(ConfigServiceClient, region);

interface Setup {
  region?: string;
  name?: string;
  group?: RecordingGroup;
  role?: string;
  /** A delivery channel to this bucket (named `channelName`). */
  channelTo?: string;
  channelName?: string;
  started?: boolean;
}

/** A region's Config as someone left it (a channel needs a recorder first, as on AWS). */
async function configured(ctx: RunContext, s: Setup): Promise<void> {
  const c = config(ctx, s.region);
  const name = s.name ?? 'default';
  await c.send(
    new PutConfigurationRecorderCommand({
      ConfigurationRecorder: { name, roleARN: s.role ?? ROLE, recordingGroup: s.group ?? ALL_GLOBAL },
    }),
  );
  if (s.channelTo) await c.send(new PutDeliveryChannelCommand({ DeliveryChannel: { name: s.channelName ?? 'default', s3BucketName: s.channelTo } }));
  if (s.started) await c.send(new StartConfigurationRecorderCommand({ ConfigurationRecorderName: name }));
}

const seedWith = (...setups: Setup[]) => async (ctx: RunContext) => {
  for (const s of setups) await configured(ctx, s);
};

/** The logging bucket as another monitoring step (flow logs) left it: made, private, encrypted, without Config's statements. */
async function loggingBucketForFlowLogs(ctx: RunContext): Promise<void> {
  const actions = loggingBucketActions(ctx, await readLoggingBucket(ctx), [{ service: 'flow-logs' }]);
  expect((await applyPlan('seed', { actions }, ctx, () => undefined)).ok).toBe(true);
}

/** A history file in the logging bucket, as Config would deliver it. */
const putHistory = (ctx: RunContext) => deliverLog(ctx, `AWSLogs/${SANDBOX_ACCOUNT_ID}/Config/us-east-1/x.json.gz`, 'x');

async function recorders(ctx: RunContext, region = 'us-east-1') {
  return (await config(ctx, region).send(new DescribeConfigurationRecordersCommand({}))).ConfigurationRecorders ?? [];
}

runStepCases(step, [
  {
    name: 'the day-one seed: a recorder of EC2 instances only, stopped, without a channel, is widened, given a channel and started',
    seed: (ctx) => step.seed!(ctx),
    expectStatus: 'fail',
    expectFindings: [
      {
        status: 'fail',
        region: 'us-east-1',
        resource: `arn:aws:config:us-east-1:${SANDBOX_ACCOUNT_ID}:configuration-recorder/default`,
        message: expect.stringMatching(
          /recorder "default" records only 1 resource type \(AWS::EC2::Instance\).*does not record global resources.*is not recording \(stopped\).*no delivery channel/,
        ),
      },
    ],
    // The seeded recorder has a role: it is reused, so no service-linked role is made.
    expectOperations: [...LOGGING_BUCKET_SETUP, PUT, CHANNEL, START],
    expectUndo: { kinds: [...UNDO_REGION, ...UNDO_NEW_BUCKET] },
    expectFindingsAfter: [
      { status: 'pass', message: `AWS Config in us-east-1: recorder "default" records every supported resource type, global resources (IAM) included and delivers to bucket ${LOGS}.` },
    ],
  },
  {
    name: 'nothing at all: bucket, service-linked role, recorder, channel and start',
    expectStatus: 'fail',
    expectFindings: [
      {
        status: 'fail',
        resource: `arn:aws:config:us-east-1:${SANDBOX_ACCOUNT_ID}:configuration-recorder/*`,
        message: expect.stringMatching(/no configuration recorder.*no delivery channel/),
      },
    ],
    expectOperations: [...LOGGING_BUCKET_SETUP, ROLE_OP, PUT, CHANNEL, START],
    expectUndo: { kinds: [...UNDO_REGION, 'undo', ...UNDO_NEW_BUCKET] },
    // A history file in the bucket: its undo empties it first (destructive; the table says yes).
    expectApplied: putHistory,
  },
  {
    name: 'an account that already records everything passes',
    seed: seedWith({ channelTo: LOGS, started: true }),
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', message: expect.stringMatching(/global resources \(IAM\) included and delivers to bucket secure-start-logs-/) }],
  },
  {
    name: 'a complete recorder that was stopped is only started',
    seed: seedWith({ channelTo: LOGS, started: false }),
    expectStatus: 'fail',
    expectFindings: [{ status: 'fail', message: 'AWS Config in us-east-1: recorder "default" is not recording (stopped).' }],
    expectOperations: [START],
  },
  {
    name: 'a complete recorder without a channel gets the bucket and a channel, and is started: no new recorder, no role',
    seed: seedWith({ started: false }),
    expectStatus: 'fail',
    expectOperations: [...LOGGING_BUCKET_SETUP, CHANNEL, START],
    expectUndo: { kinds: ['undo', 'undo', ...UNDO_NEW_BUCKET] },
  },
  {
    name: 'an existing delivery channel to another bucket is kept: only the recorder is widened',
    seed: seedWith({ group: EC2_ONLY, channelTo: 'audit-archive', channelName: 'audit', started: true }),
    expectStatus: 'fail',
    expectOperations: [PUT],
    expectFindingsAfter: [{ status: 'pass', message: expect.stringContaining('delivers to bucket audit-archive') }],
  },
  {
    name: 'the logging bucket made by another step is reused: no CreateBucket, only Config’s policy statements',
    seed: loggingBucketForFlowLogs,
    expectStatus: 'fail',
    expectOperations: ['s3:PutBucketPolicy', ROLE_OP, PUT, CHANNEL, START],
  },
  {
    name: 'the home region must record global resources: a recorder of every regional type only is widened',
    seed: seedWith({ group: ALL_REGIONAL, channelTo: LOGS, started: true }),
    expectStatus: 'fail',
    expectFindings: [{ status: 'fail', message: expect.stringContaining('does not record global resources (IAM users, groups, roles and policies)') }],
    expectOperations: [PUT],
  },
  {
    name: 'a recorder that excludes types fails naming them',
    seed: seedWith({
      group: {
        allSupported: false,
        includeGlobalResourceTypes: false,
        exclusionByResourceTypes: { resourceTypes: ['AWS::EC2::Volume', 'AWS::EC2::NetworkInterface'] },
        recordingStrategy: { useOnly: 'EXCLUSION_BY_RESOURCE_TYPES' },
      },
      channelTo: LOGS,
      started: true,
    }),
    expectStatus: 'fail',
    expectFindings: [{ status: 'fail', message: expect.stringContaining('leaves out 2 resource types: AWS::EC2::NetworkInterface, AWS::EC2::Volume') }],
    expectOperations: [PUT],
  },
  {
    name: 'a recorder of another name is reused, never duplicated (a region holds one)',
    seed: seedWith({ name: 'main', group: EC2_ONLY }),
    expectStatus: 'fail',
    expectFindings: [{ status: 'fail', resource: `arn:aws:config:us-east-1:${SANDBOX_ACCOUNT_ID}:configuration-recorder/main` }],
    expectOperations: [...LOGGING_BUCKET_SETUP, PUT, CHANNEL, START],
    expectUndo: { kinds: [...UNDO_REGION, ...UNDO_NEW_BUCKET] },
    expectFindingsAfter: [{ status: 'pass', message: expect.stringContaining('recorder "main" records every supported resource type') }],
  },
  {
    name: 'Config’s service-linked role already there: not made again',
    // Seeded with CreateRole, because moto's CreateServiceLinkedRole names it AWSServiceRoleForconfig (lower-case c).
    seed: async (ctx) => {
      await ctx.client(IAMClient).send(
        new CreateRoleCommand({
          RoleName: 'AWSServiceRoleForConfig',
          Path: '/aws-service-role/config.amazonaws.com/',
          AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'config.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
        }),
      );
    },
    expectStatus: 'fail',
    expectOperations: [...LOGGING_BUCKET_SETUP, PUT, CHANNEL, START],
    expectUndo: { kinds: [...UNDO_REGION, ...UNDO_NEW_BUCKET] },
  },
  {
    name: 'moto stub: a service-linked role the plan cannot see (moto names it AWSServiceRoleForconfig) is "already there", which counts as success',
    seed: async (ctx) => {
      await ctx.client(IAMClient).send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'config.amazonaws.com' }));
    },
    expectStatus: 'fail',
    expectOperations: [...LOGGING_BUCKET_SETUP, ROLE_OP, PUT, CHANNEL, START],
    // The role was there (under moto's spelling): the fix reused it, so undo leaves it.
    expectUndo: { kinds: [...UNDO_REGION, 'nothing', ...UNDO_NEW_BUCKET] },
  },
  {
    name: 'two regions: one bucket and one role for both, global resources recorded in the home region only',
    regions: TWO,
    expectStatus: 'fail',
    expectFindings: [
      { region: 'us-east-1', status: 'fail' },
      { region: 'eu-west-1', status: 'fail' },
    ],
    expectOperations: [
      ...LOGGING_BUCKET_SETUP.map((o) => `${o}@us-east-1`),
      `${ROLE_OP}@global`,
      `${PUT}@us-east-1`,
      `${CHANNEL}@us-east-1`,
      `${START}@us-east-1`,
      `${PUT}@eu-west-1`,
      `${CHANNEL}@eu-west-1`,
      `${START}@eu-west-1`,
    ],
    expectUndo: { kinds: [...UNDO_REGION, ...UNDO_REGION, 'undo', ...UNDO_NEW_BUCKET] },
    expectPlan: (plan, ctx) => {
      const puts = plan.actions.filter((a) => a.operation === 'PutConfigurationRecorder');
      expect(puts.map((a) => a.params)).toEqual([
        { ConfigurationRecorder: { name: 'default', roleARN: configRoleArn(ctx.target), recordingGroup: ALL_GLOBAL } },
        { ConfigurationRecorder: { name: 'default', roleARN: ROLE, recordingGroup: ALL_REGIONAL } },
      ]);
      // Both regions deliver to the one bucket in the home region.
      expect(plan.actions.filter((a) => a.operation === 'PutDeliveryChannel').map((a) => a.params)).toEqual([
        { DeliveryChannel: { name: 'default', s3BucketName: loggingBucketName(ctx.target) } },
        { DeliveryChannel: { name: 'default', s3BucketName: loggingBucketName(ctx.target) } },
      ]);
      expect(plan.cost).toEqual({ scale: 'cents', detail: expect.stringMatching(/^AWS Config in 2 regions \(us-east-1, eu-west-1\): \$0\.003 per configuration item/) });
    },
    expectApplied: async (ctx) => {
      expect((await recorders(ctx, 'us-east-1'))[0]!.recordingGroup).toMatchObject(ALL_GLOBAL);
      expect((await recorders(ctx, 'eu-west-1'))[0]!.recordingGroup).toMatchObject(ALL_REGIONAL);
      for (const region of TWO) {
        const status = await config(ctx, region).send(new DescribeConfigurationRecorderStatusCommand({}));
        expect(status.ConfigurationRecordersStatus?.[0]?.recording, region).toBe(true);
      }
    },
    expectFindingsAfter: [
      { region: 'us-east-1', status: 'pass' },
      { region: 'eu-west-1', status: 'pass', message: `AWS Config in eu-west-1: recorder "default" records every supported resource type and delivers to bucket ${LOGS}.` },
    ],
  },
  {
    name: 'two regions that both record global resources pass, with a note about the duplicate cost',
    regions: TWO,
    seed: seedWith({ channelTo: LOGS, started: true }, { region: 'eu-west-1', channelTo: LOGS, started: true }),
    expectStatus: 'pass',
    expectFindings: [
      { region: 'us-east-1', status: 'pass', message: expect.not.stringContaining('Note') },
      { region: 'eu-west-1', status: 'pass', message: expect.stringMatching(/Note: it also records global resources \(IAM\), which us-east-1 records: every IAM change is recorded and billed twice/) },
    ],
  },
  {
    name: 'a second region without global resources passes while the home region is fixed alone',
    regions: TWO,
    seed: seedWith({ region: 'eu-west-1', group: ALL_REGIONAL, channelTo: LOGS, started: true }),
    expectStatus: 'fail',
    expectFindings: [
      { region: 'us-east-1', status: 'fail' },
      { region: 'eu-west-1', status: 'pass' },
    ],
    expectOperations: [...LOGGING_BUCKET_SETUP.map((o) => `${o}@us-east-1`), `${ROLE_OP}@global`, ...[PUT, CHANNEL, START].map((o) => `${o}@us-east-1`)],
    expectUndo: { kinds: [...UNDO_REGION, 'undo', ...UNDO_NEW_BUCKET] },
    expectPlan: (plan) => expect(plan.cost?.detail).toMatch(/^AWS Config in 1 region \(us-east-1\)/),
  },
]);

async function applyAll(ctx: RunContext, plan: Plan) {
  const applied = await applyPlan(step.meta.id, plan, ctx, () => undefined);
  expect(applied.error ?? 'ok').toBe('ok');
}

describe('monitoring.config-recorder: beyond the table', () => {
  it('the undo of a widened recorder puts back its old recording group (moto drops recordingMode: see the unit test)', async () => {
    await withChecked(step, { seed: seedWith({ group: EC2_ONLY, channelTo: LOGS, started: true }) }, async (ctx, checked) => {
      const plan = await planStep(checked, ctx, undefined);
      expect(plan.actions.map((a) => a.operation)).toEqual(['PutConfigurationRecorder']);
      const undo = plan.actions[0]!.inverse!;
      expect(undo).toMatchObject({ operation: 'PutConfigurationRecorder', params: { ConfigurationRecorder: { name: 'default', roleARN: ROLE } } });
      await applyAll(ctx, plan);
      expect((await checkStep(entry, ctx)).result.status).toBe('pass');
      // Running the undo brings the narrow recorder back.
      ctx.factory.readOnly = false;
      await config(ctx).send(new PutConfigurationRecorderCommand(undo.params as unknown as ConstructorParameters<typeof PutConfigurationRecorderCommand>[0]));
      ctx.factory.readOnly = true;
      expect((await recorders(ctx))[0]!.recordingGroup).toMatchObject({ allSupported: false, resourceTypes: ['AWS::EC2::Instance'] });
    });
  });

  it('a recorder in place keeps its own role', async () => {
    const mine = `arn:aws:iam::${SANDBOX_ACCOUNT_ID}:role/my-config-role`;
    await withChecked(step, { seed: seedWith({ group: ALL_REGIONAL, role: mine, channelTo: LOGS, started: true }) }, async (ctx, checked) => {
      const plan = await planStep(checked, ctx, undefined);
      expect(plan.actions.map((a) => [a.operation, (a.params.ConfigurationRecorder as { roleARN: string }).roleARN])).toEqual([['PutConfigurationRecorder', mine]]);
    });
  });

  it('a channel created by the fix is recorded in moto with the logging bucket, and the journal can undo each action', async () => {
    await withChecked(step, { seed: (c) => step.seed!(c) }, async (ctx, checked) => {
      const plan = await planStep(checked, ctx, undefined);
      for (const a of plan.actions.filter((x) => x.service === 'config')) expect(a.inverse, a.operation).toBeDefined();
      expect(plan.actions.find((a) => a.operation === 'StartConfigurationRecorder')!.inverse).toMatchObject({
        operation: 'StopConfigurationRecorder',
        params: { ConfigurationRecorderName: 'default' },
      });
      expect(plan.guidance).toMatch(/Config rules[\s\S]*Conformance packs/);
      await applyAll(ctx, plan);
      const channels = (await config(ctx).send(new DescribeDeliveryChannelsCommand({}))).DeliveryChannels ?? [];
      expect(channels).toEqual([expect.objectContaining({ name: 'default', s3BucketName: LOGS })]);
      const bucket = await readLoggingBucket(ctx);
      const sids = (JSON.parse(bucket.policy!) as { Statement: { Sid: string }[] }).Statement.map((s) => s.Sid);
      expect(sids).toEqual(['DenyInsecureTransport', 'AWSConfigBucketPermissionsCheck', 'AWSConfigBucketExistenceCheck', 'AWSConfigBucketDelivery']);
    });
  });

  it('the seed runs again on a fixed account: the recorder is narrowed and stopped again, under its own name', async () => {
    await inSandbox({}, async (ctx) => {
      ctx.factory.readOnly = false;
      await configured(ctx, { name: 'main', channelTo: LOGS, started: true });
      await step.seed!(ctx);
      await step.seed!(ctx);
      ctx.factory.readOnly = true;
      expect((await recorders(ctx)).map((r) => [r.name, r.recordingGroup?.resourceTypes])).toEqual([['main', ['AWS::EC2::Instance']]]);
      const checked = await checkStep(entry, ctx);
      expect(checked.result.findings[0]!.message).toMatch(/recorder "main" records only 1 resource type.*is not recording/);
    });
  });

  it('check and plan only read: three Config reads per region, then the role and the bucket', async () => {
    const { sent, recorded, plan } = await recordCheckAndPlan(step);
    expect(plan.actions.length).toBeGreaterThan(0);
    expect(sent.filter((s) => s.startsWith('ConfigService')).sort()).toEqual([
      'ConfigService:DescribeConfigurationRecorderStatus',
      'ConfigService:DescribeConfigurationRecorders',
      'ConfigService:DescribeDeliveryChannels',
    ]);
    expect(sent).toContain('IAM:GetRole');
    expect(recorded.filter((r) => !isReadRequest(r)).map((r) => r.action)).toEqual([]);
  });
});

describe('undo', () => {
  it('a recorder someone changed after the fix is refused (drifted) and keeps their change; the rest is undone', async () => {
    const mine = { name: 'default', roleARN: ROLE, recordingGroup: { allSupported: true, includeGlobalResourceTypes: false } };
    await inSandbox({ seed: seedWith({ group: EC2_ONLY, channelTo: 'audit-archive', channelName: 'audit', started: false }) }, async (ctx) => {
      const between = async (c: RunContext) => {
        await config(c).send(new PutConfigurationRecorderCommand({ ConfigurationRecorder: mine }));
      };
      const run = await fixThenUndo(entry, ctx, undefined, { between });
      expect(run.items.map((i) => [i.entry.operation, i.kind])).toEqual([
        ['StartConfigurationRecorder', 'undo'],
        ['PutConfigurationRecorder', 'drifted'],
      ]);
      expect(run.items[1]!.kind === 'drifted' && run.items[1]!.reason).toMatch(/Recorder "default" in us-east-1 changed after the fix/);
      expect((await recorders(ctx))[0]!.recordingGroup).toMatchObject({ allSupported: true, includeGlobalResourceTypes: false });
      const status = await config(ctx).send(new DescribeConfigurationRecorderStatusCommand({}));
      expect(status.ConfigurationRecordersStatus?.[0]?.recording).toBe(false);
    });
  });

  it('a delivery channel pointed elsewhere after the fix is refused (drifted) and kept', async () => {
    await inSandbox({ seed: seedWith({ started: false }) }, async (ctx) => {
      const between = async (c: RunContext) => {
        await config(c).send(new PutDeliveryChannelCommand({ DeliveryChannel: { name: 'default', s3BucketName: 'audit-archive' } }));
      };
      const run = await fixThenUndo(entry, ctx, undefined, { between });
      const kinds = Object.fromEntries(run.items.map((i) => [i.entry.operation, i.kind]));
      expect(kinds).toMatchObject({ StartConfigurationRecorder: 'undo', PutDeliveryChannel: 'drifted' });
      const channels = (await config(ctx).send(new DescribeDeliveryChannelsCommand({}))).DeliveryChannels ?? [];
      expect(channels).toEqual([expect.objectContaining({ name: 'default', s3BucketName: 'audit-archive' })]);
    });
  });

  it('a recorder the fix made is deleted, and a role it made goes too', async () => {
    await inSandbox({}, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, undefined);
      const kinds = Object.fromEntries(run.items.map((i) => [i.entry.operation, i.kind]));
      expect(kinds).toMatchObject({ PutConfigurationRecorder: 'undo', CreateServiceLinkedRole: 'undo', CreateBucket: 'undo' });
      expect(await recorders(ctx)).toEqual([]);
      expect(run.afterUndo).toEqual(run.before);
    });
  });
});
