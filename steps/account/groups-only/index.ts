/**
 * account.groups-only: no IAM user holds managed or inline policies of their own; permissions come
 * from groups. Read from the shared account authorization details (a few paginated calls for the
 * whole account). The fix moves each user's own policies to a group with exactly the same ones
 * (reused when one exists, else created), adds the user, and only then removes the user's own, so
 * nobody's permissions change at any moment; the plan computes and states that.
 */
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachUserPolicyCommand,
  CreateGroupCommand,
  CreateUserCommand,
  DeleteUserPolicyCommand,
  DetachUserPolicyCommand,
  EntityAlreadyExistsException,
  IAMClient,
  PutGroupPolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import type { ActionOutcome, Finding, Plan, PlanAction, Step, StepContext, UndoEntry, UndoVerdict } from '../../../src/engine/step-kit.js';
import { drifted, irreversible, nothingToUndo, recordedInverse, sameJson, sandboxOnly, undoWith } from '../../../src/engine/step-kit.js';
import { z } from 'zod';
import { authorizationDetails, decodePolicyDocument, loadAuthorizationDetails } from '../_shared/iam-data.js';
import type { AuthorizationDetails } from '../_shared/iam-data.js';
import { POLICY_NAME as REGION_GUARDRAIL } from '../_shared/region-guardrail.js';
import meta from './meta.js';
import { QUOTAS, hasOwnPolicies, planMoves, samePermissions, userPolicies } from './model.js';
import type { Move, PolicySet } from './model.js';

const KIND = 'own-policies';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function describeSet(s: PolicySet): string {
  const parts: string[] = [];
  if (s.managed.length) parts.push(`managed ${s.managed.map((m) => m.name).join(', ')}`);
  if (s.inline.length) parts.push(`inline ${s.inline.map((i) => i.name).join(', ')}`);
  return parts.join('; ');
}

function countSet(s: PolicySet): string {
  const parts: string[] = [];
  if (s.managed.length) parts.push(plural(s.managed.length, 'managed policy', 'managed policies'));
  if (s.inline.length) parts.push(plural(s.inline.length, 'inline policy', 'inline policies'));
  return parts.join(' and ');
}

function op(operation: string, params: Record<string, unknown>, summary: string) {
  return { service: 'iam', operation, region: 'global', params, summary };
}

/** The customer-managed region guardrail of account.regions, when that step chose the IAM-policy route. */
export function regionGuardrail(details: AuthorizationDetails): { arn: string; name: string } | undefined {
  const p = details.Policies.find((x) => x.PolicyName === REGION_GUARDRAIL && (x.Path ?? '/') === '/' && x.Arn);
  const onSomeGroup = details.GroupDetailList.some((g) => g.AttachedManagedPolicies?.some((a) => a.PolicyArn === p?.Arn));
  return p && onSomeGroup ? { arn: p.Arn!, name: REGION_GUARDRAIL } : undefined;
}

function guardrailAction(group: string, guardrail: { arn: string; name: string }): PlanAction {
  return {
    ...op('AttachGroupPolicy', { GroupName: group, PolicyArn: guardrail.arn }, `Attach the region guardrail ${guardrail.name} to group ${group}, as on every other group`),
    inverse: op('DetachGroupPolicy', { GroupName: group, PolicyArn: guardrail.arn }, `Detach ${guardrail.name} from group ${group}`),
    run: async (ctx) => void (await ctx.client(IAMClient).send(new AttachGroupPolicyCommand({ GroupName: group, PolicyArn: guardrail.arn }))),
  };
}

