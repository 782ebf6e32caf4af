/**
 * account.regions, plan: the guardrail (an SCP on the organization root, or an IAM policy on every
 * group), its attachments, DisableRegion calls for opt-in regions outside the choice, and what is
 * left to do by hand.
 */
import { AccountClient, DisableRegionCommand } from '@aws-sdk/client-account';
import {
  AttachGroupPolicyCommand,
  CreatePolicyCommand as IamCreatePolicyCommand,
  CreatePolicyVersionCommand,
  DeletePolicyVersionCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  EnablePolicyTypeCommand,
  ListPoliciesCommand,
  OrganizationsClient,
  UpdatePolicyCommand,
} from '@aws-sdk/client-organizations';
import type { Plan, PlanAction, StepContext } from '../../../src/engine/step-kit.js';
import { UserError } from '../../../src/engine/step-kit.js';
import { SCP_TYPE, targetsOf } from './guardrail.js';
import type { IamState, ScpState } from './guardrail.js';
import { usageText } from './inventory.js';
import meta from './meta.js';
import {
  IAM_POLICY_MAX_CHARS,
  POLICY_DESCRIPTION,
  POLICY_NAME,
  SCP_MAX_CHARS,
  documentText,
  exemptionsOf,
  guardrailDocument,
  iamPolicySize,
  parseDocument,
  sameDocument,
} from '../_shared/region-guardrail.js';
import type { Reading } from './judge.js';
import { list } from './judge.js';
import { VERSION_IRREVERSIBLE } from './undo.js';

/*
 * Policy documents appear in the plan's parameters as JSON objects, so the person reads the policy
 * itself rather than an escaped string; the calls send the same document as compact JSON text.
 */

interface Pending {
  /** The id of the SCP created by an earlier action of this plan. */
  scpId?: string;
}

function scpActions(g: ScpState, allowed: string[], pending: Pending): PlanAction[] {
  const doc = guardrailDocument(allowed, g.ours ? exemptionsOf(g.ours.content) : []);
  const text = documentText(doc);
  if (text.length > SCP_MAX_CHARS)
    throw new Error(`The policy for ${allowed.length} regions has ${text.length} characters; an SCP may have at most ${SCP_MAX_CHARS}. Choose fewer regions.`);
  const actions: PlanAction[] = [];
  if (!g.typeEnabled)
    actions.push({
      service: 'organizations',
      operation: 'EnablePolicyType',
      region: 'global',
      params: { RootId: g.rootId, PolicyType: SCP_TYPE },
      summary: 'Enable service control policies on the organization root (AWS attaches FullAWSAccess everywhere, so nothing is denied yet)',
      inverse: {
        service: 'organizations',
        operation: 'DisablePolicyType',
        region: 'global',
        params: { RootId: g.rootId, PolicyType: SCP_TYPE },
        summary: 'Disable service control policies on the root (this detaches every SCP in the organization)',
      },
      async run(c) {
        await c.client(OrganizationsClient).send(new EnablePolicyTypeCommand({ RootId: g.rootId, PolicyType: SCP_TYPE }));
        // For undo: SCPs on the root before the fix, which turning SCPs off again would detach.
        return { output: { attachedBefore: attachedBefore(g) } };
      },
    });
  const NEW_ID = `(the id of the new ${POLICY_NAME} policy)`;
  if (!g.ours)
    actions.push({
      service: 'organizations',
      operation: 'CreatePolicy',
      region: 'global',
      params: { Name: POLICY_NAME, Description: POLICY_DESCRIPTION, Type: SCP_TYPE, Content: doc },
      summary: `Create the service control policy ${POLICY_NAME}, denying everything outside ${list(allowed)} but global services`,
      inverse: { service: 'organizations', operation: 'DeletePolicy', region: 'global', params: { PolicyId: NEW_ID }, summary: `Delete the ${POLICY_NAME} policy (detach it first)` },
      async run(c) {
        const out = await c
          .client(OrganizationsClient)
          .send(new CreatePolicyCommand({ Name: POLICY_NAME, Description: POLICY_DESCRIPTION, Type: SCP_TYPE, Content: text }));
        pending.scpId = out.Policy?.PolicySummary?.Id;
        return pending.scpId ? { output: { PolicyId: pending.scpId } } : undefined;
      },
    });
  else if (!sameDocument(g.ours.content, doc)) {
    const ours = g.ours;
    actions.push({
      service: 'organizations',
      operation: 'UpdatePolicy',
      region: 'global',
      params: { PolicyId: ours.id, Content: doc },
      summary: `Change the ${POLICY_NAME} policy to leave only ${list(allowed)} open`,
      inverse: {
        service: 'organizations',
        operation: 'UpdatePolicy',
        region: 'global',
        params: { PolicyId: ours.id, Content: parseDocument(ours.content) ?? ours.content },
        summary: `Restore the previous ${POLICY_NAME} policy`,
      },
      async run(c) {
        await c.client(OrganizationsClient).send(new UpdatePolicyCommand({ PolicyId: ours.id, Content: text }));
      },
    });
  }
  if (!g.ours?.attached) {
    const id = g.ours?.id;
    actions.push({
      service: 'organizations',
      operation: 'AttachPolicy',
      region: 'global',
      params: { PolicyId: id ?? NEW_ID, TargetId: g.rootId },
      summary: `Attach ${POLICY_NAME} to the organization root: every member account is covered`,
      inverse: {
        service: 'organizations',
        operation: 'DetachPolicy',
        region: 'global',
        params: { PolicyId: id ?? NEW_ID, TargetId: g.rootId },
        summary: `Detach ${POLICY_NAME} from the organization root`,
      },
      async run(c) {
        const policyId = id ?? pending.scpId ?? (await findScpId(c));
        await c.client(OrganizationsClient).send(new AttachPolicyCommand({ PolicyId: policyId, TargetId: g.rootId }));
        return { output: { PolicyId: policyId } };
      },
    });
  }
  return actions;
}

