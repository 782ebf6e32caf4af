/**
 * account.identity-center: the walk-through and profile snippet (pure), and the cases moto cannot
 * express, stubbed at the SDK level (aws-sdk-client-mock) as each test name says: moto has an
 * Identity Center instance in every region, so "none anywhere" and a member account seeing its
 * organization's instance exist here only as stubs.
 */
import { GenerateCredentialReportCommand, GetAccountAuthorizationDetailsCommand, GetCredentialReportCommand, IAMClient } from '@aws-sdk/client-iam';
import { AWSOrganizationsNotInUseException, DescribeOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { ListInstancesCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClientFactory } from '../../src/aws/factory.js';
import { RunContext } from '../../src/engine/context.js';
import { checkStep, planStep } from '../../src/engine/runner.js';
import { PLACEHOLDER_URL, configSnippet, defaultStartUrl, guidanceMarkdown } from '../../steps/account/identity-center/guidance.js';
import type { InstanceInfo } from '../../steps/account/identity-center/guidance.js';
import step from '../../steps/account/identity-center/index.js';

const ACCOUNT = '111122223333';
const INSTANCE: InstanceInfo = {
  arn: 'arn:aws:sso:::instance/ssoins-1234567890abcdef',
  id: 'ssoins-1234567890abcdef',
  region: 'eu-central-1',
  identityStoreId: 'd-9067abcdef',
  startUrl: 'https://d-9067abcdef.awsapps.com/start',
  kind: 'organization',
};

describe('account.identity-center: the walk-through', () => {
  it('the portal’s default address comes from the identity store id', () => {
    expect(defaultStartUrl('d-9067abcdef')).toBe('https://d-9067abcdef.awsapps.com/start');
  });

  it('the ~/.aws/config snippet names the instance’s start URL and region, this account and the home region', () => {
    expect(configSnippet({ accountId: ACCOUNT, homeRegion: 'eu-west-1', instance: INSTANCE })).toBe(
      [
        '[sso-session my-sso]',
        'sso_start_url = https://d-9067abcdef.awsapps.com/start',
        'sso_region = eu-central-1',
        'sso_registration_scopes = sso:account:access',
        '',
        '[profile admin]',
        'sso_session = my-sso',
        `sso_account_id = ${ACCOUNT}`,
        'sso_role_name = AdministratorAccess',
        'region = eu-west-1',
        'output = json',
      ].join('\n'),
    );
  });

  it('without a usable instance the snippet has placeholders, and the walk-through starts by turning Identity Center on', () => {
    const md = guidanceMarkdown({ accountId: ACCOUNT, homeRegion: 'eu-west-1', inOrganization: false, passwordUsers: [], keyUsers: [] });
    expect(md).toContain(`sso_start_url = ${PLACEHOLDER_URL}`);
    expect(md).toContain('sso_region = eu-west-1');
    expect(md).toMatch(/^## 1\. Turn on IAM Identity Center[\s\S]*create an organization[\s\S]*## 2\. Give yourself a way in[\s\S]*## 3\. Use it from the command line/);
    expect(md).not.toContain('Retire IAM passwords');
  });

  it('with an organization instance it skips turning it on and ends with retiring passwords and keys', () => {
    const md = guidanceMarkdown({ accountId: ACCOUNT, homeRegion: 'eu-west-1', inOrganization: true, instance: INSTANCE, passwordUsers: ['alice'], keyUsers: ['ci'] });
    expect(md).not.toContain('Turn on IAM Identity Center');
    expect(md).toMatch(/^## 1\. Give yourself a way in[\s\S]*## 2\. Use it from the command line[\s\S]*## 3\. Retire IAM passwords and keys/);
    expect(md).toContain('**SSO start URL**: `https://d-9067abcdef.awsapps.com/start`');
    expect(md).toContain('aws iam delete-login-profile --user-name alice');
    expect(md).toContain('access keys of `ci`');
    expect(md).toContain('`secure-start:break-glass` = `true`');
  });
});

// ---- stubbed ----

const sso = mockClient(SSOAdminClient);
const orgs = mockClient(OrganizationsClient);
const iam = mockClient(IAMClient);
const contexts: RunContext[] = [];
const entry = { meta: step.meta, load: async () => step };

const HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,' +
  'access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,' +
  'access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,' +
  'cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';
const ROOT_ROW = `<root_account>,arn:aws:iam::${ACCOUNT}:root,2024-01-02T10:00:00+00:00,not_supported,2026-11-01T09:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`;
const KEY_ROW = `deployer,arn:aws:iam::${ACCOUNT}:user/deployer,2025-01-02T10:00:00+00:00,false,N/A,N/A,N/A,false,true,2025-01-02T10:00:00+00:00,2026-11-20T08:00:00+00:00,us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`;

function context(regions: string[]): RunContext {
  const factory = new ClientFactory({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'test-secret' },
    maxAttempts: 1,
    userAgent: 'secure-start-test',
  });
  const ctx = new RunContext(
    { accountId: ACCOUNT, principalArn: `arn:aws:iam::${ACCOUNT}:user/deployer`, isRoot: false, sandbox: false, partition: 'aws', homeRegion: 'us-east-1' },
    factory,
    async () => regions,
  );
  contexts.push(ctx);
  return ctx;
}

function report(...rows: string[]): void {
  iam.on(GenerateCredentialReportCommand).resolves({ State: 'COMPLETE' });
  iam.on(GetCredentialReportCommand).resolves({ Content: new TextEncoder().encode([HEADER, ROOT_ROW, ...rows].join('\n')), ReportFormat: 'text/csv' });
  iam.on(GetAccountAuthorizationDetailsCommand).resolves({ UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [] });
}

beforeEach(() => {
  for (const m of [sso, orgs, iam]) m.reset();
});
afterEach(() => {
  for (const c of contexts.splice(0)) c.factory.destroy();
});
afterAll(() => {
  for (const m of [sso, orgs, iam]) m.restore();
});

describe('account.identity-center: where moto always has an instance (SDK stubs)', () => {
  it('no instance in the home region or the run’s regions fails, naming where it looked (SDK stub)', async () => {
    sso.on(ListInstancesCommand).resolves({ Instances: [] });
    orgs.on(DescribeOrganizationCommand).rejects(new AWSOrganizationsNotInUseException({ message: 'no', $metadata: {} }));
    report();
    const ctx = context(['us-east-1', 'eu-west-1', 'eu-central-1']);
    const checked = await checkStep(entry, ctx);
    expect(checked.result.findings).toEqual([
      expect.objectContaining({ status: 'fail', message: 'IAM Identity Center is not enabled: no instance in us-east-1, eu-west-1, eu-central-1.' }),
    ]);
    expect(sso.commandCalls(ListInstancesCommand)).toHaveLength(3);
    const plan = await planStep(checked, ctx, undefined);
    expect(plan.actions).toEqual([]);
    expect(plan.guidance).toContain('## 1. Turn on IAM Identity Center');
  });

  it('a member account finds its organization’s instance in another region, and the caller’s own key is pointed out (SDK stub)', async () => {
    // The home region has none; eu-central-1 has the organization's instance, owned by the management account.
    let call = 0;
    sso.on(ListInstancesCommand).callsFake(async () => {
      call++;
      return call === 1
        ? { Instances: [] }
        : { Instances: [{ InstanceArn: INSTANCE.arn, IdentityStoreId: INSTANCE.identityStoreId, OwnerAccountId: '999988887777', Status: 'ACTIVE' }] };
    });
    orgs.on(DescribeOrganizationCommand).resolves({ Organization: { Id: 'o-abc', MasterAccountId: '999988887777', FeatureSet: 'ALL' } });
    report(KEY_ROW);
    const ctx = context(['eu-central-1']);
    const checked = await checkStep(entry, ctx);
    expect(checked.result.status).toBe('manual');
    expect(checked.result.findings).toEqual([
      expect.objectContaining({ status: 'pass', region: 'eu-central-1', message: expect.stringContaining('https://d-9067abcdef.awsapps.com/start') }),
      expect.objectContaining({ status: 'manual', message: expect.stringContaining('(last used 2026-11-20)') }),
    ]);
    expect(checked.result.findings[1]!.message).toContain('These are the credentials this run uses.');
    const plan = await planStep(checked, ctx, undefined);
    expect(plan.guidance).toContain('sso_start_url = https://d-9067abcdef.awsapps.com/start\nsso_region = eu-central-1');
  });
});
