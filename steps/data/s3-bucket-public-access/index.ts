/**
 * data.s3-bucket-public-access: no bucket is public through its ACL or its policy, and each bucket
 * has all four Block Public Access settings of its own (FSBP S3.8), so it stays private even if
 * the account-wide setting is ever switched off. Publicness is worked out from the ACL grants and
 * the policy statements (../_shared/publicness.ts), never from GetBucketPolicyStatus.
 *
 * The fix turns the block on bucket by bucket. A bucket that is public today is only closed when
 * the person names it (a confirmation per bucket in the wizard, its name in the answers file for
 * `fix --yes`): a website served from a bucket must not go dark because someone ran a script.
 */
import { GetPublicAccessBlockCommand, PutPublicAccessBlockCommand, S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import type { Finding, Plan, PlanAction, Step, StepInputs } from '../../../src/engine/step-kit.js';
import { drifted, errorCode, formatZodError, nothingToUndo, recordedInverse, sameJson, sandboxOnly, undoWith } from '../../../src/engine/step-kit.js';
import type { BlockConfig } from '../_shared/publicness.js';
import { FULL_BLOCK, blockFrom, describeBlock, isFullBlock } from '../_shared/publicness.js';
import { SHARED_BUCKET, fixtureBucket, makeBucket } from '../_shared/bucket-fixtures.js';
import meta from './meta.js';
import type { BucketAccess } from '../_shared/bucket-exposure.js';
import { bucketAccess } from '../_shared/bucket-exposure.js';
import type { BucketsInput } from '../_shared/bucket-selection.js';
import { askSelection, bucketsInputSchema, selects } from '../_shared/bucket-selection.js';

export type BucketPublicAccessInputs = BucketsInput;

const blockSchema = z.object({
  BlockPublicAcls: z.boolean(),
  IgnorePublicAcls: z.boolean(),
  BlockPublicPolicy: z.boolean(),
  RestrictPublicBuckets: z.boolean(),
});

/** What a finding carries for the plan: the bucket, its block as read, and whether it is public now. */
const dataSchema = z.object({
  bucket: z.string(),
  region: z.string(),
  block: blockSchema.nullable(),
  exposure: z.enum(['public', 'private', 'unknown']),
  reasons: z.array(z.string()),
});
type BucketData = z.infer<typeof dataSchema>;

function found(findings: Finding[]): (BucketData & { status: Finding['status'] })[] {
  return findings.filter((f) => f.data && 'bucket' in f.data).map((f) => ({ ...dataSchema.parse(f.data), status: f.status }));
}

const where = (d: { bucket: string; region: string }) => `${d.bucket} (${d.region})`;

function ownBlockPhrase(block: BlockConfig | null): string {
  return block ? `its own Block Public Access is only partly on (${describeBlock(block)})` : 'it has no Block Public Access of its own';
}

function findingFor(a: BucketAccess): Finding {
  const { bucket } = a;
  const base = { resource: bucket.arn, region: bucket.region };
  const name = `Bucket ${bucket.name} (${bucket.region})`;
  if (!a.exposure || !a.block.ok) {
    const u = a.unreadable!;
    return { ...base, status: u.status, message: `${name} could not be checked: ${u.message}` };
  }
  const block = a.block.value;
  const e = a.exposure;
  const data: BucketData = {
    bucket: bucket.name,
    region: bucket.region,
    block,
    exposure: e.status,
    reasons: e.status === 'public' ? e.reasons : e.status === 'unknown' ? [e.unknown!] : [],
  };
  if (isFullBlock(block)) {
    const kept = e.neutralised.length ? `; that keeps it private although ${e.neutralised.join(', and ')}` : '';
    return { ...base, data, status: 'pass', message: `${name} has all four Block Public Access settings on${kept}.` };
  }
  const own = ownBlockPhrase(block);
  if (e.status === 'public') return { ...base, data, status: 'fail', message: `${name} is public: ${e.reasons.join('; and ')}. ${capital(own)}.` };
  if (e.status === 'unknown') return { ...base, data, status: 'fail', message: `${name} may be public: ${e.unknown}. ${capital(own)}.` };
  const covered = e.neutralised.length ? ` (only Block Public Access at account level neutralises this: ${e.neutralised.join(', and ')})` : '';
  return { ...base, data, status: 'fail', message: `${name} is not public today${covered}, but ${own}.` };
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function parseInputs(given: unknown): BucketsInput {
  const parsed = bucketsInputSchema.safeParse(given ?? {});
  if (!parsed.success) throw new Error(`Invalid inputs for ${meta.id}: ${formatZodError(parsed.error)}`);
  return parsed.data;
}

/** Public now, or perhaps public: closing it may take something down, so it is closed only by name. */
const sensitive = (d: BucketData) => d.exposure !== 'private';

function blockAction(d: BucketData): PlanAction {
  const params = { Bucket: d.bucket, PublicAccessBlockConfiguration: { ...FULL_BLOCK } };
  const closing = d.exposure === 'public' ? ', ending its public access' : d.exposure === 'unknown' ? ', ending any public access it has' : '';
  return {
    service: 's3',
    operation: 'PutPublicAccessBlock',
    region: d.region,
    params,
    summary: `Turn on all four Block Public Access settings for bucket ${where(d)}${closing}`,
    ...(sensitive(d) ? { destructive: true } : {}),
    inverse: d.block
      ? {
          service: 's3',
          operation: 'PutPublicAccessBlock',
          region: d.region,
          params: { Bucket: d.bucket, PublicAccessBlockConfiguration: { ...d.block } },
          summary: `Put back the previous Block Public Access settings of bucket ${d.bucket} (${describeBlock(d.block)})`,
        }
      : {
          service: 's3',
          operation: 'DeletePublicAccessBlock',
          region: d.region,
          params: { Bucket: d.bucket },
          summary: `Remove the Block Public Access configuration of bucket ${d.bucket} (it had none)`,
        },
    async run(ctx) {
      await ctx.client(S3Client, d.region).send(new PutPublicAccessBlockCommand(params));
    },
  };
}

const inputs: StepInputs<BucketsInput> = {
  schema: bucketsInputSchema,
  requiredInAnswers: false,
  defaults: () => ({ buckets: 'all' }),

  async ask(asker, initial, findings) {
    const failing = found(findings).filter((d) => d.status === 'fail');
    const start = initial?.buckets ?? 'all';
    if (!failing.length) return { buckets: start };
    const buckets = await askSelection(asker, {
      initial: start,
      sensitive: failing.filter(sensitive).map((d) => ({
        name: d.bucket,
        region: d.region,
        question:
          `Bucket ${where(d)} is ${d.exposure === 'public' ? 'public' : 'perhaps public'}: ${d.reasons.join('; ')}. ` +
          'Block public access to it? Whatever it serves to the public (a website, shared links) stops working.',
      })),
      others: failing.filter((d) => !sensitive(d)).map((d) => ({ name: d.bucket, region: d.region })),
      othersQuestion: (names) => `Turn on Block Public Access for the buckets that are not public today: ${names}?`,
    });
    return { buckets };
  },
};

const step: Step<BucketsInput> = {
  meta,
  inputs,

  async check(ctx) {
    const all = await bucketAccess(ctx);
    if (!all.length)
      return [{ status: 'pass', resource: `arn:${ctx.target.partition}:s3:::*`, region: 'global', message: 'There are no S3 buckets in this account.' }];
    return all.map(findingFor);
  },

  async plan(_ctx, findings, given): Promise<Plan> {
    const { buckets: selection } = parseInputs(given);
    const failing = found(findings).filter((d) => d.status === 'fail');
    const actions: PlanAction[] = [];
    const warnings: string[] = [];
    const leftOpen: BucketData[] = [];
    for (const d of failing) {
      if (!selects(selection, d.bucket, sensitive(d))) {
        if (sensitive(d)) leftOpen.push(d);
        continue;
      }
      actions.push(blockAction(d));
      if (sensitive(d))
        warnings.push(
          `Bucket ${where(d)} stops being public: ${d.reasons.join('; and ')}. ` +
            'Anyone who reads it without AWS credentials (website visitors, shared links) will get Access Denied.',
        );
    }
    for (const d of leftOpen)
      warnings.push(
        `Bucket ${where(d)} is left as it is: it is ${d.exposure === 'public' ? 'public' : 'perhaps public'} (${d.reasons.join('; ')}), ` +
          `and a public bucket is closed only when it is named (wizard: answer yes for it; answers file: "${meta.id}": { "buckets": ["${d.bucket}", …] }).`,
      );
    return { actions, ...(warnings.length ? { warnings } : {}) };
  },

  /**
   * Puts back the bucket's previous Block Public Access settings (or removes its configuration, if
   * it had none), but only while all four are still as the fix set them. A bucket that is gone has
   * nothing to undo.
   */
  async undo(ctx, entry) {
    const { Bucket: bucket, PublicAccessBlockConfiguration: set } = entry.params as { Bucket: string; PublicAccessBlockConfiguration?: unknown };
    const wrote = blockSchema.parse(set);
    const before = entry.inverse?.operation === 'PutPublicAccessBlock' ? blockSchema.parse((entry.inverse.params as { PublicAccessBlockConfiguration?: unknown }).PublicAccessBlockConfiguration) : null;
    let now: BlockConfig | null;
    try {
      now = blockFrom((await ctx.client(S3Client, entry.region).send(new GetPublicAccessBlockCommand({ Bucket: bucket }))).PublicAccessBlockConfiguration);
    } catch (err) {
      if (errorCode(err) === 'NoSuchBucket') return nothingToUndo(`Bucket ${bucket} no longer exists.`);
      if (errorCode(err) !== 'NoSuchPublicAccessBlockConfiguration') throw err;
      now = null;
    }
    const label = `The Block Public Access settings of bucket ${bucket}`;
    if (sameJson(now, before)) return nothingToUndo(`${label} are already as before the fix (${before ? describeBlock(before) : 'none set'}).`);
    if (!sameJson(now, wrote)) return drifted(label, { now: now ? describeBlock(now) : 'none set', wrote: describeBlock(wrote) });
    return undoWith(recordedInverse(entry));
  },

  /** day-one scenario: a bucket that hands its files to anyone through a `Principal: "*"` policy. */
  async seed(ctx) {
    sandboxOnly(ctx);
    await makeBucket(ctx, {
      name: fixtureBucket(ctx, SHARED_BUCKET),
      policy: {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'ShareDownloads', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:${ctx.target.partition}:s3:::${fixtureBucket(ctx, SHARED_BUCKET)}/*` },
        ],
      },
    });
  },
};

export default step;
