/**
 * The progress file's trust (issue 9, item 7): a folder or file that others can write, or that
 * another user owns, gets a warning; a new file is created 0600 in a 0700 folder.
 */
import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProgressStore, progressTrustWarnings } from '../../src/progress/index.js';

const posix = process.platform !== 'win32';
const me = typeof process.getuid === 'function' ? process.getuid() : 0;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'secure-start-trust-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.runIf(posix)('progressTrustWarnings', () => {
  it('is quiet for a private folder and file of this user, and for a file not made yet', async () => {
    await chmod(dir, 0o700);
    const file = join(dir, '123456789012.json');
    expect(await progressTrustWarnings(file)).toEqual([]);
    await writeFile(file, '{}', { mode: 0o600 });
    expect(await progressTrustWarnings(file)).toEqual([]);
  });

  it('warns about a world-writable folder, naming it, its mode and what to do', async () => {
    await chmod(dir, 0o1777);
    const warnings = await progressTrustWarnings(join(dir, 'p.json'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(dir);
    expect(warnings[0]).toMatch(/every user on this machine can write to it \(mode 1777\)/);
    expect(warnings[0]).toMatch(/which regions are checked/);
    expect(warnings[0]).toMatch(/chmod 700/);
  });

  it('warns about a world-writable progress file in a private folder', async () => {
    await chmod(dir, 0o700);
    const file = join(dir, 'p.json');
    await writeFile(file, '{}');
    await chmod(file, 0o666);
    const warnings = await progressTrustWarnings(file);
    expect(warnings).toEqual([expect.stringMatching(/^Warning: the progress file .*p\.json: every user on this machine can write to it \(mode 0666\)/)]);
  });

  it('warns about a folder and file owned by another user', async () => {
    await chmod(dir, 0o700);
    const file = join(dir, 'p.json');
    await writeFile(file, '{}', { mode: 0o600 });
    const warnings = await progressTrustWarnings(file, { uid: me + 1 });
    expect(warnings).toHaveLength(2);
    for (const w of warnings) expect(w).toContain(`it belongs to another user (uid ${me})`);
  });
});

describe.runIf(posix)('a new progress file', () => {
  it('is created 0600 in a 0700 folder, even under a permissive umask, and draws no warning', async () => {
    const file = join(dir, 'state', 'nested', '123456789012.json');
    const before = process.umask(0);
    let store: ProgressStore | undefined;
    try {
      store = await ProgressStore.open(file, { accountId: '123456789012', sandbox: true });
      await store.save();
    } finally {
      process.umask(before);
      await store?.close();
    }
    expect((await stat(join(dir, 'state', 'nested'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, 'state'))).mode & 0o777).toBe(0o700);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await progressTrustWarnings(file)).toEqual([]);
  });
});