/** The names of the SCPs attached to the root now (ours included), which turning SCPs off would detach. */
function attachedBefore(g: ScpState): string[] {
  return [...new Set([...g.attached.map((p) => p.name), ...(g.ours?.attached ? [POLICY_NAME] : [])])].sort();
}

/** The id of our SCP, when an earlier run created it and this plan did not. */
async function findScpId(ctx: StepContext): Promise<string> {
  const org = ctx.client(OrganizationsClient);
  let token: string | undefined;
  do {
    const page = await org.send(new ListPoliciesCommand({ Filter: SCP_TYPE, NextToken: token }));
    const found = page.Policies?.find((p) => p.Name === POLICY_NAME);
    if (found?.Id) return found.Id;
    token = page.NextToken;
  } while (token);
  throw new Error(`The ${POLICY_NAME} policy was not found to attach.`);
}

function iamActions(ctx: StepContext, g: IamState, allowed: string[]): PlanAction[] {
  const doc = guardrailDocument(allowed, g.ours ? exemptionsOf(g.ours.document) : []);
  const size = iamPolicySize(doc);
  if (size > IAM_POLICY_MAX_CHARS)
    throw new Error(`The policy for ${allowed.length} regions has ${size} characters; IAM accepts at most ${IAM_POLICY_MAX_CHARS}. Choose fewer regions.`);
  const text = documentText(doc);
  const arn = g.ours?.arn ?? `arn:${ctx.target.partition}:iam::${ctx.target.accountId}:policy/${POLICY_NAME}`;
  const actions: PlanAction[] = [];
  const attaching = g.groups.filter((x) => !x.hasOurs).map((x) => x.name);
  if (!g.ours)
    actions.push({
      service: 'iam',
      operation: 'CreatePolicy',
      region: 'global',
      params: { PolicyName: POLICY_NAME, Description: POLICY_DESCRIPTION, PolicyDocument: doc },
      summary: `Create the IAM policy ${POLICY_NAME}, denying everything outside ${list(allowed)} but global services`,
      inverse: { service: 'iam', operation: 'DeletePolicy', region: 'global', params: { PolicyArn: arn }, summary: `Delete the ${POLICY_NAME} policy (detach it first)` },
      async run(c) {
        await c.client(IAMClient).send(new IamCreatePolicyCommand({ PolicyName: POLICY_NAME, Description: POLICY_DESCRIPTION, PolicyDocument: text }));
        // For undo: the groups this plan attaches it to (any other attachment is someone else's).
        return { output: { groups: attaching } };
      },
    });
  else if (!sameDocument(g.ours.document, doc)) {
    const ours = g.ours;
    // IAM keeps five versions of a policy: make room by removing the oldest one not in use.
    const oldest = ours.versions.length >= 5 ? ours.versions.find((v) => !v.isDefault) : undefined;
    if (oldest)
      actions.push({
        service: 'iam',
        operation: 'DeletePolicyVersion',
        region: 'global',
        params: { PolicyArn: arn, VersionId: oldest.id },
        summary: `Delete the oldest unused version (${oldest.id}) of ${POLICY_NAME}: IAM keeps at most five`,
        destructive: true,
        irreversible: VERSION_IRREVERSIBLE,
        async run(c) {
          await c.client(IAMClient).send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: oldest.id }));
        },
      });
    actions.push({
      service: 'iam',
      operation: 'CreatePolicyVersion',
      region: 'global',
      params: { PolicyArn: arn, PolicyDocument: doc, SetAsDefault: true },
      summary: `Make a new version of ${POLICY_NAME} the default, leaving only ${list(allowed)} open`,
      inverse: {
        service: 'iam',
        operation: 'SetDefaultPolicyVersion',
        region: 'global',
        params: { PolicyArn: arn, VersionId: ours.defaultVersionId },
        summary: `Make version ${ours.defaultVersionId} of ${POLICY_NAME} the default again`,
      },
      async run(c) {
        const made = await c.client(IAMClient).send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: text, SetAsDefault: true }));
        const id = made.PolicyVersion?.VersionId;
        // For undo: the version to delete once the previous one is the default again.
        return id ? { output: { VersionId: id } } : undefined;
      },
    });
  }
  for (const group of g.groups.filter((x) => !x.hasOurs))
    actions.push({
      service: 'iam',
      operation: 'AttachGroupPolicy',
      region: 'global',
      params: { GroupName: group.name, PolicyArn: arn },
      summary: `Attach ${POLICY_NAME} to the group ${group.name}`,
      inverse: { service: 'iam', operation: 'DetachGroupPolicy', region: 'global', params: { GroupName: group.name, PolicyArn: arn }, summary: `Detach ${POLICY_NAME} from ${group.name}` },
      async run(c) {
        await c.client(IAMClient).send(new AttachGroupPolicyCommand({ GroupName: group.name, PolicyArn: arn }));
      },
    });
  return actions;
}

