/**
 * The facilitator's scoreboard (`sandbox scoreboard`): one row per learner from an org check of
 * their accounts and, where this machine holds it, their progress file. Pure: building and rendering.
 */
import type { OrgReport } from './org-report.js';
import { mdText, safeText } from './safe-text.js';
import type { Area, Status } from './types.js';
import { AREAS } from './types.js';
import { wrap } from './wrap.js';

/** What a learner's progress file tells (read on the facilitator's machine, when it is there). */
export interface LearnerProgress {
  /** The first selected step not done in the progress file (pass, fixed, skipped, unsupported count as done). */
  currentStep: string | null;
  /** Hints used: the sum of the steps' challenge hints (challenge mode). */
  hintsUsed: number;
  /** Per step taken as a challenge: hints revealed, time spent so far (ms, the current visit included), solved or not. */
  challenge?: Record<string, { hints: number; timeMs: number; solved: boolean }>;
  /** The progress file's updatedAt. */
  updatedAt: string;
}

export interface ScoreboardRow {
  name: string;
  accountId: string;
  /** Per area: steps passing / steps a learner can make pass (unsupported and manual steps are left out). */
  areas: Partial<Record<Area, { passed: number; total: number }>>;
  passed: number;
  total: number;
  /** The step the learner is on: from their progress file, else the first failing step of the check; null when none is left. */
  currentStep: string | null;
  currentStepFrom: 'progress-file' | 'check' | null;
  hintsUsed: number;
  /** Time spent on challenge steps in the wizard, in seconds (the current visit included). */
  challengeSeconds: number;
  /** Per step taken as a challenge: hints revealed, seconds spent, solved by the learner's own change. */
  challenge: Record<string, { hints: number; seconds: number; solved: boolean }>;
  /** When their progress file last changed; null when this machine has no progress file for the account. */
  lastChangeAt: string | null;
  secondsSinceLastChange: number | null;
  /** Why the learner's account could not be checked. */
  error?: string;
}

export interface Scoreboard {
  endpoint: string;
  generatedAt: string;
  areas: Area[];
  learners: ScoreboardRow[];
}

/** Statuses a learner cannot turn into a pass through the API, on this endpoint: not counted. */
const NOT_COUNTED: readonly Status[] = ['unsupported', 'manual'];

export function buildScoreboard(opts: {
  endpoint: string;
  report: OrgReport;
  /** Step ids in guide order (the selected steps). */
  stepIds: readonly string[];
  progress: (accountId: string) => LearnerProgress | undefined;
  now?: Date;
}): Scoreboard {
  const now = opts.now ?? new Date();
  const areas = new Set<Area>();
  const learners = opts.report.accounts.map((a): ScoreboardRow => {
    const progress = opts.progress(a.accountId);
    const row: ScoreboardRow = {
      name: a.name,
      accountId: a.accountId,
      areas: {},
      passed: 0,
      total: 0,
      currentStep: null,
      currentStepFrom: null,
      hintsUsed: progress?.hintsUsed ?? 0,
      challengeSeconds: 0,
      challenge: {},
      lastChangeAt: progress?.updatedAt ?? null,
      secondsSinceLastChange: progress ? Math.max(0, Math.round((now.getTime() - Date.parse(progress.updatedAt)) / 1000)) : null,
    };
    if (a.error !== undefined) row.error = a.error;
    for (const [step, ch] of Object.entries(progress?.challenge ?? {})) {
      const seconds = Math.round(ch.timeMs / 1000);
      row.challenge[step] = { hints: ch.hints, seconds, solved: ch.solved };
      row.challengeSeconds += seconds;
    }
    for (const r of a.results ?? []) {
      const area = r.area as Area;
      areas.add(area);
      const cell = (row.areas[area] ??= { passed: 0, total: 0 });
      if (NOT_COUNTED.includes(r.status)) continue;
      cell.total++;
      row.total++;
      if (r.status === 'pass') {
        cell.passed++;
        row.passed++;
      }
    }
    if (progress) {
      row.currentStep = progress.currentStep;
      row.currentStepFrom = 'progress-file';
    } else if (a.results) {
      const byId = new Map(a.results.map((r) => [r.step, r.status]));
      row.currentStep = opts.stepIds.find((id) => byId.get(id) === 'fail' || byId.get(id) === 'error') ?? null;
      row.currentStepFrom = 'check';
    }
    return row;
  });
  learners.sort((x, y) => x.name.localeCompare(y.name));
  return { endpoint: opts.endpoint, generatedAt: now.toISOString(), areas: AREAS.filter((a) => areas.has(a)), learners };
}