/** The actions that move one user's own policies to their group, in a safe order: grant first, then remove. */
export function movesToActions(moves: readonly Move[]): PlanAction[] {
  const actions: PlanAction[] = [];
  const created = new Set<string>();
  for (const m of moves) {
    const g = m.target.name;
    const u = m.user;
    if (m.target.kind === 'new' && !created.has(g)) {
      created.add(g);
      actions.push({
        ...op('CreateGroup', { GroupName: g }, `Create group ${g} for the policies ${u} holds directly (${countSet(m.own)})`),
        inverse: op('DeleteGroup', { GroupName: g }, `Delete group ${g} (once the undos below have emptied it)`),
        run: async (ctx) => void (await ctx.client(IAMClient).send(new CreateGroupCommand({ GroupName: g }))),
      });
      for (const p of m.own.inline)
        actions.push({
          ...op('PutGroupPolicy', { GroupName: g, PolicyName: p.name, PolicyDocument: p.document }, `Give group ${g} the inline policy ${p.name}, the same document ${u} has`),
          inverse: op('DeleteGroupPolicy', { GroupName: g, PolicyName: p.name }, `Delete the inline policy ${p.name} of group ${g}`),
          run: async (ctx) => void (await ctx.client(IAMClient).send(new PutGroupPolicyCommand({ GroupName: g, PolicyName: p.name, PolicyDocument: p.document }))),
        });
      for (const p of m.own.managed)
        actions.push({
          ...op('AttachGroupPolicy', { GroupName: g, PolicyArn: p.arn }, `Attach ${p.name} to group ${g}`),
          inverse: op('DetachGroupPolicy', { GroupName: g, PolicyArn: p.arn }, `Detach ${p.name} from group ${g}`),
          run: async (ctx) => void (await ctx.client(IAMClient).send(new AttachGroupPolicyCommand({ GroupName: g, PolicyArn: p.arn }))),
        });
    }
    if (!m.target.isMember) {
      const how = m.target.kind === 'exists' ? `existing group ${g}` : `group ${g}`;
      actions.push({
        ...op('AddUserToGroup', { GroupName: g, UserName: u }, `Add ${u} to ${how}, which grants exactly the ${countSet(m.own)} ${u} holds directly`),
        inverse: op('RemoveUserFromGroup', { GroupName: g, UserName: u }, `Remove ${u} from group ${g}`),
        run: async (ctx) => void (await ctx.client(IAMClient).send(new AddUserToGroupCommand({ GroupName: g, UserName: u }))),
      });
    }
    for (const p of m.own.managed)
      actions.push({
        ...op('DetachUserPolicy', { UserName: u, PolicyArn: p.arn }, `Detach ${p.name} from ${u}, who keeps it through group ${g}`),
        destructive: true,
        inverse: op('AttachUserPolicy', { UserName: u, PolicyArn: p.arn }, `Attach ${p.name} to ${u} again`),
        run: async (ctx) => void (await ctx.client(IAMClient).send(new DetachUserPolicyCommand({ UserName: u, PolicyArn: p.arn }))),
      });
    for (const p of m.own.inline)
      actions.push({
        ...op('DeleteUserPolicy', { UserName: u, PolicyName: p.name }, `Delete the inline policy ${p.name} of ${u}, who keeps the same document through group ${g}`),
        destructive: true,
        inverse: op('PutUserPolicy', { UserName: u, PolicyName: p.name, PolicyDocument: p.document }, `Put the inline policy ${p.name} back on ${u}`),
        run: async (ctx) => void (await ctx.client(IAMClient).send(new DeleteUserPolicyCommand({ UserName: u, PolicyName: p.name }))),
      });
  }
  return actions;
}

/**
 * What each group this plan creates will hold once the plan is applied (its members, managed
 * policies and inline documents), recorded in the journal as the CreateGroup's output: undo deletes
 * the group only while it holds nothing else.
 */
export function recordNewGroups(actions: PlanAction[]): PlanAction[] {
  return actions.map((a) => {
    if (a.operation !== 'CreateGroup') return a;
    const g = a.params.GroupName;
    const mine = actions.filter((x) => x.params.GroupName === g);
    const leaves = {
      members: mine.filter((x) => x.operation === 'AddUserToGroup').map((x) => String(x.params.UserName)),
      managed: mine.filter((x) => x.operation === 'AttachGroupPolicy').map((x) => String(x.params.PolicyArn)),
      inline: mine.filter((x) => x.operation === 'PutGroupPolicy').map((x) => ({ name: String(x.params.PolicyName), document: String(x.params.PolicyDocument) })),
    };
    const run = a.run;
    return {
      ...a,
      run: async (ctx, io) => {
        const out = ((await run(ctx, io)) as ActionOutcome | undefined) ?? {};
        return { ...out, output: { ...out.output, leaves } };
      },
    };
  });
}

