/**
 * Consent under `fix --yes` (ARCHITECTURE.md, "The answers file"): `--yes` alone decides nothing a
 * person should decide. A fix that adds a running cost or removes or disables something (the fixes
 * whose confirmation defaults to No in the wizard) runs under `--yes` only when its step's entry in
 * the answers file says `"apply": true` (`false`, the template's value, is the same as no answer);
 * and a step the person accepted as is (a skip in the progress file) is left alone unless the run
 * names it with --step. Pure.
 */
import { COST_LABEL, planCost } from './cost.js';
import { APPLY_FIELD, splitEntry } from './inputs.js';
import { safeText } from './safe-text.js';
import type { Plan, StepMeta } from './types.js';

/** Why a plan needs a person's explicit yes: what it costs and what it takes away. Empty when nothing. */
export function consentReasons(meta: StepMeta, plan: Plan): string[] {
  if (!plan.actions.length) return [];
  const out: string[] = [];
  const cost = planCost(meta, plan);
  if (cost.paid) out.push(`it adds a running cost, ${COST_LABEL[cost.scale]}`);
  if (meta.fix.destructive || plan.actions.some((a) => a.destructive)) out.push('it removes or disables something');
  return out;
}

/** Whether the template asks for `"apply"` for this step: its fix may cost or take something away. */
export function mayNeedConsent(meta: StepMeta): boolean {
  return meta.fix.kind !== 'advice' && (meta.fix.paid || meta.fix.destructive || !!meta.fix.destructiveWhen || meta.fix.costScale !== 'free');
}

/** The template's note beside `"apply": false`. */
export function applyNote(meta: StepMeta): string {
  const paid = meta.fix.paid || meta.fix.costScale !== 'free';
  const cost = `a running cost (${meta.fix.costScale === 'free' ? 'some' : meta.fix.costScale} a month)`;
  if (!meta.fix.destructive && meta.fix.destructiveWhen)
    return `Set to true to let fix --yes apply this fix where it removes or disables something (${meta.fix.destructiveWhen})${paid ? ` or adds ${cost}` : ''}.`;
  if (!meta.fix.destructive) return `Set to true to let fix --yes apply this fix when it adds ${cost}.`;
  return `Set to true to let fix --yes apply this fix, which removes or disables something${paid ? ` and can add ${cost}` : ''}.`;
}

/** Why `fix --yes` must not apply this plan with this answers entry, or undefined when it may. */
export function refusalUnderYes(meta: StepMeta, plan: Plan, answer: unknown): string | undefined {
  const reasons = consentReasons(meta, plan);
  if (!reasons.length || splitEntry(answer).apply === true) return undefined;
  return `${reasons.join(' and ')}: add "${APPLY_FIELD}": true to "${meta.id}" in the answers file to let fix --yes apply it`;
}

/** A skip the person recorded (accepted as is) that this run honours: undefined when it does not apply. */
export function honouredSkip(
  record: { status: string; reason?: string | undefined; at?: string | undefined } | undefined,
  id: string,
  namedSteps: readonly string[] | undefined,
): string | undefined {
  if (record?.status !== 'skipped' || namedSteps?.includes(id)) return undefined;
  const when = record.at ? ` on ${record.at.slice(0, 10)}` : '';
  return `accepted as is${when}${record.reason ? ` (${safeText(record.reason)})` : ''}; name it with --step ${id} to fix it`;
}
