import type { Session } from '../engine/session.js';
import { openSession } from '../engine/session.js';
import type { GlobalOptions } from './options.js';
import { targetOf } from './options.js';

export function info(line: string): void {
  process.stderr.write(line + '\n');
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
  const stop = () => void session.close();
  process.once('exit', stop);
  return session;
}
