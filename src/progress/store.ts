/**
 * The progress file on disk: one run at a time (a lock file beside it), validated on load,
 * written atomically, never overwritten when it could not be read, and free of secrets.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, open, readdir, readFile, rename, stat, unlink, access } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { CostScale } from '../engine/types.js';
import { packageRoot, stateDir } from '../paths.js';
import { redactSecrets, redactString } from './redact.js';
import {
  FINISHED_STATUSES,
  SCHEMA_VERSION,
  accountIdSchema,
  progressSchema,
  type DeepReadonly,
  type JournalEntry,
  type ProgressData,
  type StepRecord,
  type StepStatus,
} from './schema.js';

export const TOOL_NAME = 'secure-start';

/** `<stateDir>/<accountId>.json`, or `<stateDir>/sandbox-<accountId>.json` in sandbox mode. */
export function defaultProgressPath(accountId: string, sandbox: boolean, env: NodeJS.ProcessEnv = process.env): string {
  return join(stateDir(env), `${sandbox ? 'sandbox-' : ''}${accountId}.json`);
}

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

interface LockInfo {
  pid: number;
  hostname: string;
  startedAt: string;
}

const ELSEWHERE = 'pass --progress FILE to use another file';

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
    this.#data.steps[id] = record;
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

// ---- loading -------------------------------------------------------------------------------

async function load(file: string): Promise<ProgressData | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if (errno(e) === 'ENOENT') return undefined;
    throw new ProgressError('io', file, `Cannot read progress file ${file}: ${describeFsError(e)}; it was not changed.\nFix its permissions or ${ELSEWHERE}.`);
  }
  const damaged = (problem: string) =>
    new ProgressError('damaged', file, `Progress file ${file} is damaged (${problem}); it was not changed.\nMove it aside or ${ELSEWHERE}.`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw damaged(text.trim() === '' ? 'it is empty' : `not valid JSON: ${clip((e as Error).message)}`);
  }
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    const version = (raw as { schemaVersion?: unknown }).schemaVersion;
    if (typeof version === 'number' && version > SCHEMA_VERSION) {
      throw new ProgressError(
        'newer',
        file,
        `Progress file ${file} was written by a newer secure-start (schema version ${version}; this one reads ${SCHEMA_VERSION}); it was not changed.\n` +
          `Update secure-start or ${ELSEWHERE}.`,
      );
    }
  }
  const parsed = progressSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : 'top level';
    throw damaged(`${where}: ${clip(issue?.message ?? 'invalid')}`);
  }
  return parsed.data;
}

function describeTarget(t: ProgressTargetRef): string {
  return t.sandbox ? `sandbox account ${t.accountId}` : `account ${t.accountId}`;
}

async function backup(file: string): Promise<string> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  for (let n = 0; ; n++) {
    const candidate = `${file}.bak-${stamp}${n ? `-${n}` : ''}`;
    if (await exists(candidate)) continue;
    try {
      await rename(file, candidate);
      return candidate;
    } catch (e) {
      throw new ProgressError('io', file, `Cannot move progress file ${file} aside to ${candidate}: ${describeFsError(e)}; it was not changed.\nMove it yourself or ${ELSEWHERE}.`);
    }
  }
}

/** Temp files of saves that never reached their rename (a crash); the lock says none is live. */
async function removeLeftoverTemps(file: string): Promise<void> {
  const prefix = `${basename(file)}.tmp-`;
  try {
    for (const name of await readdir(dirname(file))) {
      if (name.startsWith(prefix) && /^\d+-[0-9a-f]+$/.test(name.slice(prefix.length))) {
        await unlink(join(dirname(file), name)).catch(() => undefined);
      }
    }
  } catch {
    // best effort
  }
}

// ---- saving --------------------------------------------------------------------------------

function redactEntry(entry: JournalEntry): JournalEntry {
  const out: JournalEntry = { ...entry, params: redactSecrets(entry.params) };
  if (entry.output !== undefined) out.output = redactSecrets(entry.output);
  if (entry.error !== undefined) out.error = redactString(entry.error);
  if (entry.inverse !== undefined) out.inverse = { ...entry.inverse, params: redactSecrets(entry.inverse.params) };
  return out;
}

/**
 * Every field that carries data from steps or people goes through redactSecrets. Step ids and
 * the envelope are not: an id such as `account.unused-credentials` is not a secret.
 */
function redactProgress(data: ProgressData): ProgressData {
  const steps: Record<string, StepRecord> = {};
  for (const [id, rec] of Object.entries(data.steps)) {
    steps[id] = {
      status: rec.status,
      at: rec.at,
      ...(rec.reason !== undefined && { reason: redactString(rec.reason) }),
      ...(rec.inputs !== undefined && { inputs: redactSecrets(rec.inputs) }),
      ...(rec.message !== undefined && { message: redactString(rec.message) }),
      ...(rec.cost !== undefined && { cost: { scale: rec.cost.scale, detail: redactString(rec.cost.detail) } }),
    };
  }
  return { ...data, steps, journal: data.journal.map(redactEntry) };
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    fh = await open(tmp, 'wx', 0o600);
    await fh.writeFile(text, 'utf8');
    await fh.sync();
    await fh.close();
    fh = undefined;
    await rename(tmp, file);
  } catch (e) {
    await fh?.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw new ProgressError('io', file, `Cannot save progress file ${file}: ${describeFsError(e)}; the previous copy was not changed.\nFree space or fix permissions, or ${ELSEWHERE}.`);
  }
  await fsyncDir(dirname(file));
}

async function fsyncDir(dir: string): Promise<void> {
  // Makes the rename durable; folders cannot be opened or synced on some systems (Windows).
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // best effort
  }
}

// ---- the lock ------------------------------------------------------------------------------

/** An unreadable lock younger than this may be one another run is writing right now. */
const FRESH_LOCK_MS = 10_000;

async function acquireLock(file: string): Promise<string> {
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

async function releaseLock(lockPath: string, content: string): Promise<void> {
  try {
    if ((await readFile(lockPath, 'utf8')) === content) await unlink(lockPath);
  } catch {
    // already gone
  }
}

function releaseLockSync(lockPath: string, content: string): void {
  try {
    if (readFileSync(lockPath, 'utf8') === content) unlinkSync(lockPath);
  } catch {
    // best effort at exit
  }
}

// ---- helpers -------------------------------------------------------------------------------

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

function describeFsError(e: unknown): string {
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

function clip(s: string, max = 160): string {
  const line = s.replace(/\s+/g, ' ').trim();
  return line.length > max ? line.slice(0, max - 1) + '…' : line;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
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
