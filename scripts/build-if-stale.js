#!/usr/bin/env node
// `npm start` / `npm test` build first, but a start with nothing changed must not pay for a whole
// TypeScript program (seconds): compare the newest build input with the last build, and run the
// incremental build (`tsc -b`) only when something is newer. A deleted or renamed file changes its
// folder's time, so folders count as inputs too. `--force` always runs tsc; `--check` only says
// whether a build is due (exit 0: up to date, 1: stale); `--root DIR` looks at another checkout.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const rootArg = argv.indexOf('--root');
const root = rootArg >= 0 && argv[rootArg + 1] ? argv[rootArg + 1] : join(dirname(fileURLToPath(import.meta.url)), '..');
const STAMP = join(root, 'dist', '.tsbuildinfo');
const INPUT_FILES = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];
const INPUT_DIRS = ['src', 'steps'];

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** The newest modification time of a folder, its sub-folders and its .ts files. */
function newest(dir) {
  let max = mtime(dir);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) max = Math.max(max, newest(path));
    else if (entry.name.endsWith('.ts') || entry.name.endsWith('.json')) max = Math.max(max, mtime(path));
  }
  return max;
}

function isStale() {
  const built = mtime(STAMP);
  if (!built) return true;
  const inputs = Math.max(...INPUT_FILES.map((f) => mtime(join(root, f))), ...INPUT_DIRS.map((d) => newest(join(root, d))));
  return inputs > built;
}

if (argv.includes('--check')) {
  const stale = isStale();
  console.log(stale ? 'stale: a build input is newer than the last build' : 'up to date');
  process.exitCode = stale ? 1 : 0;
} else if (argv.includes('--force') || isStale()) {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-b', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
  process.exitCode = r.status ?? 1;
}
