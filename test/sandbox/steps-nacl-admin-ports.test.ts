import { AssociateVpcCidrBlockCommand, CreateNetworkAclCommand, CreateNetworkAclEntryCommand, CreateSubnetCommand, CreateVpcCommand, DescribeNetworkAclsCommand, DescribeVpcsCommand, EC2Client, ReplaceNetworkAclEntryCommand } from '@aws-sdk/client-ec2';
import type { NetworkAclEntry } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context.js';
import { applyPlan, planStep } from '../../src/engine/runner.js';
import step from '../../steps/infrastructure/nacl-admin-ports/index.js';
import { checkedWith, inSandbox, runStepCases } from '../helpers/step-tester.js';
import { fixThenUndo } from '../helpers/undo.js';

async function defaultAcl(ctx: RunContext, region = 'us-east-1', vpcId?: string): Promise<{ id: string; entries: NetworkAclEntry[] }> {
  const ec2 = ctx.client(EC2Client, region);
  const vpc = vpcId ?? ((await ec2.send(new DescribeVpcsCommand({}))).Vpcs ?? []).find((v) => v.IsDefault)!.VpcId!;
  const acl = (await ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc] }, { Name: 'default', Values: ['true'] }] }))).NetworkAcls![0]!;
  return { id: acl.NetworkAclId!, entries: acl.Entries ?? [] };
}

type Entry = { rule: number; action: 'allow' | 'deny'; protocol?: string; cidr?: string; v6?: string; ports?: [number, number] };

async function entry(ctx: RunContext, aclId: string, e: Entry, region = 'us-east-1'): Promise<void> {
  await ctx.client(EC2Client, region).send(
    new CreateNetworkAclEntryCommand({
      NetworkAclId: aclId,
      RuleNumber: e.rule,
      RuleAction: e.action,
      Protocol: e.protocol ?? '6',
      Egress: false,
      ...(e.v6 ? { Ipv6CidrBlock: e.v6 } : { CidrBlock: e.cidr ?? '0.0.0.0/0' }),
      ...(e.ports ? { PortRange: { From: e.ports[0], To: e.ports[1] } } : {}),
    }),
  );
}

/** Closes the default ACL's admin ports the way the fix would, so a case can look at another ACL alone. */
async function closeDefault(ctx: RunContext, region = 'us-east-1'): Promise<void> {
  const { id } = await defaultAcl(ctx, region);
  await entry(ctx, id, { rule: 99, action: 'deny', ports: [22, 22] }, region);
  await entry(ctx, id, { rule: 98, action: 'deny', ports: [3389, 3389] }, region);
}

const CREATE = 'ec2:CreateNetworkAclEntry';
const OPEN_DEFAULT = /\(the default ACL\) of VPC vpc-\w+ in us-east-1, used by \d+ subnets, lets the internet reach SSH \(22\) and RDP \(3389\) from 0\.0\.0\.0\/0 through rule 100\.$/;
const CLEAN = { status: 'pass' as const, message: expect.stringMatching(/None of the \d+ network ACLs? in us-east-1 lets/) };

runStepCases(step, [
  {
    name: 'the day-one account: the default ACL allows everything at rule 100; denies go in at 99 and 98',
    seed: (ctx) => step.seed!(ctx),
    expectStatus: 'fail',
    expectFindings: [{ status: 'fail', resource: expect.stringMatching(/^acl-\w+$/), message: expect.stringMatching(OPEN_DEFAULT) }],
    expectOperations: [CREATE, CREATE],
    expectFindingsAfter: [CLEAN],
  },
  {
    name: 'an existing deny for SSH ahead of the allow: only RDP is open and only RDP gets a deny',
    seed: async (ctx) => entry(ctx, (await defaultAcl(ctx)).id, { rule: 50, action: 'deny', ports: [20, 25] }),
    expectStatus: 'fail',
    expectFindings: [{ status: 'fail', message: expect.stringMatching(/reach RDP \(3389\) from 0\.0\.0\.0\/0 through rule 100\.$/) }],
    expectOperations: [CREATE],
  },
  {
    name: 'IPv6: a VPC whose ACL allows ::/0 at 101 gets four denies',
    seed: async (ctx) => {
      await closeDefault(ctx);
      const ec2 = ctx.client(EC2Client);
      const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.40.0.0/16' }))).Vpc!.VpcId!;
      await ec2.send(new AssociateVpcCidrBlockCommand({ VpcId: vpc, AmazonProvidedIpv6CidrBlock: true }));
      // moto does not give a default ACL the IPv6 allow entry AWS gives it; added as AWS has it.
      const acl = await defaultAcl(ctx, 'us-east-1', vpc);
      if (!acl.entries.some((e) => e.Ipv6CidrBlock)) await entry(ctx, acl.id, { rule: 101, action: 'allow', protocol: '-1', v6: '::/0' });
    },
    expectStatus: 'fail',
    expectFindings: [{ status: 'fail', message: expect.stringMatching(/reach SSH \(22\) and RDP \(3389\) from 0\.0\.0\.0\/0 through rule 100, and SSH \(22\) and RDP \(3389\) from ::\/0 through rule 101\.$/) }],
    expectOperations: [CREATE, CREATE, CREATE, CREATE],
  },
  {
    name: 'no free number below the allow (an office allow at 99 must keep working): SSH stays manual, RDP is denied',
    seed: async (ctx) => {
      await closeDefault(ctx);
      const ec2 = ctx.client(EC2Client);
      const vpc = ((await ec2.send(new DescribeVpcsCommand({}))).Vpcs ?? []).find((v) => v.IsDefault)!.VpcId!;
      const acl = (await ec2.send(new CreateNetworkAclCommand({ VpcId: vpc }))).NetworkAcl!.NetworkAclId!;
      await entry(ctx, acl, { rule: 99, action: 'allow', cidr: '203.0.113.0/24', ports: [22, 22] });
      await entry(ctx, acl, { rule: 100, action: 'allow', protocol: '-1' });
    },
    expectStatus: 'manual',
    expectFindings: [{ status: 'manual', message: expect.stringMatching(/No free rule number below the allowing entry for SSH \(22\) from 0\.0\.0\.0\/0/) }],
    expectOperations: [CREATE],
    expectAfter: 'manual',
    expectFindingsAfter: [{ status: 'manual', message: expect.not.stringContaining('RDP') }],
  },
  {
    name: 'several regions: each default ACL reports and is fixed in its own region',
    regions: ['us-east-1', 'eu-west-1'],
    expectStatus: 'fail',
    expectFindings: [
      { status: 'fail', region: 'us-east-1' },
      { status: 'fail', region: 'eu-west-1', message: expect.stringContaining('in eu-west-1') },
    ],
    expectOperations: [CREATE, CREATE, CREATE, CREATE],
  },
  {
    name: 'closed ACLs pass',
    seed: (ctx) => closeDefault(ctx),
    expectStatus: 'pass',
    expectFindings: [CLEAN],
  },
]);

