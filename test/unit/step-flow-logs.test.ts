import { CreateFlowLogsCommand, DescribeFlowLogsCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import type { FlowLog, Vpc } from '@aws-sdk/client-ec2';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import type { ClientClass, Finding, SdkClient, StepContext } from '../../src/engine/types.js';
import step, { CHUNK_SIZE, chunk, coverage, isCovering, uncoveredVpcs, vpcFinding, vpcLabel } from '../../steps/monitoring/flow-logs/index.js';

const ACCOUNT = '123456789012';
const log = (id: string, resource: string, traffic: string, extra: Partial<FlowLog> = {}): FlowLog => ({
  FlowLogId: id,
  ResourceId: resource,
  TrafficType: traffic as FlowLog['TrafficType'],
  FlowLogStatus: 'ACTIVE',
  LogDestinationType: 's3',
  LogDestination: 'arn:aws:s3:::somewhere',
  ...extra,
});
const vpc = (id: string, extra: Partial<Vpc> = {}): Vpc => ({ VpcId: id, OwnerId: ACCOUNT, ...extra });

type Handler = (command: unknown) => unknown;

/** A real SDK client (paginators insist on that) whose `send` answers from `handler`. */
function stub<C extends SdkClient>(cls: ClientClass<C>, region: string, handler: Handler): C {
  const c = new cls({ region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  (c as unknown as { send: (cmd: unknown) => Promise<unknown> }).send = async (cmd) => handler(cmd);
  return c;
}

function stubContext(regions: string[], handlers: (cls: string, region: string) => Handler): StepContext {
  return {
    target: { accountId: ACCOUNT, principalArn: `arn:aws:iam::${ACCOUNT}:user/alice`, isRoot: false, sandbox: true, partition: 'aws', homeRegion: 'us-east-1' },
    regions: async () => regions,
    shared: (_k, load) => load(),
    client<C extends SdkClient>(cls: ClientClass<C>, region = 'us-east-1'): C {
      return stub(cls, region, handlers(cls.name, region));
    },
  };
}

describe('which VPCs a flow log covers', () => {
  it('counts an active flow log of all or of rejected traffic, to any destination', () => {
    expect(isCovering(log('fl-1', 'vpc-1', 'ALL'))).toBe(true);
    expect(isCovering(log('fl-1', 'vpc-1', 'REJECT', { LogDestinationType: 'cloud-watch-logs', LogGroupName: 'g' }))).toBe(true);
    expect(isCovering(log('fl-1', 'vpc-1', 'ALL', { LogDestinationType: 'kinesis-data-firehose' }))).toBe(true);
  });

  it('does not count a flow log of accepted traffic only, or one that is not active', () => {
    expect(isCovering(log('fl-1', 'vpc-1', 'ACCEPT'))).toBe(false);
    expect(isCovering(log('fl-1', 'vpc-1', 'ALL', { FlowLogStatus: 'DELETING' }))).toBe(false);
  });

  it('matches flow logs to VPCs by resource id: a subnet’s or a network interface’s flow log does not cover its VPC', () => {
    const logs = [log('fl-a', 'vpc-a', 'ALL'), log('fl-b', 'subnet-b', 'ALL'), log('fl-c', 'vpc-c', 'ACCEPT'), log('fl-d', 'eni-d', 'REJECT')];
    expect(uncoveredVpcs(['vpc-a', 'vpc-b', 'vpc-c'], logs)).toEqual(['vpc-b', 'vpc-c']);
    expect(coverage('vpc-c', logs)).toEqual({ covering: [], other: [logs[2]] });
  });

  it('an accept-only log beside a reject-only log covers the VPC', () => {
    expect(uncoveredVpcs(['vpc-a'], [log('fl-1', 'vpc-a', 'ACCEPT'), log('fl-2', 'vpc-a', 'REJECT')])).toEqual([]);
  });
});

describe('the finding for a VPC', () => {
  it('names the VPC by id and Name tag', () => {
    expect(vpcLabel({ VpcId: 'vpc-1', Tags: [{ Key: 'Name', Value: 'app' }] })).toBe('vpc-1 (app)');
    expect(vpcLabel({ VpcId: 'vpc-1', Tags: [{ Key: 'Name', Value: '' }] })).toBe('vpc-1');
  });

  it('fails without a flow log and carries what the plan needs', () => {
    const f = vpcFinding(vpc('vpc-1', { IsDefault: true }), [], 'eu-west-1', ACCOUNT);
    expect(f).toMatchObject({ status: 'fail', resource: 'vpc-1', region: 'eu-west-1', data: { vpcId: 'vpc-1', region: 'eu-west-1', other: [] } });
    expect(f.message).toBe('VPC vpc-1 (the default VPC) in eu-west-1 has no flow log: nothing records the connections made to it or refused by it.');
  });

  it('says why the flow logs it has do not count', () => {
    const f = vpcFinding(vpc('vpc-1'), [log('fl-1', 'vpc-1', 'ACCEPT'), log('fl-2', 'vpc-1', 'ALL', { FlowLogStatus: 'DELETING' })], 'us-east-1', ACCOUNT);
    expect(f.status).toBe('fail');
    expect(f.message).toContain('fl-1 records only accepted traffic; fl-2 is not active (DELETING)');
    expect(f.data).toMatchObject({ other: ['fl-1', 'fl-2'] });
  });

  it('passes with the flow log and its destination, and notes a delivery that fails', () => {
    const f = vpcFinding(vpc('vpc-1'), [log('fl-1', 'vpc-1', 'REJECT', { LogDestinationType: 'cloud-watch-logs', LogGroupName: 'net', DeliverLogsStatus: 'FAILED' })], 'us-east-1', ACCOUNT);
    expect(f.status).toBe('pass');
    expect(f.message).toMatch(/records rejected traffic in flow log fl-1 \(to CloudWatch Logs net\)\. Its delivery reports FAILED/);
    expect(f.data).toBeUndefined();
  });

  it('leaves a VPC shared by another account to its owner', () => {
    expect(vpcFinding(vpc('vpc-1', { OwnerId: '210987654321' }), [], 'us-east-1', ACCOUNT)).toMatchObject({ status: 'pass', message: expect.stringContaining('shared with this account by 210987654321') });
  });
});

describe('chunking', () => {
  it('splits into calls of at most 25 VPCs, keeping the order', () => {
    const ids = Array.from({ length: 51 }, (_, i) => `vpc-${i}`);
    const parts = chunk(ids);
    expect(CHUNK_SIZE).toBe(25);
    expect(parts.map((p) => p.length)).toEqual([25, 25, 1]);
    expect(parts.flat()).toEqual(ids);
    expect(chunk([])).toEqual([]);
    expect(chunk(ids.slice(0, 25))).toHaveLength(1);
    expect(() => chunk(ids, 0)).toThrow();
  });
});

const fail = (vpcId: string, region: string): Finding => ({ status: 'fail', resource: vpcId, region, message: 'no flow log', data: { vpcId, region, label: vpcId, other: [] } });
const noBucket: Handler = (cmd) => {
  if (cmd instanceof HeadBucketCommand) throw Object.assign(new Error('Not Found'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } });
  throw new Error('unexpected call');
};

describe('the plan', () => {
  it('makes the bucket first, then one CreateFlowLogs per region and per 25 VPCs, and nothing for passing findings', async () => {
    const ctx = stubContext(['us-east-1', 'eu-west-1'], (cls) => (cls === 'S3Client' ? noBucket : () => Promise.reject(new Error('unexpected call'))));
    const findings = [
      ...Array.from({ length: 30 }, (_, i) => fail(`vpc-us${String(i).padStart(2, '0')}`, 'us-east-1')),
      fail('vpc-eu', 'eu-west-1'),
      { status: 'pass' as const, resource: 'vpc-ok', region: 'eu-west-1', message: 'covered' },
    ];
    const plan = await step.plan(ctx, findings, undefined);
    expect(plan.actions.map((a) => a.operation)).toEqual([
      'CreateBucket',
      'PutPublicAccessBlock',
      'PutBucketOwnershipControls',
      'PutBucketEncryption',
      'PutBucketPolicy',
      'CreateFlowLogs',
      'CreateFlowLogs',
      'CreateFlowLogs',
    ]);
    const creates = plan.actions.filter((a) => a.operation === 'CreateFlowLogs');
    expect(creates.map((a) => [a.region, (a.params.ResourceIds as string[]).length])).toEqual([
      ['us-east-1', 25],
      ['us-east-1', 5],
      ['eu-west-1', 1],
    ]);
    expect(creates[2]!.params.ResourceIds).toEqual(['vpc-eu']);
    expect(plan.cost).toMatchObject({ scale: 'cents', detail: expect.stringMatching(/^31 VPCs in 2 regions/) });
  });

  it('plans nothing, and reads nothing, when every VPC is covered', async () => {
    const ctx = stubContext(['us-east-1'], () => () => Promise.reject(new Error('no call expected')));
    expect(await step.plan(ctx, [{ status: 'pass', resource: 'vpc-1', region: 'us-east-1', message: 'ok' }], undefined)).toEqual({ actions: [] });
  });

  it('throws with the messages of Unsuccessful, and the undo still names the flow logs that were made', async () => {
    const sent: unknown[] = [];
    const ctx = stubContext(['us-east-1'], (cls) =>
      cls === 'S3Client'
        ? noBucket
        : (cmd) => {
            sent.push(cmd);
            if (cmd instanceof CreateFlowLogsCommand)
              return { FlowLogIds: ['fl-made'], Unsuccessful: [{ ResourceId: 'vpc-b', Error: { Code: 'InvalidVpcID.NotFound', Message: 'vpc-b does not exist' } }] };
            throw new Error('unexpected call');
          },
    );
    const plan = await step.plan(ctx, [fail('vpc-a', 'us-east-1'), fail('vpc-b', 'us-east-1')], undefined);
    const create = plan.actions.at(-1)!;
    await expect(create.run(ctx)).rejects.toThrow('CreateFlowLogs in us-east-1 failed for vpc-b (InvalidVpcID.NotFound: vpc-b does not exist); it created fl-made for the others.');
    expect(create.inverse!.params).toEqual({ FlowLogIds: ['fl-made'] });
    expect(sent).toHaveLength(1);
  });
});

describe('the check, region by region', () => {
  it('reports a region it may not read as an error for that region, and still checks the others', async () => {
    const denied = Object.assign(new Error('You are not authorized to perform this operation.'), { name: 'UnauthorizedOperation', $metadata: { httpStatusCode: 403 } });
    const ctx = stubContext(['us-east-1', 'eu-west-1', 'ap-south-1'], (_cls, region) => (cmd) => {
      if (region === 'eu-west-1') throw denied;
      if (cmd instanceof DescribeVpcsCommand) return { Vpcs: region === 'us-east-1' ? [vpc('vpc-1', { IsDefault: true })] : [] };
      if (cmd instanceof DescribeFlowLogsCommand) return { FlowLogs: [log('fl-1', 'vpc-1', 'ALL')] };
      throw new Error('unexpected call');
    });
    const findings = await step.check(ctx);
    expect(findings.map((f) => [f.region, f.status])).toEqual([
      ['us-east-1', 'pass'],
      ['eu-west-1', 'error'],
      ['ap-south-1', 'pass'],
    ]);
    expect(findings[1]!.message).toMatch(/^Amazon EC2 in eu-west-1 could not be read: Access denied.*ec2:DescribeVpcs, ec2:DescribeFlowLogs/);
    expect(findings[2]!.message).toBe('No VPCs in ap-south-1: no network traffic to record.');
  });

  it('follows DescribeVpcs and DescribeFlowLogs pages', async () => {
    const ctx = stubContext(['us-east-1'], () => (cmd) => {
      const input = (cmd as { input: { NextToken?: string } }).input;
      if (cmd instanceof DescribeVpcsCommand) return input.NextToken ? { Vpcs: [vpc('vpc-2')] } : { Vpcs: [vpc('vpc-1')], NextToken: 'more' };
      if (cmd instanceof DescribeFlowLogsCommand) return input.NextToken ? { FlowLogs: [log('fl-2', 'vpc-2', 'ALL')] } : { FlowLogs: [], NextToken: 'more' };
      throw new Error('unexpected call');
    });
    expect((await step.check(ctx)).map((f) => [f.resource, f.status])).toEqual([
      ['vpc-1', 'fail'],
      ['vpc-2', 'pass'],
    ]);
  });
});
