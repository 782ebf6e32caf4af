import {
  AllocateAddressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  CreateVpcEndpointCommand,
  DeleteVpcEndpointsCommand,
  DescribeRouteTablesCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
  ModifyVpcEndpointCommand,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context.js';
import { applyPlan, checkStep, planStep } from '../../src/engine/runner.js';
import type { JournalEntry } from '../../src/engine/runner.js';
import step, { s3ServiceName } from '../../steps/data/in-transit/index.js';
import { inSandbox, isReadRequest, recordCheckAndPlan, runStepCases } from '../helpers/step-tester.js';
import { fixThenUndo } from '../helpers/undo.js';

const CREATE = 'ec2:CreateVpcEndpoint';
const MODIFY = 'ec2:ModifyVpcEndpoint';
const entry = { meta: step.meta, load: async () => step };
/** The eu-west-1 network a multi-region case's seed made, for its own assertions. */
const eu: { net?: Net; table?: string } = {};

/** moto's default VPC has no internet gateway and no default route: its subnets count as isolated. */
const DEFAULT_VPC = { status: 'pass' as const, region: 'us-east-1', message: expect.stringMatching(/\(default VPC\).*6 private subnets have no route out of the VPC/) };

interface Net {
  vpcId: string;
  igw: string;
  nat: string;
  mainTable: string;
  publicSubnet: string;
}

/** A VPC with an internet gateway, a public subnet with a NAT gateway, and nothing private yet. */
async function network(ctx: RunContext, cidr: string, region = 'us-east-1'): Promise<Net> {
  const ec2 = ctx.client(EC2Client, region);
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: `${cidr}.0.0/16` }))).Vpc!.VpcId!;
  const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
  await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
  const publicSubnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `${cidr}.0.0/24` }))).Subnet!.SubnetId!;
  const publicTable = await table(ctx, vpcId, publicSubnet, region);
  await ec2.send(new CreateRouteCommand({ RouteTableId: publicTable, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw }));
  const allocation = (await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }))).AllocationId!;
  const nat = (await ec2.send(new CreateNatGatewayCommand({ SubnetId: publicSubnet, AllocationId: allocation }))).NatGateway!.NatGatewayId!;
  const tables = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))).RouteTables ?? [];
  const mainTable = tables.find((t) => t.Associations?.some((a) => a.Main))!.RouteTableId!;
  return { vpcId, igw, nat, mainTable, publicSubnet };
}

async function subnet(ctx: RunContext, vpcId: string, cidr: string, region = 'us-east-1'): Promise<string> {
  return (await ctx.client(EC2Client, region).send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr }))).Subnet!.SubnetId!;
}

async function table(ctx: RunContext, vpcId: string, subnetId: string, region = 'us-east-1'): Promise<string> {
  const ec2 = ctx.client(EC2Client, region);
  const id = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
  await ec2.send(new AssociateRouteTableCommand({ RouteTableId: id, SubnetId: subnetId }));
  return id;
}

/** A private subnet on its own route table, whose default route goes through the NAT gateway. */
async function privateSubnet(ctx: RunContext, net: Net, cidr: string, region = 'us-east-1'): Promise<string> {
  const id = await table(ctx, net.vpcId, await subnet(ctx, net.vpcId, cidr, region), region);
  await ctx.client(EC2Client, region).send(new CreateRouteCommand({ RouteTableId: id, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: net.nat }));
  return id;
}

async function gateway(ctx: RunContext, vpcId: string, tables: string[], region = 'us-east-1'): Promise<string> {
  const out = await ctx.client(EC2Client, region).send(
    new CreateVpcEndpointCommand({ VpcId: vpcId, ServiceName: s3ServiceName(region), VpcEndpointType: 'Gateway', RouteTableIds: tables }),
  );
  return out.VpcEndpoint!.VpcEndpointId!;
}

async function s3Gateways(ctx: RunContext, vpcId: string, region = 'us-east-1') {
  const all = (await ctx.client(EC2Client, region).send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))).VpcEndpoints ?? [];
  return all.filter((e) => e.VpcEndpointType === 'Gateway' && String(e.State).toLowerCase() !== 'deleted');
}

