/**
 * The S3 access steps against a scripted S3 (no emulator): what moto cannot be made to do, such as
 * refusing one bucket's ACL or losing a bucket between the list and the reads, and proof that the
 * three steps share one read of each kind per bucket.
 */
import { describe, expect, it } from 'vitest';
import type { ClientClass, SdkClient, StepContext, Target } from '../../src/engine/types.js';
import accountStep from '../../steps/data/s3-account-public-access/index.js';
import bucketStep from '../../steps/data/s3-bucket-public-access/index.js';
import tlsStep from '../../steps/data/s3-tls-only/index.js';

type Handler = (op: string, input: Record<string, unknown>, region: string) => unknown;

function awsError(name: string, status: number): Error {
  return Object.assign(new Error(`${name} (scripted)`), { name, Code: name, $metadata: { httpStatusCode: status } });
}

/** A StepContext whose clients answer from `handler`; every call is logged as `Client:Operation bucket`. */
function scriptedContext(handler: Handler): StepContext & { calls: string[] } {
  const memo = new Map<string, Promise<unknown>>();
  const calls: string[] = [];
  const target: Target = { accountId: '123456789012', principalArn: 'arn:aws:iam::123456789012:user/t', isRoot: false, sandbox: true, partition: 'aws', homeRegion: 'us-east-1' };
  return {
    target,
    calls,
    regions: async () => ['us-east-1'],
    client<C extends SdkClient>(cls: ClientClass<C>, region = 'us-east-1'): C {
      const client = {
        async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
          const op = command.constructor.name.replace(/Command$/, '');
          calls.push(`${cls.name.replace(/Client$/, '')}:${op}${command.input.Bucket ? ` ${String(command.input.Bucket)}` : ''}`);
          return handler(`${cls.name.replace(/Client$/, '')}:${op}`, command.input, region);
        },
        destroy() {},
      };
      return client as unknown as C;
    },
    shared<T>(key: string, load: () => Promise<T>): Promise<T> {
      if (!memo.has(key)) memo.set(key, load());
      return memo.get(key) as Promise<T>;
    },
  };
}

const ALL_USERS_READ = [{ Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, Permission: 'READ' }];

/**
 * Three buckets: `ok-bucket` private, `denied-bucket` whose ACL and policy are refused, and
 * `gone-bucket`, deleted after the inventory was taken (listed and located).
 */
const handler: Handler = (op, input) => {
  const bucket = input.Bucket as string | undefined;
  if (bucket === 'gone-bucket' && op !== 'S3:ListBuckets' && op !== 'S3:GetBucketLocation') throw awsError('NoSuchBucket', 404);
  switch (op) {
    case 'S3:ListBuckets':
      return { Buckets: [{ Name: 'ok-bucket' }, { Name: 'denied-bucket' }, { Name: 'gone-bucket' }] };
    case 'S3:GetBucketLocation':
      return { LocationConstraint: bucket === 'denied-bucket' ? 'eu-west-1' : undefined };
    case 'S3Control:GetPublicAccessBlock':
    case 'S3:GetPublicAccessBlock':
      throw awsError('NoSuchPublicAccessBlockConfiguration', 404);
    case 'S3:GetBucketAcl':
      if (bucket === 'denied-bucket') throw awsError('AccessDenied', 403);
      return { Grants: [] };
    case 'S3:GetBucketPolicy':
      if (bucket === 'denied-bucket') throw awsError('AccessDenied', 403);
      throw awsError('NoSuchBucketPolicy', 404);
    case 'S3:GetBucketWebsite':
      throw awsError('NoSuchWebsiteConfiguration', 404);
    default:
      throw new Error(`unscripted ${op}`);
  }
};

describe('the S3 access steps when one bucket cannot be read', () => {
  it('the bucket step reports that bucket as an error, names the permission, and checks the others', async () => {
    const findings = await bucketStep.check(scriptedContext(handler));
    expect(findings.map((f) => [f.resource, f.region, f.status])).toEqual([
      ['arn:aws:s3:::denied-bucket', 'eu-west-1', 'error'],
      ['arn:aws:s3:::ok-bucket', 'us-east-1', 'fail'],
    ]);
    expect(findings[0]!.message).toMatch(/^Bucket denied-bucket \(eu-west-1\) could not be checked: Access denied .* It needs: s3:GetBucketAcl\./);
  });

  it('the account step counts an unreadable bucket as perhaps public, so it must be named', async () => {
    const ctx = scriptedContext(handler);
    const [finding] = await accountStep.check(ctx);
    expect(finding!.message).toContain('Whether 1 bucket is public could not be told: denied-bucket (eu-west-1).');
    expect((await accountStep.plan(ctx, [finding!], { publicBucketsToClose: [] })).actions).toEqual([]);
    expect((await accountStep.plan(ctx, [finding!], { publicBucketsToClose: ['denied-bucket'] })).actions).toHaveLength(1);
  });

  it('the TLS step reports the refused policy read as an error and plans only for the rest', async () => {
    const ctx = scriptedContext(handler);
    const findings = await tlsStep.check(ctx);
    expect(findings.map((f) => [f.resource, f.status])).toEqual([
      ['arn:aws:s3:::denied-bucket', 'error'],
      ['arn:aws:s3:::ok-bucket', 'fail'],
    ]);
    expect(findings[0]!.message).toContain('It needs: s3:GetBucketPolicy.');
    const plan = await tlsStep.plan(ctx, findings, { buckets: 'all' });
    expect(plan.actions.map((a) => a.params.Bucket)).toEqual(['ok-bucket']);
  });

  it('the account step lets a refused account read become the step’s own error', async () => {
    const refused: Handler = (op, input, region) => {
      if (op === 'S3Control:GetPublicAccessBlock') throw awsError('AccessDenied', 403);
      return handler(op, input, region);
    };
    await expect(accountStep.check(scriptedContext(refused))).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});

describe('the three S3 access steps share their reads', () => {
  it('in one run, each bucket is listed, located and read once per kind, whatever the number of steps', async () => {
    const ctx = scriptedContext((op, input, region) => {
      if (op !== 'S3:GetBucketLocation' && (input.Bucket === 'gone-bucket' || input.Bucket === 'denied-bucket')) throw awsError('NoSuchBucket', 404);
      if (op === 'S3:GetBucketAcl') return { Grants: input.Bucket === 'ok-bucket' ? ALL_USERS_READ : [] };
      return handler(op, input, region);
    });
    await Promise.all([accountStep.check(ctx), bucketStep.check(ctx), tlsStep.check(ctx)]);
    const count = (prefix: string) => ctx.calls.filter((c) => c.startsWith(prefix)).length;
    expect(count('S3:ListBuckets')).toBe(1);
    expect(count('S3Control:GetPublicAccessBlock')).toBe(1);
    // ok-bucket is read once per kind; the buckets that vanished are not asked for their ACL.
    expect(ctx.calls.filter((c) => c.endsWith(' ok-bucket')).sort()).toEqual([
      'S3:GetBucketAcl ok-bucket',
      'S3:GetBucketLocation ok-bucket',
      'S3:GetBucketPolicy ok-bucket',
      'S3:GetBucketWebsite ok-bucket',
      'S3:GetPublicAccessBlock ok-bucket',
    ]);
    expect(ctx.calls.filter((c) => c.startsWith('S3:GetBucketAcl'))).toEqual(['S3:GetBucketAcl ok-bucket']);
  });
});
