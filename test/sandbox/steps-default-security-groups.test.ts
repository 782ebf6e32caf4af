import { AuthorizeSecurityGroupEgressCommand, AuthorizeSecurityGroupIngressCommand, CreateManagedPrefixListCommand, CreateNetworkInterfaceCommand, CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, DescribeVpcsCommand, EC2Client, RevokeSecurityGroupEgressCommand } from '@aws-sdk/client-ec2';
import type { SecurityGroup } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context.js';
import { applyPlan, planStep } from '../../src/engine/runner.js';
import step from '../../steps/infrastructure/default-security-groups/index.js';
import { checkedWith, inSandbox, runStepCases } from '../helpers/step-tester.js';
import { fixThenUndo } from '../helpers/undo.js';

async function defaultGroup(ctx: RunContext, region = 'us-east-1', vpcId?: string): Promise<SecurityGroup> {
  const ec2 = ctx.client(EC2Client, region);
  const vpc = vpcId ?? ((await ec2.send(new DescribeVpcsCommand({}))).Vpcs ?? []).find((v) => v.IsDefault)!.VpcId!;
  const groups = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc] }, { Name: 'group-name', Values: ['default'] }] }))).SecurityGroups ?? [];
  return groups[0]!;
}

/** A network interface in the default VPC's first subnet that carries the default group. */
async function interfaceInDefaultGroup(ctx: RunContext, description: string, region = 'us-east-1'): Promise<string> {
  const ec2 = ctx.client(EC2Client, region);
  const g = await defaultGroup(ctx, region);
  const subnet = ((await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [g.VpcId!] }] }))).Subnets ?? [])[0]!.SubnetId!;
  return (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnet, Groups: [g.GroupId!], Description: description }))).NetworkInterface!.NetworkInterfaceId!;
}

