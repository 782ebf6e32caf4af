import { describeError } from '../aws/errors.js';
import type { StepEntry } from '../engine/types.js';
import { EmptyRegionsError } from '../engine/context.js';
import type { RunRegions } from '../engine/context.js';
import type { Session } from '../engine/session.js';
import type { Target } from '../engine/types.js';
import { ProgressStore, defaultProgressPath, progressTrustWarnings, readProgress } from '../progress/index.js';
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
  for (const w of await progressTrustWarnings(store.file)) info(w);
  const recorded = store.data.target.regions;
  if (recorded) {
    session.recordedRegions = [...recorded];
    session.recordedIn = store.file;
  }
  return store;
}

/** The progress file as an earlier run left it, read without locking it; undefined when there is none. */
export async function loadRecordedProgress(opts: GlobalOptions, target: Target): Promise<Awaited<ReturnType<typeof readProgress>>> {
  return readProgress(progressPath(opts, target), target);
}

/** Regions chosen in an earlier run (account.regions), read without locking the file; sets them on the session. */
export async function loadRecordedRegions(opts: GlobalOptions, session: Session): Promise<void> {
  const file = progressPath(opts, session.target);
  const data = await readProgress(file, session.target);
  if (!data?.target.regions) return;
  // Its regions decide what this run checks: say so when others could have written them.
  for (const w of await progressTrustWarnings(file)) info(w);
  session.recordedRegions = [...data.target.regions];
  session.recordedIn = file;
}

/**
 * Resolves the run's regions before any step runs, when a selected step is regional: an empty list
 * is refused here (exit 2). A list that cannot be read (no permission to list regions) is not: each
 * regional step then reports the error itself, and the run goes on.
 * Returns what the reports' headers show.
 */
export async function runRegions(session: Session, entries: readonly StepEntry[]): Promise<RunRegions & { error?: string }> {
  if (!entries.some((e) => e.meta.scope === 'regional')) {
    // Only global steps: no region list is needed unless one is already known without a call.
    if (session.recordedRegions === undefined && !session.sandbox && !session.explicitRegions) return { regions: [session.target.homeRegion], source: 'home-region' };
  }
  try {
    return await session.ctx.regionInfo();
  } catch (err) {
    if (err instanceof EmptyRegionsError) throw err;
    return { regions: [], source: 'enabled-regions', error: describeError(err, { permissions: ['ec2:DescribeRegions'] }) };
  }
}
