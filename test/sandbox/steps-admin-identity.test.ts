/**
 * account.admin-identity against moto (started with MOTO_IAM_LOAD_MANAGED_POLICIES=true, so
 * AdministratorAccess exists): the StepTester table, the one-time password that must reach no file,
 * plan or journal, undo, and reads only during check and plan.
 *
 * moto ignores PasswordResetRequired on CreateLoginProfile (moto-coverage.md): these tests check
 * that the tool asks for it, not that moto keeps it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachUserPolicyCommand,
  CreateGroupCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  GetLoginProfileCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import {
  AttachManagedPolicyToPermissionSetCommand,
  CreateAccountAssignmentCommand,
  CreatePermissionSetCommand,
  ListInstancesCommand,
  SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context.js';
import { checkStep, planStep } from '../../src/engine/runner.js';
import { REDACTED } from '../../src/engine/types.js';
import type { Plan } from '../../src/engine/types.js';
import { ProgressStore } from '../../src/progress/index.js';
import { applyWithTasks } from '../../src/wizard/apply.js';
import { planView } from '../../src/wizard/render.js';
import step from '../../steps/account/admin-identity/index.js';
import { characterTypes } from '../../steps/account/admin-identity/password.js';
import { resetMoto, useManagedPolicies } from '../helpers/moto.js';
import { inSandbox, isReadRequest, makeSandboxContext, recordCheckAndPlan, runStepCases, SANDBOX_ACCOUNT_ID } from '../helpers/step-tester.js';
import { fixThenUndo } from '../helpers/undo.js';
import { authorizationDetails } from '../../steps/account/_shared/iam-data.js';

// The day-one scenario and the IAM steps attach AWS managed policies (ReadOnlyAccess, AdministratorAccess).
useManagedPolicies();

const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const ACCOUNT = `arn:aws:iam::${SANDBOX_ACCOUNT_ID}:account`;
const INPUTS = { groupName: 'Administrators', userName: 'dana' };
const CREATE_GROUP = 'iam:CreateGroup';
const ATTACH = 'iam:AttachGroupPolicy';
const CREATE_USER = 'iam:CreateUser';
const PASSWORD = 'iam:CreateLoginProfile';
const ADD = 'iam:AddUserToGroup';
const EVERYTHING = [CREATE_GROUP, ATTACH, CREATE_USER, PASSWORD, ADD];

type Seed = (ctx: RunContext) => Promise<void>;
const iamOf = (ctx: RunContext) => ctx.client(IAMClient);

const group =
  (name: string, opts: { admin?: boolean; members?: string[] } = {}): Seed =>
  async (ctx) => {
    const iam = iamOf(ctx);
    await iam.send(new CreateGroupCommand({ GroupName: name }));
    if (opts.admin) await iam.send(new AttachGroupPolicyCommand({ GroupName: name, PolicyArn: ADMIN }));
    for (const m of opts.members ?? []) {
      await iam.send(new CreateUserCommand({ UserName: m }));
      await iam.send(new AddUserToGroupCommand({ GroupName: name, UserName: m }));
    }
  };

const user =
  (name: string, opts: { password?: boolean; directAdmin?: boolean } = {}): Seed =>
  async (ctx) => {
    const iam = iamOf(ctx);
    await iam.send(new CreateUserCommand({ UserName: name }));
    if (opts.password) await iam.send(new CreateLoginProfileCommand({ UserName: name, Password: 'Their-Own-Passw0rd!' }));
    if (opts.directAdmin) await iam.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: ADMIN }));
  };

/** A permission set with AdministratorAccess on moto's ready-made Identity Center instance, assigned in this account or not. */
const identityCenter =
  (assigned: boolean): Seed =>
  async (ctx) => {
    const sso = ctx.client(SSOAdminClient);
    const instanceArn = (await sso.send(new ListInstancesCommand({}))).Instances![0]!.InstanceArn!;
    const set = await sso.send(new CreatePermissionSetCommand({ InstanceArn: instanceArn, Name: 'AdministratorAccess' }));
    const permissionSetArn = set.PermissionSet!.PermissionSetArn!;
    await sso.send(new AttachManagedPolicyToPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: permissionSetArn, ManagedPolicyArn: ADMIN }));
    if (assigned)
      await sso.send(
        new CreateAccountAssignmentCommand({
          InstanceArn: instanceArn,
          PermissionSetArn: permissionSetArn,
          TargetId: SANDBOX_ACCOUNT_ID,
          TargetType: 'AWS_ACCOUNT',
          PrincipalType: 'GROUP',
          PrincipalId: 'g-0123456789',
        }),
      );
  };

