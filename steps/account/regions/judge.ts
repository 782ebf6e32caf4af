/**
 * account.regions, the reading and its judgement: what the check reads (enabled regions, what runs
 * where, the guardrail, the run's regions) and the findings it makes of it. The reading rides on
 * the first finding's data, for the questions and the plan.
 */
import type { Finding, StepContext } from '../../../src/engine/step-kit.js';
import { plural } from '../../../src/engine/step-kit.js';
import { readGuardrail, targetsOf } from './guardrail.js';
import type { GuardrailState } from './guardrail.js';
import { enabledRegionList, regionInventory, usageText } from './inventory.js';
import type { EnabledRegions, Inventory } from './inventory.js';
import { POLICY_NAME } from '../_shared/region-guardrail.js';

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

export const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();
export const list = (xs: readonly string[]) => (xs.length ? xs.join(', ') : 'none');
export const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && sorted(a).join() === sorted(b).join();

export function readingFrom(findings: Finding[]): Reading | undefined {
  const f = findings.find((x) => x.data && 'reading' in x.data);
  return f ? (f.data!.reading as Reading) : undefined;
}

export function requireReading(findings: Finding[]): Reading {
  const r = readingFrom(findings);
  if (!r) throw new Error('The regions were not read: check the step before planning its fix.');
  return r;
}

/** Regions any covered target leaves open (undefined when nothing is covered). */
export function openRegions(state: GuardrailState): string[] | undefined {
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

export function inventoryFinding(ctx: StepContext, r: Reading): Finding {
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

export function guardrailFinding(ctx: StepContext, r: Reading): Finding {
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

export function regionFindings(ctx: StepContext, r: Reading): Finding[] {
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

export async function read(ctx: StepContext): Promise<Reading> {
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
