import { registry } from '../../steps/index.js';
import { safeBlock } from '../engine/safe-text.js';
import { seedScenario } from '../engine/scenario.js';
import type { SandboxHandle, Session } from '../engine/session.js';
import { openSession } from '../engine/session.js';
import type { GlobalOptions } from './options.js';
import { targetOf } from './options.js';
import { plural, wrap } from '../engine/wrap.js';
import type { Spinner } from './spinner.js';

/** A line for the person on stderr. It may quote the account (a name, an error): controls are removed here too. */
export function info(line: string): void {
  // Not wrapped: some lines (the resume command) must stay one line to be copied whole.
  process.stderr.write(safeBlock(line) + '\n');
}

export interface StartSessionOptions {
  /** Print nothing about the sandbox (the sandbox sub-commands speak for themselves). */
  quiet?: boolean;
  /** The run's start-up spinner (the wizard): what happens is shown on it, lines are printed above it. */
  spinner?: Spinner;
}

/** One line on which emulator a sandbox run uses, and for how long what is done there lasts. */
export function describeSandbox(s: Pick<SandboxHandle, 'provider' | 'endpoint' | 'private'>): string {
  if (s.private) return `Sandbox: a private ${s.provider} emulator at ${s.endpoint}, stopped when this run ends.`;
  if (s.provider === 'endpoint') return `Sandbox: the emulator at ${s.endpoint}.`;
  return `Sandbox: the long-lived ${s.provider} sandbox at ${s.endpoint} (from \`sandbox start\`); what you change there stays until \`sandbox reset\`.`;
}

/** Opens the run's session; the sandbox module loads only when --sandbox asks for it. */
export async function startSession(opts: GlobalOptions, { quiet = false, spinner }: StartSessionOptions = {}): Promise<Session> {
  // Prose, not commands: wrapped at spaces to the terminal, so no word is cut at its edge.
  const fit = (line: string) => (process.stderr.isTTY && process.stderr.columns ? wrap(line, process.stderr.columns).join('\n') : line);
  const say = (line: string) => {
    if (quiet) return;
    if (spinner) spinner.log(safeBlock(fit(line)));
    else info(fit(line));
  };
  const session = await openSession(targetOf(opts), async (choice, endpointUrl) => {
    spinner?.update('Looking for a sandbox…');
    const sb = await import('../sandbox/index.js');
    const s = await sb.resolveSandbox(choice, {
      ...(endpointUrl ? { endpointUrl } : {}),
      // Said only when it happens: a named provider may attach to the long-lived sandbox instead.
      onStarting: (provider) => {
        if (spinner) spinner.update(`Starting a private ${provider} emulator for this run…`);
        else say(`Starting a private ${provider} emulator for this run…`);
      },
    });
    say(describeSandbox(s));
    spinner?.update('Connecting to the sandbox…');
    return s;
  });
  // A private sandbox is a practice account: every command finds the day-one scenario in it.
  if (session.sandbox?.private) {
    try {
      spinner?.update('Seeding the day-one practice account: an insecure new account…');
      const seeded = await seedScenario('day-one', session.ctx, registry);
      say(`Seeded the day-one scenario: an insecure new account (fixtures for ${plural(seeded.length, 'step')}).`);
    } catch (err) {
      await session.close();
      throw err;
    }
  }
  if (session.target.isRoot)
    say(
      'Warning: you are signed in as the root user, which can do anything in this account and cannot be limited. ' +
        'Use it only for the few tasks that need it; the account steps help you set up an administrator to use instead.',
    );
  const stop = () => void session.close();
  process.once('exit', stop);
  return session;
}
