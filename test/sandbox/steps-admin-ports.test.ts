import {
  AuthorizeSecurityGroupIngressCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import type { IpPermission } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context.js';
import { applyPlan, planStep } from '../../src/engine/runner.js';
import step, { DAY_ONE_GROUP } from '../../steps/infrastructure/admin-ports/index.js';
import { checkedWith, inSandbox, runStepCases } from '../helpers/step-tester.js';
import { fixThenUndo } from '../helpers/undo.js';

async function defaultVpc(ctx: RunContext, region: string): Promise<string> {
  return ((await ctx.client(EC2Client, region).send(new DescribeVpcsCommand({}))).Vpcs ?? []).find((v) => v.IsDefault)!.VpcId!;
}

/** A security group in the default VPC with these inbound rules. */
async function group(ctx: RunContext, name: string, rules: IpPermission[], region = 'us-east-1'): Promise<string> {
  const ec2 = ctx.client(EC2Client, region);
  const id = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId: await defaultVpc(ctx, region) }))).GroupId!;
  if (rules.length) await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: id, IpPermissions: rules }));
  return id;
}

async function rulesOf(ctx: RunContext, name: string, region = 'us-east-1'): Promise<IpPermission[]> {
  const out = await ctx.client(EC2Client, region).send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: [name] }] }));
  return out.SecurityGroups![0]!.IpPermissions ?? [];
}

const tcp = (port: number, v4: string[], v6: string[] = [], to = port): IpPermission => ({
  IpProtocol: 'tcp',
  FromPort: port,
  ToPort: to,
  ...(v4.length ? { IpRanges: v4.map((CidrIp) => ({ CidrIp })) } : {}),
  ...(v6.length ? { Ipv6Ranges: v6.map((CidrIpv6) => ({ CidrIpv6 })) } : {}),
});

const REVOKE = 'ec2:RevokeSecurityGroupIngress';
const AUTHORIZE = 'ec2:AuthorizeSecurityGroupIngress';
const CLEAN = { status: 'pass' as const, message: expect.stringMatching(/None of the \d+ security groups? in us-east-1 lets 0\.0\.0\.0\/0 or ::\/0 reach/) };

runStepCases(step, [
  {
    name: 'a fresh account: no group opens anything',
    expectStatus: 'pass',
    expectFindings: [CLEAN],
  },
  {
    name: 'the day-one seed: SSH open to 0.0.0.0/0 and ::/0 beside HTTPS; SSH goes, HTTPS stays',
    seed: (ctx) => step.seed!(ctx),
    expectStatus: 'fail',
    expectFindings: [
      {
        status: 'fail',
        resource: expect.stringMatching(new RegExp(`^sg-\\w+ \\(${DAY_ONE_GROUP}\\)$`)),
        message: expect.stringMatching(/lets the whole internet reach SSH \(22\): TCP 22 from 0\.0\.0\.0\/0; TCP 22 from ::\/0\. Nothing uses it now\./),
      },
    ],
    expectOperations: [REVOKE],
    expectFindingsAfter: [CLEAN],
  },
  {
    name: 'a CIDR the person gives is let in first, then the world is shut out',
    seed: (ctx) => step.seed!(ctx),
    inputs: { cidr: '203.0.113.0/24' },
    expectStatus: 'fail',
    expectOperations: [AUTHORIZE, REVOKE],
  },
  {
    name: 'port ranges holding 3389, protocol -1 over IPv6, and TCP 0-65535 all count',
    seed: async (ctx) => {
      await group(ctx, 'rdp-range', [tcp(3000, ['0.0.0.0/0'], [], 4000)]);
      await group(ctx, 'all-v6', [{ IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] }]);
      await group(ctx, 'every-port', [tcp(0, ['0.0.0.0/0'], [], 65535)]);
      await group(ctx, 'web-only', [tcp(443, ['0.0.0.0/0'], ['::/0']), tcp(80, ['0.0.0.0/0'])]);
    },
    expectStatus: 'fail',
    expectFindings: [
      { status: 'fail', message: expect.stringMatching(/reach (RDP \(3389\): TCP 3000-4000 from 0\.0\.0\.0\/0|every port)/) },
      { status: 'fail', message: expect.stringMatching(/reach (RDP \(3389\)|every port)/) },
      { status: 'fail', message: expect.stringMatching(/reach (RDP \(3389\)|every port)/) },
    ],
    expectOperations: [REVOKE, REVOKE, REVOKE],
    expectFindingsAfter: [{ status: 'pass', message: expect.stringContaining('None of the') }],
  },
  {
    name: 'a group in use names its users',
    seed: async (ctx) => {
      const id = await group(ctx, 'bastion', [tcp(22, ['0.0.0.0/0'])]);
      const subnet = ((await ctx.client(EC2Client).send(new DescribeSubnetsCommand({}))).Subnets ?? [])[0]!.SubnetId!;
      await ctx.client(EC2Client).send(new CreateNetworkInterfaceCommand({ SubnetId: subnet, Groups: [id], Description: 'bastion host' }));
    },
    expectStatus: 'fail',
    expectFindings: [{ status: 'fail', message: expect.stringMatching(/Used by 1 network interface \(eni-\w+ \(bastion host\)\)\./) }],
    expectOperations: [REVOKE],
  },
  {
    name: 'several regions: each region reports its own groups and is fixed in its own call',
    regions: ['us-east-1', 'eu-west-1'],
    seed: async (ctx) => {
      await group(ctx, 'ssh-east', [tcp(22, ['0.0.0.0/0'])], 'us-east-1');
      await group(ctx, 'rdp-west', [tcp(3389, [], ['::/0'])], 'eu-west-1');
    },
    expectStatus: 'fail',
    expectFindings: [
      { status: 'fail', region: 'us-east-1', resource: expect.stringContaining('ssh-east') },
      { status: 'fail', region: 'eu-west-1', resource: expect.stringContaining('rdp-west'), message: expect.stringContaining('TCP 3389 from ::/0') },
    ],
    expectOperations: [REVOKE, REVOKE],
  },
]);

