/**
 * The long-lived sandbox through the built CLI (sandbox start/seed/status/reset/stop, --sandbox
 * attaching to it, reset putting day-one back and clearing the progress file), and proof from moto's recorder that `check` and `plan` send only reads.
 */
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeRequest, downloadRecording, motoEndpoint, resetMoto, startRecording, stopRecording, useManagedPolicies } from '../helpers/moto.js';
import { cleanEnv, runCli, tempStateDir } from './cli-helpers.js';

// The day-one scenario and the IAM steps attach AWS managed policies (ReadOnlyAccess, AdministratorAccess).
useManagedPolicies();

/** REST-JSON APIs (Account) are recorded as `POST /getAlternateContact`: the path names the operation. */
// REST-JSON APIs that name the operation in a POST path (Account: `POST /getAlternateContact`) are
// read by that name; other REST calls stay METHOD + path (`GET /detector` is GuardDuty's ListDetectors).
const restName = (action: string) => action.replace(/^POST \/([a-z][A-Za-z]+)$/, (_m, op: string) => op[0]!.toUpperCase() + op.slice(1));
const READ = /^(Get|List|Describe|GenerateCredentialReport)/;

/** Starting and seeding moto, seeding again on reset, and `sandbox status`'s Docker probe take tens of seconds on a busy machine. */
describe('the long-lived sandbox', { timeout: 240_000 }, async () => {
  const state = await tempStateDir();
  const env = cleanEnv({ SECURE_START_STATE_DIR: state });
  afterAll(async () => {
    await runCli(['sandbox', 'stop'], env);
  });

  const passwordFinding = async () => {
    const r = await runCli(['check', '--sandbox', '--format', 'json', '--step', 'account.password-policy'], env);
    return JSON.parse(r.stdout).results[0] as { status: string; findings: { message: string }[] };
  };

  it('prints variables that AWS CLI v1 (AWS_DEFAULT_REGION) and v2 (AWS_REGION) both read, in start and status', async () => {
    const start = await runCli(['sandbox', 'start', '--provider', 'moto', '--scenario', 'none'], env);
    expect(start.code).toBe(0);
    const status = await runCli(['sandbox', 'status'], env);
    for (const out of [start.stdout, status.stdout]) {
      expect(out).toMatch(/^export AWS_REGION=us-east-1$/m);
      expect(out).toMatch(/^export AWS_DEFAULT_REGION=us-east-1$/m);
    }
    expect(status.stdout).toContain('Scenario: none, an empty account');
    await runCli(['sandbox', 'stop'], env);
  });

  it('starts seeded with day-one, says so in status, and is attached by --sandbox', async () => {
    const start = await runCli(['sandbox', 'start', '--provider', 'moto'], env);
    expect(start.code).toBe(0);
    const endpoint = /Endpoint: (http:\/\/127\.0\.0\.1:\d+)/.exec(start.stdout)?.[1];
    expect(endpoint).toBeTruthy();
    expect(start.stdout).toContain(`export AWS_ENDPOINT_URL=${endpoint}`);
    expect(start.stdout).toContain('export AWS_ACCESS_KEY_ID=sandbox');
    // Without --scenario: day-one, as a workshop needs it.
    expect(start.stderr).toContain('Seeded scenario day-one');

    const status = await runCli(['sandbox', 'status'], env);
    expect(status.stdout).toContain(`Running: moto at ${endpoint}`);
    const seededAt = /Scenario: day-one, seeded at (\S+);/.exec(status.stdout)?.[1];
    expect(Number.isNaN(Date.parse(seededAt ?? ''))).toBe(false);

    const check = await runCli(['check', '--sandbox', '--format', 'json'], env);
    expect(check.code).toBe(1);
    expect(JSON.parse(check.stdout).target.endpoint).toBe(endpoint);

    const again = await runCli(['sandbox', 'start'], env);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('already running');
    expect(again.stderr).toContain(`Scenario: day-one, seeded at ${seededAt}`);
  });

  it('reset puts day-one back over a fix and clears the sandbox progress file', async () => {
    // The sandbox started above, day-one as seeded.
    const before = await passwordFinding();
    expect(before.status).toBe('fail');

    const fix = await runCli(['fix', '--yes', '--sandbox', '--step', 'account.password-policy'], env);
    expect(fix.code).toBe(0);
    const progress = join(state, 'sandbox-123456789012.json');
    expect(existsSync(progress)).toBe(true);
    expect((await passwordFinding()).status).toBe('pass');

    const reset = await runCli(['sandbox', 'reset'], env);
    expect(reset.code).toBe(0);
    expect(reset.stderr).toContain('the day-one scenario is back');
    expect(reset.stderr).toContain(`Cleared its progress: ${progress}`);
    expect(existsSync(progress)).toBe(false);
    // day-one's weak policy again, not an emptied account ("No password policy").
    expect(await passwordFinding()).toEqual(before);
    expect((await runCli(['sandbox', 'status'], env)).stdout).toMatch(/Scenario: day-one, seeded at \S+;/);
  });

  it('reset is refused, and changes nothing, while a wizard holds the sandbox progress file', async () => {
    const progress = join(state, 'sandbox-123456789012.json');
    const seededAt = async () => /Scenario: day-one, seeded at (\S+);/.exec((await runCli(['sandbox', 'status'], env)).stdout)?.[1];
    const before = await seededAt();
    await writeFile(`${progress}.lock`, JSON.stringify({ pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString() }));
    try {
      const reset = await runCli(['sandbox', 'reset'], env);
      expect(reset.code).toBe(2);
      expect(reset.stderr).toContain('A wizard is still using the sandbox');
      expect(await seededAt()).toBe(before);
    } finally {
      await rm(`${progress}.lock`, { force: true });
    }
  });

  it('--sandbox=moto with the long-lived moto running attaches to it and says so, never "Starting"', async () => {
    const status = await runCli(['sandbox', 'status'], env);
    const endpoint = /Running: moto at (\S+)/.exec(status.stdout)?.[1];
    expect(endpoint).toBeTruthy();
    const check = await runCli(['check', '--sandbox=moto', '--format', 'json', '--step', 'account.password-policy'], env);
    expect(JSON.parse(check.stdout).target.endpoint).toBe(endpoint);
    expect(check.stderr).not.toMatch(/Starting/);
    expect(check.stderr).toContain(`Sandbox: the long-lived moto sandbox at ${endpoint}`);
  });

  it('stops, and then nothing is running and there is nothing to seed', async () => {
    const endpoint = /Running: moto at (\S+)/.exec((await runCli(['sandbox', 'status'], env)).stdout)?.[1];
    expect(endpoint).toBeTruthy();
    const stop = await runCli(['sandbox', 'stop'], env);
    expect(stop.stderr).toContain(`Stopped the moto sandbox at ${endpoint}`);
    expect((await runCli(['sandbox', 'status'], env)).stdout).toContain('No sandbox is running');
    const seedless = await runCli(['sandbox', 'seed'], env);
    expect(seedless.code).toBe(2);
  });
});

