import type { z } from 'zod';
import type { AnyStep } from '../../steps/index.js';
import type { Finding } from './types.js';
import { invokedAs } from './invocation.js';

export type InputResolution = { ok: true; inputs: unknown; fromAnswers: boolean } | { ok: false; message: string };

export function formatZodError(err: z.ZodError): string {
  return err.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : '(value)'}: ${i.message}`)
    .join('; ');
}

/**
 * The inputs for a step's fix from an answers-file entry, else the step's defaults when those are
 * safe to apply unasked. Invalid or missing required inputs are a message, never a throw.
 */
export function resolveInputs(step: AnyStep, findings: Finding[], answer: unknown): InputResolution {
  const spec = step.inputs;
  if (!spec) return { ok: true, inputs: undefined, fromAnswers: false };
  if (answer === undefined) {
    if (spec.requiredInAnswers)
      return {
        ok: false,
        message: `needs inputs: add "${step.meta.id}" to the answers file (see \`${invokedAs()} answers --template --step ${step.meta.id}\`)`,
      };
    return { ok: true, inputs: spec.defaults(findings), fromAnswers: false };
  }
  const parsed = spec.schema.safeParse(answer);
  if (!parsed.success) return { ok: false, message: `invalid inputs in the answers file: ${formatZodError(parsed.error)}` };
  return { ok: true, inputs: parsed.data, fromAnswers: true };
}
