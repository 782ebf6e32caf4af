/**
 * Seeding the day-one scenario twice (a workshop's `sandbox reset`, or `sandbox seed` by hand) leaves
 * the same account as seeding it once: no second `legacy-test` VPC, user, bucket, topic, key…
 * Counted through the services' own list calls, in both regions the scenario uses.
 */
import { CloudTrailClient, DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { ConfigServiceClient, DescribeConfigurationRecordersCommand } from '@aws-sdk/client-config-service';
import { DescribeAddressesCommand, DescribeInternetGatewaysCommand, DescribeNatGatewaysCommand, DescribeRouteTablesCommand, DescribeSubnetsCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient, ListRulesCommand } from '@aws-sdk/client-eventbridge';
import { GuardDutyClient, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { IAMClient, ListAccessKeysCommand, ListGroupsCommand, ListPoliciesCommand, ListRolesCommand, ListUsersCommand, ListVirtualMFADevicesCommand } from '@aws-sdk/client-iam';
import { KMSClient, ListAliasesCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context.js';
import { seedScenario } from '../../src/engine/scenario.js';
import { registry } from '../../steps/index.js';
import { resetMoto, useManagedPolicies } from '../helpers/moto.js';
import { makeSandboxContext } from '../helpers/step-tester.js';

// The day-one scenario attaches AWS managed policies (ReadOnlyAccess, AdministratorAccess).
useManagedPolicies();

/** What the account holds, by kind and name (or id), region by region. */
async function inventory(ctx: RunContext): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  const put = (kind: string, items: (string | undefined)[]) => (out[kind] = items.map((i) => i ?? '?').sort());
  const nameTag = (tags?: { Key?: string; Value?: string }[]) => tags?.find((t) => t.Key === 'Name')?.Value ?? '(no name)';
  const iam = ctx.client(IAMClient);
  const users = (await iam.send(new ListUsersCommand({}))).Users ?? [];
  put('iam users', users.map((u) => u.UserName));
  put('iam groups', ((await iam.send(new ListGroupsCommand({}))).Groups ?? []).map((g) => g.GroupName));
  put('iam roles', ((await iam.send(new ListRolesCommand({}))).Roles ?? []).map((r) => r.RoleName));
  put('iam local policies', ((await iam.send(new ListPoliciesCommand({ Scope: 'Local' }))).Policies ?? []).map((p) => p.PolicyName));
  put('iam virtual mfa', ((await iam.send(new ListVirtualMFADevicesCommand({}))).VirtualMFADevices ?? []).map((d) => d.SerialNumber));
  const keys: string[] = [];
  for (const u of users) for (const k of (await iam.send(new ListAccessKeysCommand({ UserName: u.UserName }))).AccessKeyMetadata ?? []) keys.push(`${u.UserName}:${k.Status}`);
  put('iam access keys', keys);
  put('s3 buckets', ((await ctx.client(S3Client).send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name));
  for (const region of ['us-east-1', 'eu-west-1']) {
    const ec2 = ctx.client(EC2Client, region);
    put(`${region} vpcs`, ((await ec2.send(new DescribeVpcsCommand({}))).Vpcs ?? []).map((v) => `${nameTag(v.Tags)} ${v.CidrBlock}`));
    put(`${region} subnets`, ((await ec2.send(new DescribeSubnetsCommand({}))).Subnets ?? []).filter((s) => !s.DefaultForAz).map((s) => `${nameTag(s.Tags)} ${s.CidrBlock}`));
    put(`${region} route tables`, ((await ec2.send(new DescribeRouteTablesCommand({}))).RouteTables ?? []).map((t) => nameTag(t.Tags)));
    put(`${region} internet gateways`, ((await ec2.send(new DescribeInternetGatewaysCommand({}))).InternetGateways ?? []).map((g) => nameTag(g.Tags)));
    put(`${region} nat gateways`, ((await ec2.send(new DescribeNatGatewaysCommand({}))).NatGateways ?? []).filter((n) => n.State !== 'deleted').map((n) => nameTag(n.Tags)));
    put(`${region} addresses`, ((await ec2.send(new DescribeAddressesCommand({}))).Addresses ?? []).map((a) => a.Domain));
    put(`${region} sns topics`, ((await ctx.client(SNSClient, region).send(new ListTopicsCommand({}))).Topics ?? []).map((t) => t.TopicArn));
    put(`${region} event rules`, ((await ctx.client(EventBridgeClient, region).send(new ListRulesCommand({}))).Rules ?? []).map((r) => r.Name));
    put(`${region} config recorders`, ((await ctx.client(ConfigServiceClient, region).send(new DescribeConfigurationRecordersCommand({}))).ConfigurationRecorders ?? []).map((r) => r.name));
    put(`${region} trails`, ((await ctx.client(CloudTrailClient, region).send(new DescribeTrailsCommand({}))).trailList ?? []).map((t) => t.TrailARN));
    put(`${region} guardduty detectors`, (await ctx.client(GuardDutyClient, region).send(new ListDetectorsCommand({}))).DetectorIds ?? []);
    put(`${region} kms keys`, ((await ctx.client(KMSClient, region).send(new ListKeysCommand({}))).Keys ?? []).map((k) => k.KeyId));
    put(`${region} kms aliases`, ((await ctx.client(KMSClient, region).send(new ListAliasesCommand({}))).Aliases ?? []).map((a) => a.AliasName));
  }
  return out;
}

describe('the day-one scenario seeded twice', () => {
  let once: Record<string, string[]>;
  let twice: Record<string, string[]>;

  beforeAll(async () => {
    await resetMoto();
    const ctx = makeSandboxContext();
    try {
      await seedScenario('day-one', ctx, registry);
      once = await inventory(ctx);
      await seedScenario('day-one', ctx, registry);
      twice = await inventory(ctx);
    } finally {
      ctx.factory.destroy();
    }
  }, 240_000);

  it('holds what one seeding made (the scenario is not empty)', () => {
    expect(once['eu-west-1 vpcs']).toContain('legacy-test 10.42.0.0/16');
    expect(once['iam users']!.length).toBeGreaterThan(2);
  });

  it('holds nothing twice: every kind of resource has the same members as after one seeding', () => {
    expect(twice).toEqual(once);
  });
});