const both =
  (...seeds: Seed[]): Seed =>
  async (ctx) => {
    for (const s of seeds) await s(ctx);
  };

const DANA_ADMIN = { status: 'pass' as const, resource: `arn:aws:iam::${SANDBOX_ACCOUNT_ID}:group/Administrators`, message: 'Group Administrators has AdministratorAccess and 1 member: dana.' };

runStepCases(step, [
  {
    name: 'an empty account: the group, its policy, the user, a password and the membership are all created',
    inputs: INPUTS,
    expectStatus: 'fail',
    expectFindings: [
      {
        status: 'fail',
        resource: ACCOUNT,
        region: 'global',
        // moto's ready-made Identity Center instance is seen, and does not count on its own.
        message: expect.stringMatching(/^Only the root user can administer this account: .*IAM Identity Center \(us-east-1\) assigns no permission set with AdministratorAccess/),
      },
    ],
    expectOperations: EVERYTHING,
    expectFindingsAfter: [DANA_ADMIN],
  },
  {
    name: 'the day-one seed (an administrators group with nobody in it) fails, and the group is reused',
    seed: (ctx) => step.seed!(ctx),
    inputs: INPUTS,
    expectStatus: 'fail',
    expectFindings: [{ status: 'fail', message: expect.stringContaining('Administrators has AdministratorAccess but no members.') }],
    expectOperations: [CREATE_USER, PASSWORD, ADD],
    expectFindingsAfter: [DANA_ADMIN],
  },
  {
    name: 'a group name in another case is the existing group (IAM names ignore case)',
    seed: (ctx) => step.seed!(ctx),
    inputs: { groupName: 'administrators', userName: 'dana' },
    expectStatus: 'fail',
    expectOperations: [CREATE_USER, PASSWORD, ADD],
    expectFindingsAfter: [DANA_ADMIN],
  },
  {
    name: 'an existing empty group without AdministratorAccess gets it attached',
    seed: group('Ops'),
    inputs: { groupName: 'Ops', userName: 'dana' },
    expectStatus: 'fail',
    expectOperations: [ATTACH, CREATE_USER, PASSWORD, ADD],
    expectFindingsAfter: [{ status: 'pass', message: 'Group Ops has AdministratorAccess and 1 member: dana.' }],
  },
  {
    name: 'a group with members but without AdministratorAccess does not count',
    seed: group('Developers', { members: ['ann'] }),
    inputs: INPUTS,
    expectStatus: 'fail',
    expectOperations: EVERYTHING,
    expectFindingsAfter: [DANA_ADMIN],
  },
  {
    name: 'an existing user without a console password gets one and joins the group',
    seed: user('erin'),
    inputs: { userName: 'erin' },
    expectStatus: 'fail',
    expectOperations: [CREATE_GROUP, ATTACH, PASSWORD, ADD],
    expectFindingsAfter: [{ status: 'pass', message: 'Group Administrators has AdministratorAccess and 1 member: erin.' }],
  },
  {
    name: 'an existing user with a console password keeps it',
    seed: user('frank', { password: true }),
    inputs: { groupName: 'Administrators', userName: 'frank' },
    expectStatus: 'fail',
    expectOperations: [CREATE_GROUP, ATTACH, ADD],
  },
  {
    name: 'AdministratorAccess attached directly to a user is not an administrators group',
    seed: user('gus', { password: true, directAdmin: true }),
    inputs: { groupName: 'Administrators', userName: 'gus' },
    expectStatus: 'fail',
    expectFindings: [{ status: 'fail', message: expect.stringContaining('gus has AdministratorAccess attached directly rather than through a group') }],
    expectOperations: [CREATE_GROUP, ATTACH, ADD],
  },
  {
    name: 'an administrators group with a member passes and plans nothing',
    seed: group('Admins', { admin: true, members: ['hana', 'ivo'] }),
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', resource: `arn:aws:iam::${SANDBOX_ACCOUNT_ID}:group/Admins`, region: 'global', message: 'Group Admins has AdministratorAccess and 2 members: hana, ivo.' }],
  },
  {
    name: 'IAM Identity Center assigning AdministratorAccess in this account passes',
    seed: identityCenter(true),
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', region: 'us-east-1', message: expect.stringContaining('IAM Identity Center gives administrator access to this account') }],
  },
  {
    name: 'an Identity Center permission set with AdministratorAccess assigned to no one does not count',
    seed: both(identityCenter(false), user('dana')),
    inputs: INPUTS,
    expectStatus: 'fail',
    expectOperations: [CREATE_GROUP, ATTACH, PASSWORD, ADD],
    expectFindingsAfter: [DANA_ADMIN],
  },
]);

