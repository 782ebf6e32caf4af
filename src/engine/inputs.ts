/**
 * A step's entry in the answers file (ARCHITECTURE.md, "The answers file"): its inputs, checked
 * against the step's schema, plus two things the engine reads the same way for every step:
 * - `"apply"`: `true` lets `fix --yes` apply a fix that adds a running cost or removes or disables
 *   something (see consent.ts); `false` (the template's value) or no value: it does not.
 * - `"decision": "accept"` with `"reason": "…"`: the person accepts the step as it is (decision.ts);
 *   blank (`""`, the template's value) decides nothing.
 * - keys starting with `$`: notes for people (`"$apply"` in the template), never inputs.
 * A value left blank (`""`, `[]`, `null`, or an object of blanks, as the template has them) is not
 * answered: the step is not applied and says which input it needs. Any other value the schema
 * refuses is an answers-file error, reported before anything runs.
 */
import { ACCEPT, DECISION_FIELD, REASON_FIELD } from './decision.js';
import type { AcceptDecision } from './decision.js';
import { safeText } from './safe-text.js';
import type { AnyStep, Finding } from './types.js';
import { formatZodError } from './zod-error.js';

export { formatZodError };
import { invokedAs } from './invocation.js';

export type InputResolution = { ok: true; inputs: unknown; fromAnswers: boolean } | { ok: false; message: string };

/** The engine's consent field in every step's entry. */
export const APPLY_FIELD = 'apply';

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Blank as the template leaves a value a person must fill in. */
export function isBlank(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v === 'string') return !v.trim();
  if (Array.isArray(v)) return v.length === 0;
  if (isPlainObject(v)) return Object.values(v).every(isBlank);
  return false;
}

export interface EntryParts {
  /** `true`/`false` when the entry says; undefined when it does not (or says null). */
  apply?: boolean;
  /** The apply field when it is neither a boolean nor null (an answers-file error). */
  badApply?: unknown;
  /** The step's own inputs: the entry without `apply` and `$` notes; undefined when there is no entry. */
  inputs?: Record<string, unknown>;
  /** The entry is not a JSON object. */
  notAnObject?: boolean;
  /** `"decision": "accept"` with a reason: the step is accepted as it is. */
  decision?: AcceptDecision;
  /** What is wrong with the decision fields (an answers-file error). */
  badDecision?: string;
}

/** The decision fields of an entry: a decision, a problem, or neither (both blank or absent). */
function decisionOf(answer: Record<string, unknown>): Pick<EntryParts, 'decision' | 'badDecision'> {
  const d = answer[DECISION_FIELD];
  const r = answer[REASON_FIELD];
  const reason = typeof r === 'string' ? r.trim() : undefined;
  if (r !== undefined && r !== null && reason === undefined) return { badDecision: `${REASON_FIELD}: a sentence saying why the step is accepted as it is` };
  if (isBlank(d)) return reason ? { badDecision: `${DECISION_FIELD}: "${ACCEPT}", to accept this step as it is for the reason given (or leave the reason blank)` } : {};
  if (d !== ACCEPT) return { badDecision: `${DECISION_FIELD}: "${ACCEPT}" or blank, not ${safeText(JSON.stringify(d))}` };
  if (!reason) return { badDecision: `${REASON_FIELD}: say why the step is accepted as it is (kept in the progress file and shown by check)` };
  return { decision: { reason, source: 'answers' } };
}

/** Splits an entry into the engine's fields and the step's inputs. */
export function splitEntry(answer: unknown): EntryParts {
  if (answer === undefined) return {};
  if (!isPlainObject(answer)) return { notAnObject: true };
  const inputs: Record<string, unknown> = {};
  const out: EntryParts = { inputs };
  Object.assign(out, decisionOf(answer));
  for (const [key, value] of Object.entries(answer)) {
    if (key.startsWith('$') || key === DECISION_FIELD || key === REASON_FIELD) continue;
    if (key !== APPLY_FIELD) inputs[key] = value;
    else if (typeof value === 'boolean') out.apply = value;
    else if (value !== null) out.badApply = value;
  }
  return out;
}

/** Whether the entry gives anything: an input, or `"apply": true`. */
export function answered(answer: unknown): boolean {
  const parts = splitEntry(answer);
  return parts.apply === true || Object.keys(parts.inputs ?? {}).length > 0;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

export interface EntryCheck {
  /** Values the schema refuses: `field.path: what is wrong`. An answers-file error. */
  invalid: string[];
  /** Inputs left blank or absent that the fix needs: not answered yet. */
  missing: string[];
  /** The parsed inputs when the entry is complete and valid. */
  parsed?: { value: unknown };
}

/** Checks one step's entry against its schema (and the engine's own field). Pure. */
export function checkEntry(step: AnyStep, answer: unknown): EntryCheck {
  const parts = splitEntry(answer);
  const invalid: string[] = [];
  const missing: string[] = [];
  if (parts.notAnObject) return { invalid: ['(entry): an object of this step’s inputs, such as {"apply": true}'], missing };
  if (parts.badApply !== undefined)
    invalid.push(`${APPLY_FIELD}: true or false (true lets fix --yes apply a fix that costs money or removes something), not ${safeText(JSON.stringify(parts.badApply))}`);
  if (parts.badDecision) invalid.push(parts.badDecision);
  const given = parts.inputs ?? {};
  const spec = step.inputs;
  if (!spec) {
    for (const key of Object.keys(given)) invalid.push(`${safeText(key)}: not an input of this step (it takes only "${APPLY_FIELD}")`);
    return { invalid, missing, ...(invalid.length ? {} : { parsed: { value: undefined } }) };
  }
  const result = spec.schema.safeParse(given);
  if (result.success) return { invalid, missing, ...(invalid.length ? {} : { parsed: { value: result.data } }) };
  for (const issue of result.error.issues) {
    const at = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      const known = Object.keys(spec.defaults([]) as object);
      for (const key of issue.keys)
        invalid.push(`${safeText([at, key].filter(Boolean).join('.'))}: not an input of this step (its inputs: ${[...known, APPLY_FIELD].join(', ')})`);
      continue;
    }
    const line = `${safeText(at || '(entry)')}: ${safeText(issue.message)}`;
    (isBlank(valueAt(given, issue.path)) ? missing : invalid).push(line);
  }
  return { invalid, missing };
}

/**
 * The inputs for a step's fix from an answers-file entry, else the step's defaults when those are
 * safe to apply unasked. Invalid or missing required inputs are a message, never a throw.
 */
export function resolveInputs(step: AnyStep, findings: Finding[], answer: unknown): InputResolution {
  const spec = step.inputs;
  if (!spec) return { ok: true, inputs: undefined, fromAnswers: false };
  const parts = splitEntry(answer);
  if (!parts.notAnObject && !Object.keys(parts.inputs ?? {}).length) {
    if (spec.requiredInAnswers)
      return {
        ok: false,
        message: `needs inputs: ${answer === undefined ? `add "${step.meta.id}" to` : `fill in "${step.meta.id}" in`} the answers file (see \`${invokedAs()} answers --template --step ${step.meta.id}\`)`,
      };
    return { ok: true, inputs: spec.defaults(findings), fromAnswers: false };
  }
  const checked = checkEntry(step, answer);
  if (checked.invalid.length) return { ok: false, message: `invalid inputs in the answers file: ${checked.invalid.join('; ')}` };
  if (checked.missing.length || !checked.parsed)
    return { ok: false, message: `needs inputs left blank in the answers file: ${checked.missing.join('; ')}` };
  return { ok: true, inputs: checked.parsed.value, fromAnswers: true };
}
