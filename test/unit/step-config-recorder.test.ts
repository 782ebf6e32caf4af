/** The config-recorder step without AWS: the judgement of a region, the plan from given findings, and a check over stubbed clients. */
import type { ConfigurationRecorder, ConfigurationRecorderStatus, DeliveryChannel, RecordingGroup } from '@aws-sdk/client-config-service';
import { describe, expect, it } from 'vitest';
import type { Finding, StepContext, Target } from '../../src/engine/types.js';
import step, { checkRegions, isRoleTaken } from '../../steps/monitoring/config-recorder/index.js';
import { coverage, globalRegion, judgeRegion, typeList } from '../../steps/monitoring/config-recorder/judge.js';
import type { RegionConfig, RegionData } from '../../steps/monitoring/config-recorder/judge.js';

const ROLE = 'arn:aws:iam::123456789012:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig';
const ALL = { allSupported: true, includeGlobalResourceTypes: false };
const ALL_GLOBAL = { allSupported: true, includeGlobalResourceTypes: true };

const recorder = (over: Partial<ConfigurationRecorder> = {}): ConfigurationRecorder => ({ name: 'default', roleARN: ROLE, recordingGroup: ALL_GLOBAL, ...over });
const running: ConfigurationRecorderStatus = { name: 'default', recording: true, lastStatus: 'Success' };
const stopped: ConfigurationRecorderStatus = { name: 'default', recording: false };
const channel: DeliveryChannel = { name: 'default', s3BucketName: 'logs-bucket' };

function view(over: Partial<RegionConfig> = {}): RegionConfig {
  return { region: 'us-east-1', recorders: [recorder()], statuses: [running], channels: [channel], ...over };
}

const HOME = { recordsGlobal: true, globalRegion: 'us-east-1' };
const OTHER = { recordsGlobal: false, globalRegion: 'us-east-1' };

describe('coverage of a recording group', () => {
  it.each([
    ['no group at all (the API default)', undefined, { kind: 'all' }],
    ['allSupported', { allSupported: true }, { kind: 'all' }],
    ['the ALL_SUPPORTED strategy', { allSupported: false, recordingStrategy: { useOnly: 'ALL_SUPPORTED_RESOURCE_TYPES' as const } }, { kind: 'all' }],
    ['an exclusion list, sorted', { allSupported: false, exclusionByResourceTypes: { resourceTypes: ['AWS::EC2::Volume', 'AWS::EC2::Instance'] }, recordingStrategy: { useOnly: 'EXCLUSION_BY_RESOURCE_TYPES' as const } }, { kind: 'except', excluded: ['AWS::EC2::Instance', 'AWS::EC2::Volume'] }],
    ['an empty exclusion list', { allSupported: false, exclusionByResourceTypes: { resourceTypes: [] }, recordingStrategy: { useOnly: 'EXCLUSION_BY_RESOURCE_TYPES' as const } }, { kind: 'all' }],
    ['an inclusion list', { allSupported: false, resourceTypes: ['AWS::S3::Bucket'], recordingStrategy: { useOnly: 'INCLUSION_BY_RESOURCE_TYPES' as const } }, { kind: 'only', types: ['AWS::S3::Bucket'] }],
    ['allSupported false without a strategy', { allSupported: false, resourceTypes: ['AWS::S3::Bucket'] }, { kind: 'only', types: ['AWS::S3::Bucket'] }],
  ])('%s', (_name, group, want) => {
    expect(coverage(group as RecordingGroup | undefined)).toEqual(want);
  });

  it('lists a few types, then says how many more', () => {
    expect(typeList(['a', 'b', 'c', 'd', 'e', 'f'])).toBe('a, b, c, d and 2 more');
    expect(typeList(['a'])).toBe('a');
    expect(typeList([])).toBe('no resource type');
  });

  it('records global resources in the home region, or the run’s first region when the home region is not in the run', () => {
    expect(globalRegion(['eu-west-1', 'us-east-1'], 'us-east-1')).toBe('us-east-1');
    expect(globalRegion(['eu-west-1', 'eu-central-1'], 'us-east-1')).toBe('eu-west-1');
    expect(globalRegion([], 'us-east-1')).toBeUndefined();
  });
});