function disableActions(r: Reading, allowed: string[]): { actions: PlanAction[]; byHand: string[] } {
  const toDisable = r.enabled.regions.filter((x) => x.optIn && !allowed.includes(x.name)).map((x) => x.name);
  if (r.enabled.source !== 'account') return { actions: [], byHand: toDisable };
  return {
    byHand: [],
    actions: toDisable.map(
      (name): PlanAction => ({
        service: 'account',
        operation: 'DisableRegion',
        region: 'global',
        params: { RegionName: name },
        summary: `Disable the opt-in region ${name} (takes minutes to hours; its resources become unreachable until it is enabled again)`,
        destructive: true,
        inverse: { service: 'account', operation: 'EnableRegion', region: 'global', params: { RegionName: name }, summary: `Enable ${name} again` },
        async run(c) {
          await c.client(AccountClient).send(new DisableRegionCommand({ RegionName: name }));
        },
      }),
    ),
  };
}

function warningsFor(r: Reading, allowed: string[]): string[] {
  const out: string[] = [];
  const left = Object.keys(r.inventory.inUse)
    .filter((x) => !allowed.includes(x))
    .sort();
  for (const x of left)
    out.push(`${x} holds resources (${usageText(r.inventory.inUse[x]!)}) and is not chosen: they keep running (and costing), but nobody the guardrail covers can manage or stop them.`);
  if (!allowed.includes(r.homeRegion))
    out.push(`Your home region ${r.homeRegion} is not chosen: regional actions there will be refused too.`);
  const g = r.guardrail;
  if (g.path === 'scp')
    out.push('Service control policies never restrict the management account itself: keep workloads in member accounts, and the management account for the organization only.');
  else {
    out.push(
      'An IAM policy covers members of IAM groups only: the root user, roles (including Identity Center permission sets) and users with policies of their own are not restricted by it.',
    );
    if (!g.groups.length) out.push('There is no IAM group yet: the policy is created, but covers nobody until it is attached to a group.');
  }
  for (const t of targetsOf(g)) {
    const denied = t.allowed ? allowed.filter((x) => !t.allowed!.includes(x)) : [];
    const foreign = g.path === 'scp' ? g.attached.filter((p) => p.name !== POLICY_NAME) : g.groups.find((x) => `group ${x.name}` === t.label)?.guardrails.filter((p) => p.name !== POLICY_NAME) ?? [];
    const blocking = foreign.filter((p) => denied.some((x) => !p.allowed.includes(x)));
    for (const p of blocking)
      out.push(`Another policy on ${t.label}, ${p.name}, leaves only ${list(p.allowed)} open: it will still deny ${list(denied.filter((x) => !p.allowed.includes(x)))}.`);
  }
  return out;
}

