/**
 * The answers file of `fix --yes`, `plan --answers`, the wizard's pre-fill and `answers --template`
 * (ARCHITECTURE.md, "The answers file"). It is checked whole before anything runs: every entry of a
 * selected step against that step's schema, all problems listed at once. Entries for steps that
 * exist but are not selected are ignored; only ids that no area has are unknown.
 */
import { readFile } from 'node:fs/promises';
import type { StepEntry } from './types.js';
import { registry } from '../../steps/index.js';
import { applyNote, mayNeedConsent } from './consent.js';
import { ACCEPT, DECISION_FIELD, REASON_FIELD } from './decision.js';
import { UserError } from './errors.js';
import { invokedAs } from './invocation.js';
import { APPLY_FIELD, checkEntry } from './inputs.js';
import { safeText } from './safe-text.js';

export type Answers = Record<string, unknown>;

const templateHint = () => `Start from \`${invokedAs()} answers --template > answers.json\`.`;

/** Edit distance, for suggesting the step id a typo meant. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length]!;
}

/** Step ids close to `id`: a small edit away, or with the same name in another area. */
export function closeIds(id: string, ids: readonly string[] = registry.map((e) => e.meta.id)): string[] {
  const name = id.split('.').pop() ?? id;
  return ids.filter((x) => distance(x, id) <= 3 || x.split('.').pop() === name);
}

/**
 * Every problem of the answers `data` for the `selected` steps, as `step › field: what is wrong`
 * lines; empty when the file may be used. Blank values (not answered yet) are not problems here:
 * the step says what it needs when it runs.
 */
export async function answersProblems(data: Answers, selected: readonly StepEntry[]): Promise<{ unknown: string[]; problems: string[] }> {
  const known = new Set(registry.map((e) => e.meta.id));
  const unknown = Object.keys(data).filter((k) => !known.has(k) && !k.startsWith('$'));
  const problems: string[] = [];
  for (const entry of selected) {
    const id = entry.meta.id;
    if (!(id in data)) continue;
    const step = await entry.load();
    for (const line of checkEntry(step, data[id]).invalid) problems.push(`${id} › ${line}`);
  }
  return { unknown, problems };
}

/** Reads an answers file and checks it for the selected steps; any problem is a UserError (exit 2). */
export async function loadAnswers(file: string, selected: readonly StepEntry[]): Promise<Answers> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UserError(`Cannot read the answers file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}.`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UserError(`The answers file ${file} is not valid JSON: ${(err as Error).message}.`, templateHint());
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new UserError(`The answers file ${file} must be a JSON object keyed by step id.`, templateHint());
  const { unknown, problems } = await answersProblems(data as Answers, selected);
  if (unknown.length) {
    const shown = unknown.map((k) => safeText(k));
    const close = [...new Set(unknown.flatMap((k) => closeIds(k)))];
    throw new UserError(
      `The answers file ${file} names unknown step${unknown.length === 1 ? '' : 's'}: ${shown.join(', ')}. Nothing was changed.`,
      `${close.length ? `Did you mean ${close.join(' or ')}? ` : ''}Step ids are listed by \`${invokedAs()} lessons\`.`,
    );
  }
  if (problems.length)
    throw new UserError(
      `The answers file ${file} has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}; nothing was changed:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      `Correct them and run again; \`${invokedAs()} answers --template --step ID\` shows the inputs of a step.`,
    );
  return data as Answers;
}

/**
 * Every input the selected steps can ask for, with defaults (nothing found yet, so from no
 * findings), and `"apply": false` for every fix that may cost money or take something away. Used
 * unedited, it decides nothing a person should decide: blanks are not answers.
 */
export async function answersTemplate(entries: readonly StepEntry[]): Promise<Answers> {
  const out: Answers = {};
  for (const e of entries) {
    const step = await e.load();
    const consent = mayNeedConsent(e.meta) ? { [APPLY_FIELD]: false, [`$${APPLY_FIELD}`]: applyNote(e.meta) } : {};
    // Advice steps change nothing through the API: what a script can say for them is the person's decision.
    if (e.meta.fix.kind === 'advice')
      Object.assign(consent, {
        [DECISION_FIELD]: '',
        [REASON_FIELD]: '',
        [`$${DECISION_FIELD}`]: `Set to "${ACCEPT}", with a reason, to record that you accept this step as it is: fix --yes records it, and check reports the step as skipped with the reason.`,
      });
    if (step.inputs) out[e.meta.id] = { ...(step.inputs.defaults([]) as object), ...consent };
    else if (Object.keys(consent).length) out[e.meta.id] = consent;
  }
  return out;
}
