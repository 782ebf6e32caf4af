/**
 * account.admin-identity without the emulator: the password generator, the inputs schema, the
 * questions (scripted), the plan from given findings, and through SDK stubs what moto cannot show
 * (a root caller, Identity Center refusing access, a password policy longer than the default).
 */
import {
  CreateLoginProfileCommand,
  GetAccountAuthorizationDetailsCommand,
  GetAccountPasswordPolicyCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { AWSOrganizationsNotInUseException, DescribeOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { ListInstancesCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClientFactory } from '../../src/aws/factory.js';
import { RunContext } from '../../src/engine/context.js';
import { resolveInputs } from '../../src/engine/inputs.js';
import { checkStep } from '../../src/engine/runner.js';
import { REDACTED } from '../../src/engine/types.js';
import type { Finding, StepContext } from '../../src/engine/types.js';
import step from '../../steps/account/admin-identity/index.js';
import type { AdminIdentityInputs } from '../../steps/account/admin-identity/index.js';
import { characterTypes, generatePassword } from '../../steps/account/admin-identity/password.js';
import { ScriptedAsker } from '../helpers/step-tester.js';
import type { ScriptedAnswer } from '../helpers/step-tester.js';

const spec = step.inputs!;
const ACCOUNT = '111122223333';
const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';

interface Group {
  name: string;
  admin?: boolean;
  members?: string[];
}
interface User {
  name: string;
  directAdmin?: boolean;
}

/** The check's failing finding, holding what it read (`identityCenter`: instance regions, and whether in an organization). */
function failing(groups: Group[] = [], users: User[] = [], identityCenter?: { regions: string[]; organization: boolean }): Finding[] {
  return [
    {
      status: 'fail',
      resource: `arn:aws:iam::${ACCOUNT}:account`,
      region: 'global',
      message: '…',
      data: {
        kind: 'inventory',
        groups: groups.map((g) => ({ name: g.name, arn: `arn:aws:iam::${ACCOUNT}:group/${g.name}`, admin: !!g.admin, members: g.members ?? [] })),
        users: users.map((u) => ({ name: u.name, directAdmin: !!u.directAdmin })),
        ...(identityCenter ? { identityCenter } : {}),
      },
    },
  ];
}
const ORG_INSTANCE = { regions: ['eu-west-1'], organization: true };

/** plan() reads AWS only for an existing user's login profile; these contexts refuse any call. */
function noAws(opts: { isRoot?: boolean; sandbox?: boolean } = {}): StepContext {
  return {
    target: {
      accountId: ACCOUNT,
      principalArn: opts.isRoot ? `arn:aws:iam::${ACCOUNT}:root` : `arn:aws:iam::${ACCOUNT}:user/alice`,
      isRoot: !!opts.isRoot,
      sandbox: !!opts.sandbox,
      partition: 'aws',
      homeRegion: 'us-east-1',
    },
    regions: async () => ['us-east-1'],
    client: () => {
      throw new Error('no AWS in this test');
    },
    shared: (_key, load) => load(),
  };
}

async function ask(script: ScriptedAnswer[], findings: Finding[], initial?: AdminIdentityInputs) {
  const asker = new ScriptedAsker(script);
  const result = await spec.ask(asker, initial ?? spec.defaults(findings), findings);
  expect(asker.remaining, 'every scripted answer was used').toBe(0);
  expect(spec.schema.safeParse(result).success, 'the result passes the schema').toBe(true);
  return { result, asker };
}

describe('account.admin-identity: the generated password', () => {
  it('is 20 characters of all four types by default, without look-alikes, and never repeats', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const p = generatePassword();
      expect(p).toHaveLength(20);
      expect(characterTypes(p)).toEqual({ upper: true, lower: true, digit: true, symbol: true });
      expect(p).toMatch(/^[A-HJ-NP-Za-km-z2-9!@#$%^&*()_+\-=[\]{}]+$/);
      seen.add(p);
    }
    expect(seen.size).toBe(500);
  });

  it('is never shorter than 14 nor longer than IAM allows', () => {
    expect(generatePassword(8)).toHaveLength(14);
    expect(generatePassword(32)).toHaveLength(32);
    expect(generatePassword(500)).toHaveLength(128);
  });

  it('uses every symbol of its alphabet (no bias towards the start)', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 400; i++) for (const ch of generatePassword(40)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(24 + 25 + 8 + 18);
  });
});

describe('account.admin-identity: inputs', () => {
  it('takes the answers-file shape, with the group optional', () => {
    expect(spec.schema.parse({ groupName: 'Administrators', userName: 'jane.doe' })).toEqual({ groupName: 'Administrators', userName: 'jane.doe' });
    expect(spec.schema.parse({ userName: ' jane.doe ' })).toEqual({ userName: 'jane.doe' });
  });

  it('refuses names IAM would refuse, with the validator’s words, and unknown fields', () => {
    const bad = spec.schema.safeParse({ groupName: 'Admins', userName: 'jane doe' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.message).toMatch(/may contain only letters, digits/);
    expect(spec.schema.safeParse({ groupName: 'x'.repeat(129), userName: 'jane' }).success).toBe(false);
    expect(spec.schema.safeParse({ userName: 'jane', password: 'x' }).success).toBe(false);
  });

  it('needs an answers entry under fix --yes: a person’s name is not made up', () => {
    expect(spec.requiredInAnswers).toBe(true);
    const resolved = resolveInputs(step, failing(), undefined);
    expect(resolved).toMatchObject({ ok: false, message: expect.stringContaining('account.admin-identity') });
    expect(spec.defaults([])).toEqual({ groupName: 'Administrators', userName: '' });
    expect(spec.defaults(failing([{ name: 'Admins', admin: true }]))).toEqual({ groupName: 'Admins', userName: '' });
  });
});

describe('account.admin-identity: questions', () => {
  it('in an empty account asks two names, Administrators by default, and re-asks an invalid user name', async () => {
    const { result, asker } = await ask([{ text: '' }, { text: 'jane doe' }, { text: 'jane.doe' }], failing());
    expect(result).toEqual({ groupName: 'Administrators', userName: 'jane.doe' });
    expect(asker.asked.map((q) => q.kind)).toEqual(['text', 'text']);
    expect(asker.asked[0]).toMatchObject({ default: 'Administrators' });
    expect(asker.asked[1]!.rejected).toEqual([{ answer: 'jane doe', message: expect.stringMatching(/no spaces/) }]);
  });

  it('offers an existing administrators group and existing users, direct administrators first', async () => {
    const findings = failing(
      [{ name: 'Administrators', admin: true }, { name: 'Developers', members: ['ann'] }],
      [{ name: 'ann' }, { name: 'bob', directAdmin: true }],
    );
    const { result, asker } = await ask([{ select: null }, { select: 'bob' }], findings);
    expect(result).toEqual({ groupName: 'Administrators', userName: 'bob' });
    expect(asker.asked[0]!.choices).toEqual([
      'Administrators (has AdministratorAccess, no members yet)',
      'Another group (new, or an existing one to make an administrators group)',
    ]);
    expect(asker.asked[1]!.choices).toEqual(['A new IAM user with a console password', 'bob (has AdministratorAccess attached directly)', 'ann']);
  });

  it('warns before making every member of an existing group an administrator, and lets the person pick another', async () => {
    const findings = failing([{ name: 'Developers', members: ['ann', 'carl'] }]);
    const { result, asker } = await ask([{ text: 'developers' }, { confirm: null }, { text: 'Admins' }, { text: 'jane' }], findings);
    expect(result.groupName).toBe('Admins');
    expect(asker.asked[1]).toMatchObject({ kind: 'confirm', default: false, message: expect.stringContaining('Developers already exists with 2 members (ann, carl)') });
  });

  it('keeps the existing spelling of a group chosen in another case', async () => {
    const findings = failing([{ name: 'Developers', members: ['ann'] }]);
    const { result } = await ask([{ text: 'DEVELOPERS' }, { confirm: true }, { text: 'jane' }], findings);
    expect(result.groupName).toBe('Developers');
  });

  it('refuses a new user name that already exists, pointing to the list', async () => {
    const findings = failing([], [{ name: 'ann' }]);
    const { result, asker } = await ask([{ text: '' }, { select: null }, { text: 'ANN' }, { text: 'jane' }], findings);
    expect(result.userName).toBe('jane');
    expect(asker.asked[2]!.rejected[0]!.message).toMatch(/ann already exists: pick it from the list/);
  });

  it('with many users, offers fifteen and takes another existing one by name', async () => {
    const users = Array.from({ length: 20 }, (_, i) => ({ name: `user${String(i).padStart(2, '0')}` }));
    const { result, asker } = await ask([{ text: '' }, { select: ' other' }, { text: 'nobody' }, { text: 'User19' }], failing([], users));
    expect(result.userName).toBe('user19');
    expect(asker.asked[1]!.choices).toHaveLength(1 + 15 + 1);
    expect(asker.asked[1]!.choices!.at(-1)).toBe('Another existing user (5 more; type the name)');
    expect(asker.asked[2]!.rejected[0]!.message).toBe('There is no IAM user called nobody.');
  });

  it('asks nothing when an administrator exists (the step only asks root to step aside)', async () => {
    const findings: Finding[] = [
      { status: 'pass', resource: 'g', region: 'global', message: '…', data: { kind: 'admin-group', group: 'Admins', members: ['hana'] } },
      { status: 'manual', resource: 'r', region: 'global', message: '…', data: { kind: 'root-caller' } },
    ];
    const { result, asker } = await ask([], findings);
    expect(result).toEqual({ groupName: 'Admins', userName: 'hana' });
    expect(asker.notes).toEqual(['An administrator other than root already exists: nothing to create.']);
  });
});

describe('account.admin-identity: the Identity Center path', () => {
  it('is offered first, and chosen by default, where an organization instance can give the access', async () => {
    const { result, asker } = await ask([{ select: null }], failing([], [], ORG_INSTANCE));
    expect(result).toEqual({ via: 'identity-center' });
    expect(asker.asked[0]!.choices).toEqual([
      'Through IAM Identity Center, enabled in eu-west-1 (recommended: short-lived sign-ins, people managed in one place)',
      'An IAM group and user with a console password',
    ]);
  });

  it('still leads to the IAM group and user when the person picks that', async () => {
    const { result } = await ask([{ select: 'iam-user' }, { text: '' }, { text: 'jane' }], failing([], [], ORG_INSTANCE));
    expect(result).toEqual({ groupName: 'Administrators', userName: 'jane' });
  });

  it('is not offered for an account instance outside an organization (it cannot sign people in to accounts)', async () => {
    const { asker } = await ask([{ text: '' }, { text: 'jane' }], failing([], [], { regions: ['us-east-1'], organization: false }));
    expect(asker.asked.map((q) => q.kind)).toEqual(['text', 'text']);
  });

  it('plans no change and walks the person through the permission set instead', async () => {
    const plan = await step.plan(noAws(), failing([], [], ORG_INSTANCE), { via: 'identity-center' });
    expect(plan.actions).toEqual([]);
    expect(plan.guidance).toMatch(/IAM Identity Center console in eu-west-1/);
    expect(plan.guidance).toMatch(/\*\*AdministratorAccess\*\*/);
    expect(plan.guidance).toContain(`this account (${ACCOUNT})`);
  });

  it('warns, when an IAM user is made anyway, that Identity Center is the better path and that account.identity-center will name the user', async () => {
    const plan = await step.plan(noAws(), failing([], [], ORG_INSTANCE), { userName: 'jane' });
    expect(plan.warnings!.join(' ')).toMatch(/IAM Identity Center is enabled \(eu-west-1\).*account\.identity-center names jane as the IAM user to retire/);
  });

  it('tags the user it creates, so account.identity-center can tell it from the people already there', async () => {
    const plan = await step.plan(noAws(), failing(), { userName: 'jane' });
    expect(plan.actions.find((a) => a.operation === 'CreateUser')!.params).toEqual({
      UserName: 'jane',
      Tags: [{ Key: 'secure-start:created-by', Value: 'account.admin-identity' }],
    });
  });

  it('takes "via": "identity-center" without a user name in an answers file, and still needs a name otherwise', () => {
    expect(spec.schema.safeParse({ via: 'identity-center' }).success).toBe(true);
    expect(spec.schema.safeParse({ groupName: 'Administrators' }).success).toBe(false);
    expect(spec.schema.safeParse({ via: 'sso' }).success).toBe(false);
  });
});

describe('account.admin-identity: plan', () => {
  const ops = (p: { actions: { operation: string }[] }) => p.actions.map((a) => a.operation);

  it('states the risk of promoting an existing user, not of creating one', async () => {
    const plan = await step.plan(noAws(), failing([{ name: 'Administrators', admin: true }], [{ name: 'ann' }]), { userName: 'ann' }).catch((e: Error) => e);
    // An existing user's console password is looked up, and this context has no AWS: the plan asks for it.
    expect(plan).toBeInstanceOf(Error);
    const ctx = { ...noAws(), client: () => ({ send: async () => ({ LoginProfile: { UserName: 'ann' } }), destroy() {} }) } as unknown as StepContext;
    const withLogin = await step.plan(ctx, failing([{ name: 'Administrators', admin: true }], [{ name: 'ann' }]), { userName: 'ann' });
    expect(withLogin.risk).toMatch(/^Makes the existing IAM user ann a full administrator.*keeps its current console password/);
    expect(withLogin.risk).not.toMatch(/Creates/);
    const fresh = await step.plan(noAws(), failing(), { userName: 'jane' });
    expect(fresh.risk).toBeUndefined();
  });

  it('shows the password as «redacted» and gives every action its inverse', async () => {
    const plan = await step.plan(noAws(), failing(), { groupName: 'Administrators', userName: 'jane' });
    expect(ops(plan)).toEqual(['CreateGroup', 'AttachGroupPolicy', 'CreateUser', 'CreateLoginProfile', 'AddUserToGroup']);
    expect(plan.actions[3]!.params).toEqual({ UserName: 'jane', Password: REDACTED, PasswordResetRequired: true });
    expect(plan.actions[1]!.params).toEqual({ GroupName: 'Administrators', PolicyArn: ADMIN });
    expect(plan.actions.map((a) => a.inverse?.operation)).toEqual(['DeleteGroup', 'DetachGroupPolicy', 'DeleteUser', 'DeleteLoginProfile', 'RemoveUserFromGroup']);
    expect(plan.warnings?.join(' ')).toContain(`https://${ACCOUNT}.signin.aws.amazon.com/console`);
  });

  it('without a user name (an answers template) plans the group and says a name is needed', async () => {
    const plan = await step.plan(noAws(), failing(), spec.defaults(failing()));
    expect(ops(plan)).toEqual(['CreateGroup', 'AttachGroupPolicy']);
    expect(plan.guidance).toMatch(/No administrator was named/);
  });

  it('refuses an invalid name from an answers file', async () => {
    await expect(step.plan(noAws(), failing(), { userName: 'jane doe' })).rejects.toThrow(/Invalid inputs for account.admin-identity: userName/);
  });

  it('names the members an existing group would make administrators', async () => {
    const plan = await step.plan(noAws(), failing([{ name: 'Ops', members: ['ann', 'carl'] }]), { groupName: 'ops', userName: 'jane' });
    expect(plan.actions[0]!.params).toEqual({ GroupName: 'Ops', PolicyArn: ADMIN });
    expect(plan.warnings?.[0]).toBe('Attaching AdministratorAccess to Ops makes its 2 members administrators: ann, carl.');
  });

  it('in the sandbox, says that moto does not keep "change at first sign-in"', async () => {
    const plan = await step.plan(noAws({ sandbox: true }), failing(), { userName: 'jane' });
    expect(plan.warnings?.join(' ')).toMatch(/moto\) does not record "must change password at first sign-in"; AWS does/);
  });

  it('for a root caller with an administrator in place: no action, the way to step aside', async () => {
    const findings: Finding[] = [
      { status: 'pass', resource: 'g', region: 'global', message: '…', data: { kind: 'admin-group', group: 'Admins', members: ['hana'] } },
      { status: 'manual', resource: 'r', region: 'global', message: '…', data: { kind: 'root-caller' } },
    ];
    const plan = await step.plan(noAws({ isRoot: true }), findings, spec.defaults(findings));
    expect(plan.actions).toEqual([]);
    expect(plan.guidance).toContain(`sign in at https://${ACCOUNT}.signin.aws.amazon.com/console as hana`);
  });

  it('a passing step plans nothing', async () => {
    expect(await step.plan(noAws(), [{ status: 'pass', resource: 'g', region: 'global', message: '…', data: { kind: 'admin-group', group: 'A', members: ['b'] } }], spec.defaults([]))).toEqual({ actions: [] });
  });
});

describe('account.admin-identity: with SDK stubs', () => {
  const iam = mockClient(IAMClient);
  const sso = mockClient(SSOAdminClient);
  const orgs = mockClient(OrganizationsClient);
  const contexts: RunContext[] = [];
  const entry = { meta: step.meta, load: async () => step };

  function context(isRoot: boolean): RunContext {
    const factory = new ClientFactory({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' }, maxAttempts: 1, userAgent: 'secure-start-test' });
    const ctx = new RunContext(
      { accountId: ACCOUNT, principalArn: isRoot ? `arn:aws:iam::${ACCOUNT}:root` : `arn:aws:iam::${ACCOUNT}:user/alice`, isRoot, sandbox: false, partition: 'aws', homeRegion: 'us-east-1' },
      factory,
      async () => ['us-east-1', 'eu-west-1'],
    );
    contexts.push(ctx);
    return ctx;
  }

  function details(withMember: boolean): void {
    iam.on(GetAccountAuthorizationDetailsCommand).resolves({
      GroupDetailList: [{ GroupName: 'Admins', Arn: `arn:aws:iam::${ACCOUNT}:group/Admins`, AttachedManagedPolicies: [{ PolicyArn: ADMIN, PolicyName: 'AdministratorAccess' }] }],
      UserDetailList: withMember ? [{ UserName: 'hana', GroupList: ['Admins'] }] : [],
      IsTruncated: false,
    });
  }

  const denied = () => Object.assign(new Error('User is not authorized to perform sso:ListInstances'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });

  beforeEach(() => {
    iam.reset();
    sso.reset();
    orgs.reset();
    orgs.on(DescribeOrganizationCommand).rejects(new AWSOrganizationsNotInUseException({ message: 'not in use', $metadata: {} }));
  });
  afterEach(() => {
    for (const c of contexts.splice(0)) c.factory.destroy();
  });
  afterAll(() => {
    iam.restore();
    sso.restore();
    orgs.restore();
  });

  it('Identity Center refusing access is "not known": the IAM groups decide (SDK stub: AccessDenied)', async () => {
    details(false);
    sso.on(ListInstancesCommand).rejects(denied());
    const { result } = await checkStep(entry, context(false));
    expect(result.status).toBe('fail');
    expect(result.findings[0]!.message).toMatch(/IAM Identity Center could not be read \(2 regions, first us-east-1: Access denied .*\), so only IAM groups were checked/);

    details(true);
    const again = await checkStep(entry, context(false));
    expect(again.result.status).toBe('pass');
  });

  it('a root caller gets a manual finding next to the pass (SDK stub: moto cannot return a root caller)', async () => {
    details(true);
    sso.on(ListInstancesCommand).resolves({ Instances: [] });
    const { result } = await checkStep(entry, context(true));
    expect(result.status).toBe('manual');
    expect(result.findings.map((f) => f.status)).toEqual(['pass', 'manual']);
    expect(result.findings[1]).toMatchObject({ resource: `arn:aws:iam::${ACCOUNT}:root`, message: expect.stringContaining('You are signed in as the root user') });
  });

  it('the password meets a longer account policy and is asked to be changed at first sign-in (SDK stub)', async () => {
    iam.on(GetAccountPasswordPolicyCommand).resolves({ PasswordPolicy: { MinimumPasswordLength: 32, RequireSymbols: true } });
    iam.on(CreateLoginProfileCommand).resolves({});
    const plan = await step.plan(noAws(), failing(), { userName: 'jane' });
    const login = plan.actions.find((a) => a.operation === 'CreateLoginProfile')!;
    const ctx = context(false);
    ctx.factory.readOnly = false;
    const outcome = await login.run(ctx);
    const sent = iam.commandCalls(CreateLoginProfileCommand)[0]!.args[0].input;
    expect(sent).toMatchObject({ UserName: 'jane', PasswordResetRequired: true });
    expect(sent.Password).toHaveLength(32);
    expect(outcome!.secrets![0]!.value).toBe(sent.Password);
    expect(JSON.stringify(outcome!.output)).not.toContain(sent.Password!);
  });
});
