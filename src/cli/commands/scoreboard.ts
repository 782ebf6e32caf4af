/**
 * `sandbox scoreboard [--watch S] [--format table|markdown|json]`: the class at a glance, read-only.
 * The learners' accounts are checked with the same checks as `check`, through the org fan-out; their
 * progress files (on this machine) add the step they are on, hints and the time of their last change.
 * --watch redraws in place (the terminal's alternate screen) until Ctrl-C.
 */
import { UserError } from '../../engine/errors.js';
import { checkAccounts } from '../../engine/org-check.js';
import { listOrgAccounts, pickAccounts } from '../../engine/org.js';
import { safeJson } from '../../engine/safe-text.js';
import { buildScoreboard, renderScoreboardMarkdown, renderScoreboardTable, type LearnerProgress, type Scoreboard } from '../../engine/scoreboard.js';
import { defaultProgressPath, firstUnfinished, readProgress } from '../../progress/index.js';
import { SANDBOX_REGION, sandboxStatus } from '../../sandbox/index.js';
import type { GlobalOptions } from '../options.js';
import { selectSteps } from '../options.js';
import { info, startSession } from '../session.js';
import type { Session } from '../../engine/session.js';
import type { StepEntry } from '../../engine/types.js';
import { timeSpentMs } from '../../wizard/challenge.js';

/** `--watch`: whole seconds, 2 or more (a class of 30 takes seconds to check). */
function watchSeconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 2 || n > 3600) throw new UserError(`--watch ${value}: give a whole number of seconds from 2 to 3600.`, 'For example --watch 10.');
  return n;
}

async function learnerProgress(accountId: string, stepIds: readonly string[], now: Date): Promise<LearnerProgress | undefined> {
  const file = defaultProgressPath(accountId, true);
  // A damaged or foreign file is not the scoreboard's to judge: that learner shows no progress.
  const data = await readProgress(file, { accountId, sandbox: true }).catch(() => undefined);
  if (!data) return undefined;
  const challenge: NonNullable<LearnerProgress['challenge']> = {};
  for (const [id, s] of Object.entries(data.steps))
    if (s.challenge) challenge[id] = { hints: s.challenge.hints, timeMs: timeSpentMs(s.challenge, now), solved: Boolean(s.challenge.solvedAt) };
  const hintsUsed = Object.values(challenge).reduce((n, c) => n + c.hints, 0);
  return { currentStep: firstUnfinished(data, stepIds) ?? null, hintsUsed, challenge, updatedAt: data.updatedAt };
}

async function board(session: Session, entries: readonly StepEntry[]): Promise<Scoreboard> {
  const all = await listOrgAccounts(session.factory);
  // Every active account but the facilitator's own (the organization's management account).
  const accounts = pickAccounts(all).accounts.filter((a) => a.id !== session.target.accountId);
  if (!accounts.length) throw new UserError('This sandbox has no learner accounts.', 'Start a class with `secure-start sandbox start --learners N`.');
  const report = await checkAccounts({
    factory: session.factory,
    caller: session.target,
    version: session.version,
    entries,
    accounts,
    regions: { regions: [SANDBOX_REGION], source: 'sandbox' },
  });
  const stepIds = entries.map((e) => e.meta.id);
  const progress = new Map<string, LearnerProgress | undefined>();
  const now = new Date();
  await Promise.all(accounts.map(async (a) => progress.set(a.id, await learnerProgress(a.id, stepIds, now))));
  return buildScoreboard({ endpoint: session.target.endpoint ?? '', report, stepIds, progress: (id) => progress.get(id), now });
}

function render(s: Scoreboard, format: string | undefined, columns: number, compactJson: boolean): string {
  if (format === 'json') return safeJson(s, compactJson ? 0 : 2) + '\n';
  if (format === 'markdown') return renderScoreboardMarkdown(s);
  return renderScoreboardTable(s, columns);
}

const ALT_SCREEN_ON = '\x1b[?1049h\x1b[?25l';
const ALT_SCREEN_OFF = '\x1b[?25h\x1b[?1049l';

export async function run(opts: GlobalOptions): Promise<number> {
  const entries = selectSteps(opts);
  const every = watchSeconds(opts.watch);
  const status = await sandboxStatus();
  const record = status.running;
  if (!record) throw new UserError('No sandbox is running.', 'Start a class with `secure-start sandbox start --learners N`.');
  const session = await startSession({ endpointUrl: record.endpoint, sandbox: record.endpoint }, { quiet: true });
  try {
    if (every === undefined) {
      process.stdout.write(render(await board(session, entries), opts.format, process.stdout.columns || 100, false));
      return 0;
    }
    return await watch(session, entries, every, opts.format);
  } finally {
    await session.close();
  }
}

/** Redraws every `seconds` until Ctrl-C: in place on a terminal, one board after another (JSON: one per line) otherwise. */
async function watch(session: Session, entries: readonly StepEntry[], seconds: number, format: string | undefined): Promise<number> {
  const tty = Boolean(process.stdout.isTTY);
  let stop: () => void = () => undefined;
  const stopped = new Promise<'stop'>((resolve) => (stop = () => resolve('stop')));
  const onSignal = () => stop();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  if (tty) process.stdout.write(ALT_SCREEN_ON);
  try {
    for (;;) {
      const next = await Promise.race([board(session, entries).then((b) => ({ b }), (error: unknown) => ({ error })), stopped]);
      if (next === 'stop') return 0;
      if ('error' in next) {
        // One refresh that fails (the emulator busy, stopped) is said on the board; the next may work.
        if (next.error instanceof UserError) throw next.error;
        const line = `Refresh failed at ${new Date().toISOString()}: ${(next.error as Error)?.message ?? String(next.error)}`;
        if (tty) process.stdout.write(`\x1b[H${line}\x1b[K\n`);
        else info(line);
      } else {
        const text = render(next.b, format, process.stdout.columns || 100, true);
        const footer = `Refreshed every ${seconds}s · Ctrl-C to stop`;
        if (tty) process.stdout.write(`\x1b[H${text.replace(/\n/g, '\x1b[K\n')}${footer}\x1b[K\n\x1b[J`);
        else process.stdout.write(format === 'json' ? text : `${text}\n`);
      }
      let timer: NodeJS.Timeout | undefined;
      const tick = new Promise<'tick'>((resolve) => (timer = setTimeout(() => resolve('tick'), seconds * 1000)));
      const woke = await Promise.race([tick, stopped]);
      clearTimeout(timer);
      if (woke === 'stop') return 0;
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (tty) process.stdout.write(ALT_SCREEN_OFF);
  }
}
