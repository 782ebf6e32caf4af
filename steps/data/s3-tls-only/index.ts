/**
 * data.s3-tls-only: every bucket's policy denies requests made without TLS (a Deny for everyone
 * on `s3:*`, the bucket and its objects, when `aws:SecureTransport` is false: CIS 3.1.1, FSBP S3.5).
 *
 * The fix merges one statement into the policy that is there and keeps every other statement as it
 * was; a policy that cannot be parsed is reported and left alone. Just before writing, it reads the
 * policy again and refuses to write when it changed since the plan. The undo puts back the old text
 * exactly (or deletes the policy when there was none).
 *
 * A bucket set up as a static website is the exception worth asking about: its website endpoint
 * speaks only HTTP, so the rule takes the site down. Such buckets are changed only by name.
 * Emulators store the rule but do not enforce it; only the stored policy is checked.
 */
import { GetBucketPolicyCommand, GetBucketWebsiteCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import type { Finding, Plan, PlanAction, Step, StepContext, StepInputs } from '../../../src/engine/step-kit.js';
import { drifted, errorCode, formatZodError, nothingToUndo, recordedInverse, sameJson, sandboxOnly, undoWith } from '../../../src/engine/step-kit.js';
import type { Bucket } from '../_shared/buckets.js';
import { buckets, perBucket } from '../_shared/buckets.js';
import { parsePolicy } from '../../../src/aws/policy.js';
import { publicStatements } from '../_shared/publicness.js';
import { APP_DATA_BUCKET, fixtureBucket, makeBucket } from '../_shared/bucket-fixtures.js';
import type { Read } from '../_shared/bucket-exposure.js';
import { accountBlock, bucketBlocks, bucketPolicies } from '../_shared/bucket-exposure.js';
import type { BucketsInput } from '../_shared/bucket-selection.js';
import { askSelection, bucketsInputSchema, selects } from '../_shared/bucket-selection.js';
import meta from './meta.js';
import type { TlsCoverage } from '../../../src/aws/s3-tls.js';
import { covered, mergeTlsDeny, tlsCoverage } from '../../../src/aws/s3-tls.js';

export type TlsOnlyInputs = BucketsInput;

/** What a failing finding carries for the plan. */
const dataSchema = z.object({
  bucket: z.string(),
  region: z.string(),
  arn: z.string(),
  /** The policy text exactly as read; `null`: none. */
  policy: z.string().nullable(),
  /** Set up as a static website; `null`: could not be read. */
  website: z.boolean().nullable(),
  /** The statements of the current policy that grant public access, described. */
  open: z.array(z.string()).optional(),
  /**
   * Where Block Public Access (BlockPublicPolicy) is on, so that S3 refuses to store a policy that
   * still grants public access: `null` when nothing blocks it, `unknown` when it could not be read.
   */
  blockedBy: z.enum(['bucket', 'account', 'unknown']).nullable().optional(),
});
type TlsData = z.infer<typeof dataSchema>;

function found(findings: Finding[]): TlsData[] {
  return findings.filter((f) => f.status === 'fail' && f.data && 'policy' in f.data).map((f) => dataSchema.parse(f.data));
}

const where = (d: { bucket: string; region: string }) => `${d.bucket} (${d.region})`;

/** A website bucket, or one whose website configuration could not be read: changed only by name. */
const sensitive = (d: TlsData) => d.website !== false;

function gap(c: TlsCoverage): string {
  if (c.bucket) return 'its policy refuses plain HTTP for the bucket but not for its objects';
  if (c.objects) return 'its policy refuses plain HTTP for its objects but not for the bucket itself';
  return 'its policy has no statement that refuses requests without TLS';
}

async function readWebsite(s3: S3Client, bucket: Bucket): Promise<boolean | null> {
  try {
    await s3.send(new GetBucketWebsiteCommand({ Bucket: bucket.name }));
    return true;
  } catch (err) {
    if (errorCode(err) === 'NoSuchWebsiteConfiguration') return false;
    return null;
  }
}

function websiteNote(website: boolean | null): string {
  if (website === true) return ' It is set up as a static website: the website endpoint speaks only HTTP, so this rule would take the site down.';
  if (website === null) return ' Whether it serves a static website could not be read.';
  return '';
}

type Checked = { finding: Finding; data?: Omit<TlsData, 'website' | 'blockedBy'> };

function checkOne(bucket: Bucket, read: Read<string | null>): Checked | undefined {
  const base = { resource: bucket.arn, region: bucket.region };
  const name = `Bucket ${bucket.name} (${bucket.region})`;
  if (!read.ok) {
    if (read.status === 'gone') return undefined;
    return { finding: { ...base, status: read.status, message: `${name} could not be checked: ${read.message}` } };
  }
  const data = { bucket: bucket.name, region: bucket.region, arn: bucket.arn, policy: read.value };
  if (read.value === null) return { finding: { ...base, status: 'fail', message: `${name} has no bucket policy, so it accepts requests over plain HTTP.` }, data };
  const parsed = parsePolicy(read.value);
  if (!parsed.ok)
    return {
      finding: {
        ...base,
        status: 'error',
        message: `${name} could not be checked: its policy cannot be parsed (${parsed.reason}). The fix leaves it alone; repair the policy by hand.`,
      },
    };
  const coverage = tlsCoverage(parsed.statements, bucket.arn);
  if (covered(coverage)) return { finding: { ...base, status: 'pass', message: `${name} refuses requests without TLS.` } };
  const open = publicStatements(parsed.statements).map((st) => st.description);
  return { finding: { ...base, status: 'fail', message: `${name} accepts requests over plain HTTP: ${gap(coverage)}.` }, data: { ...data, ...(open.length ? { open } : {}) } };
}

function parseInputs(given: unknown): BucketsInput {
  const parsed = bucketsInputSchema.safeParse(given ?? {});
  if (!parsed.success) throw new Error(`Invalid inputs for ${meta.id}: ${formatZodError(parsed.error)}`);
  return parsed.data;
}

async function readPolicyText(s3: S3Client, bucket: string): Promise<string | null> {
  try {
    return (await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy ?? null;
  } catch (err) {
    if (errorCode(err) === 'NoSuchBucketPolicy') return null;
    throw err;
  }
}

/** Two policy texts say the same (as JSON, keys in any order); an unparsable one equals only itself. */
function sameAsText(a: string, b: string): boolean {
  try {
    return a === b || sameJson(JSON.parse(a), JSON.parse(b));
  } catch {
    return false;
  }
}

function tlsAction(d: TlsData, after: string, kept: number): PlanAction {
  const params = { Bucket: d.bucket, Policy: after };
  const keeping = d.policy === null ? 'a new policy with only that statement' : kept === 1 ? 'keeping its one existing statement as it is' : `keeping its ${kept} existing statements as they are`;
  return {
    service: 's3',
    operation: 'PutBucketPolicy',
    region: d.region,
    params,
    summary: `Add a Deny for requests without TLS to the policy of bucket ${where(d)}, ${keeping}`,
    ...(sensitive(d) ? { destructive: true } : {}),
    inverse:
      d.policy === null
        ? { service: 's3', operation: 'DeleteBucketPolicy', region: d.region, params: { Bucket: d.bucket }, summary: `Remove the policy of bucket ${d.bucket} (it had none)` }
        : {
            service: 's3',
            operation: 'PutBucketPolicy',
            region: d.region,
            params: { Bucket: d.bucket, Policy: d.policy },
            summary: `Put back the previous policy of bucket ${d.bucket}, exactly as it was`,
          },
    async run(ctx: StepContext) {
      const s3 = ctx.client(S3Client, d.region);
      // Never overwrite an edit made since the plan: the merge was computed from the text read then.
      if ((await readPolicyText(s3, d.bucket)) !== d.policy)
        throw new Error(`The policy of bucket ${d.bucket} changed after the plan was made; nothing was written. Check the step again.`);
      await s3.send(new PutBucketPolicyCommand(params));
    },
  };
}

const inputs: StepInputs<BucketsInput> = {
  schema: bucketsInputSchema,
  requiredInAnswers: false,
  defaults: () => ({ buckets: 'all' }),

  /** Asks only about website buckets (by name, default No) and then the rest together; otherwise nothing to ask. */
  async ask(asker, initial, findings) {
    const failing = found(findings);
    const start = initial?.buckets ?? 'all';
    if (!failing.some(sensitive)) return { buckets: start };
    const buckets = await askSelection(asker, {
      initial: start,
      sensitive: failing.filter(sensitive).map((d) => ({
        name: d.bucket,
        region: d.region,
        question:
          d.website === true
            ? `Bucket ${where(d)} serves a static website, and its website endpoint speaks only HTTP: the TLS-only rule takes the site down. Add it anyway?`
            : `Whether bucket ${where(d)} serves a static website could not be read; if it does, the TLS-only rule takes the site down. Add it anyway?`,
      })),
      others: failing.filter((d) => !sensitive(d)).map((d) => ({ name: d.bucket, region: d.region })),
      othersQuestion: (names) => `Add the TLS-only rule to the other buckets: ${names}?`,
    });
    return { buckets };
  },
};

const step: Step<BucketsInput> = {
  meta,
  inputs,

  async check(ctx) {
    const [list, policies] = await Promise.all([buckets(ctx), bucketPolicies(ctx)]);
    if (!list.length)
      return [{ status: 'pass', resource: `arn:${ctx.target.partition}:s3:::*`, region: 'global', message: 'There are no S3 buckets in this account.' }];
    const checked = list.map((b) => [b, checkOne(b, policies.get(b.name)!)] as const).filter((x): x is [Bucket, Checked] => x[1] !== undefined);
    // Only the buckets the fix would change are asked whether they serve a website.
    const failing = checked.filter(([, c]) => c.data);
    const websites = await perBucket(
      ctx,
      failing.map(([b]) => b),
      (b, s3) => readWebsite(s3, b),
    );
    const website = new Map(failing.map(([b], i) => [b.name, websites[i]!]));
    // A policy that keeps a public grant cannot be stored where Block Public Access blocks public policies:
    // the blocks are read (shared with the public-access steps) only when such a policy is to be changed.
    const needsBlocks = failing.some(([, c]) => c.data?.open?.length);
    const [account, perBucketBlock] = needsBlocks ? await Promise.all([accountBlock(ctx), bucketBlocks(ctx)]) : [undefined, undefined];
    const blockedBy = (b: Bucket): TlsData['blockedBy'] => {
      const own = perBucketBlock?.get(b.name);
      if (own?.ok && own.value?.BlockPublicPolicy) return 'bucket';
      if (account?.ok && account.value?.BlockPublicPolicy) return 'account';
      return own?.ok && account?.ok ? null : 'unknown';
    };
    return checked.map(([b, c]) => {
      if (!c.data) return c.finding;
      const w = website.get(b.name) ?? null;
      return { ...c.finding, message: c.finding.message + websiteNote(w), data: { ...c.data, website: w, ...(c.data.open?.length ? { blockedBy: blockedBy(b) } : {}) } };
    });
  },

  async plan(_ctx, findings, given): Promise<Plan> {
    const { buckets: selection } = parseInputs(given);
    const actions: PlanAction[] = [];
    const warnings: string[] = [];
    for (const d of found(findings)) {
      if (!selects(selection, d.bucket, sensitive(d))) {
        if (sensitive(d))
          warnings.push(
            `Bucket ${where(d)} is left as it is: ${d.website ? 'it serves a static website over HTTP' : 'it may serve a static website over HTTP'}, ` +
              `and such a bucket is changed only when it is named (wizard: answer yes for it; answers file: "${meta.id}": { "buckets": ["${d.bucket}", …] }).`,
          );
        continue;
      }
      const merge = mergeTlsDeny(d.policy, d.arn);
      if (!merge.ok) {
        warnings.push(`Bucket ${where(d)} is left as it is: ${merge.reason}.`);
        continue;
      }
      const open = d.open ?? [];
      // Predicted to fail: S3 refuses any policy that keeps a public grant while Block Public Access blocks public policies.
      if (open.length && (d.blockedBy === 'bucket' || d.blockedBy === 'account')) {
        warnings.push(
          `Bucket ${where(d)} is left as it is: its policy still grants public access (${open.join('; ')}), and Block Public Access ` +
            `(BlockPublicPolicy) is on for ${d.blockedBy === 'bucket' ? 'the bucket' : 'the account'}, so S3 would refuse any policy that keeps that grant, ` +
            'the TLS rule included. Narrow or remove that statement by hand first, then check this step again.',
        );
        continue;
      }
      actions.push(tlsAction(d, merge.after, merge.kept));
      if (d.website) warnings.push(`Bucket ${where(d)} serves a static website over HTTP: with this rule its website endpoint answers Access Denied.`);
      if (open.length)
        warnings.push(
          `Bucket ${where(d)}'s policy still grants public access (${open.join('; ')}). ` +
            (d.blockedBy === 'unknown' ? 'Whether Block Public Access blocks public policies could not be read: if it does, S3 refuses this policy. ' : '') +
            'Once Block Public Access (BlockPublicPolicy) is on for the bucket or the account, S3 refuses to store any policy that grants public access: ' +
            'narrow or remove that statement.',
        );
    }
    return { actions, ...(warnings.length ? { warnings } : {}) };
  },

  /**
   * Puts back the bucket's previous policy text exactly (or deletes the policy, if it had none), but
   * only while the policy is still the one the fix wrote (compared as JSON: S3 may reformat it).
   */
  async undo(ctx, entry) {
    const { Bucket: bucket, Policy: wrote } = entry.params as { Bucket: string; Policy: string };
    let now: string | null;
    try {
      now = await readPolicyText(ctx.client(S3Client, entry.region), bucket);
    } catch (err) {
      if (errorCode(err) === 'NoSuchBucket') return nothingToUndo(`Bucket ${bucket} no longer exists.`);
      throw err;
    }
    const label = `The policy of bucket ${bucket}`;
    if (now === null)
      return entry.inverse?.operation === 'DeleteBucketPolicy' ? nothingToUndo(`Bucket ${bucket} has no policy now, as before the fix.`) : drifted(label, { now: 'no policy', wrote: 'a policy' });
    if (!sameAsText(now, wrote)) return drifted(label);
    return undoWith(recordedInverse(entry));
  },

  /** day-one scenario: application data with a policy for the account itself, and no rule against plain HTTP. */
  async seed(ctx) {
    sandboxOnly(ctx);
    const p = ctx.target.partition;
    await makeBucket(ctx, {
      name: fixtureBucket(ctx, APP_DATA_BUCKET),
      policy: {
        Version: '2012-10-17',
        Id: 'AppDataAccess',
        Statement: [
          {
            Sid: 'AccountReadWrite',
            Effect: 'Allow',
            Principal: { AWS: `arn:${p}:iam::${ctx.target.accountId}:root` },
            Action: ['s3:GetObject', 's3:PutObject'],
            Resource: `arn:${p}:s3:::${fixtureBucket(ctx, APP_DATA_BUCKET)}/*`,
          },
        ],
      },
    });
  },
};

export default step;
