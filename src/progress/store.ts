/**
 * The progress file on disk: one run at a time (a lock file beside it), validated on load,
 * written atomically, never overwritten when it could not be read, and free of secrets.
 */
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { CostScale } from '../engine/types.js';
import { packageRoot, stateDir } from '../paths.js';
import { redactSecrets, redactString } from './redact.js';
import {
  FINISHED_STATUSES,
  SCHEMA_VERSION,
  accountIdSchema,
  challengeSchema,
  type ChallengeRecord,
  type DeepReadonly,
  type JournalEntry,
  type ProgressData,
  type StepRecord,
  type StepStatus,
} from './schema.js';
import { ELSEWHERE, ProgressError, describeFsError } from './errors.js';
import { acquireLock, releaseLock, releaseLockSync } from './lock.js';
import { backup, load, redactEntry, redactProgress, removeLeftoverTemps, writeAtomic } from './store-io.js';

export { ProgressError, type ProgressErrorKind } from './errors.js';

export const TOOL_NAME = 'secure-start';

/** `<stateDir>/<accountId>.json`, or `<stateDir>/sandbox-<accountId>.json` in sandbox mode. */
export function defaultProgressPath(accountId: string, sandbox: boolean, env: NodeJS.ProcessEnv = process.env): string {
  return join(stateDir(env), `${sandbox ? 'sandbox-' : ''}${accountId}.json`);
}

export interface ProgressTargetRef {
  accountId: string;
  sandbox: boolean;
}

export interface OpenOptions {
  /** Back up a progress file made for another account (`<file>.bak-<time>`) and start a fresh one. */
  startOver?: boolean;
  /** Recorded in the file as the writing tool's version; default: this package's version. */
  toolVersion?: string;
}

export interface StepUpdate {
  status: StepStatus;
  reason?: string;
  /** Non-secret inputs; anything secret is redacted anyway. Kept from the last record when omitted. */
  inputs?: Record<string, unknown>;
  message?: string;
  /** What an applied fix adds to the monthly bill (status fixed). */
  cost?: { scale: CostScale; detail: string };
}

export type ActionRecord = Omit<JournalEntry, 'at'> & { at?: string };

export class ProgressStore {
  readonly file: string;
  /** True when no usable file existed (or an old one was moved aside): nothing to resume. */
  readonly isNew: boolean;
  /** Where a file for another account was moved when starting over. */
  readonly backupFile: string | undefined;

  #data: ProgressData;
  #closed = false;
  #saving: Promise<void> = Promise.resolve();
  readonly #lock: { path: string; content: string };
  readonly #toolVersion: string;
  readonly #onExit: () => void;

  private constructor(file: string, data: ProgressData, isNew: boolean, backupFile: string | undefined, lock: { path: string; content: string }, onExit: () => void, toolVersion: string) {
    this.file = file;
    this.#data = data;
    this.isNew = isNew;
    this.backupFile = backupFile;
    this.#lock = lock;
    this.#onExit = onExit;
    this.#toolVersion = toolVersion;
  }

  /**
   * Locks `file` for this run and loads it (or starts a fresh one when it does not exist).
   * Refuses, with a ProgressError and without changing the file, one that is damaged, from a
   * newer version, in use by another run, or made for another account (unless `startOver`).
   */
  static async open(file: string, target: ProgressTargetRef, opts: OpenOptions = {}): Promise<ProgressStore> {
    if (!accountIdSchema.safeParse(target.accountId).success) {
      throw new TypeError(`ProgressStore.open: account id must be 12 digits, got ${JSON.stringify(target.accountId)}`);
    }
    const path = resolve(file);
    const toolVersion = opts.toolVersion ?? packageVersion();
    try {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    } catch (e) {
      throw new ProgressError('io', path, `Cannot create the folder for progress file ${path}: ${describeFsError(e)}.\nFix its permissions or ${ELSEWHERE}.`);
    }

    const lock = { path: `${path}.lock`, content: await acquireLock(path) };
    const onExit = () => releaseLockSync(lock.path, lock.content);
    process.on('exit', onExit);
    try {
      let loaded = await load(path);
      let backupFile: string | undefined;
      if (loaded && (loaded.target.accountId !== target.accountId || loaded.target.sandbox !== target.sandbox)) {
        if (!opts.startOver) {
          throw new ProgressError(
            'other-account',
            path,
            `Progress file ${path} belongs to ${describeTarget(loaded.target)}, not ${describeTarget(target)}; it was not changed.\n` +
              `Choose to start over (the old file is kept as a backup) or ${ELSEWHERE}.`,
          );
        }
        backupFile = await backup(path);
        loaded = undefined;
      }
      await removeLeftoverTemps(path);
      const now = new Date().toISOString();
      const data: ProgressData = loaded ?? {
        schemaVersion: SCHEMA_VERSION,
        tool: { name: TOOL_NAME, version: toolVersion },
        target: { accountId: target.accountId, sandbox: target.sandbox },
        createdAt: now,
        updatedAt: now,
        steps: {},
        journal: [],
      };
      return new ProgressStore(path, data, loaded === undefined, backupFile, lock, onExit, toolVersion);
    } catch (e) {
      process.off('exit', onExit);
      await releaseLock(lock.path, lock.content);
      throw e;
    }
  }

