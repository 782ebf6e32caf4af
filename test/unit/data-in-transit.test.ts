import type { Route, RouteTable, Subnet, Vpc, VpcEndpoint } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { exposure, isOpenPolicy, routeTableOf, s3ServiceName, vpcFinding, warningsFor } from '../../steps/data/in-transit/index.js';

const local: Route = { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active' };
const rt = (id: string, routes: RouteTable['Routes'], assoc: RouteTable['Associations'] = [], vpc = 'vpc-1'): RouteTable => ({
  RouteTableId: id,
  VpcId: vpc,
  Routes: [local, ...(routes ?? [])],
  Associations: assoc,
});
const subnet = (id: string, vpc = 'vpc-1'): Subnet => ({ SubnetId: id, VpcId: vpc });
const target = { partition: 'aws', accountId: '123456789012' };

describe('exposure of a route table', () => {
  it('public: a default route to an internet gateway, IPv4 or IPv6', () => {
    expect(exposure(rt('a', [{ DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-1', State: 'active' }]))).toEqual({ kind: 'public', via: 'igw-1' });
    expect(exposure(rt('a', [{ DestinationIpv6CidrBlock: '::/0', GatewayId: 'igw-2' }]))).toEqual({ kind: 'public', via: 'igw-2' });
  });

  it('egress: a default route to anything else, every target named once', () => {
    expect(
      exposure(
        rt('a', [
          { DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-1' },
          { DestinationIpv6CidrBlock: '::/0', EgressOnlyInternetGatewayId: 'eigw-1' },
        ]),
      ),
    ).toEqual({ kind: 'egress', via: ['nat-1', 'eigw-1'] });
    expect(exposure(rt('a', [{ DestinationCidrBlock: '0.0.0.0/0', TransitGatewayId: 'tgw-1' }]))).toEqual({ kind: 'egress', via: ['tgw-1'] });
  });

  it('isolated: only local or specific routes, or a default route that is a blackhole', () => {
    expect(exposure(rt('a', []))).toEqual({ kind: 'isolated' });
    expect(exposure(rt('a', [{ DestinationCidrBlock: '192.168.0.0/16', TransitGatewayId: 'tgw-1' }]))).toEqual({ kind: 'isolated' });
    expect(exposure(rt('a', [{ DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-gone', State: 'blackhole' }]))).toEqual({ kind: 'isolated' });
  });
});

describe('the route table of a subnet', () => {
  const main = rt('main', [], [{ Main: true }]);
  const own = rt('own', [], [{ SubnetId: 'subnet-a' }]);
  const other = rt('other-vpc-main', [], [{ Main: true }], 'vpc-2');

  it('is its explicit association, else its own VPC’s main table', () => {
    expect(routeTableOf(subnet('subnet-a'), [other, main, own])?.RouteTableId).toBe('own');
    expect(routeTableOf(subnet('subnet-b'), [other, main, own])?.RouteTableId).toBe('main');
    expect(routeTableOf(subnet('subnet-c', 'vpc-2'), [main, own, other])?.RouteTableId).toBe('other-vpc-main');
  });
});

describe('S3 service names and endpoint policies', () => {
  it('names the regional S3 service, with the China prefix in aws-cn', () => {
    expect(s3ServiceName('eu-west-1')).toBe('com.amazonaws.eu-west-1.s3');
    expect(s3ServiceName('cn-north-1', 'aws-cn')).toBe('cn.com.amazonaws.cn-north-1.s3');
  });

  it('recognises AWS’s allow-everything default and nothing narrower', () => {
    expect(isOpenPolicy(undefined)).toBe(true);
    expect(isOpenPolicy('{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}')).toBe(true);
    expect(isOpenPolicy('{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}')).toBe(false);
    expect(isOpenPolicy('{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceAccount":"123456789012"}}}]}')).toBe(false);
    expect(isOpenPolicy('not json')).toBe(false);
  });
});

describe('the finding for one VPC', () => {
  const vpc: Vpc = { VpcId: 'vpc-1', Tags: [{ Key: 'Name', Value: 'app' }] };
  const nat = [{ DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-1' }];
  const s3 = (tables: string[], extra: Partial<VpcEndpoint> = {}): VpcEndpoint => ({
    VpcEndpointId: 'vpce-1',
    VpcId: 'vpc-1',
    VpcEndpointType: 'Gateway',
    ServiceName: 'com.amazonaws.us-east-1.s3',
    // moto and AWS answer in lower case, whatever the SDK's enum says.
    State: 'available' as VpcEndpoint['State'],
    RouteTableIds: tables,
    ...extra,
  });
  const view = (tables: RouteTable[], endpoints: VpcEndpoint[] = [], subnets = [subnet('subnet-a'), subnet('subnet-b')]) => ({ vpcs: [vpc], subnets, tables, endpoints });

  it('fails for private subnets with a way out and no endpoint, and names VPC, region and route tables', () => {
    const f = vpcFinding(view([rt('rtb-a', nat, [{ SubnetId: 'subnet-a' }]), rt('rtb-main', [], [{ Main: true }])]), vpc, 'us-east-1', target);
    expect(f).toMatchObject({ status: 'fail', region: 'us-east-1', resource: 'arn:aws:ec2:us-east-1:123456789012:vpc/vpc-1' });
    expect(f.message).toBe(
      'VPC vpc-1 ("app") in us-east-1: private subnets on route table rtb-a send S3 traffic out through nat-1, and the VPC has no S3 gateway endpoint. ' +
        '1 private subnet has no route out of the VPC, so it sends nothing to S3; it is left as it is, because an endpoint would open a way to S3 that it does not have today.',
    );
    expect(f.data).toEqual({ vpcId: 'vpc-1', region: 'us-east-1', label: 'vpc-1 ("app")', routeTables: ['rtb-a'], via: { 'rtb-a': ['nat-1'] } });
  });

  it('points the plan at an existing endpoint, noting whether its policy is the open default', () => {
    const tables = [rt('rtb-a', nat, [{ SubnetId: 'subnet-a' }]), rt('rtb-b', nat, [{ SubnetId: 'subnet-b' }])];
    const f = vpcFinding(view(tables, [s3(['rtb-a'], { PolicyDocument: '{"Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}' })]), vpc, 'us-east-1', target);
    expect(f.status).toBe('fail');
    expect(f.data).toMatchObject({ routeTables: ['rtb-b'], endpointId: 'vpce-1', endpointPolicyOpen: false });
  });

  it('ignores interface endpoints, other services and endpoints on their way out', () => {
    const tables = [rt('rtb-a', nat, [{ SubnetId: 'subnet-a' }]), rt('rtb-main', [], [{ Main: true }])];
    const endpoints = [
      s3(['rtb-a'], { VpcEndpointType: 'Interface' }),
      s3(['rtb-a'], { ServiceName: 'com.amazonaws.us-east-1.dynamodb' }),
      s3(['rtb-a'], { State: 'deleting' as VpcEndpoint['State'] }),
      s3(['rtb-a'], { ServiceName: 'com.amazonaws.eu-west-1.s3' }),
    ];
    expect(vpcFinding(view(tables, endpoints), vpc, 'us-east-1', target).status).toBe('fail');
  });

  it('passes a VPC whose private subnets are all isolated, and one without subnets', () => {
    const isolated = vpcFinding(view([rt('rtb-main', [], [{ Main: true }])]), vpc, 'us-east-1', target);
    expect(isolated).toMatchObject({ status: 'pass', message: expect.stringContaining('2 private subnets have no route out of the VPC, so they send nothing to S3') });
    expect(vpcFinding(view([], [], []), vpc, 'us-east-1', target)).toMatchObject({ status: 'pass', message: expect.stringContaining('has no subnets') });
  });

  it('leaves a VPC shared by another account to its owner', () => {
    const shared = { ...vpc, OwnerId: '210987654321' };
    const f = vpcFinding({ ...view([rt('rtb-a', nat, [{ SubnetId: 'subnet-a' }])]), vpcs: [shared] }, shared, 'us-east-1', target);
    expect(f).toMatchObject({ status: 'pass', message: expect.stringContaining('shared with this account by 210987654321') });
  });
});

describe('plan warnings', () => {
  it('warn about inspection that traffic would bypass, a custom endpoint policy, and aws:SourceIp', () => {
    const w = warningsFor([
      { vpcId: 'vpc-1', region: 'us-east-1', label: 'vpc-1', routeTables: ['rtb-a'], via: { 'rtb-a': ['vpce-fw'] }, endpointId: 'vpce-s3', endpointPolicyOpen: false },
    ]);
    expect(w).toHaveLength(3);
    expect(w[0]).toMatch(/rtb-a sends traffic out through vpce-fw, which may be a firewall/);
    expect(w[1]).toMatch(/vpce-s3 has a custom policy/);
    expect(w[2]).toMatch(/aws:SourceIp/);
  });
});
