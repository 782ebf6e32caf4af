/**
 * account.admin-identity, undo: the group, the policy attachment, the user, its first password and
 * its membership go only while they are as the fix left them (the plan records that in each
 * change's output: who the group holds, what the user belongs to, when the password was made).
 *
 * An administrator the tool created who has started to use the account (signed in since the fix,
 * enrolled an MFA device, made an access key) is no longer "as the tool left it": every change of
 * that fix is refused then, so undo never takes access away from a person who relies on it.
 */
import {
  GetLoginProfileCommand,
  GetUserCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListMFADevicesCommand,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import { z } from 'zod';
import type { ActionOutcome, PlanAction, StepContext, UndoEntry, UndoVerdict } from '../../../src/engine/step-kit.js';
import { drifted, irreversible, nothingToUndo, recordedInverse, undoWith } from '../../../src/engine/step-kit.js';
import { loadAuthorizationDetails } from '../_shared/iam-data.js';
import { CREATED_BY_TAG, names } from './check.js';
import meta from './meta.js';

/** What the plan records, per change, of the state its fix leaves (ActionOutcome.output). */
const groupLeavesSchema = z.object({ members: z.array(z.string()), managed: z.array(z.string()) });
const userLeavesSchema = z.object({ groups: z.array(z.string()) });

/**
 * Adds to each action's journal output what the whole plan leaves behind, for undo's drift checks:
 * the members and policies of a group it creates or makes administrator, the groups of a user it
 * creates.
 */
export function recordLeaves(actions: PlanAction[], group: { name: string; members: string[] }, adminArn: string): PlanAction[] {
  const added = actions.filter((a) => a.operation === 'AddUserToGroup').map((a) => String(a.params.UserName));
  const members = [...group.members, ...added];
  return actions.map((a) => {
    let extra: Record<string, unknown> | undefined;
    if (a.operation === 'CreateGroup') extra = { leaves: { members, managed: [adminArn] } };
    else if (a.operation === 'AttachGroupPolicy') extra = { leaves: { members, managed: [adminArn] } };
    else if (a.operation === 'CreateUser') extra = { leaves: { groups: added.includes(String(a.params.UserName)) ? [group.name] : [] } };
    if (!extra) return a;
    const leaves = extra;
    const run = a.run;
    return {
      ...a,
      run: async (ctx, io) => {
        const out = ((await run(ctx, io)) as ActionOutcome | undefined) ?? {};
        return { ...out, output: { ...out.output, ...leaves } };
      },
    };
  });
}

/** The fix creates a user's first password right after the user: one made later than this is someone else's. */
const PASSWORD_WINDOW_MS = 60_000;

const sameSecond = (a: Date, b: Date) => Math.floor(a.getTime() / 1000) === Math.floor(b.getTime() / 1000);

/**
 * Why `userName` counts as in use since `since`: signed in after the fix, or (a user this step
 * created, which had neither) an MFA device or an access key. `undefined`: untouched, or gone.
 */
async function inUseSince(ctx: StepContext, userName: string, since: Date): Promise<string | undefined> {
  const iam = ctx.client(IAMClient);
  let user;
  try {
    user = (await iam.send(new GetUserCommand({ UserName: userName }))).User;
  } catch (err) {
    if (err instanceof NoSuchEntityException) return undefined;
    throw err;
  }
  const uses: string[] = [];
  if (user?.PasswordLastUsed && user.PasswordLastUsed.getTime() >= since.getTime()) uses.push(`signed in on ${user.PasswordLastUsed.toISOString().slice(0, 10)}`);
  const ours = user?.Tags?.some((t) => t.Key === CREATED_BY_TAG.Key && t.Value === CREATED_BY_TAG.Value);
  if (ours) {
    const [mfa, keys] = await Promise.all([
      iam.send(new ListMFADevicesCommand({ UserName: userName })),
      iam.send(new ListAccessKeysCommand({ UserName: userName })),
    ]);
    if (mfa.MFADevices?.length) uses.push('enrolled an MFA device');
    if (keys.AccessKeyMetadata?.length) uses.push('made an access key');
  }
  return uses.length ? `${userName} has ${uses.join(', ')} since the fix` : undefined;
}

function inUse(why: string): UndoVerdict {
  return {
    kind: 'drifted',
    reason: `${why}: the administrator is in use, so undo leaves it and its access as they are. Remove it by hand if that is what you want.`,
  };
}

async function loginProfileDate(ctx: StepContext, userName: string): Promise<Date | null> {
  try {
    return (await ctx.client(IAMClient).send(new GetLoginProfileCommand({ UserName: userName }))).LoginProfile?.CreateDate ?? new Date(0);
  } catch (err) {
    if (err instanceof NoSuchEntityException) return null;
    throw err;
  }
}

export async function undoAdminIdentity(ctx: StepContext, entry: UndoEntry): Promise<UndoVerdict> {
  const p = entry.params as Record<string, unknown>;
  const userName = typeof p.UserName === 'string' ? p.UserName : undefined;
  const groupName = typeof p.GroupName === 'string' ? p.GroupName : undefined;
  const since = new Date(entry.at);
  const details = await loadAuthorizationDetails(ctx);
  const user = userName ? details.UserDetailList.find((u) => u.UserName === userName) : undefined;
  const group = groupName ? details.GroupDetailList.find((g) => g.GroupName === groupName) : undefined;
  const membersOf = (g: string) => details.UserDetailList.filter((u) => u.GroupList?.includes(g)).map((u) => u.UserName ?? '?');
  const inverse = () => undoWith(recordedInverse(entry));

  /** Drift of a group the fix made administrator: someone else joined, or the administrator it made is in use. */
  const groupDrift = async (leaves: z.infer<typeof groupLeavesSchema>): Promise<UndoVerdict | undefined> => {
    const members = membersOf(groupName!);
    const joined = members.filter((m) => !leaves.members.includes(m));
    if (joined.length) return drifted(`The members of ${groupName}`, { now: names(members, 10), wrote: names(leaves.members, 10) || 'nobody' });
    for (const m of members) {
      const why = await inUseSince(ctx, m, since);
      if (why) return inUse(why);
    }
    return undefined;
  };

  switch (entry.operation) {
    case 'AddUserToGroup': {
      if (!user?.GroupList?.includes(groupName!)) return nothingToUndo(`${userName} is not in ${groupName}, as before the fix.`);
      const why = await inUseSince(ctx, userName!, since);
      return why ? inUse(why) : inverse();
    }
    case 'CreateLoginProfile': {
      const made = await loginProfileDate(ctx, userName!);
      if (!made) return nothingToUndo(`${userName} has no console password, as before the fix.`);
      const recorded = typeof entry.output?.createdAt === 'string' ? new Date(entry.output.createdAt) : undefined;
      if (recorded && !sameSecond(made, recorded))
        return drifted(`The console password of ${userName}`, { now: `set on ${made.toISOString()}`, wrote: `set on ${recorded.toISOString()}` });
      const why = await inUseSince(ctx, userName!, since);
      return why ? inUse(why) : inverse();
    }
    case 'CreateUser': {
      if (!user) return nothingToUndo(`${userName} no longer exists, as before the fix.`);
      const leaves = userLeavesSchema.safeParse(entry.output?.leaves);
      if (!leaves.success) return irreversible(`The journal does not record what ${userName} held after the fix, so undo cannot tell whether it is still as the fix left it.`);
      const why = await inUseSince(ctx, userName!, since);
      if (why) return inUse(why);
      // The fix gives a new user its password in the very next call; one made later was set again by someone.
      const password = await loginProfileDate(ctx, userName!);
      const madeAgain = password && user.CreateDate && password.getTime() - user.CreateDate.getTime() > PASSWORD_WINDOW_MS;
      const more = [
        ...(madeAgain ? [`a console password set on ${password.toISOString()}`] : []),
        ...(user.GroupList ?? []).filter((g) => !leaves.data.groups.includes(g)).map((g) => `group ${g}`),
        ...(user.AttachedManagedPolicies ?? []).map((x) => `policy ${x.PolicyName ?? x.PolicyArn}`),
        ...(user.UserPolicyList ?? []).map((x) => `inline policy ${x.PolicyName}`),
      ];
      if (more.length) return drifted(`The user ${userName}`, { now: `it also has ${more.join(', ')}`, wrote: names(leaves.data.groups) ? `a member of ${names(leaves.data.groups)}` : 'a user in no group' });
      return undoWith(recordedInverse(entry, { summary: `Delete the user ${userName}, which the fix created (the undos before this one remove its password and membership)` }));
    }
    case 'AttachGroupPolicy': {
      if (!group?.AttachedManagedPolicies?.some((x) => x.PolicyArn === p.PolicyArn)) return nothingToUndo(`AdministratorAccess is not attached to ${groupName}, as before the fix.`);
      const leaves = groupLeavesSchema.safeParse(entry.output?.leaves);
      if (!leaves.success) return irreversible(`The journal does not record who ${groupName} held after the fix, so undo cannot tell whether someone joined since.`);
      return (await groupDrift(leaves.data)) ?? inverse();
    }
    case 'CreateGroup': {
      if (!group) return nothingToUndo(`${groupName} no longer exists, as before the fix.`);
      const leaves = groupLeavesSchema.safeParse(entry.output?.leaves);
      if (!leaves.success) return irreversible(`The journal does not record what ${groupName} held after the fix, so undo cannot tell whether it is still as the fix left it.`);
      const more = [
        ...(group.AttachedManagedPolicies ?? []).filter((x) => !leaves.data.managed.includes(x.PolicyArn ?? '')).map((x) => `policy ${x.PolicyName ?? x.PolicyArn}`),
        ...(group.GroupPolicyList ?? []).map((x) => `inline policy ${x.PolicyName}`),
      ];
      if (more.length) return drifted(`The group ${groupName}`, { now: `it also has ${more.join(', ')}`, wrote: 'AdministratorAccess only' });
      return (await groupDrift(leaves.data)) ?? undoWith(recordedInverse(entry, { summary: `Delete the group ${groupName}, which the fix created (the undos before this one empty it)` }));
    }
    default:
      return irreversible(`This version of ${meta.id} does not know how to undo ${entry.operation}.`);
  }
}