describe('judging one region', () => {
  it('passes a running recorder of everything (global too at home) with a channel', () => {
    const v = judgeRegion(view(), HOME);
    expect(v.status).toBe('pass');
    expect(v.message).toBe('AWS Config in us-east-1: recorder "default" records every supported resource type, global resources (IAM) included and delivers to bucket logs-bucket.');
    expect(v.data).toMatchObject({ putRecorder: false, putChannel: false, start: false });
  });

  it('fails an empty region, and the plan must make all three', () => {
    const v = judgeRegion(view({ recorders: [], statuses: [], channels: [] }), HOME);
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/^AWS Config in us-east-1: there is no configuration recorder.*; there is no delivery channel/);
    expect(v.data).toMatchObject({ putRecorder: true, putChannel: true, start: true, recordsGlobal: true });
    expect(v.data.recorder).toBeUndefined();
  });

  it('fails a recorder of some types only, naming them, and keeps its name and role for the plan', () => {
    const narrow = recorder({ name: 'mine', roleARN: 'arn:aws:iam::123456789012:role/r', recordingGroup: { allSupported: false, includeGlobalResourceTypes: false, resourceTypes: ['AWS::EC2::Instance', 'AWS::S3::Bucket'] } });
    const v = judgeRegion(view({ recorders: [narrow], statuses: [{ ...running, name: 'mine' }] }), OTHER);
    expect(v.status).toBe('fail');
    expect(v.message).toBe('AWS Config in us-east-1: recorder "mine" records only 2 resource types (AWS::EC2::Instance, AWS::S3::Bucket), not every supported type.');
    expect(v.data).toMatchObject({ putRecorder: true, putChannel: false, start: false, recorder: { name: 'mine', roleARN: 'arn:aws:iam::123456789012:role/r' } });
  });

  it('fails exclusions, naming them', () => {
    const excl = recorder({ recordingGroup: { allSupported: false, exclusionByResourceTypes: { resourceTypes: ['AWS::EC2::Volume'] }, recordingStrategy: { useOnly: 'EXCLUSION_BY_RESOURCE_TYPES' } } });
    const v = judgeRegion(view({ recorders: [excl] }), OTHER);
    expect(v.message).toBe('AWS Config in us-east-1: recorder "default" leaves out 1 resource type: AWS::EC2::Volume.');
    expect(v.data.putRecorder).toBe(true);
  });

  it('fails the home region without global resources, but not another region', () => {
    const regional = recorder({ recordingGroup: ALL });
    const home = judgeRegion(view({ recorders: [regional] }), HOME);
    expect(home.status).toBe('fail');
    expect(home.message).toContain('does not record global resources (IAM users, groups, roles and policies)');
    expect(home.data.putRecorder).toBe(true);
    const other = judgeRegion(view({ region: 'eu-west-1', recorders: [regional] }), OTHER);
    expect(other.status).toBe('pass');
    expect(other.message).not.toContain('Note');
  });

  it('passes another region that records global resources too, noting the duplicate cost', () => {
    const v = judgeRegion(view({ region: 'eu-west-1' }), OTHER);
    expect(v.status).toBe('pass');
    expect(v.message).toMatch(/Note: it also records global resources \(IAM\), which us-east-1 records: every IAM change is recorded and billed twice/);
  });

  it('tells a stopped recorder from one never started; only the start is to do', () => {
    expect(judgeRegion(view({ statuses: [stopped] }), HOME)).toMatchObject({
      status: 'fail',
      message: 'AWS Config in us-east-1: recorder "default" is not recording (stopped).',
      data: { putRecorder: false, putChannel: false, start: true },
    });
    expect(judgeRegion(view({ statuses: [] }), HOME).message).toBe('AWS Config in us-east-1: recorder "default" is not recording (never started).');
  });

  it('keeps an existing channel to another bucket (a pass names it)', () => {
    const v = judgeRegion(view({ channels: [{ name: 'audit', s3BucketName: 'audit-archive' }] }), HOME);
    expect(v.status).toBe('pass');
    expect(v.message).toContain('delivers to bucket audit-archive');
    expect(v.data.channel).toEqual({ name: 'audit', bucket: 'audit-archive' });
  });

  it('fails a recorder without a channel, with only the channel to make', () => {
    expect(judgeRegion(view({ channels: [] }), HOME)).toMatchObject({ status: 'fail', data: { putRecorder: false, putChannel: true, start: false } });
  });

  it('notes daily recording and a failed last recording, without failing', () => {
    const daily = recorder({ recordingMode: { recordingFrequency: 'DAILY' } });
    const v = judgeRegion(view({ recorders: [daily], statuses: [{ ...running, lastStatus: 'Failure', lastErrorCode: 'AccessDenied' }] }), HOME);
    expect(v.status).toBe('pass');
    expect(v.message).toMatch(/records once a day \(periodic recording\).*last recording attempt failed \(AccessDenied\)/);
    expect(v.data.recorder?.recordingMode).toEqual({ recordingFrequency: 'DAILY' });
  });

  it('sets aside a service-linked recorder that another AWS service made for itself', () => {
    const internal = recorder({ name: 'AWSConfigurationRecorderForObservability', servicePrincipal: 'telemetry.amazonaws.com', recordingScope: 'INTERNAL' });
    const v = judgeRegion(view({ recorders: [internal], statuses: [{ name: internal.name, recording: true, servicePrincipal: 'telemetry.amazonaws.com' }], channels: [] }), HOME);
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/no configuration recorder/);
    expect(v.data.recorder).toBeUndefined();
  });
});

