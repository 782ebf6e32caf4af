import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, it } from 'vitest';
import { buckets, perBucket, regionFromLocation } from '../../steps/data/_shared/buckets.js';
import { resetMoto } from '../helpers/moto.js';
import { makeSandboxContext } from '../helpers/step-tester.js';

beforeEach(async () => {
  await resetMoto();
});

describe('the shared bucket inventory', () => {
  it('lists buckets once per run with their regions', async () => {
    const ops: string[] = [];
    const ctx = makeSandboxContext({ onRequest: (_s, op) => ops.push(op) });
    ctx.factory.readOnly = false;
    await ctx.client(S3Client).send(new CreateBucketCommand({ Bucket: 'ss-us' }));
    await ctx.client(S3Client, 'eu-west-1').send(new CreateBucketCommand({ Bucket: 'ss-eu', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    ctx.factory.readOnly = true;
    ops.length = 0;
    const [a, b] = await Promise.all([buckets(ctx), buckets(ctx)]);
    expect(a).toBe(b);
    expect(a.map((x) => [x.name, x.region, x.arn])).toEqual([
      ['ss-eu', 'eu-west-1', 'arn:aws:s3:::ss-eu'],
      ['ss-us', 'us-east-1', 'arn:aws:s3:::ss-us'],
    ]);
    expect(ops.filter((o) => o === 'ListBuckets')).toHaveLength(1);
    const names = await perBucket(ctx, a, async (bucket, s3) => `${bucket.name}@${await s3.config.region()}`);
    expect(names).toEqual(['ss-eu@eu-west-1', 'ss-us@us-east-1']);
  });

  it('reads the odd answers of GetBucketLocation', () => {
    expect(regionFromLocation(undefined)).toBe('us-east-1');
    expect(regionFromLocation('')).toBe('us-east-1');
    expect(regionFromLocation('EU')).toBe('eu-west-1');
    expect(regionFromLocation('ap-south-1')).toBe('ap-south-1');
  });
});