const emptyGroup = async (ctx: RunContext, region = 'us-east-1') => {
  const g = await defaultGroup(ctx, region);
  await ctx.client(EC2Client, region).send(new RevokeSecurityGroupEgressCommand({ GroupId: g.GroupId, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
};

const IN = 'ec2:RevokeSecurityGroupIngress';
const OUT = 'ec2:RevokeSecurityGroupEgress';
const DAY_ONE = /\(the default VPC\) in us-east-1 has 1 inbound rule \(all traffic from this group\) and 1 outbound rule \(all traffic to 0\.0\.0\.0\/0\)\. Nothing uses it\./;

runStepCases(step, [
  {
    name: 'the day-one seed: the rules AWS gives every default group (all in from the group, all out) are both revoked',
    seed: (ctx) => step.seed!(ctx),
    expectStatus: 'fail',
    expectFindings: [{ status: 'fail', region: 'us-east-1', resource: expect.stringMatching(/^sg-\w+$/), message: expect.stringMatching(DAY_ONE) }],
    expectOperations: [IN, OUT],
    expectFindingsAfter: [{ status: 'pass', message: expect.stringMatching(/allows no traffic: no inbound and no outbound rule\. Nothing uses it\./) }],
  },
  {
    name: "moto's own default group (outbound rule only) fails too, and only the outbound rule is revoked",
    expectStatus: 'fail',
    expectOperations: [OUT],
  },
  {
    name: 'an empty default group passes',
    seed: (ctx) => emptyGroup(ctx),
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', message: expect.stringContaining('allows no traffic') }],
  },
  {
    name: 'the users of a default group are named: a load balancer and a Lambda function, from their interfaces',
    seed: async (ctx) => {
      await step.seed!(ctx);
      await interfaceInDefaultGroup(ctx, 'ELB app/web-lb/50dc6c495c0c9188');
      await interfaceInDefaultGroup(ctx, 'AWS Lambda VPC ENI-resize-0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b');
    },
    expectStatus: 'fail',
    expectFindings: [{ status: 'fail', message: expect.stringMatching(/Used by 2 network interfaces \(Lambda function resize, load balancer web-lb\)\./) }],
    expectOperations: [IN, OUT],
    expectFindingsAfter: [{ status: 'pass', message: expect.stringContaining('Used by 2 network interfaces') }],
  },
  {
    name: "a second VPC's default group counts as well",
    seed: async (ctx) => {
      await emptyGroup(ctx);
      await ctx.client(EC2Client).send(new CreateVpcCommand({ CidrBlock: '10.30.0.0/16' }));
    },
    expectStatus: 'fail',
    expectOperations: [OUT],
  },
  {
    name: 'several regions: each region reports its own default group, and each region is fixed in its own calls',
    regions: ['us-east-1', 'eu-west-1'],
    seed: async (ctx) => {
      await emptyGroup(ctx, 'us-east-1');
      const g = await defaultGroup(ctx, 'eu-west-1');
      await ctx.client(EC2Client, 'eu-west-1').send(new AuthorizeSecurityGroupIngressCommand({ GroupId: g.GroupId, IpPermissions: [{ IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: g.GroupId }] }] }));
    },
    expectStatus: 'fail',
    expectFindings: [
      { status: 'pass', region: 'us-east-1' },
      { status: 'fail', region: 'eu-west-1', message: expect.stringContaining('in eu-west-1 has 1 inbound rule') },
    ],
    expectOperations: [IN, OUT],
  },
]);

describe('infrastructure.default-security-groups: beyond the table', () => {
  it('a default group in use makes the plan destructive and says what loses traffic', async () => {
    const { ctx, checked } = await checkedWith(step, async (c) => {
      await step.seed!(c);
      await interfaceInDefaultGroup(c, 'ELB app/web-lb/50dc6c495c0c9188');
    });
    try {
      const plan = await planStep(checked, ctx, undefined);
      expect(plan.actions.map((a) => a.destructive)).toEqual([true, true]);
      // One user is "it", not "they" (found walking the wizard), and each one-rule inverse puts back "it".
      expect(plan.warnings).toEqual([
        expect.stringMatching(/used by 1 network interface \(load balancer web-lb\): it loses the inbound traffic it allowed .*, unless another of its security groups allows it\. Give it a security group of its own/),
      ]);
      expect(plan.actions.map((a) => a.inverse!.summary)).toEqual([expect.stringMatching(/^Put back the 1 inbound rule .* as it was$/), expect.stringMatching(/^Put back the 1 outbound rule .* as it was$/)]);
      expect(plan.risk).toMatch(/^This default group is in use: what uses it loses that traffic/);
    } finally {
      ctx.factory.destroy();
    }
  });

  // IPv4 only: moto answers Return=true to RevokeSecurityGroupEgress of an IPv6 range but keeps the rule (ingress works).
  it('the inverse of each action puts the very rules back (what undo would run)', async () => {
    const { ctx, checked } = await checkedWith(step, async (c) => {
      await step.seed!(c);
      const g = await defaultGroup(c);
      await c.client(EC2Client).send(
        new AuthorizeSecurityGroupEgressCommand({ GroupId: g.GroupId, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.0.0/8', Description: 'https out' }] }] }),
      );
    });
    try {
      const before = await defaultGroup(ctx);
      const plan = await planStep(checked, ctx, undefined);
      ctx.factory.readOnly = false;
      expect((await applyPlan(step.meta.id, plan, ctx, () => undefined)).error).toBeUndefined();
      const emptied = await defaultGroup(ctx);
      expect([emptied.IpPermissions, emptied.IpPermissionsEgress]).toEqual([[], []]);
      const ec2 = ctx.client(EC2Client);
      ctx.factory.readOnly = false;
      for (const a of plan.actions) {
        const inv = a.inverse!;
        const params = inv.params as { GroupId: string; IpPermissions: never[] };
        if (inv.operation === 'AuthorizeSecurityGroupIngress') await ec2.send(new AuthorizeSecurityGroupIngressCommand(params));
        else await ec2.send(new AuthorizeSecurityGroupEgressCommand(params));
      }
      const restored = await defaultGroup(ctx);
      expect(restored.IpPermissions).toEqual(before.IpPermissions);
      expect(restored.IpPermissionsEgress).toEqual(before.IpPermissionsEgress);
    } finally {
      ctx.factory.destroy();
    }
  });

  it('a bare network interface is named by its id, and two groups of which one is in use say so', async () => {
    const { ctx, checked } = await checkedWith(step, async (c) => {
      await step.seed!(c);
      await interfaceInDefaultGroup(c, '');
      await c.client(EC2Client).send(new CreateVpcCommand({ CidrBlock: '10.31.0.0/16' }));
    });
    try {
      expect(checked.result.findings.find((f) => f.message.includes('(the default VPC)'))!.message).toMatch(/Used by 1 network interface \(eni-\w+\)\.$/);
      const plan = await planStep(checked, ctx, undefined);
      expect(plan.risk).toMatch(/^1 of these 2 default groups is in use: what uses it loses that traffic/);
    } finally {
      ctx.factory.destroy();
    }
  });

  it('two default groups both in use: "Both", not "All 2"', async () => {
    const { ctx, checked } = await checkedWith(step, async (c) => {
      await step.seed!(c);
      await interfaceInDefaultGroup(c, 'one');
      const ec2 = c.client(EC2Client);
      const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.32.0.0/16' }))).Vpc!.VpcId!;
      const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.32.1.0/24' }))).Subnet!.SubnetId!;
      const g = await defaultGroup(c, 'us-east-1', vpc);
      await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnet, Groups: [g.GroupId!], Description: 'two' }));
    });
    try {
      const plan = await planStep(checked, ctx, undefined);
      expect(plan.risk).toMatch(/^Both of these default groups are in use: what uses them loses that traffic/);
    } finally {
      ctx.factory.destroy();
    }
  });
});