async function fresh(seed?: Seed): Promise<RunContext> {
  await resetMoto();
  const ctx = makeSandboxContext();
  if (seed) {
    ctx.factory.readOnly = false;
    await seed(ctx);
    ctx.factory.readOnly = true;
    ctx.invalidate();
  }
  return ctx;
}

const entry = { meta: step.meta, load: async () => step };

async function planFor(ctx: RunContext, inputs: unknown = INPUTS): Promise<Plan> {
  return planStep(await checkStep(entry, ctx), ctx, inputs);
}

describe('account.admin-identity: the first password is shown once and written nowhere', () => {
  it('the plan shows Password: «redacted», applying returns it once with the sign-in URL, and the progress file never holds it', async () => {
    const ctx = await fresh();
    const dir = await mkdtemp(join(tmpdir(), 'secure-start-admin-identity-'));
    const file = join(dir, 'progress.json');
    const progress = await ProgressStore.open(file, { accountId: SANDBOX_ACCOUNT_ID, sandbox: true });
    try {
      const plan = await planFor(ctx);
      const login = plan.actions.find((a) => a.operation === 'CreateLoginProfile')!;
      expect(login.params).toEqual({ UserName: 'dana', Password: REDACTED, PasswordResetRequired: true });
      expect(login.inverse).toMatchObject({ operation: 'DeleteLoginProfile', params: { UserName: 'dana' } });
      expect(plan.actions.every((a) => a.inverse)).toBe(true);
      const before = planView(step.meta, plan, 100);
      expect(before).toContain(`"Password": "${REDACTED}"`);

      // The real apply path of the wizard and of fix --yes: one task per action, each journalled and saved.
      const outcome = await applyWithTasks(step.meta.id, plan, ctx, progress, { renderer: 'silent' });
      expect(outcome.ok).toBe(true);
      progress.recordStep(step.meta.id, { status: 'fixed', inputs: INPUTS });
      await progress.save();

      expect(outcome.secrets).toEqual([
        { label: 'Console password for dana (to be changed at first sign-in)', value: expect.any(String) },
        { label: 'Console sign-in URL', value: `https://${SANDBOX_ACCOUNT_ID}.signin.aws.amazon.com/console` },
      ]);
      const password = outcome.secrets[0]!.value;
      expect(password.length).toBeGreaterThanOrEqual(20);
      expect(characterTypes(password)).toEqual({ upper: true, lower: true, digit: true, symbol: true });

      const stored = await readFile(file, 'utf8');
      expect(stored).not.toContain(password);
      const journal = (JSON.parse(stored) as { journal: { operation: string; params: Record<string, unknown>; output?: unknown }[] }).journal;
      expect(journal.map((j) => j.operation)).toEqual(['CreateGroup', 'AttachGroupPolicy', 'CreateUser', 'CreateLoginProfile', 'AddUserToGroup']);
      expect(journal[3]).toMatchObject({ params: { UserName: 'dana', Password: REDACTED, PasswordResetRequired: true }, output: { UserName: 'dana', PasswordResetRequired: true } });

      // The plan, as printed or as `plan --format json` would serialise it, never held it either.
      expect(JSON.stringify(plan.actions.map((a) => ({ params: a.params, inverse: a.inverse })))).not.toContain(password);
      expect(planView(step.meta, plan, 100)).not.toContain(password);

      // The login profile exists (moto does not keep PasswordResetRequired; AWS does).
      const profile = await iamOf(ctx).send(new GetLoginProfileCommand({ UserName: 'dana' }));
      expect(profile.LoginProfile?.UserName).toBe('dana');
    } finally {
      await progress.close();
      ctx.factory.destroy();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('each apply makes a new password', async () => {
    const seen = new Set<string>();
    for (const name of ['kim', 'lee']) {
      const ctx = await fresh();
      try {
        const plan = await planFor(ctx, { userName: name });
        const login = plan.actions.find((a) => a.operation === 'CreateLoginProfile')!;
        ctx.factory.readOnly = false;
        for (const a of plan.actions.slice(0, plan.actions.indexOf(login))) await a.run(ctx);
        const out = await login.run(ctx);
        seen.add(out!.secrets![0]!.value);
      } finally {
        ctx.factory.destroy();
      }
    }
    expect(seen.size).toBe(2);
  });
});

describe('account.admin-identity: undo', () => {
  /** dana enrols a virtual MFA device: she has started to use the administrator the fix made. */
  const danaEnrolsMfa = async (ctx: RunContext) => {
    const iam = iamOf(ctx);
    const device = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'dana' }));
    await iam.send(new EnableMFADeviceCommand({ UserName: 'dana', SerialNumber: device.VirtualMFADevice!.SerialNumber!, AuthenticationCode1: '123456', AuthenticationCode2: '654321' }));
  };

  it('removes the membership, the password, the user, the policy and the group it made, newest first; the check reads as before', async () => {
    await inSandbox({ seed: group('Developers', { members: ['ann'] }) }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, INPUTS);
      expect(run.items.map((i) => i.kind)).toEqual(['undo', 'undo', 'undo', 'undo', 'undo']);
      expect(run.journal.slice(5).map((e) => [e.operation, e.undoes])).toEqual([
        ['RemoveUserFromGroup', 4],
        ['DeleteLoginProfile', 3],
        ['DeleteUser', 2],
        ['DetachGroupPolicy', 1],
        ['DeleteGroup', 0],
      ]);
      expect(run.journal[0]!.output).toEqual({ leaves: { members: ['dana'], managed: [ADMIN] } });
      expect(run.journal[3]!.output).toMatchObject({ UserName: 'dana', createdAt: expect.any(String) });
      expect(run.afterUndo).toEqual(run.before);
    });
  });

  it('an existing group and user: only the password and the membership the fix added go', async () => {
    await inSandbox({ seed: both((ctx) => step.seed!(ctx), user('erin')) }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, { groupName: 'Administrators', userName: 'erin' });
      expect(run.journal.slice(2).map((e) => e.operation)).toEqual(['RemoveUserFromGroup', 'DeleteLoginProfile']);
      expect(run.afterUndo).toEqual(run.before);
      expect((await authorizationDetails(ctx)).UserDetailList.map((u) => u.UserName)).toEqual(['erin']);
    });
  });

  it('leaves everything when the administrator it made has enrolled MFA since: drifted, and says why', async () => {
    await inSandbox({}, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, INPUTS, { between: danaEnrolsMfa });
      expect(run.items.map((i) => i.kind)).toEqual(['drifted', 'drifted', 'drifted', 'drifted', 'drifted']);
      for (const i of run.items) expect(i).toMatchObject({ reason: expect.stringContaining('dana has enrolled an MFA device since the fix') });
      expect(run.journal.some((e) => e.undoes !== undefined)).toBe(false);
      expect(run.afterUndo).toEqual(run.afterFix);
    });
  });

  it('keeps a group it made that someone else joined since, with its AdministratorAccess; the user it made goes', async () => {
    await inSandbox({ seed: user('zoe') }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, INPUTS, {
        between: async (c) => void (await iamOf(c).send(new AddUserToGroupCommand({ GroupName: 'Administrators', UserName: 'zoe' }))),
      });
      expect(run.items.map((i) => [i.entry.operation, i.kind])).toEqual([
        ['AddUserToGroup', 'undo'],
        ['CreateLoginProfile', 'undo'],
        ['CreateUser', 'undo'],
        ['AttachGroupPolicy', 'drifted'],
        ['CreateGroup', 'drifted'],
      ]);
      expect(run.items[4]).toMatchObject({ reason: expect.stringContaining('zoe') });
      const details = await authorizationDetails(ctx);
      expect(details.UserDetailList.map((u) => [u.UserName, u.GroupList])).toEqual([['zoe', ['Administrators']]]);
      expect(details.GroupDetailList.map((g) => [g.GroupName, g.AttachedManagedPolicies?.map((x) => x.PolicyArn)])).toEqual([['Administrators', [ADMIN]]]);
    });
  });
  // A password set again since the fix (a new login profile) is refused too (its CreateDate differs from the
  // journal's); moto cannot show it: its login profile's CreateDate is always the user's.
});

