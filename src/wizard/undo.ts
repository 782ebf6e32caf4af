/**
 * The undo flow (ARCHITECTURE.md, `secure-start undo`), shared by the command and the wizard's
 * "Undo this fix": the journal of applied changes, the choice of what to reverse, each step's
 * verdict (read-only), the undo plan, the confirmation (destructive actions one by one, default
 * No; left out under --yes), the inverse actions under a task list, each journalled at once with
 * `undoes`, and a re-check of the steps concerned, which go back on the wizard's list.
 */
import type { CheckedStep } from '../engine/runner.js';
import { recheckStep } from '../engine/runner.js';
import { safeText } from '../engine/safe-text.js';
import type { Session } from '../engine/session.js';
import type { StepEntry, UndoEntry } from '../engine/types.js';
import type { UndoItem, UndoJournalEntry, UndoStepAction } from '../engine/undo.js';
import { applyUndoAction, undoActions, undoVerdicts } from '../engine/undo.js';
import { plural } from '../engine/wrap.js';
import type { ProgressStore } from '../progress/index.js';
import type { InquirerAsker } from './prompts.js';
import type { JournalRow } from './render.js';
import { journalAction, journalTime, undoPlanView, wrapText } from './render.js';
import { runTaskList, withSpinner } from './tasks.js';

export interface UndoFlowOptions {
  session: Session;
  progress: ProgressStore;
  registry: readonly StepEntry[];
  /** The applied changes chosen, newest first (undoableEntries). */
  entries: readonly UndoEntry[];
  /** No questions: undo what can be undone, destructive actions left out. */
  yes: boolean;
  /** Asks the confirmations (required unless `yes`). */
  asker?: InquirerAsker;
  write: (s: string) => void;
  columns: number;
  /** listr2's renderer: `default` on a terminal, `simple` in scripts. */
  renderer: 'default' | 'simple';
  /** A spinner while the steps read the account (on a terminal). */
  spinner?: boolean;
  interrupted?: () => boolean;
}

export interface UndoOutcome {
  /** 0 every chosen change undone (or nothing to undo), 1 refused (drifted) or failed, 3 a verdict could not be read. */
  code: number;
  items: UndoItem[];
  /** The person said yes (always, under `yes`), and there was something to apply. */
  applied: number;
  /** Changes undone whole. */
  undone: number;
  /** The steps checked again after the undo, by id. */
  rechecked: Map<string, CheckedStep>;
  failure?: string;
}

/** The journal's applied changes, newest first, each with how it stands (undone, failed, or open). */
export function journalRows(journal: readonly UndoJournalEntry[]): JournalRow[] {
  const undoneAt = new Map<number, string>();
  for (const e of journal) if (e.undoes !== undefined && e.result === 'ok' && !e.undoPart) undoneAt.set(e.undoes, e.at);
  return journal
    .map((e, index) => ({ e, index }))
    .filter(({ e }) => e.undoes === undefined)
    .map(({ e, index }): JournalRow => {
      const at = undoneAt.get(index);
      return {
        index,
        at: e.at,
        step: e.step,
        service: e.service,
        operation: e.operation,
        region: e.region,
        params: e.params,
        state: e.result === 'failed' ? 'failed' : at ? 'undone' : 'open',
        ...(at ? { undoneAt: at } : {}),
      };
    })
    .reverse();
}

/** Rows with the verdicts known so far in place of `open`. */
export function withVerdicts(rows: readonly JournalRow[], items: readonly UndoItem[]): JournalRow[] {
  const kind = new Map(items.map((i) => [i.entry.index, i.kind]));
  return rows.map((r) => (r.state === 'open' && kind.has(r.index) ? { ...r, state: kind.get(r.index)! } : r));
}

/**
 * `--since`: an ISO-8601 date or date and time (`2026-12-05`, `2026-12-05T07:30`, with seconds and
 * an offset or Z if wanted); without an offset it is UTC. Undefined for anything else.
 */
