/**
 * The scorecard at the end of the wizard: every step, its status and what the person decided,
 * as markdown saved beside the progress file and as a screen for the terminal.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { RunRegions } from '../engine/context.js';
import { regionsText } from '../engine/report.js';
import type { StepResult, Summary } from '../engine/result.js';
import { mdText, safeResult, safeTarget, safeText } from '../engine/safe-text.js';
import { summarize } from '../engine/status.js';
import { COST_LABEL } from '../engine/cost.js';
import type { CostScale, Status, Target } from '../engine/types.js';
import { COST_SCALES, SEVERITIES, STATUSES } from '../engine/types.js';
import { header, textTable, wrapText } from './render.js';
import { badge, c, severityLabel } from './theme.js';
import { invokedAs } from '../engine/invocation.js';
import type { ChallengeRecord } from '../progress/index.js';
import { HINT_LEVELS, duration, timeSpentMs } from './challenge.js';

/** A recorded decision: the progress file's step record (status `fixed` once a fix was applied). */
export interface Decision {
  status: Status | 'fixed';
  /** Why the step was accepted as is (status skipped). */
  reason?: string;
  /** ISO time of the decision. */
  at: string;
}

export interface ScorecardInput {
  target: Target;
  results: StepResult[];
  /** Keyed by step id. */
  decisions: Record<string, Decision>;
  generatedAt: Date | string;
  /** The regions regional steps worked on, and where the list came from. */
  regions?: RunRegions & { error?: string };
  /**
   * What each fix adds to the monthly bill, keyed by step id (see appliedCosts): `applied` says how
   * much of it was made (absent: all), `stopped` where it stopped.
   */
  costs?: Record<string, CardCost>;
  /** Challenge mode: hints and time per step taken as a challenge, keyed by step id. */
  challenge?: Record<string, ChallengeRecord>;
}

export interface CardCost {
  scale: CostScale;
  detail: string;
  applied?: 'all' | 'part' | 'none';
  stopped?: string;
}

interface Row {
  result: StepResult;
  status: Status;
  note: string;
}

const iso = (t: Date | string): string => (t instanceof Date ? t.toISOString() : t);

