/**
 * Undo (ARCHITECTURE.md, `secure-start undo`): which applied changes of the journal can still be
 * reversed, what each step says about each of them (its `undo` verdict, read-only), and applying
 * the inverse actions newest first, each journalled with `undoes` pointing at the change it undid.
 */
import { describeError } from '../aws/errors.js';
import type { RunContext } from './context.js';
import { applyAction, endsTheRun, type JournalEntry } from './runner.js';
import type { PlanAction, StepEntry, UndoEntry, UndoVerdict } from './types.js';

/**
 * A journal entry as undo writes it: every action of an undo names the change it undoes
 * (`undoes`); all but the one that completes the undo also say `undoPart`, so a change is undone
 * only once all its inverse actions went through, and no inverse action is offered for undo itself.
 */
export type UndoJournalEntry = JournalEntry & { undoPart?: boolean };

/** Which applied changes to consider: all, one or more steps', those since a time, or only the last fix. */
export interface UndoSelection {
  steps?: string[];
  since?: Date;
  /** Only the newest fix: the applied changes of the latest step in the journal, made together. */
  last?: boolean;
}

/**
 * The applied changes that can still be undone, newest first: `result` ok, not an undo themselves,
 * not undone already, and within the selection.
 */
export function undoableEntries(journal: readonly UndoJournalEntry[], sel: UndoSelection = {}): UndoEntry[] {
  // An undo of several actions marks the change undone with its last one; the others say `undoPart`.
  const undone = new Set(journal.flatMap((e) => (e.undoes !== undefined && e.result === 'ok' && !e.undoPart ? [e.undoes] : [])));
  let open: UndoEntry[] = journal
    .map((e, index) => ({ e, index }))
    .filter(({ e, index }) => e.result === 'ok' && e.undoes === undefined && !undone.has(index))
    .map(({ e, index }) => ({
      index,
      step: e.step,
      at: e.at,
      service: e.service,
      operation: e.operation,
      region: e.region,
      params: e.params,
      ...(e.output ? { output: e.output } : {}),
      ...(e.inverse ? { inverse: e.inverse } : {}),
    }))
    .reverse();
  if (sel.steps?.length) open = open.filter((e) => sel.steps!.includes(e.step));
  if (sel.since) open = open.filter((e) => new Date(e.at).getTime() >= sel.since!.getTime());
  if (sel.last) open = fixGroups(open)[0] ?? [];
  return open;
}

/**
 * Open changes (newest first, as undoableEntries gives them) cut into fixes: each run of
 * consecutive changes of one step, back to the previous change of another step. Newest fix first.
 */
export function fixGroups(open: readonly UndoEntry[]): UndoEntry[][] {
  const groups: UndoEntry[][] = [];
  for (const e of open) {
    const last = groups.at(-1);
    if (last && last[0]!.step === e.step) last.push(e);
    else groups.push([e]);
  }
  return groups;
}

/** An entry with what its step says about undoing it; `error` when the step could not tell (AccessDenied, a network failure). */
export type UndoItem = { entry: UndoEntry; stepTitle: string } & (UndoVerdict | { kind: 'error'; reason: string });

/**
 * Asks each entry's step for its verdict, newest first, with the guard read-only. A step without
 * `undo`, or one the registry no longer has, gives `irreversible` with the reason.
 */
export async function undoVerdicts(ctx: RunContext, registry: readonly StepEntry[], entries: readonly UndoEntry[]): Promise<UndoItem[]> {
  const items: UndoItem[] = [];
  for (const entry of entries) {
    const reg = registry.find((r) => r.meta.id === entry.step);
    const stepTitle = reg?.meta.title ?? entry.step;
    if (!reg) {
      items.push({ entry, stepTitle, kind: 'irreversible', reason: `This version of secure-start has no step ${entry.step}.` });
      continue;
    }
    const step = await reg.load();
    if (!step.undo) {
      items.push({ entry, stepTitle, kind: 'irreversible', reason: `The step ${entry.step} cannot undo its changes.` });
      continue;
    }
    ctx.factory.readOnly = true;
    try {
      items.push({ entry, stepTitle, ...(await step.undo(ctx, entry)) });
    } catch (err) {
      if (endsTheRun(err)) throw err;
      items.push({ entry, stepTitle, kind: 'error', reason: describeError(err, { permissions: reg.meta.permissions.check }) });
    }
  }
  return items;
}

export interface UndoApplied {
  item: UndoItem;
  action: PlanAction;
  entry: JournalEntry;
}

/** One inverse action to apply: `marksUndone` when it is the last action of a whole undo (none left out); the others are journalled with `undoPart`. */
export interface UndoStepAction {
  item: UndoItem;
  action: PlanAction;
  marksUndone: boolean;
}

/**
 * The actions `applyUndo` applies, in order (newest change first), with those `skip` leaves out
 * removed: for a caller that shows each one as a task of its own (the CLI's task list).
 */
export function undoActions(items: readonly UndoItem[], skip: (item: UndoItem, action: PlanAction) => boolean = () => false): UndoStepAction[] {
  return items.flatMap((item) => {
    if (item.kind !== 'undo') return [];
    const actions = item.actions.filter((a) => !skip(item, a));
    const whole = actions.length === item.actions.length;
    return actions.map((action, i) => ({ item, action, marksUndone: whole && i === actions.length - 1 }));
  });
}

/** Applies one inverse action; its journal entry says `undoes` when it completes a whole undo. */
export async function applyUndoAction(ctx: RunContext, step: UndoStepAction): Promise<UndoJournalEntry> {
  const { entry } = await applyAction(step.item.entry.step, step.action, ctx);
  return { ...entry, undoes: step.item.entry.index, ...(step.marksUndone ? {} : { undoPart: true }) };
}

/**
 * Applies the `undo` items' actions in the order given (newest change first), journalling each
 * with `undoes`. Stops at the first failure. `skip(action)` leaves an action out (a destructive one
 * the person did not choose); an item with an action left out is not marked undone.
 */
export async function applyUndo(
  ctx: RunContext,
  items: readonly UndoItem[],
  journal: (e: JournalEntry) => Promise<void> | void,
  skip: (item: UndoItem, action: PlanAction) => boolean = () => false,
): Promise<{ ok: boolean; applied: UndoApplied[]; error?: string }> {
  const applied: UndoApplied[] = [];
  for (const step of undoActions(items, skip)) {
    const entry = await applyUndoAction(ctx, step);
    await journal(entry);
    if (entry.result === 'failed') return { ok: false, applied, error: `${step.action.summary}: ${entry.error}` };
    applied.push({ item: step.item, action: step.action, entry });
  }
  return { ok: true, applied };
}
