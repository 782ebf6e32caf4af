/**
 * The data area end to end through the built CLI on the seeded day-one account: every step fails,
 * fix --yes with an answers file (naming the public buckets, choosing SSE-KMS with a new key) fixes
 * them in one run, except the TLS rule on the bucket whose policy still grants public access (with
 * Block Public Access on, S3 refuses any policy that keeps that grant: the plan leaves it out and
 * says so); a second check agrees, and a second fix plans nothing.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { motoEndpoint, resetMoto, useManagedPolicies } from '../helpers/moto.js';
import { cleanEnv, runCli, tempStateDir } from './cli-helpers.js';

// The day-one scenario and the IAM steps attach AWS managed policies (ReadOnlyAccess, AdministratorAccess).
useManagedPolicies();

type Report = { results: Array<{ step: string; status: string }> };
const statuses = (stdout: string) => Object.fromEntries((JSON.parse(stdout) as Report).results.map((x) => [x.step, x.status]));
const DATA = ['data.s3-account-public-access', 'data.s3-bucket-public-access', 'data.s3-tls-only', 'data.s3-encryption', 'data.kms-rotation', 'data.in-transit'];

describe('the data area on the day-one account', () => {
  it('check, fix --yes with answers, check again, and a second fix changes nothing', async () => {
    await resetMoto();
    const state = await tempStateDir();
    const env = cleanEnv({ SECURE_START_STATE_DIR: state });
    const sandbox = `--sandbox=${motoEndpoint()}`;
    expect((await runCli(['sandbox', 'seed', '--endpoint-url', motoEndpoint()], env)).code).toBe(0);

    const before = await runCli(['check', sandbox, '--area', 'data', '--format', 'json'], env);
    expect(before.code).toBe(1);
    expect(statuses(before.stdout)).toEqual(Object.fromEntries(DATA.map((id) => [id, 'fail'])));

    // day-one-trail-logs-…: the bucket of the half-made trail that monitoring.cloudtrail seeds.
    const buckets = ['day-one-website', 'day-one-shared-files', 'day-one-app-data', 'day-one-no-default-encryption', 'day-one-trail-logs-123456789012'];
    const answers = join(state, 'answers.json');
    await writeFile(
      answers,
      JSON.stringify({
        // Public buckets close only when named: a website must not go dark unasked.
        'data.s3-account-public-access': { publicBucketsToClose: ['day-one-website', 'day-one-shared-files'] },
        'data.s3-bucket-public-access': { buckets },
        'data.s3-tls-only': { buckets },
        'data.s3-encryption': { algorithm: 'SSE-KMS', kmsKeyId: 'new', buckets: 'all' },
      }),
    );
    const fix = await runCli(['fix', '--yes', '--answers', answers, sandbox, '--area', 'data'], env);
    expect(fix.stderr.match(/^FAIL\b.*$/gm) ?? []).toEqual([expect.stringContaining('data.s3-tls-only')]);
    expect(fix.stderr).toMatch(/day-one-shared-files \(us-east-1\) is left as it is: its policy still grants public access/);
    expect(fix.code).toBe(1);

    const after = await runCli(['check', sandbox, '--area', 'data', '--format', 'json'], env);
    expect(statuses(after.stdout)).toEqual(Object.fromEntries(DATA.map((id) => [id, id === 'data.s3-tls-only' ? 'fail' : 'pass'])));
    const tls = (JSON.parse(after.stdout) as { results: Array<{ step: string; findings: Array<{ status: string; resource: string }> }> }).results.find((r) => r.step === 'data.s3-tls-only')!;
    expect(tls.findings.filter((f) => f.status === 'fail').map((f) => f.resource)).toEqual(['arn:aws:s3:::day-one-shared-files']);
    expect(after.code).toBe(1);

    const plan = await runCli(['plan', sandbox, '--area', 'data', '--answers', answers, '--format', 'json'], env);
    const actions = (JSON.parse(plan.stdout) as { steps: Array<{ actions: unknown[] }> }).steps.flatMap((s) => s.actions);
    expect(actions).toEqual([]);
  }, 240_000);

  it('without the public buckets named, fix --yes leaves them public and says so', async () => {
    await resetMoto();
    const state = await tempStateDir();
    const env = cleanEnv({ SECURE_START_STATE_DIR: state });
    const sandbox = `--sandbox=${motoEndpoint()}`;
    expect((await runCli(['sandbox', 'seed', '--endpoint-url', motoEndpoint()], env)).code).toBe(0);
    const fix = await runCli(['fix', '--yes', sandbox, '--step', 'data.s3-account-public-access'], env);
    expect(fix.code).toBe(1);
    expect(fix.stderr).toMatch(/day-one-website/);
  }, 120_000);
});