const leavesSchema = z.object({
  members: z.array(z.string()),
  managed: z.array(z.string()),
  inline: z.array(z.object({ name: z.string(), document: z.string() })),
});

const sameDocument = (a: string | undefined, b: string) => a !== undefined && sameJson(decodePolicyDocument(a) ?? a, decodePolicyDocument(b) ?? b);

/**
 * The undo of one applied change: reads the users and groups now (read-only), compares them with
 * what the fix wrote, and reverses it from the recorded inverse (the prior policy document, the
 * membership, the group) only while it is as the fix left it.
 */
async function undoChange(ctx: StepContext, entry: UndoEntry): Promise<UndoVerdict> {
  const p = entry.params as Record<string, string | undefined>;
  // Read afresh, not the run's shared copy: the drift check is about the account as it is now.
  const details = await loadAuthorizationDetails(ctx);
  const user = p.UserName ? details.UserDetailList.find((u) => u.UserName === p.UserName) : undefined;
  const group = p.GroupName ? details.GroupDetailList.find((g) => g.GroupName === p.GroupName) : undefined;
  const membersOf = (name: string) => details.UserDetailList.filter((u) => u.GroupList?.includes(name)).map((u) => u.UserName ?? '?');
  const inverse = () => undoWith(recordedInverse(entry));
  switch (entry.operation) {
    case 'DetachUserPolicy':
      if (!user) return drifted(`The user ${p.UserName}`, { now: 'deleted', wrote: `${p.PolicyArn} detached` });
      if (user.AttachedManagedPolicies?.some((m) => m.PolicyArn === p.PolicyArn)) return nothingToUndo(`${p.PolicyArn} is attached to ${p.UserName} again, as before the fix.`);
      return inverse();
    case 'DeleteUserPolicy': {
      if (!user) return drifted(`The user ${p.UserName}`, { now: 'deleted', wrote: `inline policy ${p.PolicyName} deleted` });
      const had = entry.inverse?.params.PolicyDocument;
      if (typeof had !== 'string') return irreversible(`The journal holds no copy of the inline policy ${p.PolicyName} of ${p.UserName}.`);
      const now = user.UserPolicyList?.find((x) => x.PolicyName === p.PolicyName);
      if (!now) return inverse();
      if (sameDocument(now.PolicyDocument, had)) return nothingToUndo(`${p.UserName} has the inline policy ${p.PolicyName} again, as before the fix.`);
      return drifted(`The inline policy ${p.PolicyName} of ${p.UserName}`, { now: decodePolicyDocument(now.PolicyDocument) ?? now.PolicyDocument, wrote: 'deleted' });
    }
    case 'AddUserToGroup':
      if (!user || !group || !user.GroupList?.includes(p.GroupName!)) return nothingToUndo(`${p.UserName} is not in group ${p.GroupName}, as before the fix.`);
      return inverse();
    case 'AttachGroupPolicy':
      if (!group || !group.AttachedManagedPolicies?.some((m) => m.PolicyArn === p.PolicyArn))
        return nothingToUndo(`${p.PolicyArn} is not attached to group ${p.GroupName}, as before the fix.`);
      return inverse();
    case 'PutGroupPolicy': {
      const now = group?.GroupPolicyList?.find((x) => x.PolicyName === p.PolicyName);
      if (!now) return nothingToUndo(`Group ${p.GroupName} has no inline policy ${p.PolicyName}, as before the fix.`);
      if (!sameDocument(now.PolicyDocument, String(p.PolicyDocument)))
        return drifted(`The inline policy ${p.PolicyName} of group ${p.GroupName}`, { now: decodePolicyDocument(now.PolicyDocument) ?? now.PolicyDocument, wrote: decodePolicyDocument(p.PolicyDocument) });
      return inverse();
    }
    case 'CreateGroup': {
      if (!group) return nothingToUndo(`Group ${p.GroupName} no longer exists, as before the fix.`);
      const leaves = leavesSchema.safeParse(entry.output?.leaves);
      if (!leaves.success) return irreversible(`The journal does not record what group ${p.GroupName} held after the fix, so undo cannot tell whether it is still as the fix left it.`);
      const left = leaves.data;
      const others = [
        ...membersOf(p.GroupName!).filter((m) => !left.members.includes(m)).map((m) => `member ${m}`),
        ...(group.AttachedManagedPolicies ?? []).filter((m) => !left.managed.includes(m.PolicyArn ?? '')).map((m) => `policy ${m.PolicyName ?? m.PolicyArn}`),
        ...(group.GroupPolicyList ?? [])
          .filter((x) => !left.inline.some((i) => i.name === x.PolicyName && sameDocument(x.PolicyDocument, i.document)))
          .map((x) => `inline policy ${x.PolicyName}`),
      ];
      if (others.length) return drifted(`Group ${p.GroupName}`, { now: `it also holds ${others.join(', ')}`, wrote: describeLeaves(left) });
      return undoWith(recordedInverse(entry, { summary: `Delete group ${p.GroupName}, which the fix created (the undos before this one empty it)` }));
    }
    default:
      return irreversible(`This version of ${meta.id} does not know how to undo ${entry.operation}.`);
  }
}

