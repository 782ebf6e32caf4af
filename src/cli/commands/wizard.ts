import type { Answers } from '../../engine/answers.js';
import { loadAnswers } from '../../engine/answers.js';
import { UserError } from '../../engine/errors.js';
import type { Session } from '../../engine/session.js';
import { NoCredentialsError } from '../../engine/session.js';
import type { ProgressStore } from '../../progress/index.js';
import { EXIT } from '../exit-codes.js';
import type { GlobalOptions } from '../options.js';
import { selectSteps } from '../options.js';
import { openProgress, runRegions } from '../progress.js';
import { info, startSession } from '../session.js';
import type { Spinner } from '../spinner.js';
import { startSpinner } from '../spinner.js';

/** How to run this same command again, for the resume message. */
export function resumeCommand(argv: string[] = process.argv.slice(2), { sandbox = false } = {}): string {
  // Resuming goes on from where the run stopped: not --redo from the first step again.
  const given = argv.filter((a) => a !== '--yes' && a !== '--redo');
  // The person accepted the sandbox when asked: the resume command says so itself.
  if (sandbox && !given.some((a) => a.startsWith('--sandbox'))) given.push('--sandbox');
  const args = given.join(' ');
  const viaNpm = process.env.npm_lifecycle_event === 'start';
  return viaNpm ? `npm start${args ? ` -- ${args}` : ''}` : `secure-start${args ? ` ${args}` : ''}`;
}

async function sessionOrSandbox(opts: GlobalOptions, spinner: Spinner): Promise<Session> {
  try {
    return await startSession(opts, { spinner });
  } catch (err) {
    spinner.stop();
    if (!(err instanceof NoCredentialsError) || opts.sandbox) throw err;
    const { confirm } = await import('@inquirer/prompts');
    info(err.message);
    info('You can practise first on a local AWS emulator: nothing there touches a real account.');
    if (!(await confirm({ message: 'Start the practice sandbox now?', default: true })))
      throw new UserError('Not started: there are no AWS credentials, and you chose not to use the sandbox.', err.hint);
    opts.sandbox = 'auto';
    spinner.update('Looking for a sandbox…');
    return startSession(opts, { spinner });
  }
}

/** Thrown into the start-up when Ctrl-C arrives before the wizard's first question. */
class StartInterrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'StartInterrupted';
  }
}

/**
 * The resume hint. A private sandbox (`--sandbox` with no long-lived one running) is thrown away
 * when this run ends, so say plainly that the next run starts on a fresh practice account, and
 * how to keep one between runs.
 */
export function resumeHint(file: string, command: string, privateSandbox: boolean): string[] {
  // The command whole, at the end of its line and never broken by us: a terminal's soft wrap of a
  // long line copies back as one line, where a line break of ours would run half a command.
  const lines = [`Progress saved to ${file}.`, `To resume, run: ${command}`];
  if (privateSandbox)
    lines.push(
      'This practice account was a private sandbox, and it is thrown away now: the next',
      'run starts on a fresh day-one account, without what you fixed here (the wizard',
      'checks those steps again). To keep a practice account between runs, start the',
      `long-lived sandbox first: ${invocation('sandbox start')}`,
    );
  return lines;
}

/** `ARGS` as the person runs this tool: `npm start -- ARGS` from a checkout, else `secure-start ARGS`. */
function invocation(args: string): string {
  return process.env.npm_lifecycle_event === 'start' ? `npm start -- ${args}` : `secure-start ${args}`;
}

async function progressFor(opts: GlobalOptions, session: Session): Promise<ProgressStore> {
  try {
    return await openProgress(opts, session);
  } catch (err) {
    if ((err as { kind?: string }).kind !== 'other-account') throw err;
    const { confirm } = await import('@inquirer/prompts');
    info(`secure-start: ${(err as Error).message}`);
    if (!(await confirm({ message: 'Start over for this account (the old file is kept as a backup)?', default: false }))) throw err;
    return openProgress(opts, session, { startOver: true });
  }
}

export async function run(opts: GlobalOptions): Promise<number> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new UserError(
      'The wizard needs a terminal to ask its questions.',
      'In scripts use `secure-start check` or `secure-start fix --yes --answers FILE`; to practise, run `secure-start --sandbox` (or `npm start -- --sandbox`) in a terminal.',
    );
  }
  const entries = selectSteps(opts);
  const answers: Answers = opts.answers ? await loadAnswers(opts.answers, entries) : {};
  // From the first moment something is shown: finding or starting the emulator and seeding it
  // take seconds. Ctrl-C before the first question ends the run at once (a private emulator dies
  // with this process), without the welcome.
  const spinner = startSpinner(opts.sandbox ? 'Looking for a sandbox…' : 'Connecting to AWS…');
  let interrupted = false;
  let started = false;
  let stopStart: (err: Error) => void = () => undefined;
  const startAborted = new Promise<never>((_, reject) => (stopStart = reject));
  startAborted.catch(() => undefined);
  const abort = new AbortController();
  const onSigint = () => {
    interrupted = true;
    abort.abort();
    if (!started) stopStart(new StartInterrupted());
  };
  process.on('SIGINT', onSigint);
  let session: Session | undefined;
  let progress: ProgressStore | undefined;
  try {
    try {
      session = await Promise.race([sessionOrSandbox(opts, spinner), startAborted]);
      spinner.stop();
    } catch (err) {
      spinner.stop();
      const name = (err as Error)?.name;
      if (err instanceof StartInterrupted || name === 'ExitPromptError' || name === 'AbortPromptError') {
        info('\nStopped before anything started; nothing was changed.');
        return EXIT.interrupted;
      }
      throw err;
    }
    started = true;
    progress = await progressFor(opts, session);
    // An empty region list is refused before the first step.
    const regions = await runRegions(session, entries);
    const { Wizard, QuitRequested } = await import('../../wizard/flow.js');
    const wizard = new Wizard({
      session,
      progress,
      entries,
      answers,
      regions,
      showLessons: opts.lessons !== false,
      redo: opts.redo === true,
      ...(opts.challenge ? { challenge: opts.learner !== undefined ? { learner: opts.learner } : {} } : {}),
      command: resumeCommand(undefined, { sandbox: Boolean(opts.sandbox) }),
      interrupted: () => interrupted,
      signal: abort.signal,
    });
    try {
      return await wizard.run();
    } catch (err) {
      const name = (err as Error)?.name;
      if (err instanceof QuitRequested || name === 'ExitPromptError' || name === 'AbortPromptError') {
        await progress.save();
        info('');
        for (const line of resumeHint(progress.file, resumeCommand(undefined, { sandbox: Boolean(opts.sandbox) }), Boolean(session.sandbox?.private))) info(line);
        return err instanceof QuitRequested && !interrupted ? EXIT.ok : EXIT.interrupted;
      }
      throw err;
    }
  } finally {
    process.off('SIGINT', onSigint);
    await progress?.close();
    await session?.close();
  }
}
