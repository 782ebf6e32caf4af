/** infrastructure.network-layout, pure: which route table a subnet uses, public or private, and its finding. */
import type { RouteTable, Subnet } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import step, { reachOf, regionFindings, subnetFinding } from '../../steps/infrastructure/network-layout/index.js';

const ACCOUNT = '111122223333';
const subnet = (id: string, more: Partial<Subnet> = {}): Subnet => ({ SubnetId: id, VpcId: 'vpc-1', CidrBlock: '10.0.0.0/24', AvailabilityZone: 'eu-west-1a', OwnerId: ACCOUNT, ...more });
const table = (id: string, routes: RouteTable['Routes'], assoc: { main?: boolean; subnet?: string }): RouteTable => ({
  RouteTableId: id,
  VpcId: 'vpc-1',
  Routes: routes,
  Associations: [{ Main: assoc.main ?? false, ...(assoc.subnet ? { SubnetId: assoc.subnet } : {}) }],
});
const MAIN_PRIVATE = table('rtb-main', [{ DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local' }], { main: true });
const OWN_PUBLIC = table('rtb-web', [{ DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-1', State: 'active' }], { subnet: 'subnet-web' });

describe('public or private', () => {
  it('uses the explicit association first, else the main table', () => {
    expect(reachOf(subnet('subnet-web'), [MAIN_PRIVATE, OWN_PUBLIC])).toEqual({ kind: 'public', table: 'rtb-web', via: 'igw-1' });
    expect(reachOf(subnet('subnet-app'), [MAIN_PRIVATE, OWN_PUBLIC])).toEqual({ kind: 'private', table: 'rtb-main' });
  });

  it('::/0 to an internet gateway is public; a default route to a NAT gateway or a blackhole is not', () => {
    const v6 = table('rtb-v6', [{ DestinationIpv6CidrBlock: '::/0', GatewayId: 'igw-2' }], { main: true });
    expect(reachOf(subnet('subnet-a'), [v6]).kind).toBe('public');
    const nat = table('rtb-nat', [{ DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-1' }], { main: true });
    expect(reachOf(subnet('subnet-a'), [nat])).toEqual({ kind: 'private', table: 'rtb-nat', via: ['nat-1'] });
    const gone = table('rtb-gone', [{ DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-9', State: 'blackhole' }], { main: true });
    expect(reachOf(subnet('subnet-a'), [gone]).kind).toBe('private');
  });

  it('a table of another VPC does not count', () => {
    expect(reachOf(subnet('subnet-a', { VpcId: 'vpc-2' }), [OWN_PUBLIC, MAIN_PRIVATE])).toEqual({ kind: 'private' });
  });
});

describe('the finding of a subnet', () => {
  it('fails only when it maps public IPs; the data carries what the plan needs', () => {
    expect(subnetFinding(subnet('subnet-web'), [MAIN_PRIVATE, OWN_PUBLIC], 'eu-west-1', ACCOUNT).status).toBe('pass');
    const f = subnetFinding(subnet('subnet-web', { MapPublicIpOnLaunch: true, Tags: [{ Key: 'Name', Value: 'web' }] }), [MAIN_PRIVATE, OWN_PUBLIC], 'eu-west-1', ACCOUNT);
    expect(f).toMatchObject({ status: 'fail', resource: 'subnet-web (web)', data: { subnetId: 'subnet-web', name: 'web', public: true, region: 'eu-west-1' } });
  });

  it('a subnet shared by another account is for its owner to change: manual, not planned', () => {
    const f = subnetFinding(subnet('subnet-x', { MapPublicIpOnLaunch: true, OwnerId: '999988887777' }), [MAIN_PRIVATE], 'eu-west-1', ACCOUNT);
    expect(f).toMatchObject({ status: 'manual', message: expect.stringContaining('shared with this account by 999988887777') });
  });

  it('a region without subnets passes, saying so', () => {
    expect(regionFindings([], [], 'eu-west-1', ACCOUNT)).toEqual([expect.objectContaining({ status: 'pass', message: 'No subnets in eu-west-1: nothing can be launched there.' })]);
  });
});

describe('inputs', () => {
  it('take subnet ids or Name tags, at least one, and nothing with control characters', () => {
    const schema = step.inputs!.schema;
    expect(schema.safeParse({ subnets: ['subnet-0abc12345def67890', 'web'] }).success).toBe(true);
    expect(schema.safeParse({ subnets: [] }).success).toBe(false);
    expect(schema.safeParse({ subnets: ['we\u001bb'] }).success).toBe(false);
    expect(step.inputs!.requiredInAnswers).toBe(true);
  });
});

describe('the plan from the defaults', () => {
  it('plans nothing, and says which subnets are left, when the defaults choose none (every failing subnet public)', async () => {
    const findings = [subnetFinding(subnet('subnet-web', { MapPublicIpOnLaunch: true }), [MAIN_PRIVATE, OWN_PUBLIC], 'eu-west-1', ACCOUNT)];
    const defaults = step.inputs!.defaults(findings);
    expect(defaults).toEqual({ subnets: [] });
    const plan = await step.plan({} as never, findings, defaults);
    expect(plan.actions).toEqual([]);
    expect(plan.warnings).toEqual([expect.stringMatching(/^Left as they are \(not chosen\): subnet-web \(eu-west-1\)/)]);
  });
});
