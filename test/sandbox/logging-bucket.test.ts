import { GetBucketPolicyCommand, PutBucketPolicyCommand, S3Client, CreateBucketCommand } from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/engine/runner.js';
import { loggingBucketActions, loggingBucketName, readLoggingBucket } from '../../steps/monitoring/_shared/logging-bucket.js';
import { resetMoto } from '../helpers/moto.js';
import { makeSandboxContext, SANDBOX_ACCOUNT_ID } from '../helpers/step-tester.js';

beforeEach(async () => {
  await resetMoto();
});

const trail = { service: 'cloudtrail' as const, trailArn: `arn:aws:cloudtrail:us-east-1:${SANDBOX_ACCOUNT_ID}:trail/secure-start` };

describe('the shared logging bucket', () => {
  it('is made once, private, encrypted and TLS-only, then reused: a second service adds only its own statements', async () => {
    const ctx = makeSandboxContext();
    const name = loggingBucketName(ctx.target);
    expect(name).toBe(`secure-start-logs-${SANDBOX_ACCOUNT_ID}-us-east-1`);

    const missing = await readLoggingBucket(ctx);
    expect(missing.exists).toBe(false);
    const first = loggingBucketActions(ctx, missing, [trail]);
    expect(first.map((a) => a.operation)).toEqual(['CreateBucket', 'PutPublicAccessBlock', 'PutBucketOwnershipControls', 'PutBucketEncryption', 'PutBucketPolicy']);
    const policy = JSON.parse(String(first.at(-1)!.params.Policy)) as { Statement: { Sid: string }[] };
    expect(policy.Statement.map((s) => s.Sid)).toEqual(['DenyInsecureTransport', 'AWSCloudTrailAclCheck', 'AWSCloudTrailWrite']);

    const applied = await applyPlan('test', { actions: first }, ctx, () => undefined);
    expect(applied).toMatchObject({ ok: true, applied: 5 });

    const made = await readLoggingBucket(ctx);
    expect(made).toMatchObject({ exists: true, publicAccessBlocked: true, encrypted: true, aclsDisabled: true });
    expect(loggingBucketActions(ctx, made, [trail])).toEqual([]);

    const second = loggingBucketActions(ctx, made, [trail, { service: 'flow-logs' }]);
    expect(second.map((a) => a.operation)).toEqual(['PutBucketPolicy']);
    const merged = JSON.parse(String(second[0]!.params.Policy)) as { Statement: { Sid: string; Principal: unknown; Resource: unknown }[] };
    expect(merged.Statement.map((s) => s.Sid)).toEqual(['DenyInsecureTransport', 'AWSCloudTrailAclCheck', 'AWSCloudTrailWrite', 'AWSLogDeliveryAclCheck', 'AWSLogDeliveryWrite']);
    // Nothing broader: every Allow names one service principal and writes only below AWSLogs/<account>/.
    for (const s of merged.Statement.filter((x) => x.Sid.startsWith('AWS'))) {
      expect(s.Principal).toMatchObject({ Service: expect.stringMatching(/\.amazonaws\.com$/) });
      expect(String(s.Resource)).toMatch(new RegExp(`^arn:aws:s3:::${name}(/AWSLogs/${SANDBOX_ACCOUNT_ID}/\\*)?$`));
    }
  });

  it('keeps statements it does not own, and refuses to write over a policy changed since the plan', async () => {
    const ctx = makeSandboxContext();
    const name = loggingBucketName(ctx.target);
    const s3 = ctx.client(S3Client);
    ctx.factory.readOnly = false;
    await s3.send(new CreateBucketCommand({ Bucket: name }));
    const theirs = { Sid: 'AuditorRead', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${SANDBOX_ACCOUNT_ID}:role/auditor` }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${name}/*` };
    await s3.send(new PutBucketPolicyCommand({ Bucket: name, Policy: JSON.stringify({ Version: '2012-10-17', Statement: [theirs] }) }));
    ctx.factory.readOnly = true;

    const state = await readLoggingBucket(ctx);
    const actions = loggingBucketActions(ctx, state, [{ service: 'config' }]);
    expect(actions.map((a) => a.operation)).not.toContain('CreateBucket');
    const put = actions.find((a) => a.operation === 'PutBucketPolicy')!;
    const after = JSON.parse(String(put.params.Policy)) as { Statement: unknown[] };
    expect(after.Statement[0]).toEqual(theirs);

    ctx.factory.readOnly = false;
    await s3.send(new PutBucketPolicyCommand({ Bucket: name, Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ ...theirs, Sid: 'Edited' }] }) }));
    await expect(put.run(ctx)).rejects.toThrow(/changed after the plan/);
    const text = (await s3.send(new GetBucketPolicyCommand({ Bucket: name }))).Policy!;
    expect(text).toContain('Edited');
  });

  it('refuses a policy it cannot parse instead of replacing it', async () => {
    const ctx = makeSandboxContext();
    const state = { ...(await readLoggingBucket(ctx)), exists: true, policy: '{not json' };
    expect(() => loggingBucketActions(ctx, state, [{ service: 'flow-logs' }])).toThrow(/cannot be parsed/);
  });
});

describe('the policy action’s summary', () => {
  it('says the bucket will refuse plain HTTP only when that statement is being added', async () => {
    await resetMoto();
    const ctx = makeSandboxContext();
    const fresh = loggingBucketActions(ctx, await readLoggingBucket(ctx), [trail]).at(-1)!;
    expect(fresh.summary).toMatch(/^Set the policy of .*: refuse plain HTTP, and let CloudTrail deliver/);
    const withTls = {
      ...(await readLoggingBucket(ctx)),
      exists: true,
      publicAccessBlocked: true,
      encrypted: true,
      aclsDisabled: true,
      policy: String(fresh.params.Policy),
    };
    const [later] = loggingBucketActions(ctx, withTls, [trail, { service: 'config' }]);
    expect(later!.summary).toMatch(/^Update the policy of .*: let AWS Config deliver logs for this account only \(AWSConfigBucket/);
  });
});
