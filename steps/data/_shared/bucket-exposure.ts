/**
 * The per-bucket reads the public-access and TLS steps share: each bucket's Block Public Access
 * configuration, ACL and policy, and the account's Block Public Access configuration. Each is read
 * once per run (memoised in the run context, forgotten after a fix) over the shared bucket
 * inventory, with bounded concurrency and the bucket's own regional client. A read that fails for
 * one bucket is kept as that bucket's error, so one unreadable bucket never hides the others.
 */
import { GetBucketAclCommand, GetBucketPolicyCommand, GetPublicAccessBlockCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand, S3ControlClient } from '@aws-sdk/client-s3-control';
import type { StepContext } from '../../../src/engine/step-kit.js';
import { describeError, errorCode, errorKind } from '../../../src/engine/step-kit.js';
import type { Bucket } from './buckets.js';
import { buckets, perBucket } from './buckets.js';
import { parsePolicy } from '../../../src/aws/policy.js';
import type { AclGrant, BlockConfig, Exposure, PolicyState } from './publicness.js';
import { assessExposure, blockFrom } from './publicness.js';

/** What one read gave: a value, or why not (`gone`: the bucket was deleted after it was listed). */
export type Read<T> = { ok: true; value: T } | { ok: false; status: 'error' | 'unsupported' | 'gone'; message: string; error: unknown };

function failed(err: unknown, permission: string): Read<never> {
  const kind = errorKind(err);
  if (errorCode(err) === 'NoSuchBucket') return { ok: false, status: 'gone', message: 'the bucket no longer exists', error: err };
  return { ok: false, status: kind === 'unsupported' ? 'unsupported' : 'error', message: describeError(err, { permissions: [permission] }), error: err };
}

/** Runs a read; an error named in `absent` means "nothing set" and gives `absentValue`. */
async function attempt<T>(read: () => Promise<T>, permission: string, absent?: { codes: string[]; value: T }): Promise<Read<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (err) {
    if (absent && absent.codes.includes(errorCode(err))) return { ok: true, value: absent.value };
    return failed(err, permission);
  }
}

const NO_BLOCK = ['NoSuchPublicAccessBlockConfiguration'];

/** The account's Block Public Access configuration (`null`: none set). Read once per run. */
export function accountBlock(ctx: StepContext): Promise<Read<BlockConfig | null>> {
  return ctx.shared('s3:account-public-access-block', () =>
    attempt(
      async () => {
        const out = await ctx.client(S3ControlClient).send(new GetAccountPublicAccessBlockCommand({ AccountId: ctx.target.accountId }));
        return blockFrom(out.PublicAccessBlockConfiguration);
      },
      's3:GetAccountPublicAccessBlock',
      { codes: NO_BLOCK, value: null },
    ),
  );
}

type ByBucket<T> = Map<string, Read<T>>;

async function readAll<T>(ctx: StepContext, list: Bucket[], read: (b: Bucket, s3: S3Client) => Promise<Read<T>>): Promise<ByBucket<T>> {
  const results = await perBucket(ctx, list, read);
  return new Map(list.map((b, i) => [b.name, results[i]!]));
}

/** Each bucket's own Block Public Access configuration (`null`: none set). */
export function bucketBlocks(ctx: StepContext): Promise<ByBucket<BlockConfig | null>> {
  return ctx.shared('s3:bucket-public-access-blocks', async () =>
    readAll(ctx, await buckets(ctx), (b, s3) =>
      attempt(
        async () => blockFrom((await s3.send(new GetPublicAccessBlockCommand({ Bucket: b.name }))).PublicAccessBlockConfiguration),
        's3:GetBucketPublicAccessBlock',
        { codes: NO_BLOCK, value: null },
      ),
    ),
  );
}

/**
 * Each bucket's ACL grants. A bucket whose own configuration ignores public ACLs is not asked
 * (its value is `null`): nothing in its ACL can make it public.
 */
export function bucketAcls(ctx: StepContext): Promise<ByBucket<AclGrant[] | null>> {
  return ctx.shared('s3:bucket-acls', async () => {
    const [list, blocks] = await Promise.all([buckets(ctx), bucketBlocks(ctx)]);
    return readAll<AclGrant[] | null>(ctx, list, async (b, s3) => {
      const block = blocks.get(b.name);
      if (block?.ok && block.value?.IgnorePublicAcls) return { ok: true, value: null };
      if (block && !block.ok && block.status === 'gone') return block;
      return attempt(async () => (await s3.send(new GetBucketAclCommand({ Bucket: b.name }))).Grants ?? [], 's3:GetBucketAcl');
    });
  });
}

/** Each bucket's policy text exactly as stored (`null`: no policy). */
export function bucketPolicies(ctx: StepContext): Promise<ByBucket<string | null>> {
  return ctx.shared('s3:bucket-policies', async () =>
    readAll(ctx, await buckets(ctx), (b, s3) =>
      attempt(async () => (await s3.send(new GetBucketPolicyCommand({ Bucket: b.name }))).Policy ?? null, 's3:GetBucketPolicy', {
        codes: ['NoSuchBucketPolicy'],
        value: null,
      }),
    ),
  );
}

export function policyState(text: string | null): PolicyState {
  if (text === null) return { kind: 'none' };
  const parsed = parsePolicy(text);
  return parsed.ok ? { kind: 'parsed', statements: parsed.statements } : { kind: 'unreadable', reason: parsed.reason };
}

/** Everything known about one bucket's public access. */
export interface BucketAccess {
  bucket: Bucket;
  block: Read<BlockConfig | null>;
  acl: Read<AclGrant[] | null>;
  policy: Read<string | null>;
  /** Whether it is public now; absent when its ACL, policy or block could not be read. */
  exposure?: Exposure;
  /** Why `exposure` is absent. */
  unreadable?: { status: 'error' | 'unsupported'; message: string };
}

/**
 * Every bucket (except those deleted since they were listed) with what makes it public or not.
 * The account's configuration counts when it can be read; when it cannot, buckets are judged
 * without it, which can only make them look more public than they are.
 */
export async function bucketAccess(ctx: StepContext): Promise<BucketAccess[]> {
  const [list, blocks, acls, policies, account] = await Promise.all([buckets(ctx), bucketBlocks(ctx), bucketAcls(ctx), bucketPolicies(ctx), accountBlock(ctx)]);
  const out: BucketAccess[] = [];
  for (const bucket of list) {
    const block = blocks.get(bucket.name)!;
    const acl = acls.get(bucket.name)!;
    const policy = policies.get(bucket.name)!;
    const reads = [block, acl, policy];
    if (reads.some((r) => !r.ok && r.status === 'gone')) continue;
    const bad = reads.find((r): r is Extract<Read<unknown>, { ok: false }> => !r.ok);
    if (bad) {
      out.push({ bucket, block, acl, policy, unreadable: { status: bad.status === 'unsupported' ? 'unsupported' : 'error', message: bad.message } });
      continue;
    }
    const exposure = assessExposure({
      acl: acl.ok ? acl.value : null,
      policy: policyState(policy.ok ? policy.value : null),
      bucketBlock: block.ok ? block.value : null,
      accountBlock: account.ok ? account.value : null,
    });
    out.push({ bucket, block, acl, policy, exposure });
  }
  return out;
}