  /** The loaded state. Read only: change it through the record and set methods. */
  get data(): DeepReadonly<ProgressData> {
    return this.#data;
  }

  get closed(): boolean {
    return this.#closed;
  }

  stepStatus(id: string): StepStatus | undefined {
    return this.#data.steps[id]?.status;
  }

  /** Records a step's outcome (in memory; `save()` writes it). */
  recordStep(id: string, update: StepUpdate): void {
    this.#assertOpen();
    const previous = this.#data.steps[id];
    const record: StepRecord = { status: update.status, at: new Date().toISOString() };
    if (update.reason !== undefined) record.reason = redactString(update.reason);
    const inputs = update.inputs ?? previous?.inputs;
    if (inputs !== undefined) record.inputs = redactSecrets(inputs);
    if (update.message !== undefined) record.message = redactString(update.message);
    if (update.cost !== undefined) record.cost = { scale: update.cost.scale, detail: redactString(update.cost.detail) };
    // A challenge's hints and time belong to the step, whatever its status becomes.
    if (previous?.challenge) record.challenge = { ...previous.challenge };
    this.#data.steps[id] = record;
  }

  /**
   * Updates a step's challenge record (in memory; `save()` writes it). A step with no record yet
   * is recorded as `status` (what the wizard's check found) to carry it.
   */
  recordChallenge(id: string, status: StepStatus, update: (current: ChallengeRecord) => ChallengeRecord): void {
    this.#assertOpen();
    const record = this.#data.steps[id] ?? { status, at: new Date().toISOString() };
    const next = update({ ...(record.challenge ?? { hints: 0, timeMs: 0 }) });
    this.#data.steps[id] = { ...record, challenge: challengeSchema.parse(next) };
  }

  /** Whether the wizard has offered this area's overview before. */
  overviewSeen(area: string): boolean {
    return this.#data.overviewsSeen?.includes(area) ?? false;
  }

  /** Records that the area's overview was offered (in memory; `save()` writes it). */
  markOverviewSeen(area: string): void {
    this.#assertOpen();
    if (this.overviewSeen(area)) return;
    this.#data.overviewsSeen = [...(this.#data.overviewsSeen ?? []), area];
  }

  /** Appends an applied action to the journal (in memory; `save()` writes it). */
  recordAction(entry: ActionRecord): void {
    this.#assertOpen();
    this.#data.journal.push(redactEntry({ ...entry, at: entry.at ?? new Date().toISOString() }));
  }

  /** The regions chosen for regional steps. */
  setRegions(regions: readonly string[]): void {
    this.#assertOpen();
    this.#data.target.regions = [...regions];
  }

  /** The first of `stepIds` (in guide order) not yet passed, fixed, skipped or found unsupported. */
  firstUnfinished(stepIds: readonly string[]): string | undefined {
    return firstUnfinished(this.#data, stepIds);
  }

  /**
   * Writes the file atomically: a temp file beside it, fsync, rename over it, fsync the folder.
   * Saves run one after another in call order; each writes the state as of its call.
   */
  save(): Promise<void> {
    this.#assertOpen();
    this.#data.updatedAt = new Date().toISOString();
    this.#data.tool = { name: TOOL_NAME, version: this.#toolVersion };
    const text = JSON.stringify(redactProgress(this.#data), null, 2) + '\n';
    const run = this.#saving.then(() => writeAtomic(this.file, text));
    this.#saving = run.catch(() => undefined);
    return run;
  }

  /** Waits for pending saves and releases the lock. Safe to call more than once. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#saving;
    } finally {
      process.off('exit', this.#onExit);
      await releaseLock(this.#lock.path, this.#lock.content);
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error(`progress store for ${this.file} is closed`);
  }
}

/**
 * Reads and validates a progress file without locking it or changing it (for read-only
 * commands, e.g. the regions chosen earlier). Undefined when there is no file, or when it was
 * made for another target than `target`. Throws ProgressError ('damaged', 'newer', 'io').
 */
export async function readProgress(file: string, target?: ProgressTargetRef): Promise<ProgressData | undefined> {
  const data = await load(resolve(file));
  if (data && target && (data.target.accountId !== target.accountId || data.target.sandbox !== target.sandbox)) return undefined;
  return data;
}

/** The first of `stepIds` whose recorded status is not pass, fixed, skipped or unsupported. */
export function firstUnfinished(data: DeepReadonly<ProgressData>, stepIds: readonly string[]): string | undefined {
  return stepIds.find((id) => {
    const status = data.steps[id]?.status;
    return status === undefined || !FINISHED_STATUSES.includes(status);
  });
}

function describeTarget(t: ProgressTargetRef): string {
  return t.sandbox ? `sandbox account ${t.accountId}` : `account ${t.accountId}`;
}

let version: string | undefined;
function packageVersion(): string {
  if (version !== undefined) return version;
  try {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown };
    version = typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    version = 'unknown';
  }
  return version;
}