describe('account.admin-identity: check and plan change nothing', () => {
  it('sends only reads, as the factory and moto’s recorder both see it, with no per-user call in the check', async () => {
    const { checked, plan, sent, recorded } = await recordCheckAndPlan(step, {
      seed: both(user('erin'), user('finn'), user('gail'), group('Developers', { members: ['hal'] })),
      inputs: { userName: 'erin' },
    });
    expect(checked.result.status).toBe('fail');
    expect(plan.actions.length).toBeGreaterThan(0);
    const allowed = [
      'IAM:GetAccountAuthorizationDetails',
      // Only for the one user the plan makes an administrator.
      'IAM:GetLoginProfile',
      'SSOAdmin:ListAccountAssignments',
      'SSOAdmin:ListInstances',
      'SSOAdmin:ListManagedPoliciesInPermissionSet',
      'SSOAdmin:ListPermissionSets',
      // Whether Identity Center can give the access (an organization's instance): shared with other account steps.
      'Organizations:DescribeOrganization',
    ];
    expect(sent.filter((op) => !allowed.includes(op))).toEqual([]);
    expect(sent).toEqual(expect.arrayContaining(['IAM:GetAccountAuthorizationDetails', 'SSOAdmin:ListInstances', 'SSOAdmin:ListPermissionSets']));
    expect(sent.filter((s) => s === 'IAM:GetLoginProfile')).toHaveLength(1);
    expect(recorded.filter((r) => !isReadRequest(r))).toEqual([]);
  });
});

describe('account.admin-identity: seed', () => {

  it('can run twice (other scenario seeds may make the same group)', async () => {
    const ctx = await fresh();
    try {
      ctx.factory.readOnly = false;
      await step.seed!(ctx);
      await step.seed!(ctx);
      ctx.factory.readOnly = true;
      ctx.invalidate();
      expect((await checkStep(entry, ctx)).result.status).toBe('fail');
    } finally {
      ctx.factory.destroy();
    }
  });
});
