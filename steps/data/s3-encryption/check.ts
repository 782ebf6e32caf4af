/**
 * data.s3-encryption, check: each bucket's default encryption (GetBucketEncryption), the KMS keys
 * of its region (to name the key it uses and to offer keys to pick), which AWS services write logs
 * to it, and the finding made of that. The rows ride on the findings' data for the questions and plan.
 */
import { GetBucketEncryptionCommand } from '@aws-sdk/client-s3';
import type { S3Client, ServerSideEncryptionConfiguration } from '@aws-sdk/client-s3';
import type { Finding, StepContext } from '../../../src/engine/step-kit.js';
import { describeError, errorKind, mapLimit } from '../../../src/engine/step-kit.js';
import { buckets, perBucket } from '../_shared/buckets.js';
import { bucketPolicies } from '../_shared/bucket-exposure.js';
import type { Bucket } from '../_shared/buckets.js';
import { findKey, isCustomerSymmetric, keyLabel, regionKeys } from '../_shared/kms.js';
import type { RegionKeys } from '../_shared/kms.js';
import { AWS_S3_KEY_ALIAS, classify, describeCurrent, logWriters } from './choice.js';
import type { BucketData, Current, KeyChoice } from './choice.js';

const REGION_CONCURRENCY = 4;

type Read = { config: ServerSideEncryptionConfiguration | null } | { error: unknown } | { gone: true };

/** Errors that say the run cannot go on at all (or the endpoint lacks the API): the step reports them whole. */
function fatal(err: unknown): boolean {
  const kind = errorKind(err);
  return kind === 'unsupported' || kind === 'network' || kind === 'credentials';
}

export const errName = (err: unknown) => (err as { name?: string }).name;

async function readConfig(b: Bucket, s3: S3Client): Promise<Read> {
  try {
    return { config: (await s3.send(new GetBucketEncryptionCommand({ Bucket: b.name }))).ServerSideEncryptionConfiguration ?? null };
  } catch (err) {
    if (errName(err) === 'ServerSideEncryptionConfigurationNotFoundError') return { config: null };
    // Deleted between the list and the read.
    if (errName(err) === 'NoSuchBucket') return { gone: true };
    if (fatal(err)) throw err;
    return { error: err };
  }
}

interface RegionKeyInfo {
  rk?: RegionKeys;
  choices: KeyChoice[];
  error?: string;
}

/** The keys of a region, for naming the keys buckets use and for the person to pick from. KMS trouble never hides the buckets. */
export async function keysFor(ctx: StepContext, region: string): Promise<RegionKeyInfo> {
  try {
    const rk = await regionKeys(ctx, region);
    const choices = rk.keys
      .filter(isCustomerSymmetric)
      .map((k) => ({ arn: k.arn, id: k.id, region, label: keyLabel(k), aliases: k.aliases, ...(k.info?.description ? { description: k.info.description } : {}) }));
    return { rk, choices };
  } catch (err) {
    const kind = errorKind(err);
    if (kind === 'network' || kind === 'credentials') throw err;
    return { choices: [], error: describeError(err, { permissions: ['kms:ListKeys', 'kms:ListAliases', 'kms:DescribeKey'] }) };
  }
}

export const isAwsS3Alias = (ref: string) => ref === AWS_S3_KEY_ALIAS || ref.endsWith(`:${AWS_S3_KEY_ALIAS}`);

