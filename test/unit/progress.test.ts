import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REDACTED } from '../../src/engine/types.js';
import { stateDir } from '../../src/paths.js';
import {
  ProgressError,
  ProgressStore,
  SCHEMA_VERSION,
  defaultProgressPath,
  firstUnfinished,
  progressSchema,
  readProgress,
  type ProgressErrorKind,
} from '../../src/progress/index.js';

const ACCOUNT = '123456789012';
const OTHER = '210987654321';
const target = { accountId: ACCOUNT, sandbox: false };

let dir: string;
let file: string;
const opened: ProgressStore[] = [];

async function openStore(...args: Parameters<typeof ProgressStore.open>): Promise<ProgressStore> {
  const store = await ProgressStore.open(...args);
  opened.push(store);
  return store;
}

async function refusal(promise: Promise<unknown>): Promise<ProgressError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProgressError);
  return err as ProgressError;
}

async function expectRefused(promise: Promise<unknown>, kind: ProgressErrorKind): Promise<ProgressError> {
  const err = await refusal(promise);
  expect(err.kind).toBe(kind);
  expect(err.file).toBe(file);
  expect(err.message).toContain(file);
  expect(err.message.split('\n').length).toBeLessThanOrEqual(2);
  return err;
}

/** A pid that is certainly not running: a child that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid ?? 999999;
}

function validFile(accountId = ACCOUNT, extra: Record<string, unknown> = {}): string {
  const now = new Date().toISOString();
  return JSON.stringify({
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'secure-start', version: '0.0.1' },
    target: { accountId, sandbox: false },
    createdAt: now,
    updatedAt: now,
    steps: { 'account.root-mfa': { status: 'pass', at: now } },
    journal: [],
    ...extra,
  });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'secure-start-progress-'));
  file = join(dir, 'state', `${ACCOUNT}.json`);
});

afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
  await rm(dir, { recursive: true, force: true });
});

describe('defaultProgressPath', () => {
  it('puts one file per account in the state directory, prefixed in sandbox mode', () => {
    const env = { SECURE_START_STATE_DIR: '/x/state' };
    expect(defaultProgressPath(ACCOUNT, false, env)).toBe(join('/x/state', `${ACCOUNT}.json`));
    expect(defaultProgressPath(ACCOUNT, true, env)).toBe(join('/x/state', `sandbox-${ACCOUNT}.json`));
    expect(defaultProgressPath(ACCOUNT, false, { XDG_STATE_HOME: '/xdg' })).toBe(join(stateDir({ XDG_STATE_HOME: '/xdg' }), `${ACCOUNT}.json`));
  });
});

describe('ProgressStore', () => {
  it('starts a new file and round-trips what was recorded', async () => {
    const store = await openStore(file, target, { toolVersion: '9.9.9' });
    expect(store.isNew).toBe(true);
    expect(store.file).toBe(file);
    store.setRegions(['us-east-1', 'eu-west-1']);
    store.recordStep('account.password-policy', { status: 'fixed', inputs: { minimumLength: 16 } });
    store.recordStep('account.regions', { status: 'skipped', reason: 'decided later' });
    store.recordAction({
      step: 'account.password-policy',
      service: 'iam',
      operation: 'UpdateAccountPasswordPolicy',
      region: 'global',
      params: { MinimumPasswordLength: 16, RequireSymbols: true },
      result: 'ok',
      inverse: { summary: 'delete the policy', service: 'iam', operation: 'DeleteAccountPasswordPolicy', region: 'global', params: {} },
    });
    await store.save();
    await store.close();

    const again = await openStore(file, target);
    expect(again.isNew).toBe(false);
    expect(again.data.tool).toEqual({ name: 'secure-start', version: '9.9.9' });
    expect(again.data.target).toEqual({ accountId: ACCOUNT, sandbox: false, regions: ['us-east-1', 'eu-west-1'] });
    expect(again.stepStatus('account.password-policy')).toBe('fixed');
    expect(again.data.steps['account.password-policy']?.inputs).toEqual({ minimumLength: 16 });
    expect(again.data.steps['account.regions']?.reason).toBe('decided later');
    expect(again.stepStatus('account.root-mfa')).toBeUndefined();
    expect(again.data.journal).toHaveLength(1);
    expect(again.data.journal[0]).toMatchObject({ operation: 'UpdateAccountPasswordPolicy', params: { MinimumPasswordLength: 16, RequireSymbols: true } });
    expect(again.data.journal[0]?.inverse?.operation).toBe('DeleteAccountPasswordPolicy');
    expect(progressSchema.safeParse(JSON.parse(await readFile(file, 'utf8'))).success).toBe(true);
  });

  it('keeps the last inputs of a step when a later record gives none', async () => {
    const store = await openStore(file, target);
    store.recordStep('monitoring.alerts', { status: 'fixed', inputs: { email: 'a@example.com' } });
    store.recordStep('monitoring.alerts', { status: 'pass' });
    expect(store.data.steps['monitoring.alerts']).toMatchObject({ status: 'pass', inputs: { email: 'a@example.com' } });
  });

  it('keeps a challenge record (hints, time) through later status changes, and refuses more than three hints', async () => {
    const store = await openStore(file, target);
    // A step with no record yet is recorded with the status the check found, to carry its challenge.
    store.recordChallenge('account.password-policy', 'fail', (c) => ({ ...c, hints: 1, since: '2026-12-05T10:00:00.000Z' }));
    expect(store.data.steps['account.password-policy']).toMatchObject({ status: 'fail', challenge: { hints: 1, timeMs: 0, since: '2026-12-05T10:00:00.000Z' } });
    store.recordChallenge('account.password-policy', 'fail', ({ since: _, ...c }) => ({ ...c, timeMs: 61_000 }));
    store.recordStep('account.password-policy', { status: 'pass' });
    expect(store.data.steps['account.password-policy']).toMatchObject({ status: 'pass', challenge: { hints: 1, timeMs: 61_000 } });
    expect(store.data.steps['account.password-policy']?.challenge?.since).toBeUndefined();
    expect(() => store.recordChallenge('account.password-policy', 'pass', (c) => ({ ...c, hints: 4 }))).toThrow();
    await store.save();
    await store.close();
    const again = await openStore(file, target);
    expect(again.data.steps['account.password-policy']?.challenge).toEqual({ hints: 1, timeMs: 61_000 });
  });

  it('updates updatedAt on save and keeps createdAt', async () => {
    const store = await openStore(file, target);
    const created = store.data.createdAt;
    await new Promise((r) => setTimeout(r, 5));
    await store.save();
    expect(store.data.createdAt).toBe(created);
    expect(store.data.updatedAt > created).toBe(true);
  });

  it('saves atomically: no temp files remain, modes are private', async () => {
    const store = await openStore(file, target);
    await Promise.all([1, 2, 3, 4, 5].map((n) => (store.recordStep(`account.step-${n}`, { status: 'pass' }), store.save())));
    expect((await readdir(join(dir, 'state'))).sort()).toEqual([`${ACCOUNT}.json`, `${ACCOUNT}.json.lock`]);
    const saved = JSON.parse(await readFile(file, 'utf8')) as { steps: Record<string, unknown> };
    expect(Object.keys(saved.steps)).toHaveLength(5);
    if (process.platform !== 'win32') {
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect((await stat(join(dir, 'state'))).mode & 0o777).toBe(0o700);
    }
  });

  it('a crash between write and rename leaves the real file intact', async () => {
    const store = await openStore(file, target);
    store.recordStep('account.root-mfa', { status: 'pass' });
    await store.save();
    await store.close();
    const before = await readFile(file);
    // what a save killed before its rename leaves behind: a half-written temp file
    const leftover = `${file}.tmp-${deadPid()}-0badc0ffee`;
    await writeFile(leftover, '{"schemaVersion": 1, "tool": {"na');

    const again = await openStore(file, target);
    expect(again.stepStatus('account.root-mfa')).toBe('pass');
    expect(await readFile(file)).toEqual(before);
    expect(await readdir(join(dir, 'state'))).not.toContain(leftover.split('/').pop());
  });

  it('refuses a damaged file and leaves its bytes unchanged', async () => {
    await openStore(join(dir, 'state', 'other.json'), target); // creates the folder
    const bytes = Buffer.from('{"schemaVersion": 1, "steps": {');
    await writeFile(file, bytes);
    const err = await expectRefused(ProgressStore.open(file, target), 'damaged');
    expect(err.message).toMatch(/not valid JSON/);
    expect(err.message).toMatch(/it was not changed/);
    expect(err.message).toMatch(/--progress FILE/);
    expect(await readFile(file)).toEqual(bytes);
    expect(await readdir(join(dir, 'state'))).not.toContain(`${ACCOUNT}.json.lock`);
    // a refusal leaves nothing open: the same store can be refused again, not "locked"
    await expectRefused(ProgressStore.open(file, target, { startOver: true }), 'damaged');
    expect(await readFile(file)).toEqual(bytes);
  });

  it('refuses an empty file as damaged', async () => {
    await openStore(join(dir, 'state', 'other.json'), target);
    await writeFile(file, '');
    const err = await expectRefused(ProgressStore.open(file, target), 'damaged');
    expect(err.message).toMatch(/empty/);
  });

  it('refuses a file that fails the schema, naming the first problem', async () => {
    await openStore(join(dir, 'state', 'other.json'), target);
    const text = validFile(ACCOUNT, { steps: { 'account.root-mfa': { status: 'great', at: new Date().toISOString() } } });
    await writeFile(file, text);
    const err = await expectRefused(ProgressStore.open(file, target), 'damaged');
    expect(err.message).toContain('steps.account.root-mfa.status');
    expect(await readFile(file, 'utf8')).toBe(text);

    await writeFile(file, validFile('12345'));
    const bad = await expectRefused(ProgressStore.open(file, target), 'damaged');
    expect(bad.message).toContain('target.accountId');
  });

  it('refuses a file from a newer version', async () => {
    await openStore(join(dir, 'state', 'other.json'), target);
    const text = JSON.stringify({ schemaVersion: SCHEMA_VERSION + 1, whatever: 'new shape' });
    await writeFile(file, text);
    const err = await expectRefused(ProgressStore.open(file, target, { startOver: true }), 'newer');
    expect(err.message).toContain(`schema version ${SCHEMA_VERSION + 1}`);
    expect(await readFile(file, 'utf8')).toBe(text);
    expect(await readdir(join(dir, 'state'))).not.toContain(`${ACCOUNT}.json.lock`);
  });

  it('refuses a file for another account unless asked to start over, then keeps a backup', async () => {
    await openStore(join(dir, 'state', 'other.json'), target);
    const text = validFile(OTHER);
    await writeFile(file, text);
    const err = await expectRefused(ProgressStore.open(file, target), 'other-account');
    expect(err.message).toContain(OTHER);
    expect(err.message).toContain(ACCOUNT);
    expect(await readFile(file, 'utf8')).toBe(text);

    const store = await openStore(file, target, { startOver: true });
    expect(store.isNew).toBe(true);
    expect(store.backupFile).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.bak-`));
    expect(await readFile(store.backupFile!, 'utf8')).toBe(text);
    expect(store.data.target.accountId).toBe(ACCOUNT);
    expect(store.data.steps).toEqual({});
    await store.save();
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ target: { accountId: ACCOUNT } });
  });

  it('treats the sandbox and the real account as different targets', async () => {
    const store = await openStore(file, { accountId: ACCOUNT, sandbox: true });
    await store.save();
    await store.close();
    const err = await expectRefused(ProgressStore.open(file, target), 'other-account');
    expect(err.message).toContain('sandbox account');
  });

  it('refuses a second run on the same file while the first holds it, and close releases it', async () => {
    const first = await openStore(file, target);
    const err = await expectRefused(ProgressStore.open(file, target), 'locked');
    expect(err.message).toContain(`pid ${process.pid}`);
    expect(await readFile(`${file}.lock`, 'utf8')).toContain(`"pid":${process.pid}`);
    await first.close();
    await first.close(); // idempotent
    expect(await readdir(join(dir, 'state'))).not.toContain(`${ACCOUNT}.json.lock`);
    const second = await openStore(file, target);
    expect(second.isNew).toBe(true);
  });

  it('takes over a stale lock left by a process that is gone', async () => {
    await openStore(join(dir, 'state', 'other.json'), target);
    const pid = deadPid();
    await writeFile(`${file}.lock`, JSON.stringify({ pid, hostname: hostname(), startedAt: '2020-01-01T00:00:00.000Z' }));
    const store = await openStore(file, target);
    const lock = JSON.parse(await readFile(`${file}.lock`, 'utf8')) as { pid: number };
    expect(lock.pid).toBe(process.pid);
    await store.close();
    expect(await readdir(join(dir, 'state'))).not.toContain(`${ACCOUNT}.json.lock`);
  });

  it('does not take over a lock held on another host', async () => {
    await openStore(join(dir, 'state', 'other.json'), target);
    await writeFile(`${file}.lock`, JSON.stringify({ pid: deadPid(), hostname: `not-${hostname()}`, startedAt: '2020-01-01T00:00:00.000Z' }));
    const err = await expectRefused(ProgressStore.open(file, target), 'locked');
    expect(err.message).toContain(`not-${hostname()}`);
    expect(await readFile(`${file}.lock`, 'utf8')).toContain('not-');
  });

  it('removes its exit listener on close, and refuses to record after close', async () => {
    const before = process.listenerCount('exit');
    const store = await openStore(file, target);
    expect(process.listenerCount('exit')).toBe(before + 1);
    await store.close();
    expect(process.listenerCount('exit')).toBe(before);
    expect(() => store.recordStep('account.root-mfa', { status: 'pass' })).toThrow(/closed/);
    expect(() => store.save()).toThrow(/closed/);
  });

  it('a refused open leaves no exit listener behind', async () => {
    await openStore(join(dir, 'state', 'other.json'), target);
    await writeFile(file, 'nope');
    const before = process.listenerCount('exit');
    await expectRefused(ProgressStore.open(file, target), 'damaged');
    expect(process.listenerCount('exit')).toBe(before);
  });

  it('never writes secrets to disk', async () => {
    const password = 'Tr0ub4dor&3-horse-battery';
    const secretKey = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const seed = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const sessionToken = 'IQoJb3JpZ2luX2VjEHwaCXVzLWVhc3QtMSJHMEUCIQD' + 'x'.repeat(60);
    const store = await openStore(file, target);
    store.recordStep('account.admin-identity', {
      status: 'fixed',
      inputs: { userName: 'alice', password, nested: { SecretAccessKey: secretKey } },
      message: `created a key: ${secretKey}`,
    });
    store.recordAction({
      step: 'account.admin-identity',
      service: 'iam',
      operation: 'CreateLoginProfile',
      region: 'global',
      params: { UserName: 'alice', Password: password, PasswordResetRequired: true },
      result: 'ok',
      output: { AccessKey: { AccessKeyId: 'AKIAIOSFODNN7EXAMPLE', SecretAccessKey: secretKey }, Credentials: { SessionToken: sessionToken } },
    });
    store.recordAction({
      step: 'account.root-mfa',
      service: 'iam',
      operation: 'CreateVirtualMFADevice',
      region: 'global',
      params: { VirtualMFADeviceName: 'root' },
      result: 'failed',
      error: `boom with ${sessionToken}`,
      output: { VirtualMFADevice: { Base32StringSeed: seed, QRCodePNG: new Uint8Array([1, 2, 3]) } },
      inverse: { summary: 'undo', service: 'iam', operation: 'EnableMFADevice', region: 'global', params: { AuthenticationCode1: '830417', AuthenticationCode2: '592046' } },
    });
    await store.save();
    const text = await readFile(file, 'utf8');
    for (const secret of [password, secretKey, seed, sessionToken.slice(0, 30), '830417', '592046']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain(REDACTED);
    expect(text).toContain('AKIAIOSFODNN7EXAMPLE');
    expect(text).toContain('"PasswordResetRequired": true');
    expect(text).toContain('"userName": "alice"');
    // nor kept in memory, where a later save or a report could pick them up
    expect(JSON.stringify(store.data)).not.toContain(password);
  });

  it('records the areas whose overview was offered, and what a fix costs; an older file without them still loads', async () => {
    const store = await openStore(file, target);
    expect(store.overviewSeen('account')).toBe(false);
    store.markOverviewSeen('account');
    store.markOverviewSeen('account');
    store.recordStep('monitoring.guardduty', { status: 'fixed', cost: { scale: 'dollars', detail: 'GuardDuty in 1 region: about USD 4 a month' } });
    await store.save();
    await store.close();
    const again = await openStore(file, target);
    expect(again.overviewSeen('account')).toBe(true);
    expect(again.overviewSeen('data')).toBe(false);
    expect(again.data.overviewsSeen).toEqual(['account']);
    expect(again.data.steps['monitoring.guardduty']?.cost).toEqual({ scale: 'dollars', detail: 'GuardDuty in 1 region: about USD 4 a month' });
    await again.close();
    // A file written before these fields existed loads as it is.
    const old = JSON.parse(await readFile(file, 'utf8'));
    delete old.overviewsSeen;
    delete old.steps['monitoring.guardduty'].cost;
    await writeFile(file, JSON.stringify(old));
    const older = await openStore(file, target);
    expect(older.overviewSeen('account')).toBe(false);
    expect(older.stepStatus('monitoring.guardduty')).toBe('fixed');
  });

  it('firstUnfinished: a step found unsupported (no such API on this endpoint) is not asked again', async () => {
    const store = await openStore(file, target);
    const ids = ['account.root-mfa', 'account.root-access-keys', 'account.password-policy'];
    store.recordStep('account.root-mfa', { status: 'unsupported' });
    store.recordStep('account.root-access-keys', { status: 'unsupported' });
    expect(store.firstUnfinished(ids)).toBe('account.password-policy');
  });

  it('firstUnfinished: the first step not passed, fixed or skipped', async () => {
    const store = await openStore(file, target);
    const ids = ['account.root-mfa', 'account.root-access-keys', 'account.password-policy', 'account.regions', 'account.user-mfa'];
    expect(store.firstUnfinished(ids)).toBe('account.root-mfa');
    store.recordStep('account.root-mfa', { status: 'pass' });
    store.recordStep('account.root-access-keys', { status: 'fixed' });
    store.recordStep('account.password-policy', { status: 'skipped', reason: 'later' });
    store.recordStep('account.regions', { status: 'manual' });
    expect(store.firstUnfinished(ids)).toBe('account.regions');
    store.recordStep('account.regions', { status: 'pass' });
    expect(store.firstUnfinished(ids)).toBe('account.user-mfa');
    store.recordStep('account.user-mfa', { status: 'error' });
    expect(store.firstUnfinished(ids)).toBe('account.user-mfa');
    store.recordStep('account.user-mfa', { status: 'pass' });
    expect(store.firstUnfinished(ids)).toBeUndefined();
    expect(firstUnfinished(store.data, [])).toBeUndefined();
  });

  it('readProgress reads without locking, ignores other targets and refuses damaged files', async () => {
    expect(await readProgress(file, target)).toBeUndefined();
    const store = await openStore(file, target);
    store.setRegions(['eu-west-1']);
    await store.save();
    // the lock is held, yet a read-only look is fine
    expect((await readProgress(file, target))?.target.regions).toEqual(['eu-west-1']);
    expect(await readProgress(file, { accountId: OTHER, sandbox: false })).toBeUndefined();
    expect(await readProgress(file, { accountId: ACCOUNT, sandbox: true })).toBeUndefined();
    await store.close();
    await writeFile(file, '{');
    await expectRefused(readProgress(file, target), 'damaged');
    expect(await readFile(file, 'utf8')).toBe('{');
  });
});
