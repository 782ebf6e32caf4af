/**
 * Undo without AWS: which journal entries can be chosen (last fix, steps, since; undone and failed
 * ones left out), the journal rows the command shows, `--since`, the command's argument errors,
 * and the plan text (undo or "cannot be undone" for every action).
 */
import { describe, expect, it } from 'vitest';
import { run as runUndoCommand, undoSelection } from '../../src/cli/commands/undo.js';
import { reportError } from '../../src/cli/main.js';
import { UserError } from '../../src/engine/errors.js';
import type { JournalEntry } from '../../src/engine/runner.js';
import type { Plan, StepMeta } from '../../src/engine/types.js';
import { fixGroups, undoableEntries, undoActions, type UndoItem, type UndoJournalEntry } from '../../src/engine/undo.js';
import { planView, undoPlanView } from '../../src/wizard/render.js';
import { journalRows, parseSince } from '../../src/wizard/undo.js';
import { registry } from '../../steps/index.js';

const op = (step: string, at: string, extra: Partial<UndoJournalEntry> = {}): UndoJournalEntry => ({
  step,
  service: 'iam',
  operation: 'UpdateAccountPasswordPolicy',
  region: 'global',
  params: {},
  result: 'ok',
  at,
  ...extra,
});

/** #0 a (07:00), #1 b (07:10), #2 b (07:11), #3 b failed (07:12), #4 c (07:20), #5 undoes #4, #6 a (07:30). */
const journal: UndoJournalEntry[] = [
  op('a', '2026-12-05T07:00:00.000Z'),
  op('b', '2026-12-05T07:10:00.000Z'),
  op('b', '2026-12-05T07:11:00.000Z'),
  op('b', '2026-12-05T07:12:00.000Z', { result: 'failed', error: 'AccessDenied' }),
  op('c', '2026-12-05T07:20:00.000Z'),
  op('c', '2026-12-05T07:25:00.000Z', { undoes: 4 }),
  op('a', '2026-12-05T07:30:00.000Z'),
];
const indexes = (j: readonly JournalEntry[], sel?: Parameters<typeof undoableEntries>[1]) => undoableEntries(j, sel).map((e) => e.index);

describe('undoableEntries', () => {
  it('lists the applied changes newest first, without failed ones, undone ones, or undos themselves', () => {
    expect(indexes(journal)).toEqual([6, 2, 1, 0]);
  });

  it('the last fix: the newest step’s changes back to another step’s change', () => {
    expect(indexes(journal, { last: true })).toEqual([6]);
    expect(indexes(journal.slice(0, 4), { last: true })).toEqual([2, 1]);
  });

  it('cuts the open changes into fixes, newest first: each run of one step’s changes', () => {
    expect(fixGroups(undoableEntries(journal)).map((g) => g.map((e) => e.index))).toEqual([[6], [2, 1], [0]]);
    expect(fixGroups([])).toEqual([]);
  });

  it('by step, and since a time (inclusive)', () => {
    expect(indexes(journal, { steps: ['b'] })).toEqual([2, 1]);
    expect(indexes(journal, { steps: ['a', 'b'] })).toEqual([6, 2, 1, 0]);
    expect(indexes(journal, { since: new Date('2026-12-05T07:11:00Z') })).toEqual([6, 2]);
    expect(indexes(journal, { steps: ['a'], since: new Date('2026-12-05T07:11:00Z') })).toEqual([6]);
  });

  it('a failed undo does not count, and an undo cut short (undoPart only) leaves the change open', () => {
    expect(indexes([...journal, op('a', '2026-12-05T07:40:00.000Z', { undoes: 6, result: 'failed' })])).toEqual([6, 2, 1, 0]);
    expect(indexes([...journal, op('a', '2026-12-05T07:40:00.000Z', { undoes: 6, undoPart: true })])).toEqual([6, 2, 1, 0]);
    expect(indexes([...journal, op('a', '2026-12-05T07:40:00.000Z', { undoes: 6, undoPart: true }), op('a', '2026-12-05T07:41:00.000Z', { undoes: 6 })])).toEqual([2, 1, 0]);
  });

  it('hands the step what the journal recorded: params, output, inverse and position', () => {
    const inverse = { summary: 'Remove it', service: 'iam', operation: 'DeleteAccountPasswordPolicy', region: 'global', params: {} };
    const [e] = undoableEntries([op('a', '2026-12-05T07:00:00.000Z', { params: { X: 1 }, output: { Id: 'x' }, inverse })]);
    expect(e).toEqual({ index: 0, step: 'a', at: '2026-12-05T07:00:00.000Z', service: 'iam', operation: 'UpdateAccountPasswordPolicy', region: 'global', params: { X: 1 }, output: { Id: 'x' }, inverse });
  });
});

describe('undoActions', () => {
  const action = (summary: string, destructive = false) => ({ summary, service: 's3', operation: 'DeleteBucket', region: 'us-east-1', params: {}, ...(destructive ? { destructive } : {}), run: async () => undefined });
  const entry = undoableEntries(journal)[0]!;
  const item: UndoItem = { entry, stepTitle: 'A', kind: 'undo', actions: [action('empty it'), action('delete it', true)] };

  it('marks the last action of a whole undo as the one that completes it', () => {
    expect(undoActions([item]).map((s) => [s.action.summary, s.marksUndone])).toEqual([['empty it', false], ['delete it', true]]);
  });

  it('an undo with an action left out completes nothing', () => {
    expect(undoActions([item], (_i, a) => a.destructive === true).map((s) => [s.action.summary, s.marksUndone])).toEqual([['empty it', false]]);
  });

  it('refused, irreversible and nothing verdicts have no action', () => {
    expect(undoActions([{ entry, stepTitle: 'A', kind: 'drifted', reason: 'edited' }, { entry, stepTitle: 'A', kind: 'irreversible', reason: 'gone' }])).toEqual([]);
  });
});

