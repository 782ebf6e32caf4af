/**
 * Whether the progress file can be trusted: it decides which regions are checked and which steps
 * count as done, so a folder (or file) that another user could write, or that another user owns,
 * gets a warning. The store creates the folder 0700 and the file 0600; a folder made by someone
 * else, or loosened later, is not changed behind the person's back, only named.
 */
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

export interface TrustOptions {
  /** The user who should own the folder and file; default: the user running this process. */
  uid?: number;
}

function currentUid(): number | undefined {
  return typeof process.getuid === 'function' ? process.getuid() : undefined;
}

async function statOrUndefined(path: string) {
  try {
    return await stat(path);
  } catch {
    return undefined;
  }
}

/**
 * Warnings, one line each, about the progress file `file` and its folder: writable by every user,
 * or owned by another user than `uid`. Empty when all is well, when they do not exist yet, or on
 * Windows (no POSIX modes).
 */
export async function progressTrustWarnings(file: string, opts: TrustOptions = {}): Promise<string[]> {
  if (process.platform === 'win32') return [];
  const uid = opts.uid ?? currentUid();
  const path = resolve(file);
  const warnings: string[] = [];
  const consider = async (p: string, what: 'folder' | 'file') => {
    const st = await statOrUndefined(p);
    if (!st) return;
    const problems: string[] = [];
    if (st.mode & 0o002) problems.push(`every user on this machine can write to it (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')})`);
    if (uid !== undefined && st.uid !== uid) problems.push(`it belongs to another user (uid ${st.uid})`);
    if (problems.length)
      warnings.push(
        `Warning: the progress ${what} ${p}: ${problems.join(', and ')}. Someone else could change which regions are checked or which steps count as done. ` +
          (what === 'folder' ? 'Use a private folder (chmod 700, owned by you) or --progress FILE in one.' : 'Make it yours and private (chmod 600), or use --progress FILE.'),
      );
  };
  await consider(dirname(path), 'folder');
  await consider(path, 'file');
  return warnings;
}
