import {
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  IAMClient,
  TagUserCommand,
} from '@aws-sdk/client-iam';
import { CreateOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { ListInstancesCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context.js';
import { checkStep, planStep } from '../../src/engine/runner.js';
import { applyPlan } from '../../src/engine/runner.js';
import adminIdentity from '../../steps/account/admin-identity/index.js';
import step, { BREAK_GLASS_TAG } from '../../steps/account/identity-center/index.js';
import { useManagedPolicies } from '../helpers/moto.js';
import { inSandbox, isReadRequest, recordCheckAndPlan, runStepCases } from '../helpers/step-tester.js';

// The day-one scenario and the IAM steps attach AWS managed policies (ReadOnlyAccess, AdministratorAccess).
useManagedPolicies();

const entry = { meta: step.meta, load: async () => step };
const USER_ARN = (u: string) => `arn:aws:iam::123456789012:user/${u}`;

const organization = async (ctx: RunContext) => {
  await ctx.client(OrganizationsClient).send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
};

const userWithPassword = (name: string) => async (ctx: RunContext) => {
  const iam = ctx.client(IAMClient);
  await iam.send(new CreateUserCommand({ UserName: name }));
  await iam.send(new CreateLoginProfileCommand({ UserName: name, Password: 'Correct-Horse-42-battery' }));
};

const userWithKey = (name: string) => async (ctx: RunContext) => {
  const iam = ctx.client(IAMClient);
  await iam.send(new CreateUserCommand({ UserName: name }));
  await iam.send(new CreateAccessKeyCommand({ UserName: name }));
};

/** A tagged emergency user; with MFA when asked (moto does not check the codes). */
const breakGlass = (name: string, opts: { mfa: boolean }) => async (ctx: RunContext) => {
  await userWithPassword(name)(ctx);
  const iam = ctx.client(IAMClient);
  await iam.send(new TagUserCommand({ UserName: name, Tags: [{ Key: BREAK_GLASS_TAG, Value: 'true' }] }));
  if (opts.mfa) {
    const device = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: name }));
    await iam.send(
      new EnableMFADeviceCommand({ UserName: name, SerialNumber: device.VirtualMFADevice!.SerialNumber!, AuthenticationCode1: '123456', AuthenticationCode2: '654321' }),
    );
  }
};

const all =
  (...seeds: ((ctx: RunContext) => Promise<void>)[]) =>
  async (ctx: RunContext) => {
    for (const s of seeds) await s(ctx);
  };

async function instanceOf(ctx: RunContext) {
  return (await ctx.client(SSOAdminClient).send(new ListInstancesCommand({}))).Instances![0]!;
}

// Failing cases have no API fix (the plan is guidance only), which StepTester tables cannot state:
// they are checked below with check and plan directly.
runStepCases(step, [
  {
    name: 'an organization instance and no IAM user with a password or key passes',
    seed: organization,
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', region: 'us-east-1', message: expect.stringMatching(/^IAM Identity Center is enabled in us-east-1 \(ssoins-\w+\)/) }],
  },
  {
    name: 'a break-glass user with MFA is accepted',
    seed: all(organization, breakGlass('emergency', { mfa: true })),
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass' }, { status: 'pass', resource: USER_ARN('emergency'), message: expect.stringContaining('break-glass user, kept on purpose with MFA') }],
  },
  {
    name: 'a user with only an access key is left for a person to move to aws configure sso',
    seed: all(organization, userWithKey('ci-deploy')),
    expectStatus: 'manual',
    expectFindings: [{ status: 'pass' }, { status: 'manual', resource: USER_ARN('ci-deploy'), message: expect.stringContaining('1 active access key (never used)') }],
  },
]);

