/**
 * The record of the long-lived sandbox (`sandbox start`): `<stateDir>/sandbox.json`. Later runs
 * attach to the emulator it names while that emulator answers.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { stateDir } from '../paths.js';
import { isLocalStack } from './localstack.js';
import { isMoto, isProcessAlive } from './moto.js';

export interface SandboxRecord {
  provider: 'moto' | 'localstack';
  endpoint: string;
  /** moto_server's pid (moto only). */
  pid?: number;
  /** The container id (LocalStack only). */
  containerId?: string;
  /** ISO time. */
  startedAt: string;
  /** moto's output (moto only). */
  logFile?: string;
  /** The scenario `sandbox start` (or a later `sandbox seed`) put in, or `none`; `sandbox reset` puts it back. */
  scenario?: string;
  /** ISO time of that seeding. */
  seededAt?: string;
  /** A class (`sandbox start --learners`): each learner's name and account in the emulator's organization. */
  learners?: LearnerRecord[];
  /** The address learners reach the emulator at (`--host`), when it is not `endpoint`. */
  joinEndpoint?: string;
}

export interface LearnerRecord {
  name: string;
  accountId: string;
}

export function sandboxRecordPath(): string {
  return join(stateDir(), 'sandbox.json');
}

/** The record, or undefined when there is none or it cannot be read as one. */
export async function readSandboxRecord(): Promise<SandboxRecord | undefined> {
  let text: string;
  try {
    text = await readFile(sandboxRecordPath(), 'utf8');
  } catch {
    return undefined;
  }
  try {
    return parseRecord(JSON.parse(text));
  } catch {
    return undefined;
  }
}

function parseRecord(value: unknown): SandboxRecord | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (v.provider !== 'moto' && v.provider !== 'localstack') return undefined;
  if (typeof v.endpoint !== 'string' || typeof v.startedAt !== 'string') return undefined;
  const record: SandboxRecord = { provider: v.provider, endpoint: v.endpoint, startedAt: v.startedAt };
  if (typeof v.pid === 'number' && Number.isInteger(v.pid) && v.pid > 0) record.pid = v.pid;
  if (typeof v.containerId === 'string') record.containerId = v.containerId;
  if (typeof v.logFile === 'string') record.logFile = v.logFile;
  if (typeof v.scenario === 'string') record.scenario = v.scenario;
  if (typeof v.seededAt === 'string') record.seededAt = v.seededAt;
  if (Array.isArray(v.learners)) {
    const learners = v.learners.filter(
      (l): l is LearnerRecord => typeof l === 'object' && l !== null && typeof (l as LearnerRecord).name === 'string' && /^\d{12}$/.test(String((l as LearnerRecord).accountId)),
    );
    record.learners = learners.map((l) => ({ name: l.name, accountId: l.accountId }));
  }
  if (typeof v.joinEndpoint === 'string') record.joinEndpoint = v.joinEndpoint;
  return record;
}

/** Writes the record atomically (temp file, fsync, rename). */
export async function writeSandboxRecord(record: SandboxRecord): Promise<void> {
  const path = sandboxRecordPath();
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(tmp, JSON.stringify(record, null, 2) + '\n', { mode: 0o600, flush: true });
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

export async function clearSandboxRecord(): Promise<void> {
  await rm(sandboxRecordPath(), { force: true });
}

/**
 * Whether the emulator a record names answers at its endpoint. A moto whose process is alive gets
 * a longer second chance: a busy one (just seeded, a loaded machine) is not a stale record.
 */
export async function recordAnswers(record: SandboxRecord): Promise<boolean> {
  if (record.provider !== 'moto') return isLocalStack(record.endpoint);
  if (await isMoto(record.endpoint)) return true;
  return Boolean(record.pid && isProcessAlive(record.pid)) && isMoto(record.endpoint, 20_000);
}

/** The long-lived sandbox when its record exists and its emulator answers; a stale record is cleared. */
export async function runningSandbox(): Promise<SandboxRecord | undefined> {
  const record = await readSandboxRecord();
  if (!record) {
    // An unreadable file is as good as none: leave nothing behind that would confuse `sandbox start`.
    await clearSandboxRecord();
    return undefined;
  }
  if (await recordAnswers(record)) return record;
  await clearSandboxRecord();
  return undefined;
}
