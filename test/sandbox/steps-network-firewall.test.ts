/**
 * infrastructure.network-firewall against moto: VPCs with an internet gateway need AWS Network
 * Firewall or a person's decision (manual until then); a VPC behind a firewall passes; regions
 * are read one by one. Advice only: nothing is ever planned.
 */
import { AttachInternetGatewayCommand, CreateInternetGatewayCommand, CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateFirewallCommand, NetworkFirewallClient } from '@aws-sdk/client-network-firewall';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context.js';
import { planStep } from '../../src/engine/runner.js';
import { packageRoot } from '../../src/paths.js';
import step, { endpointMonthUsd, ENDPOINT_HOUR_USD, GB_PROCESSED_USD } from '../../steps/infrastructure/network-firewall/index.js';
import { checkedWith, runStepCases, SANDBOX_ACCOUNT_ID } from '../helpers/step-tester.js';

/** A VPC named `name` with an internet gateway attached; returns its id. */
async function internetVpc(ctx: RunContext, name: string, cidr: string, region = 'us-east-1'): Promise<string> {
  const ec2 = ctx.client(EC2Client, region);
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: cidr, TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'Name', Value: name }] }] }))).Vpc!.VpcId!;
  const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
  await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
  return vpcId;
}

async function firewallIn(ctx: RunContext, vpcId: string, cidr: string, region = 'us-east-1'): Promise<void> {
  const subnet = (await ctx.client(EC2Client, region).send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr }))).Subnet!.SubnetId!;
  await ctx.client(NetworkFirewallClient, region).send(
    new CreateFirewallCommand({
      FirewallName: 'edge',
      VpcId: vpcId,
      SubnetMappings: [{ SubnetId: subnet }],
      FirewallPolicyArn: `arn:aws:network-firewall:${region}:${SANDBOX_ACCOUNT_ID}:firewall-policy/edge-policy`,
    }),
  );
}

const NEEDS_DECISION = { status: 'manual' as const, message: expect.stringMatching(/has internet gateway igw-\w+ and no AWS Network Firewall: .* about \$288 a month per Availability Zone plus \$0\.065 per GB/) };

runStepCases(step, [
  {
    name: 'a fresh moto account: the default VPC has no internet gateway, so nothing faces the internet',
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', region: 'us-east-1', message: 'No VPC in us-east-1 has an internet gateway: no traffic reaches them from the internet directly.' }],
  },
  {
    name: 'the day-one seed: the default VPC has its internet gateway and no firewall; a decision is needed, nothing is planned',
    seed: (ctx) => step.seed!(ctx),
    expectStatus: 'manual',
    expectFindings: [{ ...NEEDS_DECISION, region: 'us-east-1', resource: expect.stringMatching(/^vpc-\w+$/), message: expect.stringContaining('(the default VPC) in us-east-1 has internet gateway') }],
  },
  {
    name: 'a VPC behind a firewall passes; another with an internet gateway and none still needs a decision',
    seed: async (ctx) => {
      await firewallIn(ctx, await internetVpc(ctx, 'shop', '10.50.0.0/16'), '10.50.0.0/28');
      await internetVpc(ctx, 'lab', '10.60.0.0/16');
    },
    expectStatus: 'manual',
  },
  {
    name: 'each region of the run is read: an internet-facing VPC in eu-west-1 only',
    regions: ['us-east-1', 'eu-west-1'],
    seed: async (ctx) => void (await internetVpc(ctx, 'eu-app', '10.70.0.0/16', 'eu-west-1')),
    expectStatus: 'manual',
    expectFindings: [
      { status: 'pass', region: 'us-east-1' },
      { ...NEEDS_DECISION, region: 'eu-west-1', resource: expect.stringMatching(/^vpc-\w+ \(eu-app\)$/) },
    ],
  },
]);

describe('infrastructure.network-firewall: the advice', () => {
  it('names each VPC, the cost in dollars a month, when it is worth it and how to deploy; it changes nothing', async () => {
    const { ctx, checked } = await checkedWith(step, async (c) => {
      await firewallIn(c, await internetVpc(c, 'shop', '10.50.0.0/16'), '10.50.0.0/28');
      await internetVpc(c, 'lab', '10.60.0.0/16');
    });
    const byName = (n: string) => checked.result.findings.find((f) => f.resource.includes(`(${n})`));
    expect(byName('shop')).toMatchObject({ status: 'pass', message: expect.stringMatching(/has AWS Network Firewall edge \(1 zone\)/) });
    expect(byName('lab')).toMatchObject(NEEDS_DECISION);
    const plan = await planStep(checked, ctx, undefined);
    expect(plan.actions).toEqual([]);
    expect(plan.guidance).toMatch(/\(lab\) in us-east-1 \(internet gateway igw-\w+\)/);
    expect(plan.guidance).not.toMatch(/\(shop\)/);
    expect(plan.guidance).toMatch(/about \$0\.395 an hour in us-east-1, so about \$288 a month/);
    expect(plan.guidance).toMatch(/\*\*When it is worth it\.\*\*/);
    expect(plan.guidance).toMatch(/\*\*How to deploy it\.\*\*/);
    expect(plan.cost).toEqual({ scale: 'dollars', detail: expect.stringMatching(/^Nothing is created by this tool\. .*1 VPC × 2 Availability Zones = 2 endpoints at about \$288 a month each \(about \$576 a month\)/) });
    // One skip accepts the step for every VPC it lists, not "a VPC" (found walking the wizard).
    expect(plan.guidance).toMatch(/If you decide these VPCs do not need one, skip this step with your reason: the decision covers every VPC listed here/);
    ctx.factory.destroy();
  });

  it('the lesson quotes the prices the step computes with, and does not claim the pricing page was read', async () => {
    const lesson = await readFile(join(packageRoot(), 'lessons', step.meta.lesson), 'utf8');
    expect(lesson).toContain(`about $${ENDPOINT_HOUR_USD} per endpoint-hour`);
    expect(lesson).toContain(`about $${endpointMonthUsd()} a month`);
    expect(lesson).toContain(`about $${GB_PROCESSED_USD} per GB`);
    expect(step.meta.fix.cost).toContain(`$${ENDPOINT_HOUR_USD} per endpoint-hour (about $${endpointMonthUsd()} a month`);
    expect(lesson).toMatch(/could not be checked against the AWS pricing page/);
    expect(lesson).not.toMatch(/looked up on/);
  });
});
