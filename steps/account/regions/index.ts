/**
 * account.regions: the person chooses the regions they use; a guardrail denies every other
 * region (global services exempt), and opt-in regions outside the choice are disabled where the
 * Account API allows. The choice becomes the run's regions for every regional step after this one.
 *
 * Check: enabled regions, where something runs, and whether a deny-other-regions guardrail covers
 * the organization root (management account) or every IAM group (otherwise), in agreement with
 * the regions this run works on. Plan: the policy (shown in full in the action's parameters), its
 * attachments, and DisableRegion calls; by hand what the endpoint cannot do.
 */
import { AccountClient, DisableRegionCommand } from '@aws-sdk/client-account';
import {
  AttachGroupPolicyCommand,
  CreateGroupCommand,
  CreatePolicyCommand as IamCreatePolicyCommand,
  CreatePolicyVersionCommand,
  DeletePolicyVersionCommand,
  EntityAlreadyExistsException,
  IAMClient,
} from '@aws-sdk/client-iam';
import { CreateTagsCommand, CreateVpcCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  EnablePolicyTypeCommand,
  ListPoliciesCommand,
  OrganizationsClient,
  UpdatePolicyCommand,
} from '@aws-sdk/client-organizations';
import { z } from 'zod';
import { isRegionName } from '../../../src/aws/regions.js';
import type { Asker, Finding, Plan, PlanAction, Step, StepContext, StepInputs } from '../../../src/engine/step-kit.js';
import { UserError, formatZodError, plural, sandboxOnly } from '../../../src/engine/step-kit.js';
import { SCP_TYPE, readGuardrail, targetsOf } from './guardrail.js';
import type { GuardrailState, IamState, ScpState } from './guardrail.js';
import { enabledRegionList, regionInventory, usageText } from './inventory.js';
import type { EnabledRegions, Inventory } from './inventory.js';
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

/** Inputs of the fix (answers file `account.regions`). */
export interface RegionsInputs {
  /** The regions workloads may run in; every other one is denied. */
  allowed: string[];
}

const inputsSchema = z.strictObject({
  allowed: z
    .array(z.string().trim().refine(isRegionName, { message: 'not a region name (for example eu-west-1)' }))
    .min(1, 'choose at least one region')
    .refine((rs) => new Set(rs).size === rs.length, { message: 'a region is listed twice' }),
});

/** What the check read; carried to the plan and the questions in the first finding's data. */
export interface Reading {
  homeRegion: string;
  enabled: EnabledRegions;
  inventory: Inventory;
  guardrail: GuardrailState;
  /** The regions this run works on (a recorded choice, --regions, or every enabled region). */
  runRegions: string[];
  /** Whether the run's regions are a choice, rather than simply every enabled region. */
  choiceKnown: boolean;
}

const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();
const list = (xs: readonly string[]) => (xs.length ? xs.join(', ') : 'none');
const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && sorted(a).join() === sorted(b).join();

function readingFrom(findings: Finding[]): Reading | undefined {
  const f = findings.find((x) => x.data && 'reading' in x.data);
  return f ? (f.data!.reading as Reading) : undefined;
}

function requireReading(findings: Finding[]): Reading {
  const r = readingFrom(findings);
  if (!r) throw new Error('The regions were not read: check the step before planning its fix.');
  return r;
}

function parseInputs(inputs: unknown): RegionsInputs {
  const parsed = inputsSchema.safeParse(inputs);
  if (!parsed.success) throw new Error(`Invalid inputs for ${meta.id}: ${formatZodError(parsed.error)}`);
  return { allowed: sorted(parsed.data.allowed) };
}

/** Regions any covered target leaves open (undefined when nothing is covered). */
function openRegions(state: GuardrailState): string[] | undefined {
  const covered = targetsOf(state).filter((t) => t.allowed);
  return covered.length ? sorted(covered.flatMap((t) => t.allowed!)) : undefined;
}

function accountResource(ctx: StepContext, suffix: string): string {
  return `arn:${ctx.target.partition}:account::${ctx.target.accountId}:${suffix}`;
}

function policyResource(ctx: StepContext, g: GuardrailState): string {
  if (g.path === 'scp') return g.ours?.arn || g.rootArn;
  return g.ours?.arn ?? `arn:${ctx.target.partition}:iam::${ctx.target.accountId}:policy/${POLICY_NAME}`;
}