function describeLeaves(l: z.infer<typeof leavesSchema>): string {
  const parts = [
    l.members.length ? `members ${l.members.join(', ')}` : '',
    l.managed.length ? `policies ${l.managed.map((a) => a.split('/').pop()).join(', ')}` : '',
    l.inline.length ? `inline ${l.inline.map((i) => i.name).join(', ')}` : '',
  ].filter(Boolean);
  return parts.join('; ') || 'an empty group';
}

/** What the person must read before confirming: the permissions stay the same (computed), and quotas the plan may hit. */
export function warningsFor(moves: readonly Move[], existingGroups: number): string[] {
  const out: string[] = [];
  const list = (ms: readonly Move[]) => (ms.length <= 10 ? ms.map((m) => m.user).join(', ') : `${ms.slice(0, 10).map((m) => m.user).join(', ')} and ${ms.length - 10} more`);
  out.push(
    `Permissions before and after are the same set for ${moves.length === 1 ? `${moves[0]!.user}` : `each of the ${moves.length} users`} ` +
      '(computed from the managed policy ARNs and inline policy documents each user holds directly and through groups). ' +
      'Each user joins the group before losing their own policies, so no access is lost in between; existing groups are reused only ' +
      'when they hold exactly the same policies, and are never edited.',
  );
  const full = moves.filter((m) => !m.target.isMember && m.groups.length >= QUOTAS.groupsPerUser);
  if (full.length) out.push(`Already in ${QUOTAS.groupsPerUser} groups, the most IAM allows by default: ${list(full)}. Adding them to another group will fail unless the quota was raised.`);
  const big = moves.filter((m) => m.target.kind === 'new' && m.own.managed.length > QUOTAS.managedPerGroup);
  if (big.length)
    out.push(`More than ${QUOTAS.managedPerGroup} managed policies for one new group (the default quota per group): ${list(big)}. Attaching them will fail unless the quota was raised.`);
  const newGroups = new Set(moves.filter((m) => m.target.kind === 'new').map((m) => m.target.name)).size;
  if (existingGroups + newGroups > QUOTAS.groupsPerAccount)
    out.push(
      `This creates ${newGroups} groups next to the ${existingGroups} there are, over the default quota of ${QUOTAS.groupsPerAccount} per account. ` +
        'Consider grouping users by role by hand first: people who do the same job should share one group.',
    );
  return out;
}

