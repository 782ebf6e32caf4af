/** The answers file of `fix --yes` and `answers --template` (ARCHITECTURE.md, "The answers file"). */
import { readFile } from 'node:fs/promises';
import type { StepEntry } from '../../steps/index.js';
import { UserError } from './errors.js';
import { invokedAs } from './invocation.js';

export type Answers = Record<string, unknown>;

/** Reads and shape-checks an answers file; each step validates its own entry when it runs. */
export async function loadAnswers(file: string, known: readonly StepEntry[]): Promise<Answers> {
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
    throw new UserError(`The answers file ${file} is not valid JSON: ${(err as Error).message}.`, `Start from \`${invokedAs()} answers --template > answers.json\`.`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data))
    throw new UserError(`The answers file ${file} must be a JSON object keyed by step id.`, `Start from \`${invokedAs()} answers --template > answers.json\`.`);
  const ids = new Set(known.map((e) => e.meta.id));
  const unknown = Object.keys(data).filter((k) => !ids.has(k) && !k.startsWith('$'));
  if (unknown.length)
    throw new UserError(`The answers file ${file} names unknown steps: ${unknown.join(', ')}.`, `Step ids are listed by \`${invokedAs()} lessons\`.`);
  return data as Answers;
}

/** Every input the selected steps can ask for, with defaults (nothing found yet, so from no findings). */
export async function answersTemplate(entries: readonly StepEntry[]): Promise<Answers> {
  const out: Answers = {};
  for (const e of entries) {
    const step = await e.load();
    if (step.inputs) out[e.meta.id] = step.inputs.defaults([]);
  }
  return out;
}
