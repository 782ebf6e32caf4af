/**
 * resources.ec2-instance-connect: the rule matcher (pure) and the Instance Connect Endpoint paths,
 * which moto does not implement: stubbed at the SDK level (aws-sdk-client-mock), as each test name says.
 */
import {
  CreateInstanceConnectEndpointCommand,
  DescribeInstanceConnectEndpointsCommand,
  DescribeInstancesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import type { IpPermission } from '@aws-sdk/client-ec2';
import { readFile } from 'node:fs/promises';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { stubContext } from '../helpers/stub-context.js';
import { checkStep, planStep } from '../../src/engine/runner.js';
import step, { ENDPOINT_NAME, isPublicSubnet } from '../../steps/resources/ec2-instance-connect/index.js';
import { ruleCoversPort, worldOpenAdminPorts } from '../../steps/resources/_shared/instances.js';
import { ScriptedAsker } from '../helpers/step-tester.js';

describe('which rules open an administration port to the internet', () => {
  const tcp = (from: number, to: number, cidr = '0.0.0.0/0'): IpPermission => ({ IpProtocol: 'tcp', FromPort: from, ToPort: to, IpRanges: [{ CidrIp: cidr }] });
  it('TCP ranges covering the port, and all-traffic rules, to 0.0.0.0/0 or ::/0', () => {
    expect(ruleCoversPort(tcp(22, 22), 22)).toBe(true);
    expect(ruleCoversPort(tcp(0, 65535), 3389)).toBe(true);
    expect(ruleCoversPort(tcp(80, 443), 22)).toBe(false);
    expect(ruleCoversPort({ IpProtocol: '-1' }, 3389)).toBe(true);
    expect(ruleCoversPort({ IpProtocol: 'udp', FromPort: 22, ToPort: 22 }, 22)).toBe(false);
    const group = { GroupId: 'sg-1', IpPermissions: [tcp(22, 22), tcp(3389, 3389, '10.0.0.0/8'), { IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] }] };
    expect(worldOpenAdminPorts(group)).toEqual([
      { port: 22, cidr: '0.0.0.0/0', groupId: 'sg-1' },
      { port: 22, cidr: '::/0', groupId: 'sg-1' },
      { port: 3389, cidr: '::/0', groupId: 'sg-1' },
    ]);
  });

  it('a subnet is public when its route table (or the main one) sends 0.0.0.0/0 to an internet gateway', () => {
    const tables = [
      { VpcId: 'vpc-1', Associations: [{ Main: true }], Routes: [{ DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-1' }] },
      { VpcId: 'vpc-1', Associations: [{ SubnetId: 'subnet-private' }], Routes: [{ DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-1' }] },
    ];
    expect(isPublicSubnet({ SubnetId: 'subnet-other', VpcId: 'vpc-1' }, tables)).toBe(true);
    expect(isPublicSubnet({ SubnetId: 'subnet-private', VpcId: 'vpc-1' }, tables)).toBe(false);
  });
});

const ec2 = mockClient(EC2Client);
const entry = { meta: step.meta, load: async () => step };
const INSTANCE = 'i-0123456789abcdef0';
const context = () => stubContext({ accessKeyId: 'AKIAEXAMPLE' });

function exposedAccount(): void {
  ec2.on(DescribeInstancesCommand).resolves({
    Reservations: [{ Instances: [{ InstanceId: INSTANCE, State: { Name: 'running' }, VpcId: 'vpc-1', PublicIpAddress: '198.51.100.7', SecurityGroups: [{ GroupId: 'sg-1' }] }] }],
  });
  ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-1', IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }] });
  ec2.on(DescribeSubnetsCommand).resolves({
    Subnets: [
      { SubnetId: 'subnet-0aaa0001', VpcId: 'vpc-1', CidrBlock: '10.0.0.0/24' },
      { SubnetId: 'subnet-0bbb0002', VpcId: 'vpc-1', CidrBlock: '10.0.1.0/24' },
    ],
  });
  ec2.on(DescribeRouteTablesCommand).resolves({
    RouteTables: [
      { VpcId: 'vpc-1', Associations: [{ Main: true }], Routes: [{ DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-1' }] },
      { VpcId: 'vpc-1', Associations: [{ SubnetId: 'subnet-0bbb0002' }], Routes: [{ DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local' }] },
    ],
  });
}

beforeEach(() => ec2.reset());
afterAll(() => ec2.restore());

describe('Instance Connect endpoints (SDK stubs: moto has no Instance Connect endpoints)', () => {
  it('no endpoint yet: the wizard offers the private subnet first, and the plan creates the endpoint there (SDK stub)', async () => {
    exposedAccount();
    ec2.on(DescribeInstanceConnectEndpointsCommand).resolves({ InstanceConnectEndpoints: [] });
    const ctx = context();
    const checked = await checkStep(entry, ctx);
    expect(checked.result.findings).toEqual([expect.objectContaining({ status: 'fail', message: expect.stringContaining('has the public address 198.51.100.7') })]);

    const asker = new ScriptedAsker([{ select: null }]);
    const answer = await step.inputs!.ask(asker, step.inputs!.defaults(checked.result.findings), checked.result.findings);
    expect(asker.asked[0]!.choices).toEqual([
      'subnet-0bbb0002 10.0.1.0/24 (private)',
      'subnet-0aaa0001 10.0.0.0/24 (public: routes to an internet gateway)',
      'None: I will connect another way',
    ]);
    expect(answer).toEqual({ subnets: ['subnet-0bbb0002'] });

    const plan = await planStep(checked, ctx, answer);
    expect(plan.actions.map((a) => [a.operation, a.params])).toEqual([
      ['CreateInstanceConnectEndpoint', { SubnetId: 'subnet-0bbb0002', PreserveClientIp: false, TagSpecifications: [{ ResourceType: 'instance-connect-endpoint', Tags: [{ Key: 'Name', Value: ENDPOINT_NAME }] }] }],
    ]);
    expect(plan.guidance).toContain(`${INSTANCE} (us-east-1), through the endpoint this fix creates`);
    expect(plan.guidance).toContain(`aws ec2-instance-connect ssh --instance-id ${INSTANCE} --connection-type eice --region us-east-1`);

    ec2.on(CreateInstanceConnectEndpointCommand).resolves({ InstanceConnectEndpoint: { InstanceConnectEndpointId: 'eice-0123', SecurityGroupIds: ['sg-default'] } });
    ctx.factory.readOnly = false;
    const out = await plan.actions[0]!.run(ctx);
    expect(out).toEqual({ output: { InstanceConnectEndpointId: 'eice-0123', SecurityGroupIds: ['sg-default'] } });
    expect(plan.actions[0]!.inverse).toMatchObject({ operation: 'DeleteInstanceConnectEndpoint', params: { InstanceConnectEndpointId: 'eice-0123' } });
  });

  it('a VPC with an endpoint gets no second one: the guidance names it (SDK stub)', async () => {
    exposedAccount();
    ec2.on(DescribeInstanceConnectEndpointsCommand).resolves({ InstanceConnectEndpoints: [{ InstanceConnectEndpointId: 'eice-0abc', VpcId: 'vpc-1', State: 'create-complete' }] });
    const ctx = context();
    const checked = await checkStep(entry, ctx);
    const plan = await planStep(checked, ctx, { subnets: ['subnet-0bbb0002'] });
    expect(plan.actions).toEqual([]);
    expect(plan.guidance).toContain(`${INSTANCE} (us-east-1), through eice-0abc`);
  });

  it('a subnet of another VPC, or two for one VPC, is refused (SDK stub)', async () => {
    exposedAccount();
    ec2.on(DescribeInstanceConnectEndpointsCommand).resolves({ InstanceConnectEndpoints: [] });
    const ctx = context();
    const checked = await checkStep(entry, ctx);
    await expect(planStep(checked, ctx, { subnets: ['subnet-0fff0009'] })).rejects.toThrow(/subnet-0fff0009: not a subnet of a VPC with an exposed instance/);
    await expect(planStep(checked, ctx, { subnets: ['subnet-0aaa0001', 'subnet-0bbb0002'] })).rejects.toThrow(/Pick one subnet for VPC vpc-1, not 2/);
  });
});

describe('the service-linked role an Instance Connect Endpoint needs', () => {
  // AWS docs (EC2 User Guide, "Service-linked role for EC2 Instance Connect Endpoint"): the role is
  // AWSServiceRoleForEC2InstanceConnect and it trusts ec2-instance-connect.amazonaws.com.
  it('the fix policy allows iam:CreateServiceLinkedRole for that service only, and the lesson names the role', async () => {
    const grant = step.meta.permissions.grants!.find((g) => g.actions.includes('iam:CreateServiceLinkedRole'))!;
    expect(grant.conditions).toEqual({ StringEquals: { 'iam:AWSServiceName': 'ec2-instance-connect.amazonaws.com' } });
    const lesson = await readFile(new URL('../../lessons/resources/ec2-instance-connect.md', import.meta.url), 'utf8');
    expect(lesson).toContain('`AWSServiceRoleForEC2InstanceConnect` (trusted by `ec2-instance-connect.amazonaws.com`)');
  });
});
