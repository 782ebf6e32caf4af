/**
 * Accepting a step as it is, with a reason: a decision that outlives the run. Two places hold one:
 * - the progress file: a step the person skipped in the wizard (or that `fix --yes` accepted from
 *   the answers file) is recorded with status `skipped`, its reason and the date;
 * - the answers file: `"decision": "accept", "reason": "…"` in any step's entry, for scripts and CI
 *   (`fix --yes`, `check --answers`, `plan --answers`).
 * A `check` of the same progress file (or with the answers file) reports such a step as `skipped`,
 * naming the reason and the date, while the findings underneath still say what the account holds.
 * A step that passes, or could not be checked, is reported as it is: a decision never hides an
 * error, and never turns into a pass. Pure.
 */
import { safeText } from './safe-text.js';
import type { StepResult } from './result.js';
import type { Finding } from './types.js';

/** The engine's fields, in any step's answers entry, that accept the step as it is. */
export const DECISION_FIELD = 'decision';
export const REASON_FIELD = 'reason';
/** The one decision the answers file can carry (a fix is what the other fields ask for). */
export const ACCEPT = 'accept';

export interface AcceptDecision {
  reason: string;
  /** When it was recorded (progress file); absent for the answers file, which is read as it is now. */
  at?: string;
  source: 'progress' | 'answers';
}

/** The statuses a decision turns into `skipped`: what the person could have fixed, or must judge. */
const DECIDABLE = new Set(['fail', 'manual']);

/** A recorded skip in the progress file, as a decision. */
export function recordedDecision(record: { status: string; reason?: string | undefined; at?: string | undefined } | undefined): AcceptDecision | undefined {
  if (record?.status !== 'skipped') return undefined;
  return { reason: record.reason ?? '', ...(record.at ? { at: record.at } : {}), source: 'progress' };
}

/** `accepted as is on 2026-12-04 (no internet-facing workload yet)`; safe for a terminal. */
export function decisionText(d: AcceptDecision): string {
  const when = d.source === 'answers' ? ' in the answers file' : d.at ? ` on ${d.at.slice(0, 10)}` : '';
  return `accepted as is${when}${d.reason ? ` (${safeText(d.reason)})` : ''}`;
}

/**
 * A checked step's result under a decision: `skipped` when it fails or needs a person, with the
 * decision as its first finding and what the check found kept below it; otherwise unchanged.
 */
export function withDecision(result: StepResult, d: AcceptDecision | undefined): StepResult {
  if (!d || !DECIDABLE.has(result.status)) return result;
  const first: Finding = { status: 'skipped', resource: result.step, region: 'global', message: `${capital(decisionText(d))}; what the check finds is below.` };
  return { ...result, status: 'skipped', findings: [first, ...result.findings] };
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