describe('infrastructure.admin-ports: beyond the table', () => {
  async function fixWith(seed: (ctx: RunContext) => Promise<void>, inputs: unknown, name: string): Promise<{ before: IpPermission[]; after: IpPermission[] }> {
    const { ctx, checked } = await checkedWith(step, seed);
    try {
      const before = await rulesOf(ctx, name);
      const plan = await planStep(checked, ctx, inputs);
      ctx.factory.readOnly = false;
      expect((await applyPlan(step.meta.id, plan, ctx, () => undefined)).error).toBeUndefined();
      return { before, after: await rulesOf(ctx, name) };
    } finally {
      ctx.factory.destroy();
    }
  }

  it('the held-out case: every rule but the open SSH entries stays deep-equal', async () => {
    const { before, after } = await fixWith((c) => step.seed!(c), { cidr: null }, DAY_ONE_GROUP);
    const https = (rules: IpPermission[]) => rules.filter((p) => p.FromPort === 443);
    expect(https(before)).toHaveLength(1);
    expect(https(after)).toEqual(https(before));
    expect(after.filter((p) => p.FromPort === 22)).toEqual([]);
  });

  it('an office range in the same rule as 0.0.0.0/0 stays, with its description; a given CIDR is added for the same port', async () => {
    const { before, after } = await fixWith(
      (c) => group(c, 'mixed', [{ ...tcp(22, []), IpRanges: [{ CidrIp: '0.0.0.0/0' }, { CidrIp: '10.0.0.0/8', Description: 'office' }] }, tcp(443, ['0.0.0.0/0'])]).then(() => undefined),
      { cidr: '198.51.100.0/24' },
      'mixed',
    );
    expect(after.find((p) => p.FromPort === 443)).toEqual(before.find((p) => p.FromPort === 443));
    const ssh = after.find((p) => p.FromPort === 22)!;
    expect(ssh.IpRanges!.map((r) => [r.CidrIp, r.Description])).toEqual(
      expect.arrayContaining([
        ['10.0.0.0/8', 'office'],
        ['198.51.100.0/24', expect.stringContaining('secure-start')],
      ]),
    );
    expect(ssh.IpRanges!.some((r) => r.CidrIp === '0.0.0.0/0')).toBe(false);
  });

  // Found walking the wizard: "sg-1 (web) (us-east-1)", rules joined by ";", and "connections to them" for one interface.
  it('the plan reads as sentences: the group in its region, the rules removed as a list, one user as "it"', async () => {
    const { ctx, checked } = await checkedWith(step, async (c) => {
      await step.seed!(c);
      const id = await group(c, 'bastion', [tcp(22, ['0.0.0.0/0'])]);
      const subnet = ((await c.client(EC2Client).send(new DescribeSubnetsCommand({}))).Subnets ?? [])[0]!.SubnetId!;
      await c.client(EC2Client).send(new CreateNetworkInterfaceCommand({ SubnetId: subnet, Groups: [id], Description: 'bastion host' }));
    });
    try {
      const plan = await planStep(checked, ctx, { cidr: '203.0.113.0/24' });
      const summaries = plan.actions.map((a) => a.summary);
      expect(summaries).toEqual(
        expect.arrayContaining([
          expect.stringMatching(new RegExp(`^Let 203\\.0\\.113\\.0/24 reach SSH \\(22\\) through security group sg-\\w+ \\(${DAY_ONE_GROUP}\\) in us-east-1, in place of the internet$`)),
          expect.stringMatching(
            new RegExp(`^Close security group sg-\\w+ \\(${DAY_ONE_GROUP}\\) in us-east-1 to the internet: remove TCP 22 from 0\\.0\\.0\\.0/0 and TCP 22 from ::/0 \\(its other rules stay\\)$`),
          ),
        ]),
      );
      for (const text of [...summaries, ...plan.actions.map((a) => a.inverse!.summary), ...plan.warnings!]) expect(text).not.toMatch(/\) \(us-east-1\)|; TCP/);
      expect(plan.warnings).toContainEqual(
        expect.stringMatching(/^Security group sg-\w+ \(bastion\) in us-east-1 is used by 1 network interface \(eni-\w+ \(bastion host\)\): connections to it from the internet/),
      );
    } finally {
      ctx.factory.destroy();
    }
  });
});

