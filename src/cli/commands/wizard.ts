import type { Answers } from '../../engine/answers.js';
import { loadAnswers } from '../../engine/answers.js';
import { UserError } from '../../engine/errors.js';
import type { Session } from '../../engine/session.js';
import { NoCredentialsError } from '../../engine/session.js';
import type { ProgressStore } from '../../progress/index.js';
import { EXIT } from '../main.js';
import type { GlobalOptions } from '../options.js';
import { selectSteps } from '../options.js';
import { openProgress, runRegions } from '../progress.js';
import { info, startSession } from '../session.js';

/** How to run this same command again, for the resume message. */
export function resumeCommand(argv: string[] = process.argv.slice(2), { sandbox = false } = {}): string {
  const given = argv.filter((a) => a !== '--yes');
  // The person accepted the sandbox when asked: the resume command says so itself.
  if (sandbox && !given.some((a) => a.startsWith('--sandbox'))) given.push('--sandbox');
  const args = given.join(' ');
  const viaNpm = process.env.npm_lifecycle_event === 'start';
  return viaNpm ? `npm start${args ? ` -- ${args}` : ''}` : `secure-start${args ? ` ${args}` : ''}`;
}

async function sessionOrSandbox(opts: GlobalOptions): Promise<Session> {
  try {
    return await startSession(opts);
  } catch (err) {
    if (!(err instanceof NoCredentialsError) || opts.sandbox) throw err;
    const { confirm } = await import('@inquirer/prompts');
    info(err.message);
    info('You can practise first on a local AWS emulator: nothing there touches a real account.');
    if (!(await confirm({ message: 'Start the practice sandbox now?', default: true })))
      throw new UserError('Not started: there are no AWS credentials, and you chose not to use the sandbox.', err.hint);
    opts.sandbox = 'auto';
    return startSession(opts);
  }
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
  let interrupted = false;
  const abort = new AbortController();
  const onSigint = () => {
    interrupted = true;
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  let session: Session | undefined;
  let progress: ProgressStore | undefined;
  try {
    try {
      session = await sessionOrSandbox(opts);
    } catch (err) {
      const name = (err as Error)?.name;
      if (name === 'ExitPromptError' || name === 'AbortPromptError') {
        info('\nStopped before anything started; nothing was changed.');
        return EXIT.interrupted;
      }
      throw err;
    }
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
        info(`Progress saved to ${progress.file}. To resume, run: ${resumeCommand(undefined, { sandbox: Boolean(opts.sandbox) })}`);
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