/** Names the key a bucket uses, from the region's key list. */
export function resolveCurrent(base: ReturnType<typeof classify>, rk: RegionKeys | undefined): Current {
  if (base.algorithm !== 'SSE-KMS' && base.algorithm !== 'DSSE-KMS') return base;
  const ref = base.keyRef;
  if (!ref || isAwsS3Alias(ref)) {
    const aws = rk?.aliases.find((a) => a.name === AWS_S3_KEY_ALIAS)?.targetKeyId;
    const arn = aws ? rk?.keys.find((k) => k.id === aws)?.arn : undefined;
    return { ...base, awsManagedKey: true, keyLabel: 'aws/s3', ...(arn ? { keyArn: arn } : {}) };
  }
  const found = rk ? findKey(rk, ref) : undefined;
  if (found) return { ...base, keyArn: found.arn, keyLabel: keyLabel(found), awsManagedKey: found.awsManaged && found.aliases.includes(AWS_S3_KEY_ALIAS) };
  // A key of another account, or one this principal may not list: known by its reference alone.
  return { ...base, ...(ref.startsWith('arn:') ? { keyArn: ref } : {}), keyLabel: ref };
}

function bucketFinding(b: Bucket, read: Read, keys: RegionKeyInfo, writers: string[]): Finding | undefined {
  if ('gone' in read) return undefined;
  const base = { resource: b.arn, region: b.region };
  const name = `Bucket ${b.name} (${b.region})`;
  if ('error' in read)
    return { ...base, status: 'error', message: `${name}: its default encryption could not be read. ${describeError(read.error, { permissions: ['s3:GetEncryptionConfiguration'] })}` };
  const current = resolveCurrent(classify(read.config), keys.rk);
  const data: BucketData = {
    bucket: b.name,
    region: b.region,
    arn: b.arn,
    current,
    previous: read.config,
    keys: keys.choices,
    ...(keys.error ? { keysError: keys.error } : {}),
    ...(writers.length ? { logWriters: writers } : {}),
  };
  const withData = { ...base, data: data as unknown as Record<string, unknown> };
  switch (current.algorithm) {
    case 'none':
      return { ...withData, status: 'fail', message: `${name} has no default encryption: objects uploaded without encryption settings are stored unencrypted.` };
    case 'SSE-S3':
      return {
        ...withData,
        status: 'pass',
        message: `${name} encrypts new objects with SSE-S3 (keys held by S3). S3 applies this to every bucket since January 2023, so it may be AWS’s default rather than a choice.`,
      };
    case 'SSE-KMS':
      return {
        ...withData,
        status: 'pass',
        message:
          `${name} encrypts new objects with ${describeCurrent(current)}` +
          (current.bucketKey ? '.' : ': every object request calls KMS, which costs more than it needs to (a bucket key cuts those calls).'),
      };
    case 'DSSE-KMS':
      return { ...withData, status: 'pass', message: `${name} encrypts new objects with two layers (${describeCurrent(current)}).` };
    default:
      return { ...withData, status: 'manual', message: `${name} uses default encryption ${current.raw}, which this tool does not know: look at it in the S3 console.` };
  }
}

export function rowsOf(findings: Finding[]): BucketData[] {
  return findings.map((f) => f.data as unknown as BucketData | undefined).filter((d): d is BucketData => !!d?.bucket && !!d.current);
}

/** The check of the step: one finding per bucket (a pass when there is none). */
export async function checkEncryption(ctx: StepContext): Promise<Finding[]> {
  const list = await buckets(ctx);
  if (!list.length)
    return [{ status: 'pass', resource: `arn:${ctx.target.partition}:s3:::*`, region: 'global', message: 'No S3 buckets yet. New buckets get SSE-S3 from S3 from the start.' }];
  const regions = [...new Set(list.map((b) => b.region))].sort();
  // The policies (shared with the public-access and TLS steps) say which buckets receive logs from AWS services.
  const [reads, keyInfo, policies] = await Promise.all([
    perBucket(ctx, list, readConfig),
    mapLimit(regions, REGION_CONCURRENCY, async (r) => [r, await keysFor(ctx, r)] as const).then((pairs) => new Map(pairs)),
    bucketPolicies(ctx),
  ]);
  const writersOf = (b: Bucket) => {
    const p = policies.get(b.name);
    return p?.ok ? logWriters(p.value) : [];
  };
  return list.map((b, i) => bucketFinding(b, reads[i]!, keyInfo.get(b.region)!, writersOf(b))).filter((f): f is Finding => !!f);
}
