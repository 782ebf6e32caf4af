/**
 * AccessDenied is reported per step and the run goes on: a moto with IAM enforcement on, and a
 * caller allowed to read the password policy but not the alternate contacts.
 */
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMoto } from '../../src/sandbox/moto.js';
import { startMoto } from '../../src/sandbox/moto.js';
import { cleanEnv, runCli, tempStateDir } from './cli-helpers.js';

let moto: RunningMoto;
let keys: { id: string; secret: string };

beforeAll(async () => {
  // moto checks IAM permissions after the first three unauthenticated calls, which set up the caller.
  moto = await startMoto({ env: { INITIAL_NO_AUTH_ACTION_COUNT: '3' } });
  const iam = new IAMClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: { accessKeyId: 'setup', secretAccessKey: 'setup' }, maxAttempts: 1 });
  await iam.send(new CreateUserCommand({ UserName: 'auditor' }));
  await iam.send(
    new PutUserPolicyCommand({
      UserName: 'auditor',
      PolicyName: 'only-password-policy',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: ['iam:GetAccountPasswordPolicy', 'sts:GetCallerIdentity'], Resource: '*' }],
      }),
    }),
  );
  const key = await iam.send(new CreateAccessKeyCommand({ UserName: 'auditor' }));
  keys = { id: key.AccessKey!.AccessKeyId!, secret: key.AccessKey!.SecretAccessKey! };
  iam.destroy();
});

afterAll(async () => {
  await moto?.stop();
});

describe('a caller without every permission', () => {
  it('gets an error for the step it cannot read, naming the permission, and the other step still runs', async () => {
    const env = cleanEnv({
      SECURE_START_STATE_DIR: await tempStateDir(),
      AWS_ACCESS_KEY_ID: keys.id,
      AWS_SECRET_ACCESS_KEY: keys.secret,
      AWS_REGION: 'us-east-1',
    });
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
