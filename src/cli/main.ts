/**
 * The command line: parses arguments, loads the command it needs (lazily, so `--help` and
 * `lessons` never load an AWS SDK client), maps errors to exit codes, and is the only place
 * that exits the process.
 */
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';
import { UserError } from '../engine/errors.js';
import { safeBlock } from '../engine/safe-text.js';
import type { GlobalOptions } from './options.js';

import { EXIT } from './exit-codes.js';

export { EXIT };

function version(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The selection and target flags shared by every command that talks to AWS. */
function targetOptions(cmd: Command, { progress = true } = {}): Command {
  cmd
    .option('--step <id>', 'only this step (repeatable)', collect)
    .option('--area <name>', 'only the steps of this area (repeatable)', collect)
    .option('--regions <list>', 'regions for regional steps, comma-separated (default: those chosen in account.regions, else every enabled region; an empty list is refused)')
    .option('--profile <name>', 'AWS profile (SSO profiles too)')
    .option('--region <name>', 'home region for global calls')
    .option('--endpoint-url <url>', 'send every AWS call to this endpoint (also AWS_ENDPOINT_URL)')
    .addOption(
      new Option('--sandbox [provider]', 'use the running sandbox, or start a private emulator for this run (moto, localstack, or a URL)').preset('auto'),
    );
  if (progress) cmd.option('--progress <file>', 'progress file (default: one per account in the state directory)');
  cmd.option('--learner <name>', "with --sandbox: act in this learner's account of the class (see sandbox start --learners)");
  return cmd;
}

function globalOpts(cmd: Command): GlobalOptions {
  // Options given before or after the sub-command both count.
  return cmd.optsWithGlobals() as GlobalOptions;
}

function lazy(load: () => Promise<{ run(opts: GlobalOptions, args: string[]): Promise<number> }>) {
  return async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const positional = (args.slice(0, -2) as Array<string | string[] | undefined>).flat().filter((a): a is string => typeof a === 'string');
    const mod = await load();
    process.exitCode = await mod.run(globalOpts(cmd), positional);
  };
}