describe('undo', () => {
  const entry = { meta: step.meta, load: async () => step };

  it('authorizes exactly the revoked rules again: IPv4, IPv6, a prefix list and group pairs, with their descriptions', async () => {
    await inSandbox(
      {
        seed: async (c) => {
          await step.seed!(c);
          const g = await defaultGroup(c);
          const ec2 = c.client(EC2Client);
          const other = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'app', Description: 'app', VpcId: g.VpcId }))).GroupId!;
          const list = (await ec2.send(new CreateManagedPrefixListCommand({ PrefixListName: 'office', MaxEntries: 2, AddressFamily: 'IPv4', Entries: [{ Cidr: '192.0.2.0/24' }] })))
            .PrefixList!.PrefixListId!;
          await ec2.send(
            new AuthorizeSecurityGroupIngressCommand({
              GroupId: g.GroupId,
              IpPermissions: [
                { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: other, Description: 'from app' }] },
                { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Ipv6Ranges: [{ CidrIpv6: '2001:db8::/32', Description: 'v6 office' }], PrefixListIds: [{ PrefixListId: list }] },
              ],
            }),
          );
          await ec2.send(
            new AuthorizeSecurityGroupEgressCommand({ GroupId: g.GroupId, IpPermissions: [{ IpProtocol: 'udp', FromPort: 53, ToPort: 53, IpRanges: [{ CidrIp: '10.0.0.2/32', Description: 'dns' }] }] }),
          );
        },
      },
      async (ctx) => {
        const before = await defaultGroup(ctx);
        const run = await fixThenUndo(entry, ctx, undefined);
        expect(run.items.map((i) => [i.entry.operation, i.kind])).toEqual([
          ['RevokeSecurityGroupEgress', 'undo'],
          ['RevokeSecurityGroupIngress', 'undo'],
        ]);
        const after = await defaultGroup(ctx);
        const sorted = (xs: unknown[] | undefined) => (xs ?? []).map((x) => JSON.stringify(x)).sort();
        expect(sorted(after.IpPermissions)).toEqual(sorted(before.IpPermissions));
        expect(sorted(after.IpPermissionsEgress)).toEqual(sorted(before.IpPermissionsEgress));
        expect(run.afterUndo).toEqual(run.before);
      },
    );
  });

  it('refuses when someone gave the emptied group a rule after the fix, and keeps their rule', async () => {
    await inSandbox({ seed: (c) => step.seed!(c) }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, undefined, {
        between: async (c) => {
          const g = await defaultGroup(c);
          await c.client(EC2Client).send(
            new AuthorizeSecurityGroupIngressCommand({ GroupId: g.GroupId, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.9.0.0/16' }] }] }),
          );
        },
      });
      // Newest first: the outbound rules (untouched since) come back; the inbound ones are refused.
      expect(run.items.map((i) => [i.entry.operation, i.kind])).toEqual([
        ['RevokeSecurityGroupEgress', 'undo'],
        ['RevokeSecurityGroupIngress', 'drifted'],
      ]);
      expect(run.items[1]).toMatchObject({ reason: expect.stringContaining('Now: TCP 22 from 10.9.0.0/16; the fix wrote: no rules') });
      const g = await defaultGroup(ctx);
      expect(g.IpPermissions).toEqual([expect.objectContaining({ FromPort: 22, IpRanges: [expect.objectContaining({ CidrIp: '10.9.0.0/16' })] })]);
      expect(g.IpPermissionsEgress).toHaveLength(1);
    });
  });
});
