/** Sandbox scenarios: each step contributes the insecure fixture it teaches on. */
import type { StepEntry } from './types.js';
import type { RunContext } from './context.js';
import { UserError } from './errors.js';

export const SCENARIOS = {
  'day-one': 'a new, insecure account: every step in the catalogue seeds the problem it teaches',
  'year-one':
    'a lived-in account a year on: the day-one problems, plus things that look wrong but are in use and must keep working ' +
    '(a public website bucket, a deploy key used daily, an instance that still calls IMDSv1, SSH open to the office only)',
} as const;
export type ScenarioName = keyof typeof SCENARIOS;

export async function seedScenario(name: string, ctx: RunContext, entries: readonly StepEntry[]): Promise<string[]> {
  if (!(name in SCENARIOS)) throw new UserError(`Unknown scenario "${name}".`, `Scenarios: ${Object.keys(SCENARIOS).join(', ')}.`);
  // Seeds change the account on purpose: never anywhere but an emulator.
  if (!ctx.target.sandbox) throw new UserError('Scenarios are seeded only into a sandbox.', 'Add --sandbox.');
  const seeded: string[] = [];
  ctx.factory.readOnly = false;
  try {
    for (const entry of entries) {
      const step = await entry.load();
      const lived = name === 'year-one' && entry.yearOne ? await entry.yearOne() : undefined;
      if (!step.seed && !lived) continue;
      await step.seed?.(ctx);
      await lived?.(ctx);
      seeded.push(entry.meta.id);
    }
  } finally {
    ctx.factory.readOnly = true;
    ctx.invalidate();
  }
  return seeded;
}
