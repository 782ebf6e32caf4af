/**
 * account.regions, undo: the guardrail the fix made or changed goes back to what was there before,
 * only while it is still what the fix wrote.
 *
 * - SCP path: detach the SCP the fix attached, delete the one it created (while its content is the
 *   fix's and it is attached nowhere else), put back the previous content it replaced, and turn SCPs
 *   off on the root again when the fix turned them on and nobody else's SCP would be detached by it.
 * - IAM path: detach the policy from the groups the fix attached it to, delete the policy it
 *   created (while it has the fix's one version and only those groups), make the previous version
 *   the default again and delete the fix's version.
 * - A disabled opt-in region is enabled again.
 */
import { AccountClient, GetRegionOptStatusCommand } from '@aws-sdk/client-account';
import { DeletePolicyVersionCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  DeletePolicyCommand,
  DescribePolicyCommand,
  DetachPolicyCommand,
  ListPoliciesCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  ListTargetsForPolicyCommand,
  OrganizationsClient,
  PolicyNotFoundException,
  UpdatePolicyCommand,
} from '@aws-sdk/client-organizations';
import type { PolicySummary, PolicyTargetSummary } from '@aws-sdk/client-organizations';
import type { ActionOutcome, PlanAction, StepContext, UndoEntry, UndoVerdict } from '../../../src/engine/step-kit.js';
import { drifted, irreversible, nothingToUndo, recordedInverse, undoWith } from '../../../src/engine/step-kit.js';
import { loadAuthorizationDetails } from '../_shared/iam-data.js';
import { POLICY_NAME, parseDocument, sameDocument } from '../_shared/region-guardrail.js';
import { SCP_TYPE, listAll } from './guardrail.js';
import meta from './meta.js';

/** Why a deleted policy version cannot be undone (the plan says it before the fix). */
export const VERSION_IRREVERSIBLE = 'IAM cannot bring back a deleted policy version; its document could only be added again as a new version, with a new id.';