export function parseSince(text: string): Date | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(text.trim());
  if (!m) return undefined;
  const iso = `${m[1]}T${m[2] ?? '00:00'}${m[3] ? m[3].toUpperCase() : 'Z'}`;
  const d = new Date(iso);
  // 2026-02-30 parses to March: refuse a day or time that is not on the calendar.
  if (Number.isNaN(d.getTime()) || (!m[3] && d.toISOString().slice(0, 10) !== m[1])) return undefined;
  if (!m[3] && m[2] && d.toISOString().slice(11, 16) !== m[2].slice(0, 5)) return undefined;
  return d;
}

/** What the person picks to undo, interactively. Undefined: nothing (they cancelled). */
export async function chooseEntries(asker: InquirerAsker, open: readonly UndoEntry[], write: (s: string) => void): Promise<UndoEntry[] | undefined> {
  const newest = open[0]!;
  // The last fix: the newest step's changes back to a change of another step (undoableEntries' `last`).
  const end = open.findIndex((e) => e.step !== newest.step);
  const lastFix = open.slice(0, end < 0 ? open.length : end);
  const steps = [...new Set(open.map((e) => e.step))];
  const choice = await asker.select<'last' | 'step' | 'since' | 'pick' | 'none'>({
    message: 'What do you want to undo?',
    choices: [
      { value: 'last', name: `The last fix: ${newest.step} (${plural(lastFix.length, 'change')}, ${journalTime(newest.at)})` },
      { value: 'step', name: 'Everything one step changed' },
      { value: 'since', name: 'Everything changed since a date and time' },
      { value: 'pick', name: 'Let me pick the changes' },
      { value: 'none', name: 'Nothing: leave everything as it is' },
    ],
    default: 'last',
  });
  if (choice === 'none') return undefined;
  if (choice === 'last') return lastFix;
  if (choice === 'step') {
    const step = await asker.select<string>({
      message: 'Which step?',
      choices: steps.map((s) => ({ value: s, name: `${s} (${plural(open.filter((e) => e.step === s).length, 'change')})` })),
    });
    return open.filter((e) => e.step === step);
  }
  if (choice === 'since') {
    const text = await asker.text({
      message: 'Undo the changes made since (UTC, as 2026-12-05 or 2026-12-05T07:30):',
      default: newest.at.slice(0, 16),
      validate: (v) => (parseSince(v) ? true : 'Give a date as 2026-12-05, or a date and time as 2026-12-05T07:30 (UTC).'),
    });
    const since = parseSince(text)!;
    const chosen = open.filter((e) => new Date(e.at).getTime() >= since.getTime());
    if (!chosen.length) write(`No change was made since ${since.toISOString()}.\n`);
    return chosen;
  }
  const picked = await asker.checkbox<string>({
    message: 'Which changes? (space to choose, enter when done)',
    choices: open.map((e) => ({ value: String(e.index), name: `#${e.index} ${journalTime(e.at)} ${e.step}: ${journalAction(e)}` })),
  });
  return open.filter((e) => picked.includes(String(e.index)));
}

/** The command line's exit codes (src/cli/exit-codes.ts), which the wizard does not import. */
const EXIT = { ok: 0, failed: 1, notChecked: 3 } as const;

/** Exit code of an undo: refused or failed first, then could-not-read. */
function codeFor(items: readonly UndoItem[], failed: boolean): number {
  if (failed || items.some((i) => i.kind === 'drifted')) return EXIT.failed;
  if (items.some((i) => i.kind === 'error')) return EXIT.notChecked;
  return EXIT.ok;
}

/** Asks each step for its verdicts (read-only), under a spinner on a terminal. */
export async function verdictsFor(o: Pick<UndoFlowOptions, 'session' | 'registry' | 'spinner'>, entries: readonly UndoEntry[]): Promise<UndoItem[]> {
  const ask = () => undoVerdicts(o.session.ctx, o.registry, entries);
  return o.spinner ? withSpinner(`Reading what ${plural(entries.length, 'change')} left behind (read-only)`, ask, {}) : ask();
}

/**
 * Shows the undo plan for `items` (the verdicts of the chosen entries), confirms, applies,
 * journals, re-checks the steps concerned and records them as they stand now.
 */