const target: Target = { accountId: '123456789012', principalArn: 'arn:aws:iam::123456789012:user/u', isRoot: false, sandbox: true, partition: 'aws', homeRegion: 'us-east-1' };
/** A context whose every client call fails the test: the plan must not read AWS for what it was told. */
const noAws: StepContext = {
  target,
  regions: async () => ['us-east-1'],
  client: () => {
    throw new Error('no AWS call expected');
  },
  shared: (_k, load) => load(),
};

function failing(data: RegionData): Finding {
  return { status: 'fail', resource: 'r', region: data.region, message: '…', data: { ...data } };
}

describe('the plan from given findings', () => {
  it('keeps a daily recording mode and the recorder’s own role when widening it; reads nothing', async () => {
    const data: RegionData = {
      region: 'eu-west-1',
      recordsGlobal: false,
      recorder: { name: 'default', roleARN: 'arn:aws:iam::123456789012:role/own', recordingGroup: { allSupported: false, resourceTypes: ['AWS::EC2::Instance'] }, recordingMode: { recordingFrequency: 'DAILY' } },
      channel: { name: 'default', bucket: 'b' },
      putRecorder: true,
      putChannel: false,
      start: false,
    };
    const plan = await step.plan(noAws, [failing(data)], undefined);
    expect(plan.actions.map((a) => [a.operation, a.region, a.params])).toEqual([
      [
        'PutConfigurationRecorder',
        'eu-west-1',
        {
          ConfigurationRecorder: {
            name: 'default',
            roleARN: 'arn:aws:iam::123456789012:role/own',
            recordingGroup: { allSupported: true, includeGlobalResourceTypes: false },
            recordingMode: { recordingFrequency: 'DAILY' },
          },
        },
      ],
    ]);
    expect(plan.cost).toMatchObject({ scale: 'cents', detail: expect.stringMatching(/^AWS Config in 1 region \(eu-west-1\)/) });
    expect(plan.warnings).toEqual([expect.stringContaining('delivers to bucket b; it is kept')]);
  });

  it('only starts a stopped recorder, with its stop as the undo', async () => {
    const data: RegionData = { region: 'us-east-1', recordsGlobal: true, recorder: { name: 'main', roleARN: 'x' }, channel: { name: 'c' }, putRecorder: false, putChannel: false, start: true };
    const plan = await step.plan(noAws, [failing(data)], undefined);
    expect(plan.actions.map((a) => [a.operation, a.params, a.inverse?.operation])).toEqual([['StartConfigurationRecorder', { ConfigurationRecorderName: 'main' }, 'StopConfigurationRecorder']]);
  });

  it('plans nothing for passing, error and unsupported findings', async () => {
    const findings: Finding[] = [
      { status: 'pass', resource: 'r', region: 'us-east-1', message: '…' },
      { status: 'error', resource: 'r', region: 'eu-west-1', message: '…' },
    ];
    expect((await step.plan(noAws, findings, undefined)).actions).toEqual([]);
  });

  it('refuses a failing finding without its data', async () => {
    await expect(step.plan(noAws, [{ status: 'fail', resource: 'r', region: 'us-east-1', message: '…' }], undefined)).rejects.toThrow(/check the step before planning/);
  });
});

