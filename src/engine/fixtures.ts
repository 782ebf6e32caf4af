import type { StepContext } from './types.js';

/** Seeds change the account on purpose: every step's `seed` calls this first. Part of the step kit. */
export function sandboxOnly(ctx: StepContext): void {
  if (!ctx.target.sandbox) throw new Error('Seeds change the account on purpose and run only against the sandbox.');
}