describe('check and plan make no mutating call', () => {
  it('moto records only reads while check and plan run on the seeded account', async () => {
    await resetMoto();
    const state = await tempStateDir();
    const env = cleanEnv({ SECURE_START_STATE_DIR: state });
    const sandbox = `--sandbox=${motoEndpoint()}`;
    expect((await runCli(['sandbox', 'seed', '--endpoint-url', motoEndpoint()], env)).code).toBe(0);
    await startRecording();
    const check = await runCli(['check', sandbox, '--format', 'json'], env);
    const plan = await runCli(['plan', sandbox], env);
    await stopRecording();
    expect(check.code).toBe(1);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('UpdateAccountPasswordPolicy');
    // Unsigned requests are the sandbox's own probes of the emulator, not AWS API calls.
    const actions = (await downloadRecording()).map(describeRequest).filter((r) => r.service).map((r) => `${r.service}:${restName(r.action)}`);
    expect(actions.length).toBeGreaterThan(0);
    // REST APIs (S3) are recorded as METHOD + path: GET and HEAD read.
    const writes = actions.filter((a) => {
      const op = a.slice(a.indexOf(':') + 1);
      return !READ.test(op) && !/^(GET|HEAD) /.test(op) && a !== 'sts:GetCallerIdentity';
    });
    expect(writes, JSON.stringify(actions)).toEqual([]);
    expect(actions).toContain("iam:GetAccountPasswordPolicy");
    expect(actions).toContain("account:GetAlternateContact");
  }, 240_000);
});
