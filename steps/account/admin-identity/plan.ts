/**
 * account.admin-identity, plan: the group, AdministratorAccess, the user, its generated console
 * password (made inside the action and returned once as a secret) and the membership, each with its
 * inverse; or the guidance when the fix is by hand (Identity Center, a root caller).
 */
import type { Finding, Plan, PlanAction, StepContext } from '../../../src/engine/step-kit.js';
import { REDACTED, invokedAs } from '../../../src/engine/step-kit.js';
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  CreateGroupCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  GetAccountPasswordPolicyCommand,
  GetLoginProfileCommand,
  IAMClient,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import meta from './meta.js';
import { DEFAULT_PASSWORD_LENGTH, generatePassword } from './password.js';
import {
  DEFAULT_GROUP,
  CREATED_BY_TAG,
  adminPolicyArn,
  signInUrl,
  byName,
  names,
  plural,
  inventoryOf,
  adminGroupsOf,
  defaultGroupName,
  identityCenterUsable,
} from './check.js';
import { wantedInputs } from './inputs.js';
import { recordLeaves } from './undo.js';

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
      const made = await iam.send(new CreateLoginProfileCommand({ UserName: userName, Password: password, PasswordResetRequired: true }));
      const createdAt = made.LoginProfile?.CreateDate?.toISOString();
      return {
        // When it was made: undo tells this password from one set again since (a reset).
        output: { UserName: userName, PasswordResetRequired: true, ...(createdAt ? { createdAt } : {}) },
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

export async function plan(ctx: StepContext, findings: Finding[], given: unknown): Promise<Plan> {
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

  const leaves = (list: PlanAction[]) => recordLeaves(list, { name: groupName, members: group?.members ?? [] }, adminArn);
  if (!want.userName)
    return {
      actions: leaves(actions),
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
  return { actions: leaves(actions), ...(warnings.length ? { warnings } : {}), ...(risk ? { risk } : {}) };
}

