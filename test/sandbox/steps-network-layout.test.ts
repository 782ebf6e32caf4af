/**
 * infrastructure.network-layout against moto: subnets classified public (a default route to an
 * internet gateway, through their own route table or the VPC's main one) or private, those that
 * map public IPs on launch fail, and the fix turns that off only for the subnets named.
 */
import {
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  DescribeSubnetsCommand,
  EC2Client,
  ModifySubnetAttributeCommand,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context.js';
import step from '../../steps/infrastructure/network-layout/index.js';
import { checkedWith, inSandbox, runStepCases } from '../helpers/step-tester.js';
import { fixThenUndo } from '../helpers/undo.js';
import { planStep } from '../../src/engine/runner.js';

const MODIFY = 'ec2:ModifySubnetAttribute';

async function defaultSubnets(ctx: RunContext, region = 'us-east-1') {
  const out = await ctx.client(EC2Client, region).send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }));
  return out.Subnets ?? [];
}

/** Names the default subnets `default-a`, `default-b`… so a case can name them in its inputs. */
async function nameDefaults(ctx: RunContext, region = 'us-east-1'): Promise<string[]> {
  const subnets = (await defaultSubnets(ctx, region)).sort((a, b) => a.SubnetId!.localeCompare(b.SubnetId!));
  const names: string[] = [];
  for (const [i, s] of subnets.entries()) {
    const name = `default-${String.fromCharCode(97 + i)}`;
    await ctx.client(EC2Client, region).send(new CreateTagsCommand({ Resources: [s.SubnetId!], Tags: [{ Key: 'Name', Value: name }] }));
    names.push(name);
  }
  return names;
}

async function setMapping(ctx: RunContext, on: boolean, region = 'us-east-1'): Promise<void> {
  for (const s of await defaultSubnets(ctx, region))
    await ctx.client(EC2Client, region).send(new ModifySubnetAttributeCommand({ SubnetId: s.SubnetId!, MapPublicIpOnLaunch: { Value: on } }));
}

/**
 * An application VPC: `web` with its own route table to an internet gateway (public), `app` on
 * the main table (private, no route out), `v6` with an IPv6-only default route to the gateway.
 * All three map public IPs on launch.
 */
async function appVpc(ctx: RunContext, region = 'us-east-1'): Promise<void> {
  const ec2 = ctx.client(EC2Client, region);
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.30.0.0/16' }))).Vpc!.VpcId!;
  const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
  await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
  const subnet = async (cidr: string, name: string) => {
    const id = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, TagSpecifications: [{ ResourceType: 'subnet', Tags: [{ Key: 'Name', Value: name }] }] })))
      .Subnet!.SubnetId!;
    await ec2.send(new ModifySubnetAttributeCommand({ SubnetId: id, MapPublicIpOnLaunch: { Value: true } }));
    return id;
  };
  const table = async (subnetId: string, route: { DestinationCidrBlock?: string; DestinationIpv6CidrBlock?: string }) => {
    const rt = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
    await ec2.send(new AssociateRouteTableCommand({ RouteTableId: rt, SubnetId: subnetId }));
    await ec2.send(new CreateRouteCommand({ RouteTableId: rt, GatewayId: igw, ...route }));
  };
  await table(await subnet('10.30.0.0/24', 'web'), { DestinationCidrBlock: '0.0.0.0/0' });
  await subnet('10.30.1.0/24', 'app');
  await table(await subnet('10.30.2.0/24', 'v6'), { DestinationIpv6CidrBlock: '::/0' });
}

const PUBLIC_FAIL = {
  status: 'fail' as const,
  message: expect.stringMatching(/is public: route table rtb-\w+ \(the VPC’s main table\) sends internet traffic to igw-\w+\. It gives every new instance a public IP address, so anything/),
};
const PUBLIC_PASS = { status: 'pass' as const, message: expect.stringMatching(/is public: .*; new instances get no public IP address unless their launch asks for one\./) };

runStepCases(step, [
  {
    name: 'the day-one seed: the default VPC routes to an internet gateway and its subnets map public IPs; all named, all fixed',
    seed: async (ctx) => {
      await step.seed!(ctx);
      await nameDefaults(ctx);
    },
    inputs: { subnets: ['default-a', 'default-b', 'default-c', 'default-d', 'default-e', 'default-f'] },
    expectStatus: 'fail',
    expectFindings: Array.from({ length: 6 }, () => ({ ...PUBLIC_FAIL, region: 'us-east-1', resource: expect.stringMatching(/^subnet-\w+ \(default-[a-f]\)$/) })),
    expectOperations: Array.from({ length: 6 }, () => MODIFY),
    expectFindingsAfter: Array.from({ length: 6 }, () => PUBLIC_PASS),
  },
  {
    name: 'only the subnets named change: one named, five left failing',
    seed: async (ctx) => {
      await step.seed!(ctx);
      await nameDefaults(ctx);
    },
    inputs: { subnets: ['default-c'] },
    expectStatus: 'fail',
    expectOperations: [MODIFY],
    expectAfter: 'fail',
  },
  {
    name: 'subnets that map no public IPs pass, public or private',
    seed: async (ctx) => {
      await step.seed!(ctx);
      await setMapping(ctx, false);
    },
    expectStatus: 'pass',
    expectFindings: Array.from({ length: 6 }, () => PUBLIC_PASS),
  },
  {
    name: 'its own route table, the main table and an IPv6-only default route are each read right',
    seed: async (ctx) => {
      await setMapping(ctx, false);
      await appVpc(ctx);
    },
    inputs: { subnets: ['web', 'app', 'v6'] },
    expectStatus: 'fail',
    expectFindings: [
      ...Array.from({ length: 6 }, () => ({ status: 'pass' as const, message: expect.stringContaining('is private: route table') })),
      { status: 'fail', resource: expect.stringContaining('(app)'), message: expect.stringMatching(/is private: route table rtb-\w+ \(the VPC’s main table\) has no route to the internet\. Yet it gives every new instance a public IP address, which is of no use there/) },
      { status: 'fail', resource: expect.stringContaining('(v6)'), message: expect.stringMatching(/is public: route table rtb-\w+ sends internet traffic to igw-/) },
      { status: 'fail', resource: expect.stringContaining('(web)'), message: expect.stringMatching(/is public: route table rtb-\w+ sends internet traffic to igw-\w+\. It gives/) },
    ],
    expectOperations: [MODIFY, MODIFY, MODIFY],
  },
  {
    name: 'every region of the run is read: eu-west-1 fails, us-east-1 passes',
    regions: ['us-east-1', 'eu-west-1'],
    seed: async (ctx) => {
      await setMapping(ctx, false, 'us-east-1');
      await setMapping(ctx, true, 'eu-west-1');
      await nameDefaults(ctx, 'eu-west-1');
    },
    inputs: { subnets: ['default-a', 'default-b', 'default-c'] },
    expectStatus: 'fail',
    expectOperations: [MODIFY, MODIFY, MODIFY],
  },
]);

