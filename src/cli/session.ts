import { registry } from '../../steps/index.js';
import { safeBlock } from '../engine/safe-text.js';
import { seedScenario } from '../engine/scenario.js';
import type { Session } from '../engine/session.js';
import { openSession } from '../engine/session.js';
import type { GlobalOptions } from './options.js';
import { targetOf } from './options.js';

/** A line for the person on stderr. It may quote the account (a name, an error): controls are removed here too. */
export function info(line: string): void {
  process.stderr.write(safeBlock(line) + '\n');
}

/** Opens the run's session; the sandbox module loads only when --sandbox asks for it. */
export async function startSession(opts: GlobalOptions, { quiet = false } = {}): Promise<Session> {
  const session = await openSession(targetOf(opts), async (choice, endpointUrl) => {
    const sb = await import('../sandbox/index.js');
    if (!quiet && choice !== 'auto' && !/^https?:/.test(choice)) info(`Starting a ${choice} sandbox…`);
    const s = await sb.resolveSandbox(choice, endpointUrl ? { endpointUrl } : {});
    if (!quiet)
      info(
        s.private
          ? `Sandbox: a private ${s.provider} emulator at ${s.endpoint}, stopped when this run ends.`
          : `Sandbox: ${s.provider} at ${s.endpoint}.`,
      );
    return s;
  });
  // A private sandbox is a practice account: every command finds the day-one scenario in it.
  if (session.sandbox?.private) {
    try {
      const seeded = await seedScenario('day-one', session.ctx, registry);
      if (!quiet) info(`Seeded the day-one scenario: an insecure new account (${seeded.length} step fixture(s)).`);
    } catch (err) {
      await session.close();
      throw err;
    }
  }
  if (session.target.isRoot && !quiet)
    info(
      'Warning: you are signed in as the root user, which can do anything in this account and cannot be limited. ' +
        'Use it only for the few tasks that need it; the account steps help you set up an administrator to use instead.',
    );
  const stop = () => void session.close();
  process.once('exit', stop);
  return session;
}