export function buildProgram(): Command {
  const program = new Command('secure-start')
    .description('Secure a new AWS account step by step, or practise on a local emulator (--sandbox).')
    .version(version(), '-V, --version')
    .option('--no-color', 'no colours (also NO_COLOR)')
    .option('--verbose', 'show stack traces, and each AWS operation as it is sent')
    .option('--answers <file>', 'pre-fill the answers, as made by `answers --template`')
    .option('--no-lessons', 'do not offer the lessons (the wizard)')
    .option('--redo', 'the wizard: go through the chosen steps (--step, --area, or all) again, even those done or skipped')
    .option('--challenge', 'the wizard as an exercise: lesson and check, no fix; you make the change by hand and check your work; hints reveal the plan')
    .usage('[options] [command]')
    .showHelpAfterError('(run secure-start --help for usage)')
    .configureHelp({ sortSubcommands: false })
    .addHelpText(
      'after',
      `
Exit codes: 0 nothing failed · 1 a step failed · 2 the run could not start · 3 a step could not be checked
            · 130 the wizard was interrupted (Ctrl-C; progress is saved).
Waits: every AWS call gives up after SECURE_START_CONNECT_TIMEOUT seconds to connect (default 5)
       and SECURE_START_REQUEST_TIMEOUT seconds without an answer (default 30); AWS_MAX_ATTEMPTS
       sets the attempts (default: the SDK's, 3; also 3 against --endpoint-url).
Examples:
  secure-start --sandbox                 learn on a local emulator (no AWS account needed)
  secure-start                           the wizard, against your configured AWS account
  secure-start --redo --step account.groups-only   revisit a step done or skipped earlier
  secure-start --sandbox --challenge     practise: fix each step yourself, with hints on request
  secure-start check --format json       audit without changing anything
  secure-start fix --yes --answers a.json
  secure-start undo                      reverse the last fix (asks what, and confirms)`,
    );
  targetOptions(program)
    .argument('[command]')
    .action(async (word: string | undefined, ...rest: unknown[]) => {
      if (word !== undefined) {
        const names = program.commands.map((c) => c.name());
        const close = names.filter((n) => n.startsWith(word.slice(0, 2)) || word.startsWith(n.slice(0, 3)));
        throw new UserError(`Unknown command "${word}".`, `${close.length ? `Did you mean ${close.join(' or ')}? ` : ''}Commands: ${names.join(', ')}.`);
      }
      await lazy(() => import('./commands/wizard.js'))(...rest);
    });

  targetOptions(program.command('check').description('read-only audit of the selected steps'))
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'markdown']).default('table'))
    .option('--org', "check every active account of the caller's AWS Organization, through a role in each")
    .option('--role-name <name>', 'with --org: the role to assume in each account (default OrganizationAccountAccessRole)')
    .option('--accounts <ids>', 'with --org: only these accounts, comma-separated (implies --org)')
    .action(lazy(() => import('./commands/check.js')));

  targetOptions(program.command('plan').description('show the changes fix would make, with every API call; changes nothing'))
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(lazy(() => import('./commands/plan.js')));

  targetOptions(program.command('fix').description('apply the plans of failing steps (asks first unless --yes)'))
    .option('--yes', 'apply without asking; inputs come from --answers')
    .option('--answers <file>', 'inputs for the fixes')
    .action(lazy(() => import('./commands/fix.js')));

  targetOptions(
    program
      .command('undo')
      .description('reverse changes secure-start made, from the progress file\'s journal (asks first unless --yes)')
      .addHelpText(
        'after',
        `
Without --step or --since it asks what to undo (with --yes: the last fix). Each step first reads
what its change left: a change edited since the fix is refused, never overwritten. Destructive
undos (deleting something that may hold data) are asked one by one and left out under --yes.
Exit codes: 0 every chosen change undone (or nothing to undo) · 1 one was refused or failed
            · 2 bad input · 3 a step could not read what its change left.`,
      ),
  )
    .option('--since <time>', 'the changes made since this ISO-8601 date or time (UTC unless it has an offset)')
    .option('--yes', 'undo without asking (the last fix unless --step/--since); destructive undos are left out')
    .action(lazy(() => import('./commands/undo.js')));

  program
    .command('lessons [step-or-area]')
    .description('read the lessons offline (no AWS access)')
    .action(lazy(() => import('./commands/lessons.js')));

  program
    .command('policy')
    .description('print the least-privilege IAM policy the selected steps need')
    .addOption(new Option('--for <what>', 'for checking only, or for fixing too').choices(['check', 'fix']).default('check'))
    .option('--step <id>', 'only this step (repeatable)', collect)
    .option('--area <name>', 'only the steps of this area (repeatable)', collect)
    .action(lazy(() => import('./commands/policy.js')));

  program
    .command('answers')
    .description('print an answers file for fix --yes')
    .option('--template', 'every input the selected steps can ask for, with defaults')
    .option('--step <id>', 'only this step (repeatable)', collect)
    .option('--area <name>', 'only the steps of this area (repeatable)', collect)
    .action(lazy(() => import('./commands/answers.js')));

  const sandbox = program.command('sandbox').description('a long-lived local emulator for practice and workshops');
  sandbox
    .command('start')
    .description('start a sandbox that keeps running; prints its endpoint and what to export')
    .addOption(new Option('--provider <name>', 'emulator').choices(['auto', 'moto', 'localstack']).default('auto'))
    .option('--scenario <name>', 'the scenario to seed: day-one (the default), or none for an empty account')
    .option('--learners <n|file>', 'a class: one account per learner (a number, or a file with one name a line), each seeded, with a join line each')
    .option('--host <address>', 'listen on this address instead of 127.0.0.1, for learners on other machines (no authentication: hold nothing real)')
    .action(lazy(() => import('./commands/sandbox.js').then((m) => ({ run: m.start }))));
  sandbox
    .command('seed')
    .description('seed a scenario into the running sandbox')
    .option('--scenario <name>', 'the scenario', 'day-one')
    .action(lazy(() => import('./commands/sandbox.js').then((m) => ({ run: m.seed }))));
  sandbox
    .command('reset')
    .description("put the running sandbox's scenario back (an empty account first) and clear its progress file")
    .option('--learner <name>', "only this learner's account: a fresh account of the same name, seeded; the others are untouched")
    .action(lazy(() => import('./commands/sandbox.js').then((m) => ({ run: m.reset }))));
  sandbox
    .command('status')
    .description('is a sandbox running, and where')
    .action(lazy(() => import('./commands/sandbox.js').then((m) => ({ run: m.status }))));
  sandbox
    .command('scoreboard')
    .description("the facilitator's view of a class: per learner, passed/total per area, current step, hints, last change; read-only")
    .option('--watch <seconds>', 'redraw every N seconds until Ctrl-C')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'markdown', 'json']).default('table'))
    .option('--step <id>', 'only this step (repeatable)', collect)
    .option('--area <name>', 'only the steps of this area (repeatable)', collect)
    .action(lazy(() => import('./commands/scoreboard.js')));
  sandbox
    .command('stop')
    .description('stop the running sandbox')
    .action(lazy(() => import('./commands/sandbox.js').then((m) => ({ run: m.stop }))));

  program.exitOverride();
  for (const c of program.commands) {
    c.exitOverride();
    for (const s of c.commands) s.exitOverride();
  }
  return program;
}