export async function runUndo(o: UndoFlowOptions, given?: UndoItem[]): Promise<UndoOutcome> {
  const { session, progress } = o;
  const items = given ?? (await verdictsFor(o, o.entries));
  const outcome: UndoOutcome = { code: EXIT.ok, items, applied: 0, undone: 0, rechecked: new Map() };
  o.write(undoPlanView(items, o.columns) + '\n');
  const all = undoActions(items);
  if (!all.length) {
    outcome.code = codeFor(items, false);
    return outcome;
  }
  // Destructive inverse actions (a bucket that may hold data): each asked on its own, default No.
  const leftOut = new Set<UndoStepAction['action']>();
  const destructive = all.filter((s) => s.action.destructive);
  if (o.yes) {
    for (const s of destructive) leftOut.add(s.action);
    if (destructive.length)
      o.write(
        wrapText(`Left out under --yes (destructive, run undo without --yes to choose): ${destructive.map((s) => safeText(s.action.summary)).join('; ')}.`, o.columns).join('\n') + '\n',
      );
  } else {
    const asker = o.asker!;
    const yes = await asker.confirm({
      message: destructive.length ? `Undo ${plural(all.length, 'change')}? Some remove something (asked one by one next).` : `Undo ${plural(all.length, 'change')}?`,
      default: destructive.length === 0,
    });
    if (!yes) {
      o.write('Nothing was changed.\n');
      return outcome;
    }
    for (const s of destructive)
      if (!(await asker.confirm({ message: `${s.action.summary}: this removes it for good. Do it?`, default: false }))) leftOut.add(s.action);
  }
  const chosen = undoActions(items, (_i, a) => leftOut.has(a));
  if (!chosen.length) {
    o.write('Nothing was changed.\n');
    outcome.code = codeFor(items, false);
    return outcome;
  }
  let failure: string | undefined;
  const result = await runTaskList(
    chosen.map((s) => ({
      title: safeText(`${s.item.entry.step}: ${s.action.summary}`),
      run: async () => {
        if (o.interrupted?.()) throw new Error('Stopped by Ctrl-C before this change.');
        const entry = await applyUndoAction(session.ctx, s);
        progress.recordAction(entry);
        await progress.save();
        if (entry.result === 'failed') {
          failure = safeText(entry.error ?? 'unknown error');
          throw new Error(failure);
        }
        outcome.applied++;
        if (s.marksUndone) outcome.undone++;
      },
    })),
    { renderer: o.renderer, exitOnError: true },
  );
  if (!result.ok) outcome.failure = failure ?? safeText(result.error ?? 'unknown error');
  // Each step concerned, read again: it goes back on the wizard's list when it fails now.
  const touched = [...new Set(chosen.slice(0, outcome.failure ? outcome.applied + 1 : chosen.length).map((s) => s.item.entry.step))];
  for (const id of touched) {
    const entry = o.registry.find((e) => e.meta.id === id);
    if (!entry) continue;
    const checked = await recheckStep(entry, session.ctx);
    outcome.rechecked.set(id, checked);
    const st = checked.result.status;
    progress.recordStep(id, { status: st, message: st === 'pass' ? 'passes after the undo' : 'undone with secure-start undo' });
  }
  await progress.save();
  for (const [id, checked] of outcome.rechecked) {
    const st = checked.result.status;
    const what = st === 'fail' ? "fails again: it is back on the wizard's list" : st === 'pass' ? 'still passes' : `is ${st} now`;
    o.write(wrapText(`${id} ${what}.`, o.columns).join('\n') + '\n');
  }
  if (outcome.failure) o.write(wrapText(`The undo stopped: ${outcome.failure}. What was undone before it is in the journal.`, o.columns).join('\n') + '\n');
  const partial = leftOut.size ? ` (${plural(leftOut.size, 'destructive change')} left out)` : '';
  o.write(`Undone: ${plural(outcome.undone, 'applied change')}${partial}.\n`);
  outcome.code = codeFor(items, Boolean(outcome.failure));
  return outcome;
}
