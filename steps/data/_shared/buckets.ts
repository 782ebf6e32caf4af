/**
 * The bucket inventory shared by the data steps: buckets listed once per run, each bucket's region
 * resolved once, and per-bucket reads run with bounded concurrency through the client of the
 * bucket's own region (S3 answers a bucket's requests only in its region).
 */
import { GetBucketLocationCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import type { StepContext } from '../../../src/engine/step-kit.js';
import { mapLimit } from '../../../src/engine/step-kit.js';

export interface Bucket {
  name: string;
  region: string;
  arn: string;
}

/** How many per-bucket reads run at once. */
export const BUCKET_CONCURRENCY = 16;

/** GetBucketLocation answers null/"" for us-east-1 and "EU" for the oldest eu-west-1 buckets. */
export function regionFromLocation(location: string | undefined | null): string {
  if (!location) return 'us-east-1';
  if (location === 'EU') return 'eu-west-1';
  return location;
}

export async function loadBuckets(ctx: StepContext): Promise<Bucket[]> {
  const s3 = ctx.client(S3Client);
  const names: Array<{ name: string; region?: string }> = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListBucketsCommand({ ContinuationToken: token, MaxBuckets: 1000 }));
    for (const b of page.Buckets ?? []) if (b.Name) names.push({ name: b.Name, ...(b.BucketRegion ? { region: b.BucketRegion } : {}) });
    token = page.ContinuationToken;
  } while (token);
  // AWS lists buckets by name, emulators by creation: sort for reports that read the same everywhere.
  names.sort((a, b) => a.name.localeCompare(b.name));
  const partition = ctx.target.partition;
  const found = await mapLimit(names, BUCKET_CONCURRENCY, async ({ name, region }): Promise<Bucket | undefined> => {
    // Newer S3 answers carry the region in ListBuckets; otherwise ask once per bucket.
    let resolved = region;
    if (!resolved) {
      try {
        resolved = regionFromLocation((await s3.send(new GetBucketLocationCommand({ Bucket: name }))).LocationConstraint);
      } catch (err) {
        // Deleted between the list and this read: it is not there to secure any more.
        if ((err as { name?: string }).name === 'NoSuchBucket') return undefined;
        throw err;
      }
    }
    return { name, region: resolved, arn: `arn:${partition}:s3:::${name}` };
  });
  return found.filter((b): b is Bucket => b !== undefined);
}

/** Every bucket with its region, listed once per run and shared by every data step. */
export function buckets(ctx: StepContext): Promise<Bucket[]> {
  return ctx.shared('s3:buckets', () => loadBuckets(ctx));
}

/** An S3 client for the bucket's region. */
export function s3For(ctx: StepContext, bucket: Bucket): S3Client {
  return ctx.client(S3Client, bucket.region);
}

/** Runs `read` for every bucket with bounded concurrency; results keep the bucket order. */
export function perBucket<R>(ctx: StepContext, list: Bucket[], read: (bucket: Bucket, s3: S3Client) => Promise<R>): Promise<R[]> {
  return mapLimit(list, BUCKET_CONCURRENCY, (b) => read(b, s3For(ctx, b)));
}
