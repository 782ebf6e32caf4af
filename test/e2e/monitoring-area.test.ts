/**
 * The monitoring area end to end through the built CLI on the seeded day-one account: every step
 * fails; fix --yes with an answers file (the alert email, "apply": true for each paid fix) fixes them all in one run; a second check
 * passes; a second fix --yes changes nothing; the trail and the logging bucket exist once; and the
 * logging bucket itself passes the data area's bucket checks.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CloudTrailClient, DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { motoEndpoint, resetMoto, useManagedPolicies } from '../helpers/moto.js';
import { makeSandboxContext } from '../helpers/step-tester.js';
import { cleanEnv, runCli, tempStateDir } from './cli-helpers.js';

// The day-one scenario and the IAM steps attach AWS managed policies (ReadOnlyAccess, AdministratorAccess).
useManagedPolicies();

type Report = { results: Array<{ step: string; status: string; findings: Array<{ status: string; resource: string; message: string }> }> };
const report = (stdout: string) => JSON.parse(stdout) as Report;
const statuses = (stdout: string) => Object.fromEntries(report(stdout).results.map((x) => [x.step, x.status]));
const MONITORING = ['monitoring.cloudtrail', 'monitoring.flow-logs', 'monitoring.guardduty', 'monitoring.alerts', 'monitoring.config-recorder'];

describe('the monitoring area on the day-one account', () => {
  it('check, fix --yes with answers, check again; a second fix changes nothing and nothing is duplicated', async () => {
    await resetMoto();
    const state = await tempStateDir();
    const env = cleanEnv({ SECURE_START_STATE_DIR: state });
    const sandbox = `--sandbox=${motoEndpoint()}`;
    expect((await runCli(['sandbox', 'seed', '--endpoint-url', motoEndpoint()], env)).code).toBe(0);

    const before = await runCli(['check', sandbox, '--area', 'monitoring', '--format', 'json'], env);
    expect(before.code).toBe(1);
    expect(statuses(before.stdout)).toEqual(Object.fromEntries(MONITORING.map((id) => [id, 'fail'])));

    // The plan names each fix's monthly cost before anything changes.
    const answers = join(state, 'answers.json');
    // Every monitoring fix adds a running cost: --yes applies it only where the answers say "apply": true.
    await writeFile(
      answers,
      JSON.stringify({
        ...Object.fromEntries(MONITORING.map((id) => [id, { apply: true }])),
        'monitoring.alerts': { email: 'security@example.com', apply: true },
      }),
    );
    const plan = await runCli(['plan', sandbox, '--area', 'monitoring', '--answers', answers, '--format', 'json'], env);
    expect(plan.code).toBe(0);
    const planned = (JSON.parse(plan.stdout) as { steps: Array<{ step: string; cost?: { scale: string } }> }).steps;
    for (const s of planned) expect(['free', 'cents', 'dollars'], s.step).toContain(s.cost?.scale);

    const fix = await runCli(['fix', '--yes', '--answers', answers, sandbox, '--area', 'monitoring'], env);
    expect(fix.stderr).not.toMatch(/^FAIL/m);
    expect(fix.code).toBe(0);

    const after = await runCli(['check', sandbox, '--area', 'monitoring', '--format', 'json'], env);
    expect(statuses(after.stdout)).toEqual(Object.fromEntries(MONITORING.map((id) => [id, 'pass'])));
    expect(after.code).toBe(0);

    const again = await runCli(['plan', sandbox, '--area', 'monitoring', '--answers', answers, '--format', 'json'], env);
    expect((JSON.parse(again.stdout) as { steps: Array<{ actions: unknown[] }> }).steps.flatMap((s) => s.actions)).toEqual([]);
    const second = await runCli(['fix', '--yes', '--answers', answers, sandbox, '--area', 'monitoring'], env);
    expect(second.code).toBe(0);
    expect(second.stderr).not.toMatch(/^(FIXED|FAIL)/m);

    // One trail of ours and one logging bucket, after two fixes.
    const ctx = makeSandboxContext();
    try {
      const trails = (await ctx.client(CloudTrailClient).send(new DescribeTrailsCommand({ includeShadowTrails: true }))).trailList ?? [];
      expect(trails.filter((t) => t.Name?.startsWith('secure-start'))).toHaveLength(1);
      const buckets = (await ctx.client(S3Client).send(new ListBucketsCommand({}))).Buckets ?? [];
      expect(buckets.filter((b) => b.Name?.startsWith('secure-start-logs-'))).toHaveLength(1);
    } finally {
      ctx.factory.destroy();
    }

    // The logging bucket is held to the data area's rules like any other bucket.
    const data = await runCli(['check', sandbox, '--area', 'data', '--format', 'json'], env);
    const ours = report(data.stdout).results.flatMap((r) => r.findings.filter((f) => f.resource.includes('secure-start-logs-')).map((f) => ({ step: r.step, ...f })));
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.filter((f) => f.status !== 'pass')).toEqual([]);
  }, 300_000);
});