const step: Step = {
  meta,

  async check(ctx) {
    const details = await authorizationDetails(ctx);
    const users = details.UserDetailList;
    const own = users.filter(hasOwnPolicies);
    if (!own.length)
      return [
        {
          status: 'pass',
          resource: `arn:${ctx.target.partition}:iam::${ctx.target.accountId}:account`,
          region: 'global',
          message: users.length
            ? `No IAM user holds policies of their own: all ${plural(users.length, 'user')} get their permissions through groups.`
            : 'There are no IAM users, so none holds policies of their own.',
        },
      ];
    return own.map((u): Finding => {
      const set = userPolicies(u);
      return {
        status: 'fail',
        resource: u.Arn ?? u.UserName ?? '?',
        region: 'global',
        message: `IAM user ${u.UserName} holds ${countSet(set)} directly instead of through a group: ${describeSet(set)}.`,
        data: { kind: KIND, user: u.UserName, managed: set.managed.map((m) => m.arn), inline: set.inline.map((i) => i.name) },
      };
    });
  },

  async plan(ctx, findings): Promise<Plan> {
    const users = new Set(findings.filter((f) => f.status === 'fail' && f.data?.kind === KIND).map((f) => String(f.data!.user)));
    if (!users.size) return { actions: [] };
    const details = await authorizationDetails(ctx);
    const moves = planMoves(details, users);
    const broken = moves.filter((m) => !samePermissions(m));
    // By construction the sets match; if they ever do not, the plan must not be applied.
    if (broken.length) throw new Error(`The planned groups would change the permissions of ${broken.map((m) => m.user).join(', ')}; nothing planned.`);
    if (!moves.length) return { actions: [] };
    let actions = movesToActions(moves);
    const guardrail = regionGuardrail(details);
    const newGroups = [...new Set(moves.filter((m) => m.target.kind === 'new').map((m) => m.target.name))];
    if (guardrail && newGroups.length) {
      // account.regions denies other regions through a policy on every group: new groups get it too,
      // before anyone is added to them, or the guardrail would stop covering their members.
      for (const g of newGroups) {
        const created = actions.findIndex((a) => a.operation === 'CreateGroup' && a.params.GroupName === g);
        actions.splice(created + 1, 0, guardrailAction(g, guardrail));
      }
    }
    actions = recordNewGroups(actions);
    const warnings = warningsFor(moves, details.GroupDetailList.length);
    if (guardrail && newGroups.length)
      warnings.push(`The region guardrail ${REGION_GUARDRAIL} (account.regions) is attached to the new group${newGroups.length === 1 ? '' : 's'} as well, as it is to every other group.`);
    return { actions, warnings };
  },

  undo: undoChange,

  /**
   * day-one scenario: an existing `readers` group with ReadOnlyAccess; riley holds ReadOnlyAccess
   * directly (moves to `readers`), jordan and taylor hold ReadOnlyAccess and the same inline policy
   * (both move to one new group).
   */
  async seed(ctx: StepContext) {
    sandboxOnly(ctx);
    const iam = ctx.client(IAMClient);
    const once = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (err) {
        if (!(err instanceof EntityAlreadyExistsException)) throw err;
      }
    };
    const readOnly = `arn:${ctx.target.partition}:iam::aws:policy/ReadOnlyAccess`;
    await once(iam.send(new CreateGroupCommand({ GroupName: SEED_GROUP })));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: SEED_GROUP, PolicyArn: readOnly }));
    for (const user of SEED_USERS) {
      await once(iam.send(new CreateUserCommand({ UserName: user })));
      await iam.send(new AttachUserPolicyCommand({ UserName: user, PolicyArn: readOnly }));
    }
    for (const user of SEED_USERS.slice(1))
      await iam.send(new PutUserPolicyCommand({ UserName: user, PolicyName: 'publish-site', PolicyDocument: JSON.stringify(SEED_INLINE) }));
  },
};

export const SEED_GROUP = 'readers';
export const SEED_USERS = ['riley.analyst', 'jordan.dev', 'taylor.dev'] as const;
const SEED_INLINE = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'PublishSite', Effect: 'Allow', Action: ['s3:PutObject', 's3:DeleteObject'], Resource: 'arn:aws:s3:::example-site-bucket/*' }],
};

export default step;