/** `2026-11-29T10:00:03.120Z` → `2026-11-29 10:00 UTC`; anything unparseable is kept as is. */
export function shortTime(t: Date | string): string {
  const d = t instanceof Date ? t : new Date(t);
  if (Number.isNaN(d.getTime())) return String(t);
  return d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

const firstMessages = (r: StepResult, status: Status, n = 3): string[] =>
  r.findings.filter((f) => f.status === status).slice(0, n).map((f) => f.message);

/** Every finding that asks for a look is only a recommendation (`Finding.advice`). */
const onlyAdvice = (r: StepResult): boolean => {
  const manual = r.findings.filter((f) => f.status === 'manual');
  return manual.length > 0 && manual.every((f) => f.advice === true);
};

/** The input with every text from the account (or typed into the progress file) made safe to show. */
function safeInput(input: ScorecardInput): ScorecardInput {
  return {
    ...input,
    target: safeTarget(input.target),
    results: input.results.map(safeResult),
    decisions: Object.fromEntries(
      Object.entries(input.decisions).map(([id, d]) => [id, { ...d, ...(d.reason !== undefined ? { reason: safeText(d.reason) } : {}), at: safeText(d.at) }]),
    ),
    ...(input.costs
      ? {
          costs: Object.fromEntries(
            Object.entries(input.costs).map(([id, c]) => [
              id,
              { scale: c.scale, detail: safeText(c.detail), ...(c.applied ? { applied: c.applied } : {}), ...(c.stopped !== undefined ? { stopped: safeText(c.stopped) } : {}) },
            ]),
          ),
        }
      : {}),
  };
}

function rowsOf(input: ScorecardInput): Row[] {
  return input.results.map((result) => {
    const d = input.decisions[result.step];
    // Accepting a step as is is the person's decision; it stands over what the check found.
    const status: Status = d?.status === 'skipped' ? 'skipped' : result.status;
    let note = '';
    if (d?.status === 'skipped') note = `Accepted as is: ${d.reason?.trim() || 'no reason given'} (${shortTime(d.at)})`;
    else if (d?.status === 'fixed') note = status === 'pass' ? `Fixed ${shortTime(d.at)}` : `Fixed ${shortTime(d.at)}, but fails again now`;
    else if (status === 'error') note = result.error ?? firstMessages(result, 'error', 1)[0] ?? 'Could not be checked';
    else if (status === 'unsupported') note = result.error ?? 'Not available on this endpoint';
    else if (status === 'manual' && onlyAdvice(result)) note = `Recommended: ${firstMessages(result, 'manual', 1)[0]}`;
    else if (status === 'manual') note = firstMessages(result, 'manual', 1)[0] ?? 'Needs a look by hand';
    else if (status === 'fail') {
      const n = result.findings.filter((f) => f.status === 'fail').length;
      note = n === 1 ? (firstMessages(result, 'fail', 1)[0] ?? '') : `${n} failing findings`;
    }
    return { result, status, note };
  });
}

function summaryOf(rows: Row[]): Summary {
  return summarize(rows.map((r) => ({ ...r.result, status: r.status })));
}

function summaryLine(s: Summary): string {
  return STATUSES.filter((k) => s[k] > 0)
    .map((k) => `${s[k]} ${k}`)
    .join(', ');
}

function targetText(t: Target): string {
  if (t.sandbox) {
    return `SANDBOX (practice emulator${t.endpoint ? ` at ${t.endpoint}` : ''}), account ${t.accountId}: not a real AWS account`;
  }
  return `AWS account ${t.accountId} (${t.principalArn})${t.isRoot ? ', signed in as root' : ''}`;
}

const bySeverity = (a: Row, b: Row) =>
  SEVERITIES.indexOf(a.result.severity) - SEVERITIES.indexOf(b.result.severity);

/** A command that works on the same account again: in the sandbox, `--sandbox` says so. */
function again(target: Target, args: string): string {
  return `${invokedAs()} ${args}${target.sandbox ? ' --sandbox' : ''}`;
}

/** What to do about each step that fails, needs a look by hand or could not be checked. */
function nextSteps(rows: Row[], target: Target): { row: Row; what: string; how: string }[] {
  const run = (args: string) => again(target, args);
  const pending = rows.filter((r) => r.status === 'fail' || r.status === 'manual' || r.status === 'error').sort(bySeverity);
  return pending.map((row) => {
    const id = row.result.step;
    if (row.status === 'fail') {
      return {
        row,
        what: firstMessages(row.result, 'fail').join(' ') || 'The check fails.',
        how: `Fix it with \`${run(`--step ${id}`)}\`, or preview the changes with \`${run(`plan --step ${id}`)}\`.`,
      };
    }
    if (row.status === 'manual' && onlyAdvice(row.result)) {
      return {
        row,
        what: firstMessages(row.result, 'manual').join(' '),
        how: `Recommended, not required: add it with \`${run(`--step ${id}`)}\` when you are ready.`,
      };
    }
    if (row.status === 'manual') {
      return {
        row,
        what: firstMessages(row.result, 'manual').join(' ') || 'This cannot be decided through the API.',
        how: `Check it by hand (see \`${invokedAs()} lessons ${id}\`).`,
      };
    }
    return {
      row,
      what: `Could not be checked: ${row.result.error ?? firstMessages(row.result, 'error', 1)[0] ?? 'unknown error'}`,
      how: `Fix the cause, then run \`${run(`check --step ${id}`)}\`.`,
    };
  });
}

/** Steps the person accepted as is: each leaves its risk open, with the reason given. */
function acceptedRisks(rows: Row[], input: ScorecardInput): { row: Row; reason: string; at: string }[] {
  return rows
    .filter((r) => r.status === 'skipped' && input.decisions[r.result.step]?.status === 'skipped')
    .sort(bySeverity)
    .map((row) => {
      const d = input.decisions[row.result.step]!;
      return { row, reason: d.reason?.trim() || 'no reason given', at: shortTime(d.at) };
    });
}

/**
 * The monthly cost of what was applied: the highest order of magnitude over the fixes made in full or
 * in part, the paid ones by name; and, apart, the paid fixes planned but not applied (not counted).
 */
function costTotal(input: ScorecardInput): {
  scale: CostScale;
  counted: number;
  paid: { step: string; cost: CardCost }[];
  free: number;
  notApplied: { step: string; cost: CardCost }[];
} | undefined {
  const all = Object.entries(input.costs ?? {});
  if (!all.length) return undefined;
  const costs = all.filter(([, c]) => c.applied !== 'none');
  const notApplied = all.filter(([, c]) => c.applied === 'none' && c.scale !== 'free').map(([step, cost]) => ({ step, cost }));
  const paid = costs.filter(([, c]) => c.scale !== 'free').map(([step, cost]) => ({ step, cost }));
  const scale = costs.reduce<CostScale>((max, [, c]) => (COST_SCALES.indexOf(c.scale) > COST_SCALES.indexOf(max) ? c.scale : max), 'free');
  return { scale, counted: costs.length, paid, free: costs.length - paid.length, notApplied };
}

function costLines(input: ScorecardInput): string[] {
  const total = costTotal(input);
  if (!total) return [];
  const n = total.counted;
  const out: string[] = [];
  if (total.scale !== 'free') {
    out.push(`The fixes applied add ${COST_LABEL[total.scale]} to the bill, in all:`);
    for (const p of total.paid) {
      const part = p.cost.applied === 'part' ? ` Partly applied: it stopped at ${sentence(p.cost.stopped ?? 'a change that failed')}` : '';
      out.push(`- ${p.step} (${p.cost.scale}): ${sentence(p.cost.detail)}${part}`);
    }
    if (total.free) out.push(`- ${total.free === 1 ? 'One other fix is' : `${total.free} other fixes are`} free.`);
  } else if (n) out.push(`The ${n === 1 ? 'fix applied adds' : `${n} fixes applied add`} nothing to the monthly bill.`);
  else out.push('No fix applied adds to the monthly bill.');
  if (total.notApplied.length) {
    out.push('Planned but not applied, so not counted:');
    for (const p of total.notApplied)
      out.push(`- ${p.step} (${p.cost.scale}): ${p.cost.stopped ? `it stopped at its first change, ${sentence(p.cost.stopped)}` : 'it made no change.'} Run it again once the cause is fixed.`);
  }
  return out;
}

/** The challenge's rows (steps in the card's order), and its totals; undefined when no step was a challenge. */
function challengeRows(input: ScorecardInput, rows: Row[]): { rows: { step: string; solved: boolean; hints: number; time: string }[]; total: string } | undefined {
  const records = input.challenge ?? {};
  const steps = rows.map((r) => r.result.step).filter((id) => records[id]);
  if (!steps.length) return undefined;
  const now = new Date(iso(input.generatedAt));
  const out = steps.map((step) => {
    const r = records[step]!;
    return { step, solved: Boolean(r.solvedAt), hints: r.hints, time: duration(timeSpentMs(r, now)) };
  });
  const solved = out.filter((r) => r.solved).length;
  const hints = out.reduce((n, r) => n + r.hints, 0);
  const time = duration(steps.reduce((ms, id) => ms + timeSpentMs(records[id]!, now), 0));
  return { rows: out, total: `${solved} of ${steps.length} solved by hand, ${hints} hint${hints === 1 ? '' : 's'} used, ${time} in all.` };
}

/** What the end of the scorecard says when nothing fails: never "nothing left" while a risk is accepted. */
function allDoneLine(accepted: number): string {
  if (!accepted) return 'Nothing is left to fix.';
  return `Nothing else is left to fix, but the ${accepted === 1 ? 'risk' : `${accepted} risks`} you accepted above ${accepted === 1 ? 'stays' : 'stay'} open.`;
}

/** Ends a sentence with a full stop unless it already has one. */
const sentence = (s: string): string => (/[.!?:]$/.test(s.trim()) ? s.trim() : s.trim() + '.');
const cell = (s: string): string => mdText(s.trim());

/** The scorecard as markdown: heading, target, one table row per step, summary and next steps. */
export function scorecardMarkdown(accountInput: ScorecardInput): string {
  const input = safeInput(accountInput);
  const rows = rowsOf(input);
  const summary = summaryOf(rows);
  const out: string[] = [
    '# secure-start scorecard',
    '',
    `- Target: ${targetText(input.target)}`,
    ...(input.regions ? [`- ${cell(regionsText(input.regions))}`] : []),
    `- Generated: ${iso(input.generatedAt)}`,
    `- Steps: ${rows.length}${rows.length ? ` (${summaryLine(summary)})` : ''}`,
    '',
    '| Step | Title | Status | Note |',
    '|---|---|---|---|',
    ...rows.map((r) => `| \`${r.result.step}\` | ${cell(r.result.title)} | ${r.status.toUpperCase()} | ${cell(r.note)} |`),
    '',
    '## Summary',
    '',
    '| Status | Steps |',
    '|---|---|',
    ...STATUSES.map((s) => `| ${s} | ${summary[s]} |`),
    '',
    '## Next steps',
    '',
  ];
  const todo = nextSteps(rows, input.target);
  const accepted = acceptedRisks(rows, input);
  if (todo.length === 0) {
    out.push(`${allDoneLine(accepted.length)} Run \`${again(input.target, 'check')}\` from time to time: accounts drift.`);
  } else {
    for (const t of todo) {
      out.push(`- **${t.row.result.severity.toUpperCase()}** \`${t.row.result.step}\`: ${cell(sentence(t.row.result.title))} ${cell(sentence(t.what))} ${t.how}`);
    }
  }
  if (accepted.length) {
    out.push('', '## Accepted risks', '');
    for (const a of accepted)
      out.push(
        `- **${a.row.result.severity.toUpperCase()}** \`${a.row.result.step}\`: ${cell(sentence(a.row.result.title))} Accepted as is (${a.at}): ${cell(sentence(a.reason))} ` +
          `To revisit: \`${again(input.target, `--redo --step ${a.row.result.step}`)}\`.`,
      );
  }
  const cost = costLines(input);
  if (cost.length) out.push('', '## Monthly cost of the fixes applied', '', ...cost.map(cell));
  const challenge = challengeRows(input, rows);
  if (challenge) {
    out.push('', '## Challenge', '', '| Step | Solved | Hints | Time |', '|---|---|---|---|');
    for (const r of challenge.rows) out.push(`| \`${r.step}\` | ${r.solved ? 'yes' : 'not yet'} | ${r.hints} of ${HINT_LEVELS} | ${r.time} |`);
    out.push('', challenge.total);
  }
  return out.join('\n') + '\n';
}

/** The scorecard for the terminal, laid out to `columns`. */
export function scorecardTerminal(accountInput: ScorecardInput, columns = process.stdout.columns || 80): string {
  const input = safeInput(accountInput);
  const width = Math.max(40, columns);
  const rows = rowsOf(input);
  const summary = summaryOf(rows);
  const out: string[] = [
    c.bold('Scorecard'),
    header(input.target),
    ...(input.regions ? wrapText(safeText(regionsText(input.regions)), width) : []),
    c.dim(`Generated ${shortTime(input.generatedAt)}`),
    '',
  ];
  if (rows.length === 0) out.push('No steps were run.');
  else {
    out.push(
      textTable(
        rows.map((r) => [badge(r.status, { pad: true }), r.result.step, r.note ? `${r.result.title}: ${r.note}` : r.result.title]),
        width,
      ),
    );
    out.push('', `${c.bold('Summary:')} ${summaryLine(summary)}`);
  }
  const todo = nextSteps(rows, input.target);
  const accepted = acceptedRisks(rows, input);
  if (todo.length) {
    out.push('', c.bold('Next steps'));
    for (const t of todo) {
      out.push(`  ${severityLabel(t.row.result.severity)} ${t.row.result.step}: ${t.row.result.title}`);
      for (const l of wrapText(`${sentence(t.what)} ${t.how.replace(/`/g, '')}`, width - 4)) out.push('    ' + l);
    }
  }
  if (accepted.length) {
    out.push('', c.bold('Accepted risks'));
    for (const a of accepted) {
      out.push(`  ${severityLabel(a.row.result.severity)} ${a.row.result.step}: ${a.row.result.title}`);
      for (const l of wrapText(`Accepted as is (${a.at}): ${sentence(a.reason)} To revisit: ${again(input.target, `--redo --step ${a.row.result.step}`)}`, width - 4))
        out.push('    ' + l);
    }
  }
  if (!todo.length && rows.length) out.push('', allDoneLine(accepted.length));
  const cost = costLines(input);
  if (cost.length) {
    out.push('', c.bold('Monthly cost'));
    for (const line of cost) for (const [i, l] of wrapText(line, width - 4).entries()) out.push((i ? '    ' : '  ') + l);
  }
  const challenge = challengeRows(input, rows);
  if (challenge) {
    out.push('', c.bold('Challenge'));
    out.push(
      textTable(
        challenge.rows.map((r) => [r.solved ? 'solved' : 'not yet', r.step, `${r.hints} of ${HINT_LEVELS} hints · ${r.time}`]),
        width,
      ),
    );
    for (const l of wrapText(challenge.total, width - 2)) out.push('  ' + l);
  }
  return out.join('\n');
}

/** The scorecard's file: beside the progress file, `<name>-scorecard.md`. */
export function scorecardPath(progressFile: string): string {
  const name = basename(progressFile).replace(/\.json$/i, '');
  return join(dirname(progressFile), `${name}-scorecard.md`);
}

/** Writes the scorecard atomically: a temporary file beside it, flushed, then renamed over it. */
export async function saveScorecard(path: string, md: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  try {
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(md, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
}