describe('infrastructure.network-layout: what the plan says', () => {
  it('marks a public subnet destructive, a private one not, and warns about the subnets left as they are', async () => {
    const { ctx, checked } = await checkedWith(step, async (c) => {
      await setMapping(c, false);
      await appVpc(c);
    });
    const plan = await planStep(checked, ctx, { subnets: ['web', 'app'] });
    expect(plan.actions.map((a) => [a.summary, a.destructive ?? false])).toEqual([
      [expect.stringMatching(/^Stop giving new instances in private subnet subnet-\w+ \(app\)/), false],
      [expect.stringMatching(/^Stop giving new instances in public subnet subnet-\w+ \(web\)/), true],
    ]);
    expect(plan.actions[1]!.inverse).toMatchObject({ operation: 'ModifySubnetAttribute', params: { MapPublicIpOnLaunch: { Value: true } } });
    expect(plan.warnings).toEqual([
      expect.stringMatching(/^1 public subnet \(subnet-\w+ \(web\)\) stops handing out public IP addresses/),
      expect.stringMatching(/^Left as they are \(not chosen\): subnet-\w+ \(v6\) \(us-east-1\)\. To change them under fix --yes, name them/),
    ]);
    ctx.factory.destroy();
  });

  // The zone and range tell the default subnets apart, which all read "subnet-… in us-east-1" before (found walking the wizard).
  it('the wizard offers private subnets ticked and public ones not, each with its zone and range', async () => {
    const { ScriptedAsker } = await import('../helpers/step-tester.js');
    const { ctx, checked } = await checkedWith(step, async (c) => {
      await setMapping(c, false);
      await appVpc(c);
    });
    const asker = new ScriptedAsker([{ checkbox: [] }]);
    await step.inputs!.ask(asker, { subnets: [] }, checked.result.findings);
    expect(asker.asked[0]!.choices).toEqual([
      expect.stringMatching(/^subnet-\w+ \(app\), us-east-1[a-f], 10\.30\.1\.0\/24: private$/),
      expect.stringMatching(/^subnet-\w+ \(v6\), us-east-1[a-f], 10\.30\.2\.0\/24: public$/),
      expect.stringMatching(/^subnet-\w+ \(web\), us-east-1[a-f], 10\.30\.0\.0\/24: public$/),
    ]);
    // The prompt does not wrap its choices: each fits a line of an 80-column terminal with the cursor and box before it.
    for (const c of asker.asked[0]!.choices!) expect(c.length).toBeLessThanOrEqual(76);
    expect(asker.notes.join(' ')).toMatch(/a launch that counts on the automatic address loses it when you turn it off/);
    expect(asker.notes.join(' ')).toMatch(/In a private subnet a public address is of no use\./);
    expect(asker.notes.join(' ')).not.toMatch(/cannot use one/);
    ctx.factory.destroy();
  });
});

describe('undo', () => {
  const entry = { meta: step.meta, load: async () => step };

  it('gives the chosen subnets public addresses again, and the check reads as before', async () => {
    await inSandbox({ seed: async (c) => { await step.seed!(c); await nameDefaults(c); } }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, { subnets: ['default-a', 'default-b'] });
      expect(run.items.map((i) => i.kind)).toEqual(['undo', 'undo']);
      expect(run.afterUndo).toEqual(run.before);
      expect((await defaultSubnets(ctx)).every((s) => s.MapPublicIpOnLaunch)).toBe(true);
    });
  });

  it('has nothing to do for a subnet someone turned back on after the fix', async () => {
    await inSandbox({ seed: async (c) => { await step.seed!(c); await nameDefaults(c); } }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, { subnets: ['default-a'] }, { between: (c) => setMapping(c, true) });
      expect(run.items).toEqual([expect.objectContaining({ kind: 'nothing', reason: expect.stringContaining('as before the fix') })]);
      expect(run.journal.some((e) => e.undoes !== undefined)).toBe(false);
    });
  });
});
