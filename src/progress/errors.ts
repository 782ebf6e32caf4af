/**
 * How the progress store fails: ProgressError (its message says what to do), and the helpers that
 * turn file-system errors into words a person can act on.
 */
import { access } from 'node:fs/promises';

export type ProgressErrorKind = 'damaged' | 'newer' | 'other-account' | 'locked' | 'io';

/** A progress file that cannot be used; the message is for the person and says what to do. */
export class ProgressError extends Error {
  override readonly name = 'ProgressError';
  constructor(
    readonly kind: ProgressErrorKind,
    readonly file: string,
    message: string,
  ) {
    super(message);
  }
}

export const ELSEWHERE = 'pass --progress FILE to use another file';

export function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

export function describeFsError(e: unknown): string {
  switch (errno(e)) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOSPC':
      return 'no space left on the disk';
    case 'EROFS':
      return 'the file system is read-only';
    case 'EISDIR':
      return 'it is a folder';
    case 'ENOTDIR':
      return 'a part of the path is not a folder';
    default:
      return clip((e as Error | undefined)?.message ?? String(e));
  }
}

export function clip(s: string, max = 160): string {
  const line = s.replace(/\s+/g, ' ').trim();
  return line.length > max ? line.slice(0, max - 1) + '…' : line;
}

export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
