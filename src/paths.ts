import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where secure-start keeps its state (progress files, scorecards, the long-lived sandbox record):
 * SECURE_START_STATE_DIR, else $XDG_STATE_HOME/secure-start, else ~/.local/state/secure-start.
 */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SECURE_START_STATE_DIR) return env.SECURE_START_STATE_DIR;
  const base = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'secure-start');
}

let root: string | undefined;
/** The folder holding package.json, from the source tree (tsx, vitest) or from dist/. */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  root = dir;
  return dir;
}

export function lessonsDir(): string {
  return join(packageRoot(), 'lessons');
}
