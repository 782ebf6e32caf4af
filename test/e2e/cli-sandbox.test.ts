/**
 * The long-lived sandbox through the built CLI (sandbox start/seed/status/reset/stop, --sandbox
 * attaching to it), and proof from moto's recorder that `check` and `plan` send only reads.
 */
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

describe('the long-lived sandbox', async () => {
  const state = await tempStateDir();
  const env = cleanEnv({ SECURE_START_STATE_DIR: state });
  afterAll(async () => {
    await runCli(['sandbox', 'stop'], env);
  });

  it('starts, prints what to export, is attached by --sandbox, and stops', async () => {
    const start = await runCli(['sandbox', 'start', '--provider', 'moto', '--scenario', 'day-one'], env);
    expect(start.code).toBe(0);
    const endpoint = /Endpoint: (http:\/\/127\.0\.0\.1:\d+)/.exec(start.stdout)?.[1];
    expect(endpoint).toBeTruthy();
    expect(start.stdout).toContain(`export AWS_ENDPOINT_URL=${endpoint}`);
    expect(start.stdout).toContain('export AWS_ACCESS_KEY_ID=sandbox');
    expect(start.stderr).toContain('Seeded scenario day-one');

    const status = await runCli(['sandbox', 'status'], env);
    expect(status.stdout).toContain(`Running: moto at ${endpoint}`);

    const check = await runCli(['check', '--sandbox', '--format', 'json'], env);
    expect(check.code).toBe(1);
    expect(JSON.parse(check.stdout).target.endpoint).toBe(endpoint);

    const again = await runCli(['sandbox', 'start'], env);
    expect(again.stderr).toContain('already running');

    expect((await runCli(['sandbox', 'reset'], env)).code).toBe(0);
    const afterReset = await runCli(['check', '--sandbox', '--format', 'json', '--step', 'account.password-policy'], env);
    // A reset emulator has no password policy at all: still failing, for another reason.
    expect(JSON.parse(afterReset.stdout).results[0].findings[0].message).toMatch(/No password policy/);

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
  });
});
