import type { NetworkInterface, SecurityGroup } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import step, { groupFinding } from '../../steps/infrastructure/default-security-groups/index.js';
import { groupUsers, interfaceUser } from '../../steps/infrastructure/_shared/interfaces.js';

const REAL_DEFAULT: SecurityGroup = {
  GroupId: 'sg-d',
  GroupName: 'default',
  VpcId: 'vpc-1',
  IpPermissions: [{ IpProtocol: '-1', UserIdGroupPairs: [{ UserId: '123456789012', GroupId: 'sg-d' }], IpRanges: [], Ipv6Ranges: [], PrefixListIds: [] }],
  IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [], UserIdGroupPairs: [], PrefixListIds: [] }],
};
const eni = (id: string, extra: Partial<NetworkInterface> = {}): NetworkInterface => ({ NetworkInterfaceId: id, Groups: [{ GroupId: 'sg-d' }], ...extra });

describe('who uses a group, named from the network interface', () => {
  it.each<[string, NetworkInterface, string]>([
    ['an instance', eni('eni-1', { Attachment: { InstanceId: 'i-1' } }), 'instance i-1'],
    ['a Lambda function', eni('eni-2', { Description: 'AWS Lambda VPC ENI-resize-images-0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b', InterfaceType: 'lambda' }), 'Lambda function resize-images'],
    ['an application load balancer', eni('eni-3', { Description: 'ELB app/web-lb/50dc6c495c0c9188' }), 'load balancer web-lb'],
    ['a classic load balancer', eni('eni-4', { Description: 'ELB legacy-lb' }), 'load balancer legacy-lb'],
    ['a NAT gateway', eni('eni-5', { InterfaceType: 'natGateway', Description: 'Interface for NAT Gateway nat-1' }), 'NAT gateway (eni-5)'],
    ['an RDS database', eni('eni-6', { Description: 'RDSNetworkInterface', RequesterId: 'amazon-rds' }), 'RDS database interface eni-6'],
    ['anything else, with its description', eni('eni-7', { Description: 'build agent' }), 'network interface eni-7 (build agent)'],
    ['anything else, bare', eni('eni-8'), 'network interface eni-8'],
  ])('%s', (_name, e, expected) => expect(interfaceUser(e)).toBe(expected));

  it('only the interfaces that carry the group, each user once', () => {
    const enis = [eni('eni-2', { Attachment: { InstanceId: 'i-1' } }), eni('eni-1', { Attachment: { InstanceId: 'i-1' } }), eni('eni-9', { Groups: [{ GroupId: 'sg-x' }] })];
    expect(groupUsers(enis, 'sg-d')).toEqual({ interfaces: ['eni-1', 'eni-2'], users: ['instance i-1'] });
  });
});

describe('the finding of one default group', () => {
  it('fails with the rules AWS gives a new default group, naming them and saying nothing uses it', () => {
    const f = groupFinding(REAL_DEFAULT, [], 'us-east-1', 'vpc-1');
    expect(f).toMatchObject({ status: 'fail', resource: 'sg-d', region: 'us-east-1' });
    expect(f.message).toBe(
      'The default security group sg-d of VPC vpc-1 (the default VPC) in us-east-1 has 1 inbound rule (all traffic from this group) and 1 outbound rule (all traffic to 0.0.0.0/0). Nothing uses it.',
    );
  });

  it('passes with no rule, still naming its users', () => {
    const f = groupFinding({ ...REAL_DEFAULT, IpPermissions: [], IpPermissionsEgress: [] }, [eni('eni-1', { Attachment: { InstanceId: 'i-1' } })], 'us-east-1');
    expect(f.status).toBe('pass');
    expect(f.message).toMatch(/allows no traffic: no inbound and no outbound rule\. Used by 1 network interface \(instance i-1\)\./);
  });

  it('an outbound rule alone fails too', () => {
    expect(groupFinding({ ...REAL_DEFAULT, IpPermissions: [] }, [], 'eu-west-1').status).toBe('fail');
  });
});

describe('the plan', () => {
  it('revokes exactly the rules read (without the empty lists), keeps them in the inverse, and is destructive only when something uses the group', async () => {
    const unused = await step.plan({} as never, [groupFinding(REAL_DEFAULT, [], 'us-east-1')], undefined);
    expect(unused.actions.map((a) => [a.operation, a.destructive ?? false])).toEqual([
      ['RevokeSecurityGroupIngress', false],
      ['RevokeSecurityGroupEgress', false],
    ]);
    expect(unused.actions[0]!.params).toEqual({ GroupId: 'sg-d', IpPermissions: [{ IpProtocol: '-1', UserIdGroupPairs: [{ UserId: '123456789012', GroupId: 'sg-d' }] }] });
    expect(unused.actions[0]!.inverse).toMatchObject({ operation: 'AuthorizeSecurityGroupIngress', params: unused.actions[0]!.params });
    expect(unused.actions[1]!.inverse).toMatchObject({ operation: 'AuthorizeSecurityGroupEgress', params: { GroupId: 'sg-d', IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] } });
    expect(unused.warnings).toBeUndefined();
    expect(unused.risk).toMatch(/Nothing uses these default groups now/);

    const used = await step.plan({} as never, [groupFinding(REAL_DEFAULT, [eni('eni-1', { Description: 'ELB app/web-lb/1' })], 'us-east-1')], undefined);
    expect(used.actions.every((a) => a.destructive)).toBe(true);
    expect(used.warnings).toEqual([expect.stringMatching(/sg-d .* is used by 1 network interface \(load balancer web-lb\): it loses the inbound traffic it allowed \(all traffic from this group\) and the outbound traffic it allowed \(all traffic to 0\.0\.0\.0\/0\), unless another of its security groups allows it\. Give it a security group of its own/)]);
    expect(used.risk).toMatch(/^This default group is in use: what uses it loses that traffic/);
  });
});
