/**
 * account.admin-identity: someone other than root can administer the account, so root can be put
 * away. Either an IAM group with the AdministratorAccess managed policy and at least one member, or
 * IAM Identity Center assigning a permission set with AdministratorAccess in this account.
 *
 * Check: groups, their policies and members come from the shared GetAccountAuthorizationDetails read
 * (no per-user calls); Identity Center from identity-center.ts, where an unreadable region counts
 * as "not known", never as an error. A root caller adds a `manual` finding: fine for setting up,
 * not for daily work.
 *
 * Fix: create the group when missing, attach AdministratorAccess, create the user when missing, give
 * it a generated console password that must be changed at first sign-in, add it to the group. Each
 * call has its inverse. The password is generated inside the action, returned once as an
 * ActionOutcome secret with the sign-in URL, and appears nowhere else: the plan shows `Password:
 * «redacted»`, the journal records those params. moto ignores PasswordResetRequired on create
 * (moto-coverage.md); that is noted in the sandbox, not faked with a second call.
 */
import type { Asker, Finding, Plan, PlanAction, Step, StepContext, StepInputs } from '../../../src/engine/step-kit.js';
import { REDACTED, errorKind, formatZodError, invokedAs, sandboxOnly, validIamGroupName, validIamUserName, zodCheck } from '../../../src/engine/step-kit.js';
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  CreateGroupCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  EntityAlreadyExistsException,
  GetAccountPasswordPolicyCommand,
  GetLoginProfileCommand,
  IAMClient,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import { z } from 'zod';
import { authorizationDetails } from '../_shared/iam-data.js';
import { organization } from '../_shared/organization.js';
import { readIdentityCenter } from './identity-center.js';
import type { IdentityCenterReading } from './identity-center.js';
import meta from './meta.js';
import { DEFAULT_PASSWORD_LENGTH, generatePassword } from './password.js';

export const DEFAULT_GROUP = 'Administrators';
/** Choice values that cannot be IAM names (those have no spaces). */
const NEW = ' new';
const OTHER = ' other';
/** Existing users offered by name in the wizard; beyond that, "another existing user" takes a typed name. */
const USERS_OFFERED = 15;

/** Tag on the IAM user this step creates, so account.identity-center can name it as the one to move later. */
export const CREATED_BY_TAG = { Key: 'secure-start:created-by', Value: 'account.admin-identity' } as const;

/** Inputs of the fix (answers file `account.admin-identity`). */
export interface AdminIdentityInputs {
  /**
   * `identity-center`: the person gives an administrator access through IAM Identity Center by hand
   * (offered first where the organization's instance can do it); `iam-user` (default): an IAM group and user.
   */
  via?: 'iam-user' | 'identity-center';
  /** Default: an existing group with AdministratorAccess, else `Administrators`. */
  groupName?: string;
  /** Required for `iam-user`. */
  userName?: string;
}

const fieldsSchema = z.strictObject({
  via: z.enum(['iam-user', 'identity-center']).optional(),
  groupName: zodCheck(validIamGroupName).optional(),
  userName: zodCheck(validIamUserName).optional(),
});

const inputsSchema = fieldsSchema.superRefine((v, ctx) => {
    if (v.via !== 'identity-center' && v.userName === undefined)
      ctx.addIssue({ code: 'custom', path: ['userName'], message: 'the administrator’s IAM user name is required (or "via": "identity-center")' });
});

const groupSchema = z.object({ name: z.string(), arn: z.string(), admin: z.boolean(), members: z.array(z.string()) });
const userSchema = z.object({ name: z.string(), directAdmin: z.boolean() });
/** Where Identity Center could give this account an administrator: an instance in an organization. */
const identityCenterSchema = z.object({ regions: z.array(z.string()), organization: z.boolean() });
const inventorySchema = z.object({
  kind: z.literal('inventory'),
  groups: z.array(groupSchema),
  users: z.array(userSchema),
  identityCenter: identityCenterSchema.optional(),
});
type GroupInfo = z.infer<typeof groupSchema>;
type UserInfo = z.infer<typeof userSchema>;
type Inventory = z.infer<typeof inventorySchema>;
const adminGroupSchema = z.object({ kind: z.literal('admin-group'), group: z.string(), members: z.array(z.string()) });

