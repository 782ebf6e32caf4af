/**
 * Fix, then undo, in the sandbox: for the undo tests of each step (and the registry-wide one).
 * Checks, plans with `inputs`, applies the plan (journalled as the engine does), asks the step
 * for its undo verdicts through the engine (src/engine/undo.ts), applies them newest first, and
 * checks again. The account state is compared through the step's own check: its findings
 * (status, resource, region, message), sorted.
 */
import type { RunContext } from '../../src/engine/context.js';
import { applyPlan, checkStep, planStep, type JournalEntry } from '../../src/engine/runner.js';
import type { Finding, Plan, StepEntry } from '../../src/engine/types.js';
import { applyUndo, undoableEntries, undoVerdicts, type UndoItem } from '../../src/engine/undo.js';

/** A check's findings as comparable text, sorted. */
export function snapshot(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.status} ${f.region} ${f.resource}: ${f.message}`).sort();
}

export interface FixUndoRun {
  before: string[];
  plan: Plan;
  afterFix: string[];
  /** The journal: the fix's entries, then the undo's. */
  journal: JournalEntry[];
  items: UndoItem[];
  afterUndo: string[];
}

/**
 * `includeDestructive`: apply the destructive undo actions too (as a person who says yes would);
 * default: leave them out, as `undo --yes` does.
 */
export async function fixThenUndo(
  entry: StepEntry,
  ctx: RunContext,
  inputs: unknown,
  opts: { includeDestructive?: boolean; between?: (ctx: RunContext) => Promise<void> } = {},
): Promise<FixUndoRun> {
  const checked = await checkStep(entry, ctx);
  const before = snapshot(checked.result.findings);
  const plan = await planStep(checked, ctx, inputs);
  const journal: JournalEntry[] = [];
  const fix = await applyPlan(entry.meta.id, plan, ctx, (e) => void journal.push(e));
  // A fix that stops where the endpoint lacks an API (moto's backup selections) is undone as far as it went.
  if (!fix.ok && !fix.unsupported) throw new Error(`the fix failed: ${fix.error}`);
  ctx.invalidate();
  const afterFix = snapshot((await checkStep(entry, ctx)).result.findings);
  if (opts.between) {
    ctx.factory.readOnly = false;
    try {
      await opts.between(ctx);
    } finally {
      ctx.factory.readOnly = true;
      ctx.invalidate();
    }
  }
  const items = await undoVerdicts(ctx, [entry], undoableEntries(journal, { steps: [entry.meta.id] }));
  const undo = await applyUndo(ctx, items, (e) => void journal.push(e), (_i, a) => !opts.includeDestructive && a.destructive === true);
  if (!undo.ok) throw new Error(`the undo failed: ${undo.error}`);
  ctx.invalidate();
  const afterUndo = snapshot((await checkStep(entry, ctx)).result.findings);
  return { before, plan, afterFix, journal, items, afterUndo };
}