function inventoryFinding(ctx: StepContext, r: Reading): Finding {
  const names = r.enabled.regions.map((x) => x.name);
  const optIn = r.enabled.regions.filter((x) => x.optIn).map((x) => x.name);
  const used = Object.keys(r.inventory.inUse).sort();
  const unreadable = Object.keys(r.inventory.unreadable).sort();
  const parts = [
    `${plural(names.length, 'region')} ${names.length === 1 ? 'is' : 'are'} enabled${optIn.length ? ` (opt-in: ${list(optIn)})` : ''}.`,
    used.length
      ? `Resources were found in ${used.map((x) => `${x} (${usageText(r.inventory.inUse[x]!)})`).join('; ')}.`
      : 'No instances, volumes, network interfaces or VPCs of your own were found in any of them.',
  ];
  if (unreadable.length)
    parts.push(`${plural(unreadable.length, 'region')} could not be read (${list(unreadable)}): ${r.inventory.unreadable[unreadable[0]!]}`);
  if (r.enabled.note) parts.push(r.enabled.note);
  return { status: 'pass', resource: accountResource(ctx, 'regions'), region: 'global', message: parts.join(' '), data: { reading: r } };
}

function guardrailFinding(ctx: StepContext, r: Reading): Finding {
  const g = r.guardrail;
  const base = { resource: policyResource(ctx, g), region: 'global', data: { path: g.path } };
  const targets = targetsOf(g);
  const where = g.path === 'scp' ? 'A service control policy on the organization root' : 'An IAM policy attached to every group';
  if (g.path === 'scp' && !g.typeEnabled)
    return {
      ...base,
      status: 'fail',
      message:
        'Service control policies are not enabled on the organization root' +
        (g.ours?.attached ? `: the ${POLICY_NAME} policy attached there has no effect.` : ', and no policy denies regions outside your choice.'),
    };
  if (g.path === 'iam' && targets.length === 0)
    return g.ours
      ? {
          ...base,
          status: 'manual',
          message: `The ${POLICY_NAME} policy exists, but there is no IAM group to attach it to, so it covers nobody (${g.why}). Attach it to each group you create; account.admin-identity makes one.`,
        }
      : { ...base, status: 'fail', message: `No policy denies regions outside your choice, and there is no IAM group to carry one (${g.why}).` };
  const missing = targets.filter((t) => !t.allowed);
  if (missing.length === targets.length)
    return {
      ...base,
      status: 'fail',
      message:
        g.path === 'scp'
          ? 'No service control policy on the organization root denies regions outside your choice: every member account may use every enabled region.'
          : `No policy denies regions outside your choice (${g.why}): none of the ${targets.length} IAM group(s) carries one (${list(targets.map((t) => t.label.replace(/^group /, '')))}).`,
    };
  if (missing.length)
    return {
      ...base,
      status: 'fail',
      message: `Not every IAM group is covered: ${list(missing.map((t) => t.label.replace(/^group /, '')))} lack(s) a deny-other-regions policy (${targets.length - missing.length} of ${targets.length} have one).`,
    };
  if (r.choiceKnown) {
    const conflicts = targets.map((t) => ({ t, denied: r.runRegions.filter((x) => !t.allowed!.includes(x)) })).filter((c) => c.denied.length);
    if (conflicts.length)
      return {
        ...base,
        status: 'fail',
        message: `The guardrail and the chosen regions disagree: ${conflicts
          .map((c) => `${c.t.label} denies ${list(c.denied)}`)
          .join('; ')}, which this run's regions (${list(r.runRegions)}) include. Choose the regions again so both agree.`,
      };
  }
  const sets = [...new Set(targets.map((t) => t.allowed!.join(', ')))];
  const open = sets.length === 1 ? sets[0]! : targets.map((t) => `${t.label}: ${t.allowed!.join(', ')}`).join('; ');
  const extra = r.choiceKnown ? (openRegions(g) ?? []).filter((x) => !r.runRegions.includes(x)) : [];
  const tail = extra.length ? ` It also leaves ${list(extra)} open, which this run does not check.` : '';
  return { ...base, status: 'pass', message: `${where} leaves only ${open} open; global services are exempt.${tail}` };
}

function regionFindings(ctx: StepContext, r: Reading): Finding[] {
  const open = openRegions(r.guardrail);
  if (!open) return [];
  const out: Finding[] = [];
  for (const x of r.enabled.regions.filter((x) => x.optIn && !open.includes(x.name))) {
    const resource = accountResource(ctx, `region/${x.name}`);
    out.push(
      r.enabled.source === 'account'
        ? { status: 'fail', resource, region: x.name, message: `The opt-in region ${x.name} is enabled but outside the chosen regions: it can be disabled.` }
        : {
            status: 'manual',
            resource,
            region: x.name,
            message: `The opt-in region ${x.name} is enabled but outside the chosen regions, and cannot be disabled from here: in the console, open the account menu → Account → AWS Regions and disable it.`,
          },
    );
  }
  for (const [name, usage] of Object.entries(r.inventory.inUse).sort(([a], [b]) => a.localeCompare(b))) {
    if (open.includes(name)) continue;
    out.push({
      status: 'manual',
      resource: accountResource(ctx, `region/${name}`),
      region: name,
      message: `${name} holds resources (${usageText(usage)}) but the guardrail denies it: nobody it covers can manage them there. Look at what they are; remove them, or choose ${name} again.`,
    });
  }
  return out;
}