function guidanceFor(r: Reading, byHand: string[]): string | undefined {
  if (!byHand.length) return undefined;
  return [
    `These opt-in regions are enabled but not chosen: ${byHand.map((x) => `\`${x}\``).join(', ')}.`,
    '',
    `${r.enabled.note ?? 'They cannot be disabled from here.'} Disable each by hand:`,
    '',
    '1. Sign in to the console as the root user or an administrator.',
    '',
    '2. Open the account menu (top right) → **Account** → **AWS Regions**.',
    '',
    '3. Select the region and choose **Disable**; it takes a few minutes to a few hours.',
    '',
    `Or with the CLI: \`aws account disable-region --region-name ${byHand[0]}\` (one call per region).`,
  ].join('\n');
}

/** The plan for the regions `allowed` (sorted, checked against the schema) given what the check read. */
export async function planRegions(ctx: StepContext, r: Reading, allowed: string[]): Promise<Plan> {
  const names = r.enabled.regions.map((x) => x.name);
  const unknown = allowed.filter((x) => !names.includes(x));
  // Only known once the account is read: a bad answers file, said as such (exit 2, no stack).
  if (unknown.length)
    throw new UserError(
      `Invalid inputs for ${meta.id}: ${list(unknown)} ${unknown.length === 1 ? 'is' : 'are'} not enabled in this account.`,
      `Choose among the enabled regions: ${list(names)}.`,
    );
  const pending: Pending = {};
  const guard = r.guardrail.path === 'scp' ? scpActions(r.guardrail, allowed, pending) : iamActions(ctx, r.guardrail, allowed);
  const regions = disableActions(r, allowed);
  const actions = [...guard, ...regions.actions];
  const guidance = guidanceFor(r, regions.byHand);
  if (!actions.length) return guidance ? { actions, guidance } : { actions };
  const warnings = warningsFor(r, allowed);
  if (r.enabled.source !== 'account' && !regions.byHand.length)
    warnings.push(`${r.enabled.note ?? ''} None of the enabled regions is an opt-in region outside your choice.`.trim());
  return { actions, ...(warnings.length ? { warnings } : {}), ...(guidance ? { guidance } : {}) };
}
