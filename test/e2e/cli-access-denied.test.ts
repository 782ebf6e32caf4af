/**
 * AccessDenied is reported per step and the run goes on: a moto with IAM enforcement on, and
 * - an auditor allowed to read the password policy but not the alternate contacts;
 * - a fixer holding `policy --for fix` of two monitoring steps, but denied reading the logging
 *   bucket, so that its HEAD request answers a bare 403 (no error code, as S3 HEAD requests do).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMoto } from '../../src/sandbox/moto.js';
import { startMoto } from '../../src/sandbox/moto.js';
import { cleanEnv, runCli, tempStateDir } from './cli-helpers.js';
import { spawnCli } from './pty.js';

let moto: RunningMoto;
let auditor: { id: string; secret: string };
let fixer: { id: string; secret: string };

/** The two monitoring steps: CloudTrail plans from a HEAD of the logging bucket; GuardDuty comes after it. */
const TWO_MONITORING = ['--step', 'monitoring.cloudtrail', '--step', 'monitoring.guardduty', '--regions', 'us-east-1'];

async function makeUser(iam: IAMClient, name: string, statements: unknown[]): Promise<{ id: string; secret: string }> {
  await iam.send(new CreateUserCommand({ UserName: name }));
  await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'only-this', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }) }));
  const key = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return { id: key.AccessKey!.AccessKeyId!, secret: key.AccessKey!.SecretAccessKey! };
}

beforeAll(async () => {
  // moto checks IAM permissions after the first six unauthenticated calls, which set up the two callers.
  moto = await startMoto({ env: { INITIAL_NO_AUTH_ACTION_COUNT: '6' } });
  const fixPolicy = await runCli(['policy', '--for', 'fix', ...TWO_MONITORING.slice(0, 4)], cleanEnv());
  expect(fixPolicy.code).toBe(0);
  const iam = new IAMClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: { accessKeyId: 'setup', secretAccessKey: 'setup' }, maxAttempts: 1 });
  auditor = await makeUser(iam, 'auditor', [{ Effect: 'Allow', Action: ['iam:GetAccountPasswordPolicy', 'sts:GetCallerIdentity'], Resource: '*' }]);
  fixer = await makeUser(iam, 'fixer', [
    ...(JSON.parse(fixPolicy.stdout) as { Statement: unknown[] }).Statement,
    { Effect: 'Allow', Action: ['sts:GetCallerIdentity'], Resource: '*' },
    // AWS authorizes HeadBucket as s3:ListBucket, moto as s3:HeadBucket: deny both.
    { Effect: 'Deny', Action: ['s3:ListBucket', 's3:HeadBucket'], Resource: '*' },
  ]);
  iam.destroy();
}, 120_000);

afterAll(async () => {
  await moto?.stop();
});

async function envFor(keys: { id: string; secret: string }): Promise<NodeJS.ProcessEnv> {
  return cleanEnv({ SECURE_START_STATE_DIR: await tempStateDir(), AWS_ACCESS_KEY_ID: keys.id, AWS_SECRET_ACCESS_KEY: keys.secret, AWS_REGION: 'us-east-1' });
}

describe('a caller without every permission', () => {
  it('gets an error for the step it cannot read, naming the permission, and the other step still runs', async () => {
    const env = await envFor(auditor);
    const r = await runCli(['check', '--endpoint-url', moto.endpoint, '--format', 'json'], env);
    const report = JSON.parse(r.stdout);
    const byStep = Object.fromEntries(report.results.map((x: { step: string }) => [x.step, x]));
    expect(report.target.principalArn).toBe('arn:aws:iam::123456789012:user/auditor');
    expect(byStep['account.password-policy'].status).toBe('fail');
    expect(byStep['account.security-contacts'].status).toBe('error');
    expect(byStep['account.security-contacts'].findings[0].message).toMatch(/Access denied.*account:GetAlternateContact/);
    // Not even the list of regions may be read: regional steps say so, and the report still comes.
    expect(byStep['data.kms-rotation'].status).toBe('error');
    expect(byStep['data.kms-rotation'].findings[0].message).toMatch(/ec2:DescribeRegions/);
    expect(report.target.regions).toEqual([]);
    // A step failed, so 1 (3 is for runs where nothing failed but something could not be checked).
    expect(r.code).toBe(1);
    const only = await runCli(['check', '--endpoint-url', moto.endpoint, '--step', 'account.security-contacts'], env);
    expect(only.code).toBe(3);
    expect(only.stdout).toMatch(/ERROR\s+account\.security-contacts/);
  });
});

