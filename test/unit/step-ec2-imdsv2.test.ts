/**
 * resources.ec2-imdsv2: the metric batching and the account default. moto implements no instance
 * metadata defaults, so the default's pass, fail and fix run here with SDK stubs (aws-sdk-client-mock),
 * as each test name says.
 */
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { DescribeInstancesCommand, EC2Client, GetInstanceMetadataDefaultsCommand, ModifyInstanceMetadataDefaultsCommand } from '@aws-sdk/client-ec2';
import type { Instance } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClientFactory } from '../../src/aws/factory.js';
import { RunContext } from '../../src/engine/context.js';
import { checkStep, planStep } from '../../src/engine/runner.js';
import step, { acceptsImdsv1 } from '../../steps/resources/ec2-imdsv2/index.js';
import { QUERIES_PER_CALL, batches, imdsv1Calls, metricQueries } from '../../steps/resources/ec2-imdsv2/metadata-calls.js';

const ACCOUNT = '111122223333';
const ec2 = mockClient(EC2Client);
const cw = mockClient(CloudWatchClient);
const contexts: RunContext[] = [];
const entry = { meta: step.meta, load: async () => step };

function context(regions = ['us-east-1']): RunContext {
  const factory = new ClientFactory({ region: 'us-east-1', credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'x' }, maxAttempts: 1, userAgent: 'secure-start-test' });
  const ctx = new RunContext(
    { accountId: ACCOUNT, principalArn: `arn:aws:iam::${ACCOUNT}:user/alice`, isRoot: false, sandbox: false, partition: 'aws', homeRegion: 'us-east-1' },
    factory,
    async () => regions,
  );
  contexts.push(ctx);
  return ctx;
}

const inst = (id: string, tokens: 'optional' | 'required', extra: Partial<Instance> = {}): Instance => ({
  InstanceId: id,
  State: { Name: 'running' },
  MetadataOptions: { HttpTokens: tokens, HttpEndpoint: 'enabled' },
  ...extra,
});

beforeEach(() => {
  ec2.reset();
  cw.reset();
});
afterEach(() => {
  for (const c of contexts.splice(0)) c.factory.destroy();
});
afterAll(() => {
  ec2.restore();
  cw.restore();
});

describe('which instances accept IMDSv1', () => {
  it('tokens optional (or unset) with the metadata service on; not required, not a service turned off', () => {
    expect(acceptsImdsv1(inst('i-1', 'optional'))).toBe(true);
    expect(acceptsImdsv1({ InstanceId: 'i-2' })).toBe(true);
    expect(acceptsImdsv1(inst('i-3', 'required'))).toBe(false);
    expect(acceptsImdsv1(inst('i-4', 'optional', { MetadataOptions: { HttpTokens: 'optional', HttpEndpoint: 'disabled' } }))).toBe(false);
  });
});

describe('the MetadataNoToken read (SDK stub for CloudWatch)', () => {
  it('asks for up to 500 instances per GetMetricData call: 1,001 instances are 3 calls, not 1,001 (SDK stub)', async () => {
    const ids = Array.from({ length: 1001 }, (_, n) => `i-${n.toString(16).padStart(8, '0')}`);
    cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
      MetricDataResults: (input.MetricDataQueries ?? []).map((q) => ({ Id: q.Id, Values: q.Id === 'm7' ? [2, 3] : [] })),
    }));
    const calls = await imdsv1Calls(context(), 'us-east-1', ids, new Date('2026-12-01T12:00:30Z'));
    const sent = cw.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input);
    expect(sent.map((s) => s.MetricDataQueries!.length)).toEqual([500, 500, 1]);
    expect(sent[0]!.EndTime).toEqual(new Date('2026-12-01T12:01:00Z'));
    expect(sent[0]!.StartTime).toEqual(new Date('2026-11-17T12:01:00Z'));
    // m7 of each batch: the 8th, the 508th and (no 8th in the last batch).
    expect(calls.get(ids[7]!)).toBe(5);
    expect(calls.get(ids[507]!)).toBe(5);
    expect(calls.get(ids[1000]!)).toBe(0);
    expect([...calls.values()].filter((v) => v > 0)).toHaveLength(2);
  });

  it('follows NextToken within a batch (SDK stub)', async () => {
    cw.on(GetMetricDataCommand)
      .resolvesOnce({ MetricDataResults: [{ Id: 'm0', Values: [1] }], NextToken: 'more' })
      .resolvesOnce({ MetricDataResults: [{ Id: 'm0', Values: [4] }] });
    expect((await imdsv1Calls(context(), 'us-east-1', ['i-00000001'])).get('i-00000001')).toBe(5);
  });

  it('the query per instance is the Sum of AWS/EC2 MetadataNoToken by InstanceId, per day', () => {
    expect(metricQueries(['i-a'])).toEqual([
      {
        Id: 'm0',
        MetricStat: { Metric: { Namespace: 'AWS/EC2', MetricName: 'MetadataNoToken', Dimensions: [{ Name: 'InstanceId', Value: 'i-a' }] }, Period: 86400, Stat: 'Sum' },
        ReturnData: true,
      },
    ]);
    expect(batches([1, 2, 3], 2)).toEqual([[1, 2], [3]]);
    expect(QUERIES_PER_CALL).toBe(500);
  });
});

