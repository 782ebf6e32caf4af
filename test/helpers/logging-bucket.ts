/**
 * The shared logging bucket (steps/monitoring/_shared/logging-bucket.ts) as the monitoring steps'
 * sandbox tests see it: what a fix sends to make it, and a delivered log file in it.
 */
import { DeleteBucketPolicyCommand, GetBucketPolicyCommand, PutBucketPolicyCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { RunContext } from '../../src/engine/context.js';
import { loggingBucketName } from '../../steps/monitoring/_shared/logging-bucket.js';

/** The operations a fix sends to make the shared logging bucket, in order. */
export const LOGGING_BUCKET_SETUP = ['s3:CreateBucket', 's3:PutPublicAccessBlock', 's3:PutBucketOwnershipControls', 's3:PutBucketEncryption', 's3:PutBucketPolicy'];

/**
 * A file in the run's logging bucket at `key`, as the service would deliver it (moto delivers
 * none). moto enforces the bucket policy's deny of plain HTTP on PutObject, and the sandbox speaks
 * HTTP: the policy is lifted for the write and put back exactly. Writes even while the context is
 * read-only (during a check), which it is again afterwards.
 */
export async function deliverLog(ctx: RunContext, key: string, body: string): Promise<void> {
  const Bucket = loggingBucketName(ctx.target);
  const readOnly = ctx.factory.readOnly;
  ctx.factory.readOnly = false;
  try {
    const s3 = ctx.client(S3Client);
    const policy = (await s3.send(new GetBucketPolicyCommand({ Bucket }))).Policy!;
    await s3.send(new DeleteBucketPolicyCommand({ Bucket }));
    await s3.send(new PutObjectCommand({ Bucket, Key: key, Body: body }));
    await s3.send(new PutBucketPolicyCommand({ Bucket, Policy: policy }));
  } finally {
    ctx.factory.readOnly = readOnly;
  }
}