/** `45s`, `12m`, `3h`, `2d`. */
export function ago(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

function cells(s: Scoreboard, r: ScoreboardRow): string[] {
  const areaCells = s.areas.map((a) => (r.areas[a] ? `${r.areas[a].passed}/${r.areas[a].total}` : '—'));
  const step = r.error !== undefined ? `error: ${r.error}` : r.currentStep ? `${r.currentStep}${r.currentStepFrom === 'check' ? '*' : ''}` : 'all done';
  const time = Object.keys(r.challenge).length ? ago(r.challengeSeconds) : '—';
  return [r.name, ...areaCells, `${r.passed}/${r.total}`, String(r.hintsUsed), time, ago(r.secondsSinceLastChange), step];
}

/** Column names short enough for the table to fit 100 columns with a step id beside it. */
const SHORT: Record<Area, string> = { account: 'account', infrastructure: 'infra', resources: 'resources', data: 'data', monitoring: 'monitor' };

function headers(s: Scoreboard, short = false): string[] {
  return ['learner', ...s.areas.map((a) => (short ? SHORT[a] : a)), 'total', 'hints', 'time', 'changed', 'on step'];
}

/**
 * A plain table that fits `columns`: the step (or the account's error) beside each row when every
 * row has room, else on a line of its own under it, wrapped at spaces. Account text is made safe first.
 */
export function renderScoreboardTable(s: Scoreboard, columns = 100): string {
  const rows = [headers(s, true), ...s.learners.map((r) => cells(s, r).map(safeText))];
  const widths = rows[0]!.slice(0, -1).map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const width = Math.max(40, columns);
  const lead = (gap: string) =>
    rows.map((row) =>
      row
        .slice(0, -1)
        .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
        .join(gap),
    );
  // Two spaces between columns, one on a terminal too narrow for two.
  const wideLeads = lead('  ');
  const leads = wideLeads.every((l) => l.length <= width) ? wideLeads : lead(' ');
  // The step beside each row when every row fits; else under it, indented, so no step id is cut.
  const beside = rows.every((row, i) => `${leads[i]}  ${row[row.length - 1]}`.length <= width);
  const lines = rows.flatMap((row, i) => {
    const last = row[row.length - 1]!;
    if (beside) return [`${leads[i]}  ${last}`];
    if (i === 0) return [leads[i]!];
    return [leads[i]!, ...wrap(last, width, { first: '  on step: ', rest: '           ' })];
  });
  const learners = s.learners.length;
  const footer = [
    '',
    ...wrap(`${learners} learner${learners === 1 ? '' : 's'} at ${s.endpoint} · checked ${s.generatedAt}`, width),
    ...wrap('Passed/total per area (unsupported and manual steps not counted); hints and time: on steps taken as a challenge (--challenge); changed: since the progress file last changed; * the step comes from the check, as this machine has no progress file for that learner.', width),
  ];
  return [...lines, ...footer].join('\n') + '\n';
}

export function renderScoreboardMarkdown(s: Scoreboard): string {
  const head = headers(s);
  const out = [
    '# Class scoreboard',
    '',
    `- ${mdText(`${s.learners.length} learners at ${s.endpoint}, checked ${s.generatedAt}`)}`,
    '- passed/total per area (unsupported and manual steps not counted); hints and time on steps taken as a challenge (--challenge); * step taken from the check (no progress file on this machine)',
    '',
    `| ${head.join(' | ')} |`,
    `|${head.map((_, i) => (i === 0 || i === head.length - 1 ? '---' : '---:')).join('|')}|`,
  ];
  for (const r of s.learners) out.push(`| ${cells(s, r).map(mdText).join(' | ')} |`);
  return out.join('\n') + '\n';
}