describe('undo', () => {
  const entry = { meta: step.meta, load: async () => step };
  /** A group's inbound rules as one line per source entry, sorted: order and grouping aside. */
  const entries = (rules: IpPermission[]) =>
    rules
      .flatMap((p) => [
        ...(p.IpRanges ?? []).map((r) => `${p.IpProtocol} ${p.FromPort}-${p.ToPort} ${r.CidrIp} ${r.Description ?? ''}`),
        ...(p.Ipv6Ranges ?? []).map((r) => `${p.IpProtocol} ${p.FromPort}-${p.ToPort} ${r.CidrIpv6} ${r.Description ?? ''}`),
      ])
      .sort();

  it('puts the revoked world entries back and takes the replacement out: the group reads as before, newest first', async () => {
    await inSandbox({ seed: (ctx) => step.seed!(ctx) }, async (ctx) => {
      const before = entries(await rulesOf(ctx, DAY_ONE_GROUP));
      const run = await fixThenUndo(entry, ctx, { cidr: '203.0.113.0/24' });
      expect(run.items.map((i) => [i.entry.operation, i.kind])).toEqual([
        ['RevokeSecurityGroupIngress', 'undo'],
        ['AuthorizeSecurityGroupIngress', 'undo'],
      ]);
      expect(entries(await rulesOf(ctx, DAY_ONE_GROUP))).toEqual(before);
      expect(run.afterUndo).toEqual(run.before);
      expect(run.journal.slice(2).map((e) => [e.operation, e.undoes])).toEqual([
        ['AuthorizeSecurityGroupIngress', 1],
        ['RevokeSecurityGroupIngress', 0],
      ]);
    });
  });

  it('refuses when someone added a rule to the group after the fix, and their rule stays', async () => {
    await inSandbox({ seed: (ctx) => step.seed!(ctx) }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, { cidr: null }, {
        between: async (c) => {
          const id = (await c.client(EC2Client).send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: [DAY_ONE_GROUP] }] }))).SecurityGroups![0]!.GroupId!;
          await c.client(EC2Client).send(new AuthorizeSecurityGroupIngressCommand({ GroupId: id, IpPermissions: [tcp(22, ['10.1.0.0/16'])] }));
        },
      });
      expect(run.items).toEqual([expect.objectContaining({ kind: 'drifted', reason: expect.stringContaining('TCP 22 from 10.1.0.0/16') })]);
      expect(run.journal.some((e) => e.undoes !== undefined)).toBe(false);
      const now = entries(await rulesOf(ctx, DAY_ONE_GROUP));
      expect(now).toContain('tcp 22-22 10.1.0.0/16 ');
      expect(now.filter((e) => e.includes('0.0.0.0/0') || e.includes('::/0')).every((e) => e.startsWith('tcp 443-443'))).toBe(true);
    });
  });

  it('leaves a replacement rule someone edited after the fix (its description changed)', async () => {
    await inSandbox({ seed: (ctx) => step.seed!(ctx) }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, { cidr: '203.0.113.0/24' }, {
        between: async (c) => {
          const ec2 = c.client(EC2Client);
          const id = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: [DAY_ONE_GROUP] }] }))).SecurityGroups![0]!.GroupId!;
          await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: id, IpPermissions: [tcp(22, ['203.0.113.0/24'])] }));
          await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: id, IpPermissions: [{ ...tcp(22, []), IpRanges: [{ CidrIp: '203.0.113.0/24', Description: 'vpn' }] }] }));
        },
      });
      expect(run.items.map((i) => i.kind)).toEqual(['drifted', 'drifted']);
      expect(entries(await rulesOf(ctx, DAY_ONE_GROUP))).toContain('tcp 22-22 203.0.113.0/24 vpn');
    });
  });
});