runStepCases(step, [
  {
    name: 'a fresh account: moto’s default VPC has no route out, so nothing is opened',
    expectStatus: 'pass',
    expectFindings: [DEFAULT_VPC],
  },
  {
    name: 'the day-one seed: a private subnet behind a NAT gateway gets an S3 gateway endpoint',
    seed: (ctx) => step.seed!(ctx),
    expectStatus: 'fail',
    expectFindings: [
      DEFAULT_VPC,
      {
        status: 'fail',
        region: 'us-east-1',
        resource: expect.stringMatching(/^arn:aws:ec2:us-east-1:123456789012:vpc\/vpc-/),
        message: expect.stringMatching(/"day-one-app".*route table rtb-\w+ send S3 traffic out through nat-\w+, and the VPC has no S3 gateway endpoint/),
      },
    ],
    expectOperations: [CREATE],
    expectFindingsAfter: [DEFAULT_VPC, { status: 'pass', message: expect.stringMatching(/"day-one-app".*reach S3 through gateway endpoint vpce-/) }],
  },
  {
    name: 'a private subnet without its own route table uses the main one, which is named',
    seed: async (ctx) => {
      const net = await network(ctx, '10.50');
      await subnet(ctx, net.vpcId, '10.50.1.0/24');
      await ctx.client(EC2Client).send(new CreateRouteCommand({ RouteTableId: net.mainTable, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: net.nat }));
    },
    expectStatus: 'fail',
    expectFindings: [DEFAULT_VPC, { status: 'fail', message: expect.stringMatching(/route table rtb-\w+ send S3 traffic out through nat-/) }],
    expectOperations: [CREATE],
  },
  {
    name: 'an endpoint on one private route table but not the other: the other is attached to it',
    seed: async (ctx) => {
      const net = await network(ctx, '10.51');
      const a = await privateSubnet(ctx, net, '10.51.1.0/24');
      await privateSubnet(ctx, net, '10.51.2.0/24');
      await gateway(ctx, net.vpcId, [a]);
    },
    expectStatus: 'fail',
    expectFindings: [DEFAULT_VPC, { status: 'fail', message: expect.stringMatching(/gateway endpoint vpce-\w+ is not attached to it/) }],
    expectOperations: [MODIFY],
  },
  {
    name: 'a VPC with only public subnets (IPv4 and IPv6 default routes to the internet gateway) passes',
    seed: async (ctx) => {
      const net = await network(ctx, '10.52');
      const t = await table(ctx, net.vpcId, await subnet(ctx, net.vpcId, '10.52.1.0/24'));
      await ctx.client(EC2Client).send(new CreateRouteCommand({ RouteTableId: t, DestinationIpv6CidrBlock: '::/0', GatewayId: net.igw }));
    },
    expectStatus: 'pass',
    expectFindings: [DEFAULT_VPC, { status: 'pass', message: expect.stringContaining('has only public subnets') }],
  },
  {
    name: 'private subnets already on an S3 gateway endpoint pass',
    seed: async (ctx) => {
      const net = await network(ctx, '10.53');
      await gateway(ctx, net.vpcId, [await privateSubnet(ctx, net, '10.53.1.0/24'), await privateSubnet(ctx, net, '10.53.2.0/24')]);
    },
    expectStatus: 'pass',
    expectFindings: [DEFAULT_VPC, { status: 'pass', message: expect.stringContaining('reach S3 through gateway endpoint') }],
  },
  {
    name: 'a deleted endpoint does not count',
    seed: async (ctx) => {
      const net = await network(ctx, '10.54');
      const id = await gateway(ctx, net.vpcId, [await privateSubnet(ctx, net, '10.54.1.0/24')]);
      await ctx.client(EC2Client).send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [id] }));
    },
    expectStatus: 'fail',
    expectOperations: [CREATE],
  },
  {
    name: 'works in every region of the run, each endpoint in its own region with that region’s S3 service',
    regions: ['eu-west-1', 'us-east-1'],
    seed: async (ctx) => {
      eu.net = await network(ctx, '10.60', 'eu-west-1');
      eu.table = await privateSubnet(ctx, eu.net, '10.60.1.0/24', 'eu-west-1');
    },
    expectStatus: 'fail',
    // The one failing finding is the eu-west-1 network's (its VPC and table are pinned in the plan below).
    expectFindings: [
      { status: 'pass', region: 'eu-west-1', message: expect.stringContaining('(default VPC) in eu-west-1') },
      { status: 'fail', region: 'eu-west-1', message: expect.stringMatching(/private subnets on route table rtb-\w+ send S3 traffic out through nat-\w+/) },
      { status: 'pass', region: 'us-east-1' },
    ],
    expectOperations: [`${CREATE}@eu-west-1`],
    expectPlan: (plan) => {
      expect(plan.actions.map((a) => [a.params.VpcId, a.params.ServiceName, a.params.RouteTableIds])).toEqual([[eu.net!.vpcId, 'com.amazonaws.eu-west-1.s3', [eu.table]]]);
      expect(plan.guidance).toMatch(/Client VPN[\s\S]*Site-to-Site VPN[\s\S]*PrivateLink/);
    },
    expectApplied: async (ctx) => expect((await s3Gateways(ctx, eu.net!.vpcId, 'eu-west-1')).map((e) => e.RouteTableIds)).toEqual([[eu.table]]),
  },
]);