/** A context whose Config clients answer from a table per region; a region given an error throws it. */
function stubbed(regions: string[], answers: Record<string, RegionConfig | Error>): StepContext {
  return {
    target,
    regions: async () => regions,
    shared: (_k, load) => load(),
    client: ((_cls: unknown, region?: string) => ({
      destroy() {},
      async send(command: object) {
        const a = answers[region ?? 'us-east-1']!;
        if (a instanceof Error) throw a;
        switch (command.constructor.name) {
          case 'DescribeConfigurationRecordersCommand':
            return { ConfigurationRecorders: a.recorders };
          case 'DescribeConfigurationRecorderStatusCommand':
            return { ConfigurationRecordersStatus: a.statuses };
          case 'DescribeDeliveryChannelsCommand':
            return { DeliveryChannels: a.channels };
          default:
            throw new Error(`unexpected ${command.constructor.name}`);
        }
      },
    })) as StepContext['client'],
  };
}

const awsError = (name: string, status: number, message: string) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

describe('the check over several regions (stubbed clients)', () => {
  it('reports a region it may not read as an error naming the permissions, and judges the others', async () => {
    const ctx = stubbed(['us-east-1', 'ap-south-1', 'eu-west-1'], {
      'us-east-1': view(),
      'ap-south-1': awsError('AccessDeniedException', 400, 'not authorized to perform config:DescribeConfigurationRecorders'),
      'eu-west-1': view({ region: 'eu-west-1', recorders: [], statuses: [], channels: [] }),
    });
    const findings = await checkRegions(ctx);
    expect(findings.map((f) => [f.region, f.status])).toEqual([
      ['us-east-1', 'pass'],
      ['ap-south-1', 'error'],
      ['eu-west-1', 'fail'],
    ]);
    expect(findings[1]!.message).toMatch(/^AWS Config in ap-south-1 could not be read: Access denied.*config:DescribeConfigurationRecorders, config:DescribeConfigurationRecorderStatus, config:DescribeDeliveryChannels/);
    expect(findings[1]!.resource).toBe('arn:aws:config:ap-south-1:123456789012:configuration-recorder/*');
    // Global resources go to the home region: eu-west-1 is not asked for them.
    expect(findings[2]!.data).toMatchObject({ recordsGlobal: false });
  });

  it('reports an endpoint without Config as unsupported', async () => {
    const findings = await checkRegions(stubbed(['us-east-1'], { 'us-east-1': awsError('NotImplemented', 501, 'The config API is not implemented') }));
    expect(findings.map((f) => f.status)).toEqual(['unsupported']);
  });

  it('reports a network failure as an error of that region, never as unsupported, and still judges the others', async () => {
    const down = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const findings = await checkRegions(stubbed(['us-east-1', 'eu-west-1'], { 'us-east-1': view(), 'eu-west-1': down }));
    expect(findings.map((f) => [f.region, f.status])).toEqual([
      ['us-east-1', 'pass'],
      ['eu-west-1', 'error'],
    ]);
    expect(findings[1]!.message).toMatch(/^AWS Config in eu-west-1 could not be read: Could not reach the AWS endpoint \(read ECONNRESET\)/);
  });

  it('records global resources in the first region when the home region is not in the run', async () => {
    const findings = await checkRegions(stubbed(['eu-west-1', 'eu-central-1'], { 'eu-west-1': view({ region: 'eu-west-1', recorders: [recorder({ recordingGroup: ALL })] }), 'eu-central-1': view({ region: 'eu-central-1', recorders: [recorder({ recordingGroup: ALL })] }) }));
    expect(findings.map((f) => [f.region, f.status])).toEqual([
      ['eu-west-1', 'fail'],
      ['eu-central-1', 'pass'],
    ]);
  });
});

describe('the service-linked role', () => {
  it('takes "already there" as success, in AWS’s words and in emulators’', () => {
    expect(isRoleTaken(awsError('InvalidInputException', 400, 'Service role name AWSServiceRoleForConfig has been taken in this account, please try a different suffix.'))).toBe(true);
    expect(isRoleTaken(awsError('EntityAlreadyExistsException', 409, 'Role with name AWSServiceRoleForconfig already exists.'))).toBe(true);
    expect(isRoleTaken(awsError('AccessDenied', 403, 'not authorized to perform iam:CreateServiceLinkedRole'))).toBe(false);
  });
});
