/**
 * What a wizard run picks up from the progress file, as pure functions: which steps it walks
 * (resume, --redo), and what the scorecard covers (every step the file knows, not only this run's
 * selection) with the monthly cost of the fixes applied.
 */
import type { StepEntry } from '../engine/types.js';
import { resultFor } from '../engine/runner.js';
import type { StepResult } from '../engine/result.js';
import type { CostScale, Status } from '../engine/types.js';
import { FINISHED_STATUSES } from '../progress/index.js';
import type { StepStatus } from '../progress/index.js';

/** Done, accepted as is, or not available on this endpoint: a resumed run does not ask again. */
export function isFinished(status: StepStatus | undefined): boolean {
  return status !== undefined && FINISHED_STATUSES.includes(status);
}

/**
 * The steps a run walks, in guide order: with `redo`, every selected step (done, skipped or not);
 * otherwise the ones still open.
 */
export function stepsToWalk(ids: readonly string[], statusOf: (id: string) => StepStatus | undefined, opts: { redo: boolean }): string[] {
  return opts.redo ? [...ids] : ids.filter((id) => !isFinished(statusOf(id)));
}

/** A recorded step as the scorecard's status: a fix applied and re-checked is a pass. */
function recordedStatus(status: StepStatus): Status {
  return status === 'fixed' ? 'pass' : status;
}

/**
 * The scorecard's results: every step of the guide that this run selected or the progress file
 * records, in guide order. This run's result wins over the file's; a recorded skip (the person
 * accepted it as is) wins over both.
 */
export function scorecardResults(
  guide: readonly StepEntry[],
  selected: ReadonlySet<string>,
  recorded: Readonly<Record<string, { readonly status: StepStatus }>>,
  run: ReadonlyMap<string, StepResult>,
): StepResult[] {
  return guide
    .filter((e) => selected.has(e.meta.id) || recorded[e.meta.id] !== undefined)
    .map((e) => {
      const id = e.meta.id;
      const r = run.get(id);
      const rec = recorded[id];
      if (rec?.status === 'skipped') return { ...(r ?? resultFor(e, [])), status: 'skipped' as const };
      if (r) return r;
      // Selected in this run, never reached (save and quit before it): not checked.
      return resultFor(e, [], rec ? recordedStatus(rec.status) : 'skipped');
    });
}

export interface FixCost {
  scale: CostScale;
  detail: string;
  /**
   * How much of the fix was made: `all` (recorded fixed, or every change it tried was made), `part`
   * (it stopped after some changes) or `none` (it stopped before any change: planned, not applied).
   */
  applied: 'all' | 'part' | 'none';
  /** Where it stopped (`part`, `none`): the operation that failed and why. */
  stopped?: string;
}

/** The journal as the cost needs it: which step, which operation, and whether it was made. */
type JournalLike = Readonly<{ step: string; operation: string; result: 'ok' | 'failed'; error?: string | undefined }>;

/**
 * What each fix adds to the monthly bill, from what was really applied. A step recorded `fixed`
 * counts in full, at the cost its plan named when it was applied (recorded in the progress file),
 * else its step's declared cost. A step that is not recorded fixed counts by its journal: changes
 * made (the fix stopped part-way, or its re-check could not confirm it) count at the step's declared
 * cost; a fix with a running cost that stopped before any change is listed with `applied: 'none'`, so
 * the scorecard can say it was planned but not applied. Steps with no journal entry are left out.
 */
export function appliedCosts(
  guide: readonly StepEntry[],
  recorded: Readonly<Record<string, { readonly status: StepStatus; readonly cost?: { readonly scale: CostScale; readonly detail: string } | undefined }>>,
  journal: readonly JournalLike[] = [],
): Record<string, FixCost> {
  const out: Record<string, FixCost> = {};
  for (const e of guide) {
    const id = e.meta.id;
    const rec = recorded[id];
    const basis = rec?.cost ? { scale: rec.cost.scale, detail: rec.cost.detail } : { scale: e.meta.fix.costScale, detail: e.meta.fix.cost };
    if (rec?.status === 'fixed') {
      out[id] = { ...basis, applied: 'all' };
      continue;
    }
    const entries = journal.filter((j) => j.step === id);
    const last = entries[entries.length - 1];
    if (!last) continue;
    const made = entries.some((j) => j.result === 'ok');
    const stopped = last.result === 'failed' ? `${last.operation}: ${last.error?.trim() || 'unknown error'}` : undefined;
    if (made) out[id] = { ...basis, applied: stopped ? 'part' : 'all', ...(stopped ? { stopped } : {}) };
    else if (basis.scale !== 'free') out[id] = { ...basis, applied: 'none', ...(stopped ? { stopped } : {}) };
  }
  return out;
}
