/**
 * `npm start` rebuilds only when a build input changed (issue 10, item 17): the up-to-date check of
 * scripts/build-if-stale.js on a throw-away tree, as files are added, edited and deleted.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const SCRIPT = resolve('scripts/build-if-stale.js');
let root: string;

const check = () => spawnSync(process.execPath, [SCRIPT, '--check', '--root', root], { encoding: 'utf8' });
/** Sets a file's (or folder's) modification time, seconds from now. */
const at = (path: string, seconds: number) => utimes(join(root, path), new Date(Date.now() + seconds * 1000), new Date(Date.now() + seconds * 1000));

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'secure-start-build-'));
  for (const dir of ['src/cli', 'steps/account', 'dist']) await mkdir(join(root, dir), { recursive: true });
  for (const file of ['src/cli/main.ts', 'steps/account/a.ts', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json']) await writeFile(join(root, file), '');
  for (const path of ['src/cli/main.ts', 'steps/account/a.ts', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json', 'src/cli', 'src', 'steps/account', 'steps']) await at(path, -60);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the up-to-date check before npm start', () => {
  it('wants a build when there has been none', () => {
    expect(check().status).toBe(1);
  });

  it('skips the build when nothing changed since the last one', async () => {
    await writeFile(join(root, 'dist/.tsbuildinfo'), '{}');
    const r = check();
    expect(r.stdout).toContain('up to date');
    expect(r.status).toBe(0);
  });

  it.each([
    ['an edited source file', 'src/cli/main.ts'],
    ['an edited step', 'steps/account/a.ts'],
    ['a changed tsconfig', 'tsconfig.build.json'],
    ['new dependencies', 'package-lock.json'],
    ['a deleted or added file (its folder changes)', 'steps/account'],
  ])('builds again after %s', async (_what, path) => {
    await writeFile(join(root, 'dist/.tsbuildinfo'), '{}');
    await at('dist/.tsbuildinfo', -30);
    expect(check().status).toBe(0);
    await at(path, 0);
    expect(check().status).toBe(1);
  });
});