export function adminPolicyArn(ctx: StepContext): string {
  return `arn:${ctx.target.partition}:iam::aws:policy/AdministratorAccess`;
}

/** Where IAM users sign in to the console: `https://<account>.signin.aws.amazon.com/console`. */
export function signInUrl(ctx: StepContext): string {
  const host = { 'aws-cn': 'signin.amazonaws.cn', 'aws-us-gov': 'signin.amazonaws-us-gov.com' }[ctx.target.partition] ?? 'signin.aws.amazon.com';
  return `https://${ctx.target.accountId}.${host}/console`;
}

/** IAM names are unique regardless of case: `administrators` is the existing `Administrators`. */
function byName<T extends { name: string }>(items: readonly T[], name: string): T | undefined {
  const wanted = name.toLowerCase();
  return items.find((i) => i.name.toLowerCase() === wanted);
}

function names(list: readonly string[], max = 5): string {
  return list.length <= max ? list.join(', ') : `${list.slice(0, max).join(', ')} and ${list.length - max} more`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

async function inventory(ctx: StepContext, adminArn: string): Promise<Inventory> {
  const details = await authorizationDetails(ctx);
  const groups: GroupInfo[] = details.GroupDetailList.filter((g) => g.GroupName).map((g) => ({
    name: g.GroupName!,
    arn: g.Arn ?? '',
    admin: (g.AttachedManagedPolicies ?? []).some((p) => p.PolicyArn === adminArn),
    members: [],
  }));
  const users: UserInfo[] = [];
  for (const u of details.UserDetailList) {
    if (!u.UserName) continue;
    users.push({ name: u.UserName, directAdmin: (u.AttachedManagedPolicies ?? []).some((p) => p.PolicyArn === adminArn) });
    for (const g of u.GroupList ?? []) byName(groups, g)?.members.push(u.UserName);
  }
  return { kind: 'inventory', groups, users };
}

function identityCenterSentence(ic: IdentityCenterReading): string {
  if (ic.instanceRegions.length)
    return `IAM Identity Center (${ic.instanceRegions.join(', ')}) assigns no permission set with AdministratorAccess in this account`;
  if (ic.unknown.length) {
    const first = ic.unknown[0]!;
    return `IAM Identity Center could not be read (${ic.unknown.length > 1 ? `${ic.unknown.length} regions, first ` : ''}${first}), so only IAM groups were checked`;
  }
  return 'IAM Identity Center is not enabled in the regions checked';
}

function failMessage(inv: Inventory, ic: IdentityCenterReading): string {
  const parts = [`Only the root user can administer this account: no IAM group with AdministratorAccess has a member, and ${identityCenterSentence(ic)}.`];
  const empty = inv.groups.filter((g) => g.admin);
  if (empty.length) parts.push(`${names(empty.map((g) => g.name))} ${empty.length === 1 ? 'has' : 'have'} AdministratorAccess but no members.`);
  const direct = inv.users.filter((u) => u.directAdmin);
  if (direct.length)
    parts.push(
      `${names(direct.map((u) => u.name))} ${direct.length === 1 ? 'has' : 'have'} AdministratorAccess attached directly rather than through a group ` +
        '(account.groups-only moves such policies to groups).',
    );
  return parts.join(' ');
}

/** The organization only decides whether Identity Center is offered first: a caller who may not read it is simply not offered it. */
async function organizationIfReadable(ctx: StepContext): Promise<{ organization?: unknown }> {
  try {
    return await organization(ctx);
  } catch (err) {
    if (errorKind(err) === 'access-denied') return {};
    throw err;
  }
}

async function check(ctx: StepContext): Promise<Finding[]> {
  const adminArn = adminPolicyArn(ctx);
  const [inv, ic, org] = await Promise.all([inventory(ctx, adminArn), readIdentityCenter(ctx, adminArn), organizationIfReadable(ctx)]);
  // Only an organization's instance can sign people in to AWS accounts; an account instance cannot.
  inv.identityCenter = { regions: ic.instanceRegions, organization: Boolean(org.organization) };
  const findings: Finding[] = [];
  for (const g of inv.groups.filter((x) => x.admin && x.members.length))
    findings.push({
      status: 'pass',
      resource: g.arn,
      region: 'global',
      message: `Group ${g.name} has AdministratorAccess and ${plural(g.members.length, 'member')}: ${names(g.members)}.`,
      data: { kind: 'admin-group', group: g.name, members: g.members },
    });
  for (const a of ic.admins)
    findings.push({
      status: 'pass',
      resource: a.permissionSetArn,
      region: a.region,
      message: `IAM Identity Center gives administrator access to this account: a permission set with AdministratorAccess is assigned to ${plural(a.assignments, 'user or group', 'users or groups')}.`,
      data: { kind: 'identity-center' },
    });
  if (!findings.length)
    findings.push({
      status: 'fail',
      resource: `arn:${ctx.target.partition}:iam::${ctx.target.accountId}:account`,
      region: 'global',
      message: failMessage(inv, ic),
      data: inv,
    });
  if (ctx.target.isRoot)
    findings.push({
      status: 'manual',
      resource: ctx.target.principalArn,
      region: 'global',
      message:
        'You are signed in as the root user. That is right for setting the account up; for daily work sign in as an administrator ' +
        `(${signInUrl(ctx)}) and keep root for the few tasks only it can do.`,
      data: { kind: 'root-caller' },
    });
  return findings;
}

function inventoryOf(findings: Finding[]): Inventory | undefined {
  const f = findings.find((x) => x.status === 'fail' && x.data?.kind === 'inventory');
  return f ? inventorySchema.parse(f.data) : undefined;
}

function adminGroupsOf(findings: Finding[]): z.infer<typeof adminGroupSchema>[] {
  return findings.filter((f) => f.data?.kind === 'admin-group').map((f) => adminGroupSchema.parse(f.data));
}

/** The inputs as given; a blank field (as in the answers template) counts as not given. */
function wantedInputs(given: unknown): Partial<AdminIdentityInputs> {
  const entries = typeof given === 'object' && given !== null ? Object.entries(given).filter(([, v]) => !(typeof v === 'string' && !v.trim())) : [];
  const parsed = fieldsSchema.safeParse(Object.fromEntries(entries));
  if (!parsed.success) throw new Error(`Invalid inputs for ${meta.id}: ${formatZodError(parsed.error)}`);
  return parsed.data;
}

function defaultGroupName(inv: Inventory | undefined): string {
  return inv?.groups.find((g) => g.admin)?.name ?? DEFAULT_GROUP;
}

async function hasLoginProfile(ctx: StepContext, userName: string): Promise<boolean> {
  try {
    await ctx.client(IAMClient).send(new GetLoginProfileCommand({ UserName: userName }));
    return true;
  } catch (err) {
    if (err instanceof NoSuchEntityException) return false;
    throw err;
  }
}

/** The account policy's minimum length when it asks for more than the default; the default when it cannot be read. */
async function passwordLength(iam: IAMClient): Promise<number> {
  try {
    const policy = (await iam.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy;
    return Math.max(DEFAULT_PASSWORD_LENGTH, policy?.MinimumPasswordLength ?? 0);
  } catch {
    return DEFAULT_PASSWORD_LENGTH;
  }
}

function iamAction(
  operation: string,
  params: Record<string, unknown>,
  summary: string,
  inverse: { operation: string; params: Record<string, unknown>; summary: string },
  run: PlanAction['run'],
): PlanAction {
  return { service: 'iam', operation, region: 'global', params, summary, inverse: { service: 'iam', region: 'global', ...inverse }, run };
}

function loginProfileAction(ctx: StepContext, userName: string): PlanAction {
  const url = signInUrl(ctx);
  return iamAction(
    'CreateLoginProfile',
    { UserName: userName, Password: REDACTED, PasswordResetRequired: true },
    `Give ${userName} a generated console password, shown once, to be changed at first sign-in`,
    { operation: 'DeleteLoginProfile', params: { UserName: userName }, summary: `Remove ${userName}'s console password` },
    async (runCtx) => {
      const iam = runCtx.client(IAMClient);
      const password = generatePassword(await passwordLength(iam));
      // moto ignores PasswordResetRequired on create; AWS honours it. Nothing here pretends otherwise.
      await iam.send(new CreateLoginProfileCommand({ UserName: userName, Password: password, PasswordResetRequired: true }));
      return {
        output: { UserName: userName, PasswordResetRequired: true },
        secrets: [
          { label: `Console password for ${userName} (to be changed at first sign-in)`, value: password },
          { label: 'Console sign-in URL', value: url },
        ],
      };
    },
  );
}

/** What an administrator-to-be must do when the caller is root and an administrator exists. */
function signInGuidance(ctx: StepContext, admins: { group: string; members: string[] }[]): string {
  const who = admins.flatMap((a) => a.members);
  return [
    'An administrator other than root exists; what is left is to use it:',
    '',
    `1. Sign out of the root user and sign in at ${signInUrl(ctx)}${who.length ? ` as ${names(who)}` : ''} (or through your IAM Identity Center portal).`,
    '2. Put the root credentials away: a long unique password in a password manager, MFA on (account.root-mfa), no access keys (account.root-access-keys).',
    '3. Use root only for the few tasks that need it, such as changing the account’s contact email or closing it.',
    '4. Come back here as the administrator and check again.',
  ].join('\n');
}

/** Identity Center can give this account an administrator: an instance, in an organization. */
function identityCenterUsable(inv: Inventory): string[] {
  return inv.identityCenter?.organization ? inv.identityCenter.regions : [];
}

/** The Identity Center path, by hand: the API cannot choose the person who gets the access. */
function identityCenterGuidance(ctx: StepContext, regions: string[]): string {
  if (!regions.length)
    return [
      'IAM Identity Center cannot give this account an administrator yet: it takes an organization instance, and none was found in the regions checked.',
      '',
      'Enable it first (account.identity-center explains how), or choose the IAM group and user instead.',
    ].join('\n');
  const region = regions[0]!;
  return [
    `Give an administrator access through IAM Identity Center (its instance is in ${region}):`,
    '',
    `1. Open the IAM Identity Center console in ${region}: https://console.aws.amazon.com/singlesignon/home?region=${region}`,
    '2. Under *Permission sets*, create one from the predefined **AdministratorAccess** policy.',
    `3. Under *AWS accounts*, select this account (${ctx.target.accountId}) and assign that permission set to your own Identity Center user, or to a group you are in.`,
    '4. Sign in through the AWS access portal as that user, then choose re-check here.',
  ].join('\n');
}

async function plan(ctx: StepContext, findings: Finding[], given: unknown): Promise<Plan> {
  const inv = inventoryOf(findings);
  if (!inv) {
    const root = findings.some((f) => f.data?.kind === 'root-caller');
    return root ? { actions: [], guidance: signInGuidance(ctx, adminGroupsOf(findings)) } : { actions: [] };
  }
  const want = wantedInputs(given);
  const icRegions = identityCenterUsable(inv);
  if (want.via === 'identity-center') return { actions: [], guidance: identityCenterGuidance(ctx, icRegions) };
  const adminArn = adminPolicyArn(ctx);
  const actions: PlanAction[] = [];
  const warnings: string[] = [];

  const group = byName(inv.groups, want.groupName ?? defaultGroupName(inv));
  const groupName = group?.name ?? want.groupName ?? DEFAULT_GROUP;
  if (!group)
    actions.push(
      iamAction(
        'CreateGroup',
        { GroupName: groupName },
        `Create the IAM group ${groupName}`,
        { operation: 'DeleteGroup', params: { GroupName: groupName }, summary: `Delete the group ${groupName}` },
        async (runCtx) => {
          await runCtx.client(IAMClient).send(new CreateGroupCommand({ GroupName: groupName }));
        },
      ),
    );
  if (!group?.admin) {
    actions.push(
      iamAction(
        'AttachGroupPolicy',
        { GroupName: groupName, PolicyArn: adminArn },
        `Attach the AWS managed policy AdministratorAccess to ${groupName}`,
        { operation: 'DetachGroupPolicy', params: { GroupName: groupName, PolicyArn: adminArn }, summary: `Detach AdministratorAccess from ${groupName}` },
        async (runCtx) => {
          await runCtx.client(IAMClient).send(new AttachGroupPolicyCommand({ GroupName: groupName, PolicyArn: adminArn }));
        },
      ),
    );
    if (group?.members.length)
      warnings.push(`Attaching AdministratorAccess to ${groupName} makes its ${plural(group.members.length, 'member')} administrators: ${names(group.members, 10)}.`);
  }

  if (!want.userName)
    return {
      actions,
      guidance:
        'No administrator was named, and only a person can choose one: choose *fix* in the wizard, or add ' +
        `\`${meta.id}\` with a \`userName\` to an answers file (\`${invokedAs()} answers --template --step ${meta.id}\`).`,
      ...(warnings.length ? { warnings } : {}),
    };

  const user = byName(inv.users, want.userName);
  const userName = user?.name ?? want.userName;
  if (!user)
    actions.push(
      iamAction(
        'CreateUser',
        { UserName: userName, Tags: [{ ...CREATED_BY_TAG }] },
        `Create the IAM user ${userName} (tagged ${CREATED_BY_TAG.Key}, so later steps know the tool made it)`,
        { operation: 'DeleteUser', params: { UserName: userName }, summary: `Delete the user ${userName}` },
        async (runCtx) => {
          await runCtx.client(IAMClient).send(new CreateUserCommand({ UserName: userName, Tags: [{ ...CREATED_BY_TAG }] }));
        },
      ),
    );
  const needsPassword = !user || !(await hasLoginProfile(ctx, userName));
  if (needsPassword) actions.push(loginProfileAction(ctx, userName));
  if (user) warnings.push(`${userName} already exists and becomes an administrator${needsPassword ? ', with a new console password' : ', keeping their current console password'}.`);
  if (!group || !group.members.some((m) => m.toLowerCase() === userName.toLowerCase()))
    actions.push(
      iamAction(
        'AddUserToGroup',
        { GroupName: groupName, UserName: userName },
        `Add ${userName} to ${groupName}`,
        { operation: 'RemoveUserFromGroup', params: { GroupName: groupName, UserName: userName }, summary: `Remove ${userName} from ${groupName}` },
        async (runCtx) => {
          await runCtx.client(IAMClient).send(new AddUserToGroupCommand({ GroupName: groupName, UserName: userName }));
        },
      ),
    );

  if (needsPassword) {
    warnings.push(
      `The password is shown once, right after the change, with the sign-in URL ${signInUrl(ctx)}; it is saved nowhere. ` +
        `Hand it to ${userName} privately; they choose their own at first sign-in, then should add MFA (account.user-mfa).`,
    );
    if (ctx.target.sandbox) warnings.push('The sandbox (moto) does not record "must change password at first sign-in"; AWS does.');
  }
  if (ctx.target.isRoot)
    warnings.push(`Afterwards, sign out of the root user and work as ${userName} at ${signInUrl(ctx)}; keep root for the few tasks only it can do.`);
  if (icRegions.length)
    warnings.push(
      `IAM Identity Center is enabled (${icRegions.join(', ')}): an administrator there signs in with short-lived credentials and is the better path ` +
        `(wizard: choose Identity Center; answers file: "via": "identity-center"). Once you have one, account.identity-center names ${userName} as the IAM user to retire.`,
    );
  // The step's general risk speaks of creating someone; an existing user is a different change.
  const risk = user
    ? `Makes the existing IAM user ${userName} a full administrator: whoever holds its password or access keys can change anything in the account. ` +
      (needsPassword ? 'It gets a new console password, shown once, to be changed at first sign-in. ' : 'It keeps its current console password. ') +
      'Until it has MFA (account.user-mfa), that password alone protects the account.'
    : undefined;
  return { actions, ...(warnings.length ? { warnings } : {}), ...(risk ? { risk } : {}) };
}

async function askGroup(asker: Asker, inv: Inventory, initial: string | undefined): Promise<string> {
  const admin = inv.groups.filter((g) => g.admin);
  if (admin.length) {
    const picked = await asker.select({
      message: 'Which IAM group should hold the administrators?',
      choices: [
        ...admin.map((g) => ({ value: g.name, name: `${g.name} (has AdministratorAccess, no members yet)` })),
        { value: NEW, name: 'Another group (new, or an existing one to make an administrators group)' },
      ],
      default: (initial && byName(admin, initial)?.name) || (initial ? NEW : admin[0]!.name),
    });
    if (picked !== NEW) return picked;
  }
  for (;;) {
    const name = (
      await asker.text({
        message: 'Name of the administrators group',
        default: initial?.trim() || DEFAULT_GROUP,
        validate: validIamGroupName,
        required: true,
      })
    ).trim();
    const existing = byName(inv.groups, name);
    if (existing && !existing.admin && existing.members.length) {
      const sure = await asker.confirm({
        message:
          `The group ${existing.name} already exists with ${plural(existing.members.length, 'member')} (${names(existing.members)}): ` +
          'attaching AdministratorAccess makes all of them administrators. Use it anyway?',
        default: false,
      });
      if (!sure) continue;
    }
    return existing?.name ?? name;
  }
}

async function askUser(asker: Asker, inv: Inventory, initial: string | undefined): Promise<string> {
  const sorted = [...inv.users].sort((a, b) => Number(b.directAdmin) - Number(a.directAdmin) || a.name.localeCompare(b.name));
  const offered = sorted.slice(0, USERS_OFFERED);
  let picked = NEW;
  if (offered.length) {
    const start = initial ? byName(inv.users, initial) : undefined;
    picked = await asker.select({
      message: 'Who should be the administrator?',
      choices: [
        { value: NEW, name: 'A new IAM user with a console password' },
        ...offered.map((u) => ({ value: u.name, name: u.directAdmin ? `${u.name} (has AdministratorAccess attached directly)` : u.name })),
        ...(sorted.length > offered.length ? [{ value: OTHER, name: `Another existing user (${sorted.length - offered.length} more; type the name)` }] : []),
      ],
      default: start ? (offered.includes(start) ? start.name : OTHER) : NEW,
    });
    if (picked !== NEW && picked !== OTHER) return picked;
  }
  const other = picked === OTHER;
  const name = (
    await asker.text({
      message: other ? 'Name of the existing IAM user' : 'Name of the new administrator (an IAM user name, such as jane.doe)',
      ...(initial?.trim() ? { default: initial.trim() } : {}),
      required: true,
      validate: (v) => {
        const valid = validIamUserName(v.trim());
        if (valid !== true) return valid;
        const existing = byName(inv.users, v.trim());
        if (other && !existing) return `There is no IAM user called ${v.trim()}.`;
        if (!other && existing) return `The user ${existing.name} already exists: pick it from the list, or choose another name.`;
        return true;
      },
    })
  ).trim();
  return byName(inv.users, name)?.name ?? name;
}

const inputs: StepInputs<AdminIdentityInputs> = {
  schema: inputsSchema,
  // A person's name cannot be made up: `fix --yes` needs an answers entry.
  requiredInAnswers: true,
  defaults: (findings) => ({ groupName: defaultGroupName(inventoryOf(findings)), userName: '' }),

  async ask(asker, initial, findings) {
    const inv = inventoryOf(findings);
    if (!inv) {
      // Nothing to create (an administrator exists; the step only asks root to step aside). The plan
      // ignores these inputs then; they only need to be valid for the wizard to carry on.
      asker.note('An administrator other than root already exists: nothing to create.');
      const parsed = inputsSchema.safeParse(initial);
      if (parsed.success) return parsed.data;
      const admin = adminGroupsOf(findings)[0];
      return { groupName: admin?.group ?? DEFAULT_GROUP, userName: admin?.members[0] ?? 'Administrator' };
    }
    const icRegions = identityCenterUsable(inv);
    if (icRegions.length) {
      const via = await asker.select({
        message: 'How should someone other than root administer this account?',
        choices: [
          {
            value: 'identity-center' as const,
            name: `Through IAM Identity Center, enabled in ${icRegions.join(', ')} (recommended: short-lived sign-ins, people managed in one place)`,
          },
          { value: 'iam-user' as const, name: 'An IAM group and user with a console password' },
        ],
        default: initial?.via ?? 'identity-center',
      });
      if (via === 'identity-center') return { via };
    }
    const groupName = await askGroup(asker, inv, initial?.groupName);
    const userName = await askUser(asker, inv, initial?.userName);
    return { groupName, userName };
  },
};

const step: Step<AdminIdentityInputs> = {
  meta,
  inputs,
  check,
  plan,

  /** day-one scenario: an Administrators group that looks done (AdministratorAccess attached) but has nobody in it. */
  async seed(ctx) {
    sandboxOnly(ctx);
    const iam = ctx.client(IAMClient);
    try {
      await iam.send(new CreateGroupCommand({ GroupName: DEFAULT_GROUP }));
    } catch (err) {
      if (!(err instanceof EntityAlreadyExistsException)) throw err;
    }
    await iam.send(new AttachGroupPolicyCommand({ GroupName: DEFAULT_GROUP, PolicyArn: adminPolicyArn(ctx) }));
  },
};

export default step;