/** Adds `extra` to what an action's run records in the journal (its output). */
export function withOutput(a: PlanAction, extra: (out: ActionOutcome) => Record<string, unknown>): PlanAction {
  const run = a.run;
  return {
    ...a,
    run: async (ctx, io) => {
      const out = ((await run(ctx, io)) as ActionOutcome | undefined) ?? {};
      return { ...out, output: { ...out.output, ...extra(out) } };
    },
  };
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const text = (doc: unknown) => (typeof doc === 'string' ? doc : JSON.stringify(doc));

function action(spec: Omit<PlanAction, 'run'>, run: PlanAction['run']): PlanAction {
  return { ...spec, run };
}

async function describeScp(ctx: StepContext, id: string): Promise<string | undefined> {
  try {
    return (await ctx.client(OrganizationsClient).send(new DescribePolicyCommand({ PolicyId: id }))).Policy?.Content ?? '';
  } catch (err) {
    if (err instanceof PolicyNotFoundException) return undefined;
    throw err;
  }
}

function targetsOf(ctx: StepContext, id: string): Promise<PolicyTargetSummary[]> {
  const org = ctx.client(OrganizationsClient);
  return listAll(async (NextToken) => {
    const p = await org.send(new ListTargetsForPolicyCommand({ PolicyId: id, NextToken }));
    return { items: p.Targets ?? [], next: p.NextToken };
  });
}

/** The id of the SCP an entry acted on: recorded by its run, or named in its params (never the plan's placeholder). */
function scpIdOf(entry: UndoEntry): string | undefined {
  const id = entry.output?.PolicyId ?? entry.params.PolicyId;
  return typeof id === 'string' && /^p-[0-9a-z_]+$/i.test(id) ? id : undefined;
}

async function undoScp(ctx: StepContext, entry: UndoEntry): Promise<UndoVerdict> {
  const org = ctx.client(OrganizationsClient);
  switch (entry.operation) {
    case 'AttachPolicy': {
      const id = scpIdOf(entry);
      const target = String(entry.params.TargetId);
      if (!id) return irreversible(`The journal does not record the id of the ${POLICY_NAME} policy it attached.`);
      const on: PolicySummary[] = await listAll(async (NextToken) => {
        const p = await org.send(new ListPoliciesForTargetCommand({ TargetId: target, Filter: SCP_TYPE, NextToken }));
        return { items: p.Policies ?? [], next: p.NextToken };
      });
      if (!on.some((p) => p.Id === id)) return nothingToUndo(`${POLICY_NAME} is not attached to ${target}, as before the fix.`);
      const params = { PolicyId: id, TargetId: target };
      return undoWith(
        action({ service: 'organizations', operation: 'DetachPolicy', region: 'global', params, summary: `Detach ${POLICY_NAME} from the organization root` }, async (c) => {
          await c.client(OrganizationsClient).send(new DetachPolicyCommand(params));
        }),
      );
    }
    case 'CreatePolicy': {
      const id = scpIdOf(entry);
      if (!id) return irreversible(`The journal does not record the id of the ${POLICY_NAME} policy the fix created.`);
      const content = await describeScp(ctx, id);
      if (content === undefined) return nothingToUndo(`The ${POLICY_NAME} policy no longer exists, as before the fix.`);
      if (!sameDocument(content, entry.params.Content)) return drifted(`The ${POLICY_NAME} policy`, { now: parseDocument(content) ?? content, wrote: entry.params.Content });
      // The attachment this fix made is undone first (newest first): any other target is someone else's.
      const root = (await org.send(new ListRootsCommand({}))).Roots?.[0]?.Id;
      const others = (await targetsOf(ctx, id)).filter((t) => t.TargetId !== root);
      if (others.length) return drifted(`Where ${POLICY_NAME} is attached`, { now: others.map((t) => t.Name ?? t.TargetId).join(', '), wrote: 'the organization root' });
      return undoWith(
        action({ service: 'organizations', operation: 'DeletePolicy', region: 'global', params: { PolicyId: id }, summary: `Delete the ${POLICY_NAME} policy the fix created` }, async (c) => {
          await c.client(OrganizationsClient).send(new DeletePolicyCommand({ PolicyId: id }));
        }),
      );
    }
    case 'UpdatePolicy': {
      const id = scpIdOf(entry);
      const before = entry.inverse?.params.Content;
      if (!id || before === undefined) return irreversible(`The journal does not record the ${POLICY_NAME} policy as it was before the fix.`);
      const content = await describeScp(ctx, id);
      if (content === undefined) return drifted(`The ${POLICY_NAME} policy`, { now: 'deleted', wrote: entry.params.Content });
      if (sameDocument(content, before)) return nothingToUndo(`The ${POLICY_NAME} policy already says what it said before the fix.`);
      if (!sameDocument(content, entry.params.Content)) return drifted(`The ${POLICY_NAME} policy`, { now: parseDocument(content) ?? content, wrote: entry.params.Content });
      const params = { PolicyId: id, Content: text(before) };
      return undoWith(
        action(
          { service: 'organizations', operation: 'UpdatePolicy', region: 'global', params: { PolicyId: id, Content: parseDocument(before) ?? before }, summary: `Restore the previous ${POLICY_NAME} policy` },
          async (c) => {
            await c.client(OrganizationsClient).send(new UpdatePolicyCommand(params));
          },
        ),
      );
    }
    case 'EnablePolicyType': {
      const roots = (await org.send(new ListRootsCommand({}))).Roots ?? [];
      const root = roots.find((r) => r.Id === entry.params.RootId);
      if (!root?.PolicyTypes?.some((t) => t.Type === SCP_TYPE && t.Status === 'ENABLED'))
        return nothingToUndo('Service control policies are not enabled on the root, as before the fix.');
      const before = strings(entry.output?.attachedBefore);
      if (before.length)
        return irreversible(
          `Turning service control policies off on the root detaches every SCP, and ${before.join(', ')} was attached there before the fix: ` +
            'AWS cannot hold an SCP attached with SCPs turned off, so they stay on.',
        );
      // Someone else's SCP attached since would be detached with them: refused. Ours goes with the undos before this one.
      const custom = (
        await listAll(async (NextToken) => {
          const p = await org.send(new ListPoliciesCommand({ Filter: SCP_TYPE, NextToken }));
          return { items: p.Policies ?? [], next: p.NextToken };
        })
      ).filter((p) => p.Id && !p.AwsManaged && p.Name !== POLICY_NAME);
      const attached: string[] = [];
      for (const p of custom) if ((await targetsOf(ctx, p.Id!)).length) attached.push(p.Name ?? p.Id!);
      if (attached.length) return drifted('The service control policies in use', { now: `${attached.join(', ')} attached`, wrote: `only ${POLICY_NAME}` });
      return undoWith(recordedInverse(entry, { summary: 'Turn service control policies off on the organization root again, as before the fix' }));
    }
    default:
      return irreversible(`This version of ${meta.id} does not know how to undo ${entry.operation}.`);
  }
}

async function undoIam(ctx: StepContext, entry: UndoEntry): Promise<UndoVerdict> {
  const details = await loadAuthorizationDetails(ctx);
  const arnOf = (e: UndoEntry) => String(e.params.PolicyArn ?? e.inverse?.params.PolicyArn ?? '');
  const policy = details.Policies.find((p) => p.Arn === arnOf(entry));
  const docOf = (versionId: string | undefined) => policy?.PolicyVersionList?.find((v) => v.VersionId === versionId)?.Document;
  switch (entry.operation) {
    case 'AttachGroupPolicy': {
      const group = details.GroupDetailList.find((g) => g.GroupName === entry.params.GroupName);
      if (!group?.AttachedManagedPolicies?.some((a) => a.PolicyArn === entry.params.PolicyArn))
        return nothingToUndo(`${POLICY_NAME} is not attached to ${String(entry.params.GroupName)}, as before the fix.`);
      return undoWith(recordedInverse(entry));
    }
    case 'CreatePolicy': {
      if (!policy) return nothingToUndo(`The ${POLICY_NAME} policy no longer exists, as before the fix.`);
      const versions = policy.PolicyVersionList ?? [];
      const now = docOf(policy.DefaultVersionId);
      if (versions.length !== 1 || !sameDocument(now, entry.params.PolicyDocument))
        return drifted(`The ${POLICY_NAME} policy`, { now: versions.length !== 1 ? `${versions.length} versions` : (parseDocument(now) ?? now), wrote: entry.params.PolicyDocument });
      const groups = strings(entry.output?.groups);
      const arn = policy.Arn!;
      const on = <T extends { AttachedManagedPolicies?: { PolicyArn?: string }[] }>(list: T[]): T[] => list.filter((x) => x.AttachedManagedPolicies?.some((a) => a.PolicyArn === arn));
      const elsewhere = [
        ...on(details.GroupDetailList).map((g) => g.GroupName ?? '?').filter((g) => !groups.includes(g)).map((g) => `group ${g}`),
        ...on(details.UserDetailList).map((u) => `user ${u.UserName}`),
        ...on(details.RoleDetailList).map((r) => `role ${r.RoleName}`),
      ];
      if (elsewhere.length) return drifted(`Where ${POLICY_NAME} is attached`, { now: elsewhere.join(', '), wrote: groups.length ? groups.map((g) => `group ${g}`).join(', ') : 'nowhere' });
      return undoWith(recordedInverse(entry, { summary: `Delete the ${POLICY_NAME} policy the fix created` }));
    }
    case 'CreatePolicyVersion': {
      const made = typeof entry.output?.VersionId === 'string' ? entry.output.VersionId : undefined;
      const previous = entry.inverse?.params.VersionId;
      if (!made || typeof previous !== 'string') return irreversible(`The journal does not record which version of ${POLICY_NAME} the fix made.`);
      if (!policy) return drifted(`The ${POLICY_NAME} policy`, { now: 'deleted', wrote: `version ${made}` });
      if (policy.DefaultVersionId === previous) return nothingToUndo(`Version ${previous} of ${POLICY_NAME} is the default again, as before the fix.`);
      if (policy.DefaultVersionId !== made) return drifted(`The default version of ${POLICY_NAME}`, { now: policy.DefaultVersionId ?? 'none', wrote: made });
      if (!docOf(previous)) return irreversible(`Version ${previous} of ${POLICY_NAME}, the default before the fix, has been deleted since: it cannot come back.`);
      const arn = arnOf(entry);
      const remove = { PolicyArn: arn, VersionId: made };
      return undoWith(
        recordedInverse(entry),
        action({ service: 'iam', operation: 'DeletePolicyVersion', region: 'global', params: remove, summary: `Delete version ${made} of ${POLICY_NAME}, the one the fix made` }, async (c) => {
          await c.client(IAMClient).send(new DeletePolicyVersionCommand(remove));
        }),
      );
    }
    case 'DeletePolicyVersion':
      return irreversible(VERSION_IRREVERSIBLE);
    default:
      return irreversible(`This version of ${meta.id} does not know how to undo ${entry.operation}.`);
  }
}

async function undoRegion(ctx: StepContext, entry: UndoEntry): Promise<UndoVerdict> {
  const name = String(entry.params.RegionName);
  const status = (await ctx.client(AccountClient).send(new GetRegionOptStatusCommand({ RegionName: name }))).RegionOptStatus;
  if (status === 'ENABLED' || status === 'ENABLING' || status === 'ENABLED_BY_DEFAULT') return nothingToUndo(`${name} is enabled (${status}), as before the fix.`);
  return undoWith(recordedInverse(entry, { summary: `Enable ${name} again (takes minutes to hours)` }));
}

export async function undoRegions(ctx: StepContext, entry: UndoEntry): Promise<UndoVerdict> {
  if (entry.service === 'organizations') return undoScp(ctx, entry);
  if (entry.service === 'iam') return undoIam(ctx, entry);
  if (entry.service === 'account' && entry.operation === 'DisableRegion') return undoRegion(ctx, entry);
  return irreversible(`This version of ${meta.id} does not know how to undo ${entry.service}:${entry.operation}.`);
}
