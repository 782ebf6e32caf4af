/**
 * The lock beside a progress file (`<file>.lock`): one run at a time. A lock left by a process
 * that is gone (same host) is taken over without removing a live one put there meanwhile.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { ELSEWHERE, ProgressError, describeFsError, errno } from './errors.js';

interface LockInfo {
  pid: number;
  hostname: string;
  startedAt: string;
}

/** An unreadable lock younger than this may be one another run is writing right now. */
const FRESH_LOCK_MS = 10_000;

/** Takes the lock of `file` (taking over a stale one); returns the content written, to release it by. */
export async function acquireLock(file: string): Promise<string> {
  const lockPath = `${file}.lock`;
  const info: LockInfo = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString() };
  const content = JSON.stringify(info) + '\n';
  let holder: { raw: string; info: LockInfo | undefined } | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await writeNewFile(lockPath, content);
      return content;
    } catch (e) {
      if (errno(e) !== 'EEXIST') {
        throw new ProgressError('io', file, `Cannot lock progress file ${file} (${lockPath}): ${describeFsError(e)}.\nFix the folder's permissions or ${ELSEWHERE}.`);
      }
    }
    let current: Awaited<ReturnType<typeof readLock>>;
    try {
      current = await readLock(lockPath);
    } catch (e) {
      throw new ProgressError('io', file, `Cannot read the lock of progress file ${file} (${lockPath}): ${describeFsError(e)}.\nFix its permissions or ${ELSEWHERE}.`);
    }
    if (!current) continue; // released meanwhile
    holder = current;
    if (!current.stale) break;
    await takeOver(lockPath, current.raw);
  }
  throw lockedError(file, lockPath, holder?.info);
}

function lockedError(file: string, lockPath: string, info: LockInfo | undefined): ProgressError {
  const who = info ? `pid ${info.pid} on ${info.hostname}, since ${info.startedAt}` : 'its lock is being written';
  return new ProgressError(
    'locked',
    file,
    `Progress file ${file} is in use by another secure-start run (${who}).\n` +
      `Wait for it to finish or ${ELSEWHERE}; if that run is gone, delete ${lockPath}.`,
  );
}

async function writeNewFile(path: string, content: string): Promise<void> {
  const fh = await open(path, 'wx', 0o600);
  try {
    await fh.writeFile(content, 'utf8');
  } catch (e) {
    await fh.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw e;
  }
  await fh.close();
}

async function readLock(lockPath: string): Promise<{ raw: string; info: LockInfo | undefined; stale: boolean } | undefined> {
  let raw: string;
  let mtimeMs: number;
  try {
    [raw, mtimeMs] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath).then((s) => s.mtimeMs)]);
  } catch (e) {
    if (errno(e) === 'ENOENT') return undefined;
    throw e;
  }
  const info = parseLock(raw);
  if (!info) return { raw, info, stale: Date.now() - mtimeMs > FRESH_LOCK_MS };
  // A pid on another host cannot be checked: treat its lock as live.
  return { raw, info, stale: info.hostname === hostname() && !pidAlive(info.pid) };
}

function parseLock(raw: string): LockInfo | undefined {
  try {
    const v = JSON.parse(raw) as Partial<LockInfo>;
    if (typeof v.pid === 'number' && typeof v.hostname === 'string' && typeof v.startedAt === 'string') {
      return { pid: v.pid, hostname: v.hostname, startedAt: v.startedAt };
    }
  } catch {
    // unreadable
  }
  return undefined;
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errno(e) === 'EPERM'; // exists, owned by someone else
  }
}

/**
 * Removes a stale lock without removing a live one another run put there in between:
 * move it aside, check it is the one judged stale, and put it back when it is not.
 */
async function takeOver(lockPath: string, staleRaw: string): Promise<void> {
  const aside = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(lockPath, aside);
  } catch {
    return; // gone already; the caller retries
  }
  const raw = await readFile(aside, 'utf8').catch(() => undefined);
  if (raw !== staleRaw) await link(aside, lockPath).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

export async function releaseLock(lockPath: string, content: string): Promise<void> {
  try {
    if ((await readFile(lockPath, 'utf8')) === content) await unlink(lockPath);
  } catch {
    // already gone
  }
}

export function releaseLockSync(lockPath: string, content: string): void {
  try {
    if (readFileSync(lockPath, 'utf8') === content) unlinkSync(lockPath);
  } catch {
    // best effort at exit
  }
}
