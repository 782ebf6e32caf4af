/**
 * account.regions: the policy document (pure), the inputs, and the paths moto cannot reach, stubbed
 * at the SDK level (aws-sdk-client-mock) as each test name says: moto has no Account API region
 * calls, so an enabled opt-in region and DisableRegion exist here only as stubs.
 */
import { AccountClient, ListRegionsCommand } from '@aws-sdk/client-account';
import {
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRegionsCommand,
  DescribeVolumesCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { GetAccountAuthorizationDetailsCommand, IAMClient } from '@aws-sdk/client-iam';
import { AWSOrganizationsNotInUseException, DescribeOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { STUB_ACCOUNT, stubContext } from '../helpers/stub-context.js';
import { checkStep, planStep } from '../../src/engine/runner.js';
import step from '../../steps/account/regions/index.js';
import {
  GLOBAL_EXEMPTIONS,
  IAM_POLICY_MAX_CHARS,
  POLICY_NAME,
  SCP_MAX_CHARS,
  allowedRegionsOf,
  documentText,
  exemptionsOf,
  guardrailDocument,
  iamPolicySize,
  sameDocument,
} from '../../steps/account/_shared/region-guardrail.js';
import { partitionOf, usageText } from '../../steps/account/regions/inventory.js';

describe('account.regions: the guardrail document', () => {
  it('denies everything but the global services outside the chosen regions, sorted and without repeats', () => {
    const doc = guardrailDocument(['us-east-1', 'eu-west-1', 'us-east-1']);
    expect(doc.Statement).toHaveLength(1);
    expect(doc.Statement[0]).toMatchObject({ Effect: 'Deny', Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': ['eu-west-1', 'us-east-1'] } } });
    for (const global of ['iam:*', 'organizations:*', 'sts:*', 'cloudfront:*', 'route53:*', 'support:*', 'account:*', 'billing:*', 'ce:*', 'waf:*', 'shield:*', 'health:*', 'trustedadvisor:*'])
      expect(doc.Statement[0]!.NotAction).toContain(global);
    expect(new Set(GLOBAL_EXEMPTIONS).size).toBe(GLOBAL_EXEMPTIONS.length);
  });

  it('fits both size limits even with every commercial region chosen', () => {
    const every = [
      'af-south-1', 'ap-east-1', 'ap-east-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-south-2', 'ap-southeast-1',
      'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7', 'ca-central-1', 'ca-west-1',
      'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'il-central-1',
      'me-central-1', 'me-south-1', 'mx-central-1', 'sa-east-1', 'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
    ];
    const doc = guardrailDocument(every);
    expect(documentText(doc).length).toBeLessThan(SCP_MAX_CHARS);
    expect(iamPolicySize(doc)).toBeLessThan(IAM_POLICY_MAX_CHARS);
  });

  it('keeps exemptions someone added by hand when it is rebuilt', () => {
    const edited = guardrailDocument(['us-east-1'], ['bedrock:InvokeModel']);
    const rebuilt = guardrailDocument(['eu-west-1'], exemptionsOf(documentText(edited)));
    expect(rebuilt.Statement[0]!.NotAction).toContain('bedrock:InvokeModel');
    expect(rebuilt.Statement[0]!.NotAction.filter((a) => a === 'iam:*')).toHaveLength(1);
  });

  it('recognises region guardrails written by hand, in the forms AWS accepts', () => {
    const byHand = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: '*', Resource: '*' },
        {
          Effect: 'Deny',
          NotAction: ['iam:*'],
          Resource: '*',
          Condition: { StringNotEquals: { 'aws:RequestedRegion': ['eu-central-1', 'eu-west-1'] }, ArnNotLike: { 'aws:PrincipalARN': 'arn:aws:iam::*:role/Admin' } },
        },
      ],
    };
    expect(allowedRegionsOf(byHand)).toEqual(['eu-central-1', 'eu-west-1']);
    expect(allowedRegionsOf(JSON.stringify(byHand))).toEqual(['eu-central-1', 'eu-west-1']);
    expect(allowedRegionsOf(encodeURIComponent(JSON.stringify(byHand)))).toEqual(['eu-central-1', 'eu-west-1']);
    // Action "*" with a one-region string, and the case-insensitive operator.
    const single = { Statement: { Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringNotEqualsIgnoreCase: { 'aws:requestedregion': 'US-EAST-1' } } } };
    expect(allowedRegionsOf(single)).toEqual(['us-east-1']);
    // Two guardrail statements: only what both allow stays open.
    const two = { Statement: [guardrailDocument(['us-east-1', 'eu-west-1']).Statement[0], guardrailDocument(['eu-west-1']).Statement[0]] };
    expect(allowedRegionsOf(two)).toEqual(['eu-west-1']);
  });

  it('does not mistake other policies for a guardrail', () => {
    expect(allowedRegionsOf({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': ['us-east-1'] } } }] })).toBeUndefined();
    expect(allowedRegionsOf({ Statement: [{ Effect: 'Deny', Action: 'ec2:RunInstances', Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': ['us-east-1'] } } }] })).toBeUndefined();
    expect(allowedRegionsOf({ Statement: [{ Effect: 'Deny', NotAction: 'iam:*', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': ['us-east-1'] } } }] })).toBeUndefined();
    expect(allowedRegionsOf('not json')).toBeUndefined();
  });

  it('compares documents by meaning, not by formatting or order', () => {
    const doc = guardrailDocument(['us-east-1', 'eu-west-1']);
    const reordered = JSON.parse(JSON.stringify(doc));
    reordered.Statement[0].NotAction.reverse();
    reordered.Statement[0].Resource = ['*'];
    expect(sameDocument(JSON.stringify(reordered, null, 2), doc)).toBe(true);
    expect(sameDocument(doc, guardrailDocument(['us-east-1']))).toBe(false);
  });
});

describe('account.regions: inputs', () => {
  const schema = step.inputs!.schema;

  it('takes a non-empty list of region names, each once', () => {
    expect(schema.safeParse({ allowed: ['us-east-1', 'eu-west-1'] }).success).toBe(true);
    expect(schema.safeParse({ allowed: [] }).success).toBe(false);
    expect(schema.safeParse({ allowed: ['europe'] }).success).toBe(false);
    expect(schema.safeParse({ allowed: ['us-east-1', 'us-east-1'] }).success).toBe(false);
    expect(schema.safeParse({ allowed: ['us-east-1'], extra: true }).success).toBe(false);
  });

  it('must come from a person under fix --yes, and the template guesses no region', () => {
    expect(step.inputs!.requiredInAnswers).toBe(true);
    expect(step.inputs!.defaults([])).toEqual({ allowed: [] });
  });

  it('remembers the choice as the run’s regions', () => {
    expect(step.remember!({ allowed: ['us-east-1', 'eu-west-1'] })).toEqual({ regions: ['eu-west-1', 'us-east-1'] });
  });

  it('names regions by partition and counts what a region holds', () => {
    expect(['us-east-1', 'cn-north-1', 'us-gov-west-1'].map(partitionOf)).toEqual(['aws', 'aws-cn', 'aws-us-gov']);
    expect(usageText({ instances: 5, vpcs: 1, volumes: 0, interfaces: 2, more: true })).toBe('5+ instances, 1 VPC, 2 network interfaces');
  });
});

// ---- stubbed: the Account API's region calls, which moto lacks ----

const account = mockClient(AccountClient);
const ec2 = mockClient(EC2Client);
const iam = mockClient(IAMClient);
const orgs = mockClient(OrganizationsClient);
const ACCOUNT = STUB_ACCOUNT;
const entry = { meta: step.meta, load: async () => step };
const context = () => stubContext({ accessKeyId: 'AKIAEXAMPLE' });

/** A single account whose one group carries our policy, leaving us-east-1 open. */
function stubAccount(): void {
  ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
  ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
  ec2.on(DescribeVolumesCommand).resolves({ Volumes: [] });
  ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
  orgs.on(DescribeOrganizationCommand).rejects(new AWSOrganizationsNotInUseException({ message: 'not in an organization', $metadata: {} }));
  const arn = `arn:aws:iam::${ACCOUNT}:policy/${POLICY_NAME}`;
  iam.on(GetAccountAuthorizationDetailsCommand).resolves({
    UserDetailList: [],
    RoleDetailList: [],
    GroupDetailList: [{ GroupName: 'admins', AttachedManagedPolicies: [{ PolicyName: POLICY_NAME, PolicyArn: arn }], GroupPolicyList: [] }],
    Policies: [
      {
        PolicyName: POLICY_NAME,
        Arn: arn,
        Path: '/',
        DefaultVersionId: 'v1',
        PolicyVersionList: [{ VersionId: 'v1', IsDefaultVersion: true, Document: encodeURIComponent(documentText(guardrailDocument(['us-east-1']))) }],
      },
    ],
  });
}

beforeEach(() => {
  for (const m of [account, ec2, iam, orgs]) m.reset();
});
afterAll(() => {
  for (const m of [account, ec2, iam, orgs]) m.restore();
});

describe('account.regions: opt-in regions (SDK stubs: moto has no Account API region calls)', () => {
  it('an enabled opt-in region outside the choice fails, and the plan disables it (SDK stub)', async () => {
    stubAccount();
    account.on(ListRegionsCommand).resolves({
      Regions: [
        { RegionName: 'us-east-1', RegionOptStatus: 'ENABLED_BY_DEFAULT' },
        { RegionName: 'ap-east-1', RegionOptStatus: 'ENABLED' },
        { RegionName: 'me-south-1', RegionOptStatus: 'DISABLED' },
      ],
    });
    const ctx = context();
    const checked = await checkStep(entry, ctx);
    expect(checked.result.status).toBe('fail');
    expect(checked.result.findings.map((f) => [f.status, f.region])).toEqual([
      ['pass', 'global'],
      ['pass', 'global'],
      ['fail', 'ap-east-1'],
    ]);
    expect(checked.result.findings[0]!.message).toContain('2 regions are enabled (opt-in: ap-east-1)');
    const plan = await planStep(checked, ctx, { allowed: ['us-east-1'] });
    expect(plan.actions.map((a) => `${a.service}:${a.operation}`)).toEqual(['account:DisableRegion']);
    expect(plan.actions[0]).toMatchObject({ params: { RegionName: 'ap-east-1' }, destructive: true, inverse: { operation: 'EnableRegion' } });
    expect(plan.guidance).toBeUndefined();
    // Choosing it keeps it: nothing to do.
    expect((await planStep(checked, ctx, { allowed: ['us-east-1', 'ap-east-1'] })).actions.map((a) => a.operation)).toEqual(['CreatePolicyVersion']);
  });

  it('without the Account API (as on moto), the opt-in region is left to a person, and the plan says how (SDK stub)', async () => {
    stubAccount();
    account.on(ListRegionsCommand).rejects(Object.assign(new Error('Not Found'), { name: 'UnknownOperationException', $metadata: { httpStatusCode: 404 } }));
    ec2.on(DescribeRegionsCommand).resolves({
      Regions: [
        { RegionName: 'us-east-1', OptInStatus: 'opt-in-not-required' },
        { RegionName: 'ap-east-1', OptInStatus: 'opted-in' },
        { RegionName: 'me-south-1', OptInStatus: 'not-opted-in' },
        { RegionName: 'cn-north-1', OptInStatus: 'opt-in-not-required' },
      ],
    });
    const ctx = context();
    const checked = await checkStep(entry, ctx);
    expect(checked.result.status).toBe('manual');
    expect(checked.result.findings[0]!.message).toMatch(/2 regions are enabled.*read with EC2 DescribeRegions: this endpoint does not implement/);
    expect(checked.result.findings[2]).toMatchObject({ status: 'manual', region: 'ap-east-1', message: expect.stringContaining('cannot be disabled from here') });
    const plan = await planStep(checked, ctx, { allowed: ['us-east-1'] });
    expect(plan.actions).toEqual([]);
    expect(plan.guidance).toMatch(/`ap-east-1`[\s\S]*AWS Regions[\s\S]*aws account disable-region --region-name ap-east-1/);
  });

  it('a region whose reads are refused is reported as not readable, not as empty (SDK stub)', async () => {
    stubAccount();
    account.on(ListRegionsCommand).resolves({ Regions: [{ RegionName: 'us-east-1', RegionOptStatus: 'ENABLED_BY_DEFAULT' }] });
    ec2.on(DescribeVolumesCommand).rejects(Object.assign(new Error('explicit deny in an identity-based policy'), { name: 'UnauthorizedOperation', $metadata: { httpStatusCode: 403 } }));
    const checked = await checkStep(entry, context());
    expect(checked.result.findings[0]!.message).toContain('1 region could not be read (us-east-1): Access denied');
  });
});
