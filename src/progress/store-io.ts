/**
 * The progress file's reads and writes: loading with validation (damaged, newer schema), moving a
 * file aside, clearing temp files of crashed saves, and the atomic, redacted save.
 */
import { randomBytes } from 'node:crypto';
import { open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { redactSecrets, redactString } from './redact.js';
import { SCHEMA_VERSION, progressSchema, type JournalEntry, type ProgressData, type StepRecord } from './schema.js';
import { ELSEWHERE, ProgressError, clip, describeFsError, errno, exists } from './errors.js';

/** The validated file, or undefined when there is none; ProgressError when it cannot be used. */
export async function load(file: string): Promise<ProgressData | undefined> {
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

export async function backup(file: string): Promise<string> {
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
export async function removeLeftoverTemps(file: string): Promise<void> {
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

export function redactEntry(entry: JournalEntry): JournalEntry {
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
export function redactProgress(data: ProgressData): ProgressData {
  const steps: Record<string, StepRecord> = {};
  for (const [id, rec] of Object.entries(data.steps)) {
    steps[id] = {
      status: rec.status,
      at: rec.at,
      ...(rec.reason !== undefined && { reason: redactString(rec.reason) }),
      ...(rec.inputs !== undefined && { inputs: redactSecrets(rec.inputs) }),
      ...(rec.message !== undefined && { message: redactString(rec.message) }),
      ...(rec.cost !== undefined && { cost: { scale: rec.cost.scale, detail: redactString(rec.cost.detail) } }),
      // Counts and times only: nothing in it can hold a secret.
      ...(rec.challenge !== undefined && { challenge: { ...rec.challenge } }),
    };
  }
  return { ...data, steps, journal: data.journal.map(redactEntry) };
}

export async function writeAtomic(file: string, text: string): Promise<void> {
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
