/**
 * `secure-start undo [--step ID] [--since ISO-8601] [--yes]`: reverses changes this tool made, from
 * the journal of the target account's progress file (opened and locked as fix does). The flow
 * itself (plan, confirmation, task list, re-check) is src/wizard/undo.ts, shared with the wizard.
 */
import { registry } from '../../../steps/index.js';
import { UserError } from '../../engine/errors.js';
import { invokedAs } from '../../engine/invocation.js';
import type { UndoEntry } from '../../engine/types.js';
import { fixGroups, undoableEntries } from '../../engine/undo.js';
import type { UndoItem } from '../../engine/undo.js';
import { plural } from '../../engine/wrap.js';
import { EXIT } from '../exit-codes.js';
import type { GlobalOptions } from '../options.js';
import { selectSteps } from '../options.js';
import { openProgress } from '../progress.js';
import { info, startSession } from '../session.js';

/** The flags checked before anything is opened: a bad one is exit 2 with what to give instead. */
export async function undoSelection(opts: GlobalOptions): Promise<{ steps?: string[]; since?: Date }> {
  const { parseSince } = await import('../../wizard/undo.js');
  let since: Date | undefined;
  if (opts.since !== undefined) {
    since = parseSince(opts.since);
    if (!since)
      throw new UserError(
        `--since ${JSON.stringify(opts.since)} is not an ISO-8601 date.`,
        'Give a date (2026-12-05) or a date and time (2026-12-05T07:30, UTC unless it ends with an offset such as +01:00).',
      );
  }
  const steps = opts.step?.length || opts.area?.length ? selectSteps(opts).map((e) => e.meta.id) : undefined;
  return { ...(steps ? { steps } : {}), ...(since ? { since } : {}) };
}

export async function run(opts: GlobalOptions): Promise<number> {
  const sel = await undoSelection(opts);
  const tty = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  if (!opts.yes && !tty)
    throw new UserError(
      'undo needs a terminal to ask before it changes anything, or --yes.',
      `Use \`${invokedAs()} undo --yes\` in scripts (the last fix), with --step ID or --since TIME to choose.`,
    );
  const flow = await import('../../wizard/undo.js');
  const { columns } = await import('../../wizard/step-walk.js');
  const { journalView } = await import('../../wizard/render.js');
  const session = await startSession(opts);
  const progress = await openProgress(opts, session);
  try {
    const journal = progress.data.journal;
    const open = undoableEntries(journal);
    const write = (s: string) => process.stdout.write(s);
    const width = columns();
    if (!open.length) {
      info(journal.length ? 'Nothing to undo: every change in the journal is undone already, or failed and changed nothing.' : 'Nothing to undo: secure-start has made no change in this account yet.');
      return EXIT.ok;
    }
    const flagged = sel.steps || sel.since;
    let chosen: readonly UndoEntry[] = flagged ? undoableEntries(journal, sel) : open;
    if (flagged && !chosen.length) {
      const which = [sel.steps ? `of ${sel.steps.join(', ')}` : '', sel.since ? `since ${sel.since.toISOString()}` : ''].filter(Boolean).join(' ');
      info(`Nothing to undo: no open change ${which} (the journal has ${plural(open.length, 'open change')} in all).`);
      return EXIT.ok;
    }
    const { InquirerAsker } = await import('../../wizard/prompts.js');
    const asker = new InquirerAsker();
    const base = { session, progress, registry, yes: opts.yes === true, asker, write, columns: width, renderer: tty ? ('default' as const) : ('simple' as const), spinner: tty };
    // The journal, newest first, with what each step says now about the changes that can be chosen.
    let items: UndoItem[] = [];
    if (!flagged && opts.yes) {
      // The last fix that has something left to undo: a change whose step says "nothing to undo"
      // (it went with a newer undo) stays open in the journal, and must not hide the fixes before it.
      for (const fix of fixGroups(open)) {
        chosen = fix;
        items = await flow.verdictsFor(base, fix);
        if (items.some((i) => i.kind !== 'nothing')) break;
      }
    } else items = await flow.verdictsFor(base, chosen);
    write(`\nChanges secure-start made in account ${session.target.accountId}, newest first:\n`);
    write(journalView(flow.withVerdicts(flow.journalRows(journal), items), width) + '\n\n');
    if (!flagged && !opts.yes) {
      const picked = await flow.chooseEntries(asker, open, write);
      if (!picked?.length) {
        info('Nothing was changed.');
        return EXIT.ok;
      }
      chosen = picked;
    }
    const ids = new Set(chosen.map((e) => e.index));
    const outcome = await flow.runUndo({ ...base, entries: chosen }, items.filter((i) => ids.has(i.entry.index)));
    return outcome.code;
  } finally {
    await progress.save().catch(() => undefined);
    await progress.close();
    await session.close();
  }
}
