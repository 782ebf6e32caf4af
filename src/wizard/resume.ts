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
}

/**
 * What each applied fix adds to the monthly bill: the cost its plan named when it was applied
 * (recorded in the progress file), else its step's declared cost. Only steps recorded `fixed`.
 */
export function appliedCosts(
  guide: readonly StepEntry[],
  recorded: Readonly<Record<string, { readonly status: StepStatus; readonly cost?: { readonly scale: CostScale; readonly detail: string } | undefined }>>,
): Record<string, FixCost> {
  const out: Record<string, FixCost> = {};
  for (const e of guide) {
    const rec = recorded[e.meta.id];
    if (rec?.status !== 'fixed') continue;
    out[e.meta.id] = rec.cost ? { scale: rec.cost.scale, detail: rec.cost.detail } : { scale: e.meta.fix.costScale, detail: e.meta.fix.cost };
  }
  return out;
}