describe('a step whose plan is refused with a bare 403 (the logging bucket HEAD)', () => {
  it('fix --yes reports that step as error, naming the operation and the permission, and fixes the next step', async () => {
    const env = await envFor(fixer);
    // Both fixes cost money: fix --yes applies them only with the answers file's consent.
    const consent = join(await tempStateDir(), 'consent.json');
    await writeFile(consent, JSON.stringify({ 'monitoring.cloudtrail': { apply: true }, 'monitoring.guardduty': { apply: true } }));
    const r = await runCli(['fix', '--yes', '--answers', consent, '--endpoint-url', moto.endpoint, ...TWO_MONITORING], env);
    expect(r.stderr).not.toMatch(/unexpected error|UnknownError/);
    expect(r.stderr).toMatch(/ERROR\s+monitoring\.cloudtrail: Could not plan the fix: Access denied: s3:HeadBucket[^\n]*It needs: s3:ListBucket/);
    // The run went on: GuardDuty, after CloudTrail in the guide, was fixed.
    expect(r.stderr).toMatch(/FIXED\s+monitoring\.guardduty/);
    // Nothing failed, but a step could not be done: 3.
    expect(r.code).toBe(3);
  });

  it('plan reports that step as error and still plans the next one, exit 3', async () => {
    const env = await envFor(fixer);
    const r = await runCli(['plan', '--endpoint-url', moto.endpoint, '--format', 'json', ...TWO_MONITORING], env);
    expect(r.stderr).not.toMatch(/unexpected error|UnknownError/);
    const plan = JSON.parse(r.stdout) as { steps: { step: string; status: string; note?: string; actions: unknown[] }[] };
    const trail = plan.steps.find((s) => s.step === 'monitoring.cloudtrail')!;
    expect(trail.status).toBe('error');
    expect(trail.note).toMatch(/^Could not plan the fix: Access denied: s3:HeadBucket[^\n]*It needs: s3:ListBucket/);
    expect(trail.actions).toEqual([]);
    expect(plan.steps.map((s) => s.step)).toContain('monitoring.guardduty');
    expect(r.code).toBe(3);
  });

  it('the wizard says the step could not be planned and moves on to the next step', async () => {
    const env = await envFor(fixer);
    const run = spawnCli(['--no-lessons', '--endpoint-url', moto.endpoint, ...TWO_MONITORING], {
      stateDir: env.SECURE_START_STATE_DIR!,
      env: { AWS_ACCESS_KEY_ID: fixer.id, AWS_SECRET_ACCESS_KEY: fixer.secret, AWS_REGION: 'us-east-1' },
    });
    try {
      await run.waitFor(/Step 1 of 2 · monitoring\.cloudtrail/, 30_000);
      await run.waitFor(/\? What would you like to do\?\n❯ Fix it/, 15_000);
      run.send('Enter');
      await run.waitFor(/Could not plan the fix: Access denied: s3:HeadBucket/, 15_000);
      await run.waitFor(/Step 2 of 2 · monitoring\.guardduty/, 15_000);
      // GuardDuty is on already when fix --yes ran first in this file; either way its step was walked.
      const next = await run.waitFor(/\? What would you like to do\?|✓ Already secure/, 15_000);
      if (next[0] !== '✓ Already secure') {
        run.send('Up', 'Enter');
        await run.waitFor(/Progress saved to/, 15_000);
        expect(await run.exit).toBe(0);
        return;
      }
      await run.waitFor(/\[ERROR\]\s+monitoring\.cloudtrail/, 15_000);
      await run.waitFor(/Scorecard saved to/, 15_000);
      // Nothing failed, but a step could not be done: 3.
      expect(await run.exit).toBe(3);
    } finally {
      run.kill();
    }
  });
});
