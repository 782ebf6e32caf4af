import type { Session } from '../engine/session.js';
import type { Target } from '../engine/types.js';
import { ProgressStore, defaultProgressPath, readProgress } from '../progress/index.js';
import type { GlobalOptions } from './options.js';
import { info } from './session.js';

export function progressPath(opts: GlobalOptions, target: Target): string {
  return opts.progress ?? defaultProgressPath(target.accountId, target.sandbox);
}

/** Opens (and locks) the progress file for a run that changes things; prints where it is. */
export async function openProgress(opts: GlobalOptions, session: Session, { startOver = false } = {}): Promise<ProgressStore> {
  const file = progressPath(opts, session.target);
  const store = await ProgressStore.open(file, session.target, { startOver, toolVersion: session.version });
  info(`Progress file: ${store.file}${store.isNew ? ' (new)' : ''}`);
  if (store.data.target.regions?.length) session.recordedRegions = [...store.data.target.regions];
  return store;
}

/** The progress file as an earlier run left it, read without locking it; undefined when there is none. */
export async function loadRecordedProgress(opts: GlobalOptions, target: Target): Promise<Awaited<ReturnType<typeof readProgress>>> {
  return readProgress(progressPath(opts, target), target);
}

/** Regions chosen in an earlier run (account.regions), read without locking the file. */
export async function loadRecordedRegions(opts: GlobalOptions, target: Target): Promise<string[] | undefined> {
  const data = await readProgress(progressPath(opts, target), target);
  return data?.target.regions?.length ? [...data.target.regions] : undefined;
}