function print(line: string) {
  process.stderr.write(line + '\n');
}

/** Everything that can end a run, mapped to a message and an exit code. */
export function reportError(err: unknown, verbose: boolean): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.ok;
    // commander already printed its message.
    return EXIT.cannotStart;
  }
  const e = err as { name?: string; message?: string; hint?: string; exitCode?: number; stack?: string };
  if (err instanceof UserError || e?.name === 'ProgressError' || e?.name === 'SandboxError') {
    print(`secure-start: ${safeBlock(e.message ?? '')}`);
    if (e.hint) print(`  ${safeBlock(e.hint)}`);
    if (verbose && e.stack) print(safeBlock(e.stack));
    return typeof e.exitCode === 'number' ? e.exitCode : EXIT.cannotStart;
  }
  if (e?.name === 'ExitPromptError' || e?.name === 'AbortPromptError') return EXIT.interrupted;
  print(`secure-start: unexpected error: ${safeBlock(e?.message ?? String(err))}`);
  if (verbose) print(safeBlock(e?.stack ?? ''));
  else print('  Run again with --verbose for details, and please report it with that output.');
  return EXIT.cannotStart;
}

export function normaliseArgv(argv: string[]): string[] {
  // `--sandbox` takes an optional value; keep `--sandbox check` from reading "check" as the provider.
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (a === '--sandbox' && next !== undefined && !/^(auto|moto|localstack|https?:\/\/.*)$/.test(next)) out.push('--sandbox=auto');
    else out.push(a);
  }
  return out;
}

export async function main(argv: string[]): Promise<never> {
  // Node 20.19+ is supported on purpose; the SDK's own upgrade nag is noise for the person here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // A reader that stops early (`| head`) is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
  });
  const verbose = argv.includes('--verbose');
  if (verbose) process.env.SECURE_START_VERBOSE = '1';
  if (argv.includes('--no-color')) process.env.NO_COLOR = '1';
  let code: number;
  try {
    await buildProgram().parseAsync(normaliseArgv(argv), { from: 'user' });
    code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    code = reportError(err, verbose);
  }
  // Let pending writes (stdout pipes) drain, then exit: the only process.exit in the program.
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  process.exit(code);
}