describe('account.identity-center: IAM users who sign in with passwords', () => {
  it('names each of them, and the guidance carries the instance’s start URL in the profile snippet', async () => {
    await inSandbox({}, async (ctx) => {
      ctx.factory.readOnly = false;
      await all(organization, userWithPassword('alice'), userWithPassword('bob'), userWithKey('ci-deploy'))(ctx);
      const instance = await instanceOf(ctx);
      ctx.factory.readOnly = true;
      ctx.invalidate();
      const checked = await checkStep(entry, ctx);
      expect(checked.result.status).toBe('fail');
      expect(checked.result.findings).toEqual([
        expect.objectContaining({ status: 'pass', resource: instance.InstanceArn }),
        expect.objectContaining({ status: 'fail', resource: USER_ARN('alice'), message: expect.stringMatching(/^IAM user alice signs in to the console with a password/) }),
        expect.objectContaining({ status: 'fail', resource: USER_ARN('bob'), message: expect.stringMatching(/^IAM user bob signs in/) }),
        expect.objectContaining({ status: 'manual', resource: USER_ARN('ci-deploy') }),
      ]);

      const plan = await planStep(checked, ctx, undefined);
      expect(plan.actions).toEqual([]);
      const url = `https://${instance.IdentityStoreId}.awsapps.com/start`;
      expect(plan.guidance).toContain('aws configure sso');
      expect(plan.guidance).toContain(
        [`[sso-session my-sso]`, `sso_start_url = ${url}`, 'sso_region = us-east-1', 'sso_registration_scopes = sso:account:access'].join('\n'),
      );
      expect(plan.guidance).toContain(['[profile admin]', 'sso_session = my-sso', 'sso_account_id = 123456789012', 'sso_role_name = AdministratorAccess'].join('\n'));
      expect(plan.guidance).toContain('aws iam delete-login-profile --user-name alice');
      expect(plan.guidance).toContain('aws iam delete-login-profile --user-name bob');
      expect(plan.guidance).not.toContain('Turn on IAM Identity Center');
    });
  });

  it('the day-one seed outside an organization: moto’s instance is an account instance, so the guidance starts with turning one on', async () => {
    await inSandbox({ seed: (ctx) => step.seed!(ctx) }, async (ctx) => {
      const checked = await checkStep(entry, ctx);
      expect(checked.result.status).toBe('fail');
      expect(checked.result.findings.map((f) => [f.status, f.message])).toEqual([
        ['fail', expect.stringContaining('is an account instance')],
        ['fail', expect.stringMatching(/^IAM user dana signs in to the console with a password \(never used\)/)],
        ['manual', expect.stringMatching(/^IAM user ci-deploy has 1 active access key \(never used\)/)],
      ]);
      const plan = await planStep(checked, ctx, undefined);
      expect(plan.actions).toEqual([]);
      expect(plan.guidance).toMatch(/## 1\. Turn on IAM Identity Center[\s\S]*create an organization[\s\S]*## 2\. Give yourself a way in[\s\S]*## 3\. Use it from the command line/);
      expect(plan.guidance).toContain('sso_start_url = https://<your-portal>.awsapps.com/start');
    });
  });

  it('a break-glass user without MFA fails', async () => {
    await inSandbox({ seed: (ctx) => all(organization, breakGlass('emergency', { mfa: false }))(ctx) }, async (ctx) => {
      const checked = await checkStep(entry, ctx);
      expect(checked.result.findings[1]).toMatchObject({ status: 'fail', message: expect.stringContaining('tagged as the break-glass user but has no MFA') });
      // Not a password user to retire: the guidance asks for MFA, not for its password to go.
      const guidance = (await planStep(checked, ctx, undefined)).guidance;
      expect(guidance).toMatch(/## \d\. Give the break-glass user MFA/);
      expect(guidance).not.toContain('delete-login-profile --user-name emergency');
    });
  });
});

describe('account.identity-center and account.admin-identity agree', () => {
  it('the administrator that admin-identity created is named as the interim one to move, not as a stranger’s password', async () => {
    await inSandbox({ seed: (ctx) => all(organization, userWithPassword('dana'))(ctx) }, async (ctx) => {
      // In an organization with Identity Center, admin-identity points to it first, and says what happens to an IAM user made anyway.
      const admin = await checkStep({ meta: adminIdentity.meta, load: async () => adminIdentity }, ctx);
      const plan = await planStep(admin, ctx, { groupName: 'Administrators', userName: 'alex.admin' });
      expect(plan.warnings!.join(' ')).toMatch(/IAM Identity Center is enabled \(us-east-1\).*account\.identity-center names alex\.admin/);
      expect((await applyPlan(adminIdentity.meta.id, plan, ctx, () => undefined)).ok).toBe(true);

      const checked = await checkStep(entry, ctx);
      const about = (u: string) => checked.result.findings.find((f) => f.resource === USER_ARN(u));
      expect(about('alex.admin')).toMatchObject({ status: 'fail', message: expect.stringMatching(/^IAM user alex\.admin is the interim administrator secure-start created \(account\.admin-identity\).*It is the one to move/) });
      expect(about('dana')!.message).toMatch(/^IAM user dana signs in to the console with a password/);
    });
  });
});

describe('account.identity-center: check and plan only read', () => {
  it('one ListInstances (the home region has the instance), the credential report, nothing mutating', async () => {
    const { checked, sent, recorded } = await recordCheckAndPlan(step, { seed: all(organization, userWithPassword('alice')) });
    expect(checked.result.status).toBe('fail');
    expect(recorded.filter((r) => !isReadRequest(r))).toEqual([]);
    expect(sent.filter((s) => s.startsWith('SSOAdmin:'))).toEqual(['SSOAdmin:ListInstances']);
    expect(sent).toContain('IAM:GetCredentialReport');
    expect(sent.filter((s) => s === 'IAM:GetAccountAuthorizationDetails')).toHaveLength(1);
  });
});