describe('the account default (SDK stubs: moto has no instance metadata defaults)', () => {
  it('a default that does not require IMDSv2 fails, and the plan requires it with an inverse (SDK stub)', async () => {
    ec2.on(GetInstanceMetadataDefaultsCommand).resolves({ AccountLevel: {} });
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    const ctx = context();
    const checked = await checkStep(entry, ctx);
    expect(checked.result.status).toBe('fail');
    expect(checked.result.findings[0]).toMatchObject({
      status: 'fail',
      resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:instance-metadata-defaults`,
      message: 'The account default in us-east-1 does not require IMDSv2 (HttpTokens: no-preference): new instances accept IMDSv1 unless their launch says otherwise.',
    });
    const plan = await planStep(checked, ctx, { accountDefault: true, instances: 'all' });
    expect(plan.actions).toEqual([
      expect.objectContaining({
        operation: 'ModifyInstanceMetadataDefaults',
        region: 'us-east-1',
        params: { HttpTokens: 'required' },
        inverse: expect.objectContaining({ params: { HttpTokens: 'no-preference' } }),
      }),
    ]);
    expect((await planStep(checked, ctx, { accountDefault: false, instances: 'all' })).actions).toEqual([]);
    ctx.factory.readOnly = false;
    ec2.on(ModifyInstanceMetadataDefaultsCommand).resolves({ Return: true });
    await plan.actions[0]!.run(ctx);
    expect(ec2.commandCalls(ModifyInstanceMetadataDefaultsCommand)[0]!.args[0].input).toEqual({ HttpTokens: 'required' });
  });

  it('a default that requires IMDSv2 passes (SDK stub)', async () => {
    ec2.on(GetInstanceMetadataDefaultsCommand).resolves({ AccountLevel: { HttpTokens: 'required' } });
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [inst('i-0123456789abcdef0', 'required')] }] });
    const checked = await checkStep(entry, context());
    expect(checked.result.status).toBe('pass');
    expect(checked.result.findings.map((f) => f.message)).toEqual([
      'New instances in us-east-1 require IMDSv2 by default (account default HttpTokens: required).',
      'Instance i-0123456789abcdef0 in us-east-1 (running) requires IMDSv2.',
    ]);
  });

  it('access denied on the default is an error naming the permission, not unsupported (SDK stub)', async () => {
    ec2.on(GetInstanceMetadataDefaultsCommand).rejects(Object.assign(new Error('not authorized'), { name: 'UnauthorizedOperation', $metadata: { httpStatusCode: 403 } }));
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    const checked = await checkStep(entry, context());
    expect(checked.result.findings[0]).toMatchObject({ status: 'error', message: expect.stringContaining('ec2:GetInstanceMetadataDefaults') });
  });

  it('an unreadable metric leaves the instance failing and treated as in use, named only (SDK stub)', async () => {
    ec2.on(GetInstanceMetadataDefaultsCommand).resolves({ AccountLevel: { HttpTokens: 'required' } });
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [inst('i-0123456789abcdef0', 'optional')] }] });
    cw.on(GetMetricDataCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const ctx = context();
    const checked = await checkStep(entry, ctx);
    expect(checked.result.findings[1]).toMatchObject({ status: 'fail', message: expect.stringMatching(/its IMDSv1 use could not be read \(CloudWatch GetMetricData: Access denied.*cloudwatch:GetMetricData.*treated as in use\.$/) });
    expect((await planStep(checked, ctx, { accountDefault: true, instances: 'all' })).actions).toEqual([]);
    const named = await planStep(checked, ctx, { accountDefault: true, instances: ['i-0123456789abcdef0'] });
    expect(named.actions[0]).toMatchObject({ destructive: true });
  });
});
