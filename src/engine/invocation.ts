/**
 * Hints name the command the way the person ran it: `npm start -- --step x` from a checkout
 * (`npm start` sets npm_lifecycle_event), `secure-start --step x` otherwise.
 */

/** The command that runs this CLI, as the person typed it. */
export function invokedAs(env: NodeJS.ProcessEnv = process.env): string {
  return env.npm_lifecycle_event === 'start' ? 'npm start --' : 'secure-start';
}

/** `secure-start ARGS` or `npm start -- ARGS`, whichever started this run. */
export function cliCommand(args = '', env: NodeJS.ProcessEnv = process.env): string {
  return args ? `${invokedAs(env)} ${args}` : invokedAs(env);
}