describe('the journal as the undo command shows it', () => {
  it('applied changes newest first: undone (when), failed, or open; the undos themselves not as rows', () => {
    expect(journalRows(journal).map((r) => [r.index, r.state, r.undoneAt])).toEqual([
      [6, 'open', undefined],
      [4, 'undone', '2026-12-05T07:25:00.000Z'],
      [3, 'failed', undefined],
      [2, 'open', undefined],
      [1, 'open', undefined],
      [0, 'open', undefined],
    ]);
  });
});

describe('--since', () => {
  it('takes a date, a date and time (UTC), or one with an offset', () => {
    expect(parseSince('2026-12-05')?.toISOString()).toBe('2026-12-05T00:00:00.000Z');
    expect(parseSince('2026-12-05T07:30')?.toISOString()).toBe('2026-12-05T07:30:00.000Z');
    expect(parseSince('2026-12-05T07:30:15Z')?.toISOString()).toBe('2026-12-05T07:30:15.000Z');
    expect(parseSince('2026-12-05T08:30:00+01:00')?.toISOString()).toBe('2026-12-05T07:30:00.000Z');
  });

  it('refuses what is not an ISO-8601 date on the calendar', () => {
    for (const bad of ['yesterday', '05/12/2026', '2026-02-30', '2026-12-05T25:00', '2026-13-01', '', '1733385600'])
      expect(parseSince(bad), bad).toBeUndefined();
  });
});

describe('secure-start undo: argument errors (exit 2, no stack trace)', () => {
  it('a bad --since is refused before anything is opened, with what to give instead', async () => {
    const err = await undoSelection({ since: 'last tuesday' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toContain('--since "last tuesday" is not an ISO-8601 date');
    expect((err as UserError).hint).toContain('2026-12-05T07:30');
    const lines: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((s: string) => (lines.push(s), true)) as typeof process.stderr.write;
    try {
      expect(reportError(err, false)).toBe(2);
    } finally {
      process.stderr.write = write;
    }
    expect(lines.join('')).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('an unknown --step is refused with the close names', async () => {
    await expect(undoSelection({ step: ['account.password'] })).rejects.toThrow(/Unknown step "account.password"/);
  });

  it('--step and --area select steps; none selects everything', async () => {
    expect(await undoSelection({})).toEqual({});
    expect(await undoSelection({ step: ['account.password-policy'], since: '2026-12-05' })).toEqual({
      steps: ['account.password-policy'],
      since: new Date('2026-12-05T00:00:00Z'),
    });
    expect((await undoSelection({ area: ['account'] })).steps).toEqual(registry.filter((e) => e.meta.area === 'account').map((e) => e.meta.id));
  });

  it('without a terminal and without --yes it refuses, as fix does', async () => {
    const tty = process.stdin.isTTY;
    Object.defineProperty(process.stdin, 'isTTY', { value: false, configurable: true });
    try {
      await expect(runUndoCommand({})).rejects.toThrow(/undo needs a terminal to ask before it changes anything, or --yes/);
    } finally {
      Object.defineProperty(process.stdin, 'isTTY', { value: tty, configurable: true });
    }
  });
});

describe('plan text: how each action would be undone', () => {
  const meta = registry.find((e) => e.meta.id === 'account.password-policy')!.meta as StepMeta;
  const base = { service: 'iam', operation: 'UpdateAccountPasswordPolicy', region: 'global', params: {}, run: async () => undefined };
  const plan: Plan = {
    actions: [
      { ...base, summary: 'Set the policy', inverse: { summary: 'Put back the old policy', service: 'iam', operation: 'UpdateAccountPasswordPolicy', region: 'global', params: { MinimumPasswordLength: 6 } } },
      { ...base, summary: 'Delete the key', irreversible: 'a deleted access key cannot be brought back' },
      { ...base, summary: 'Create the trail' },
    ],
  };

  it('says "undo:" with the recorded inverse, "cannot be undone:" with the reason, or that undo works it out', () => {
    const v = planView(meta, plan, 100);
    expect(v).toContain('undo: Put back the old policy');
    expect(v).toContain('"MinimumPasswordLength": 6');
    expect(v).toContain('cannot be undone: a deleted access key cannot be brought back');
    expect(v).toContain('undo: secure-start undo reverses it, while it is still as the fix left it');
  });

  it('a step without undo says its changes cannot be undone, even with an inverse recorded', () => {
    const v = planView(meta, plan, 100, { canUndo: false });
    expect(v).not.toContain('undo: Put back');
    expect(v.match(/cannot be undone:/g)).toHaveLength(3);
  });

  it('the undo plan lists the inverse calls with parameters, and what it leaves with why', () => {
    const [e6, e2] = undoableEntries(journal);
    const v = undoPlanView(
      [
        { entry: e6!, stepTitle: 'Step A', kind: 'undo', actions: [{ ...base, summary: 'Delete the bucket', destructive: true, params: { Bucket: 'logs' } }] },
        { entry: e2!, stepTitle: 'Step B', kind: 'drifted', reason: 'The policy changed after the fix.' },
      ],
      200,
    );
    expect(v).toContain('1 applied change to reverse with 1 call');
    expect(v).toContain('Delete the bucket [DESTRUCTIVE]');
    expect(v).toContain('"Bucket": "logs"');
    expect(v).toMatch(/b: iam:UpdateAccountPasswordPolicy \(#2, 2026-12-05 07:11 UTC\): changed since the fix: left alone\. The policy changed after the fix\./);
    expect(v).toContain('Cost:');
    expect(v).toContain('Risk:');
    expect(v).toContain('asked on its own, and defaults to No');
  });
});