async function read(ctx: StepContext): Promise<Reading> {
  const enabled = await enabledRegionList(ctx);
  const names = enabled.regions.map((x) => x.name);
  const [inventory, guardrail, runRegions] = await Promise.all([regionInventory(ctx, names), readGuardrail(ctx), ctx.regions()]);
  return {
    homeRegion: ctx.target.homeRegion,
    enabled,
    inventory,
    guardrail,
    runRegions: sorted(runRegions),
    choiceKnown: !sameSet(runRegions, names),
  };
}

// ---- the plan ----

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
      },
    });
  }
  return actions;
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
        await c.client(IAMClient).send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: text, SetAsDefault: true }));
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

// ---- inputs ----

/** The regions to start from: none without a reading (the answers template never guesses regions). */
function defaultAllowed(r: Reading | undefined): string[] {
  if (!r) return [];
  const names = r.enabled.regions.map((x) => x.name);
  const open = openRegions(r.guardrail)?.filter((x) => names.includes(x));
  if (open?.length) return open;
  return sorted([r.homeRegion, ...Object.keys(r.inventory.inUse)].filter((x) => names.includes(x)));
}

const inputs: StepInputs<RegionsInputs> = {
  schema: inputsSchema,
  requiredInAnswers: true,
  defaults: (findings) => ({ allowed: defaultAllowed(readingFrom(findings)) }),

  async ask(asker: Asker, initial: RegionsInputs, findings: Finding[]): Promise<RegionsInputs> {
    const r = requireReading(findings);
    const names = r.enabled.regions.map((x) => x.name);
    const used = Object.keys(r.inventory.inUse);
    const rank = (x: string) => (x === r.homeRegion ? 0 : used.includes(x) ? 1 : 2);
    const order = [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    const width = Math.max(...names.map((x) => x.length));
    const label = (x: string) => {
      const tags = [
        x === r.homeRegion ? 'home region' : '',
        used.includes(x) ? `in use: ${usageText(r.inventory.inUse[x]!)}` : '',
        r.enabled.regions.find((y) => y.name === x)?.optIn ? 'opt-in' : '',
      ].filter(Boolean);
      return tags.length ? `${x.padEnd(width)}  ${tags.join(' · ')}` : x;
    };
    let checked = new Set((initial?.allowed ?? []).filter((x) => names.includes(x)));
    if (!checked.size) checked = new Set(defaultAllowed(r));
    asker.note(
      used.length
        ? `Resources were found in ${list(used.sort())}; those regions and your home region are checked to start with.`
        : 'No resources of your own were found in any region; your home region is checked to start with.',
    );
    for (;;) {
      const picked = await asker.checkbox({
        message: 'Which regions may run workloads? Everything else will be denied (global services such as IAM keep working).',
        choices: order.map((x) => ({ value: x, name: label(x), checked: checked.has(x) })),
        required: true,
      });
      checked = new Set(picked);
      const dropped = used.filter((x) => !checked.has(x)).sort();
      const worries = [
        ...(dropped.length ? [`${list(dropped)} still hold${dropped.length === 1 ? 's' : ''} resources that nobody could manage afterwards`] : []),
        ...(!checked.has(r.homeRegion) ? [`your home region ${r.homeRegion} would be denied`] : []),
      ];
      if (!worries.length) break;
      const sure = await asker.confirm({ message: `Leave them out even though ${worries.join(', and ')}?`, default: false });
      if (sure) break;
    }
    return { allowed: sorted(checked) };
  },
};

const step: Step<RegionsInputs> = {
  meta,
  inputs,

  async check(ctx) {
    const r = await read(ctx);
    return [inventoryFinding(ctx, r), guardrailFinding(ctx, r), ...regionFindings(ctx, r)];
  },

  async plan(ctx, findings, given): Promise<Plan> {
    const r = requireReading(findings);
    const { allowed } = parseInputs(given);
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
  },

  remember(given) {
    return { regions: sorted(given.allowed) };
  },

  /** day-one scenario: a forgotten VPC in eu-west-1, a developers group, and no guardrail. */
  async seed(ctx) {
    sandboxOnly(ctx);
    const ec2 = ctx.client(EC2Client, 'eu-west-1');
    // Seeding again (a workshop's `sandbox reset`) keeps the one legacy-test VPC.
    const existing = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: ['legacy-test'] }] }));
    if (!existing.Vpcs?.length) {
      const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.42.0.0/16' }));
      if (vpc.Vpc?.VpcId) await ec2.send(new CreateTagsCommand({ Resources: [vpc.Vpc.VpcId], Tags: [{ Key: 'Name', Value: 'legacy-test' }] }));
    }
    try {
      await ctx.client(IAMClient).send(new CreateGroupCommand({ GroupName: 'developers' }));
    } catch (err) {
      if (!(err instanceof EntityAlreadyExistsException)) throw err;
    }
  },
};

export default step;