describe('infrastructure.nacl-admin-ports: beyond the table', () => {
  it('adds entries and never renumbers or deletes one; seeding again opens the ACL as it was', async () => {
    const { ctx, checked } = await checkedWith(step, (c) => step.seed!(c));
    try {
      const before = await defaultAcl(ctx);
      const plan = await planStep(checked, ctx, undefined);
      expect(plan.actions.map((a) => [a.params.RuleNumber, a.params.RuleAction, a.destructive])).toEqual([
        [99, 'deny', true],
        [98, 'deny', true],
      ]);
      expect(plan.actions[0]!.inverse).toMatchObject({ operation: 'DeleteNetworkAclEntry', params: { NetworkAclId: before.id, RuleNumber: 99, Egress: false } });
      ctx.factory.readOnly = false;
      expect((await applyPlan(step.meta.id, plan, ctx, () => undefined)).error).toBeUndefined();
      const after = await defaultAcl(ctx);
      expect(after.entries).toEqual(expect.arrayContaining(before.entries));
      expect(after.entries).toHaveLength(before.entries.length + 2);
      ctx.factory.readOnly = false;
      await step.seed!(ctx);
      const reseeded = await defaultAcl(ctx);
      expect(reseeded.entries).toHaveLength(before.entries.length);
    } finally {
      ctx.factory.destroy();
    }
  });

  // Found walking the wizard: "every subnet of acl-1 (2 subnets), acl-2 (6 subnets)" read as one list of subnets.
  it('two open ACLs in use: the warning names both, joined with "and", each in its region', async () => {
    const { ctx, checked } = await checkedWith(step, async (c) => {
      await c.client(EC2Client).send(new CreateVpcCommand({ CidrBlock: '10.41.0.0/16' }));
      const ec2 = c.client(EC2Client);
      const vpc = ((await ec2.send(new DescribeVpcsCommand({}))).Vpcs ?? []).find((v) => v.CidrBlock === '10.41.0.0/16')!.VpcId!;
      await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.41.1.0/24' }));
    });
    try {
      const plan = await planStep(checked, ctx, undefined);
      expect(plan.warnings).toEqual([
        expect.stringMatching(/^SSH and RDP from the internet stop for every subnet that uses acl-\w+ in us-east-1 \(\d+ subnets?\) and acl-\w+ in us-east-1 \(\d+ subnets?\), whatever/),
      ]);
    } finally {
      ctx.factory.destroy();
    }
  });
});

describe('undo', () => {
  const stepEntry = { meta: step.meta, load: async () => step };
  const shape = (es: NetworkAclEntry[]) => es.map((e) => JSON.stringify([e.RuleNumber, e.Egress, e.RuleAction, e.Protocol, e.CidrBlock, e.PortRange])).sort();

  it('deletes the deny entries the fix added by their rule numbers: the ACL is entry for entry as before', async () => {
    await inSandbox({ seed: (c) => step.seed!(c) }, async (ctx) => {
      const before = await defaultAcl(ctx);
      const run = await fixThenUndo(stepEntry, ctx, undefined);
      expect(run.items.map((i) => [i.entry.params.RuleNumber, i.kind])).toEqual([
        [98, 'undo'],
        [99, 'undo'],
      ]);
      expect(shape((await defaultAcl(ctx)).entries)).toEqual(shape(before.entries));
      expect(run.afterUndo).toEqual(run.before);
    });
  });

  it('refuses an entry someone changed after the fix, keeps it, and still removes the untouched one', async () => {
    await inSandbox({ seed: (c) => step.seed!(c) }, async (ctx) => {
      const run = await fixThenUndo(stepEntry, ctx, undefined, {
        between: async (c) => {
          const { id } = await defaultAcl(c);
          await c.client(EC2Client).send(
            new ReplaceNetworkAclEntryCommand({ NetworkAclId: id, RuleNumber: 99, RuleAction: 'deny', Protocol: '6', Egress: false, CidrBlock: '0.0.0.0/0', PortRange: { From: 20, To: 23 } }),
          );
        },
      });
      expect(run.items.map((i) => [i.entry.params.RuleNumber, i.kind])).toEqual([
        [98, 'undo'],
        [99, 'drifted'],
      ]);
      const now = (await defaultAcl(ctx)).entries.filter((e) => !e.Egress && e.RuleNumber! < 100);
      expect(now.map((e) => [e.RuleNumber, e.PortRange])).toEqual([[99, { From: 20, To: 23 }]]);
    });
  });
});