describe('data.in-transit: beyond the table', () => {
  it('the journal’s inverse names the endpoint that was created, and running it removes it', async () => {
    await inSandbox({ seed: (ctx) => step.seed!(ctx) }, async (ctx) => {
      const checked = await checkStep(entry, ctx);
      const plan = await planStep(checked, ctx, undefined);
      expect(plan.actions[0]!.inverse!.params).toEqual({ VpcEndpointIds: ['(the new endpoint)'] });
      const journal: JournalEntry[] = [];
      expect((await applyPlan(step.meta.id, plan, ctx, (e) => void journal.push(e))).ok).toBe(true);
      const created = journal[0]!.output!.VpcEndpointId as string;
      expect(created).toMatch(/^vpce-/);
      expect(journal[0]!.inverse).toMatchObject({ operation: 'DeleteVpcEndpoints', params: { VpcEndpointIds: [created] } });
      ctx.factory.readOnly = false;
      await ctx.client(EC2Client).send(new DeleteVpcEndpointsCommand(journal[0]!.inverse!.params as { VpcEndpointIds: string[] }));
      ctx.factory.readOnly = true;
      ctx.invalidate();
      expect((await checkStep(entry, ctx)).result.findings.map((f) => f.status)).toEqual(checked.result.findings.map((f) => f.status));
    });
  });

  it('the inverse of attaching route tables detaches exactly those', async () => {
    await inSandbox({}, async (ctx) => {
      ctx.factory.readOnly = false;
      const net = await network(ctx, '10.61');
      const a = await privateSubnet(ctx, net, '10.61.1.0/24');
      const b = await privateSubnet(ctx, net, '10.61.2.0/24');
      const id = await gateway(ctx, net.vpcId, [a]);
      ctx.factory.readOnly = true;
      const plan = await planStep(await checkStep(entry, ctx), ctx, undefined);
      expect(plan.actions.map((x) => x.params)).toEqual([{ VpcEndpointId: id, AddRouteTableIds: [b] }]);
      expect(plan.actions[0]!.inverse!.params).toEqual({ VpcEndpointId: id, RemoveRouteTableIds: [b] });
      expect((await applyPlan(step.meta.id, plan, ctx, () => undefined)).ok).toBe(true);
      expect((await s3Gateways(ctx, net.vpcId))[0]!.RouteTableIds?.sort()).toEqual([a, b].sort());
    });
  });

  it('seeding twice keeps one day-one VPC and takes its endpoint away again', async () => {
    await inSandbox({ seed: (ctx) => step.seed!(ctx) }, async (ctx) => {
      const plan = await planStep(await checkStep(entry, ctx), ctx, undefined);
      expect((await applyPlan(step.meta.id, plan, ctx, () => undefined)).ok).toBe(true);
      ctx.factory.readOnly = false;
      await step.seed!(ctx);
      ctx.factory.readOnly = true;
      ctx.invalidate();
      const again = await checkStep(entry, ctx);
      expect(again.result.findings.map((f) => f.status)).toEqual(['pass', 'fail']);
    });
  });

  it('check and plan send only reads', async () => {
    const { checked, plan, sent, recorded } = await recordCheckAndPlan(step, { seed: (ctx) => step.seed!(ctx) });
    expect(checked.result.status).toBe('fail');
    expect(plan.actions).toHaveLength(1);
    expect(recorded.filter((r) => !isReadRequest(r))).toEqual([]);
    expect([...new Set(sent)].sort()).toEqual(['EC2:DescribeRouteTables', 'EC2:DescribeSubnets', 'EC2:DescribeVpcEndpoints', 'EC2:DescribeVpcs']);
  });
});

describe('data.in-transit: undo', () => {
  it('deletes the endpoint it created, and detaches only the route table it attached', async () => {
    const seen: { vpc?: string; a?: string; b?: string; existing?: string } = {};
    const seed = async (ctx: RunContext) => {
      await step.seed!(ctx);
      const net = await network(ctx, '10.61');
      seen.vpc = net.vpcId;
      seen.a = await privateSubnet(ctx, net, '10.61.1.0/24');
      seen.b = await privateSubnet(ctx, net, '10.61.2.0/24');
      seen.existing = await gateway(ctx, net.vpcId, [seen.a]);
    };
    await inSandbox({ seed }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, undefined);
      expect(run.plan.actions.map((a) => a.operation).sort()).toEqual(['CreateVpcEndpoint', 'ModifyVpcEndpoint']);
      expect(run.items.map((i) => i.kind)).toEqual(['undo', 'undo']);
      expect(run.afterUndo).toEqual(run.before);
      const kept = await s3Gateways(ctx, seen.vpc!);
      expect(kept.map((e) => [e.VpcEndpointId, e.RouteTableIds])).toEqual([[seen.existing, [seen.a]]]);
    });
  });

  it('refuses an endpoint someone attached another route table to after the fix, and keeps it', async () => {
    const seen: { vpc?: string; other?: string } = {};
    const seed = async (ctx: RunContext) => {
      const net = await network(ctx, '10.62');
      seen.vpc = net.vpcId;
      await privateSubnet(ctx, net, '10.62.1.0/24');
      seen.other = await table(ctx, net.vpcId, await subnet(ctx, net.vpcId, '10.62.9.0/24'));
    };
    await inSandbox({ seed }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, undefined, {
        between: async (c) => {
          const [e] = await s3Gateways(c, seen.vpc!);
          await c.client(EC2Client).send(new ModifyVpcEndpointCommand({ VpcEndpointId: e!.VpcEndpointId!, AddRouteTableIds: [seen.other!] }));
        },
      });
      expect(run.items).toEqual([expect.objectContaining({ kind: 'drifted', reason: expect.stringContaining('route tables of endpoint') })]);
      const [e] = await s3Gateways(ctx, seen.vpc!);
      expect(e!.RouteTableIds).toContain(seen.other);
    });
  });
});
