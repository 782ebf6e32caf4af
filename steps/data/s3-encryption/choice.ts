/**
 * The pure half of data.s3-encryption: what a bucket's default encryption is, what the person
 * chose, which buckets a choice applies to, and the inputs schema. No AWS calls here.
 */
import type { ServerSideEncryptionConfiguration } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { actionsCover, parsePolicy, principalsOf } from '../../../src/aws/policy.js';

export type Algorithm = 'none' | 'SSE-S3' | 'SSE-KMS' | 'DSSE-KMS' | 'other';

/** A bucket's default encryption as the check read it. */
export interface Current {
  algorithm: Algorithm;
  /** SSEAlgorithm as S3 reported it, for an algorithm this tool does not know. */
  raw?: string;
  /** KMSMasterKeyID as configured (key id, key ARN, alias name or alias ARN); absent with KMS: the AWS managed key aws/s3. */
  keyRef?: string;
  /** The key's ARN, when the reference could be resolved (or already is a key ARN). */
  keyArn?: string;
  /** How a person knows the key: its alias, else its id or the reference as configured. */
  keyLabel?: string;
  /** The key is the AWS managed key for S3 (no key named, or alias/aws/s3). */
  awsManagedKey?: boolean;
  bucketKey: boolean;
}

/** An existing key the person may pick: enabled, symmetric, customer managed, in the bucket's region. */
export interface KeyChoice {
  arn: string;
  id: string;
  region: string;
  label: string;
  aliases: string[];
  description?: string;
}

/** What each bucket finding carries for the plan and the questions. */
export interface BucketData {
  bucket: string;
  region: string;
  arn: string;
  current: Current;
  /** The configuration as read, for the undo: `null` when the bucket had none. */
  previous: ServerSideEncryptionConfiguration | null;
  /** Keys in the bucket's region the person could pick (shared between the buckets of a region). */
  keys: KeyChoice[];
  /** Why the region's keys could not be listed, if they could not. */
  keysError?: string;
  /** AWS services the bucket policy lets write logs into the bucket (`cloudtrail.amazonaws.com`…). */
  logWriters?: string[];
}

/** Services that deliver logs into S3 buckets, and what they are called in a sentence. */
export const LOG_SERVICES: Record<string, string> = {
  'cloudtrail.amazonaws.com': 'CloudTrail',
  'delivery.logs.amazonaws.com': 'VPC flow logs (log delivery)',
  'config.amazonaws.com': 'AWS Config',
  'logging.s3.amazonaws.com': 'S3 server access logging',
};

/**
 * The log-delivery services a bucket policy lets put objects in the bucket. With SSE-KMS such a
 * service can write only if the key's policy lets it use the key; S3 server access logging cannot
 * write to an SSE-KMS bucket at all.
 */
export function logWriters(policyText: string | null | undefined): string[] {
  if (!policyText) return [];
  const parsed = parsePolicy(policyText);
  if (!parsed.ok) return [];
  const found = new Set<string>();
  for (const st of parsed.statements) {
    if (st.Effect !== 'Allow' || !actionsCover(st.Action, 's3:PutObject')) continue;
    for (const p of principalsOf(st.Principal)) {
      const [type, name] = [p.slice(0, p.indexOf(':')), p.slice(p.indexOf(':') + 1)];
      if (type === 'Service' && name in LOG_SERVICES) found.add(name);
    }
  }
  return [...found].sort();
}

/** KMS actions the log-delivery services need on the key of an SSE-KMS bucket they write to. */
export const LOG_DELIVERY_KMS_ACTIONS = ['kms:GenerateDataKey*', 'kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:DescribeKey'];

/**
 * The key policy of a new key: the account's own administrators (KMS's default statement, without
 * which nobody could manage the key), and, when buckets that receive logs will use it, those
 * services, for this account's resources only.
 */
export function newKeyPolicy(partition: string, accountId: string, services: readonly string[]): string {
  const statements: Record<string, unknown>[] = [
    { Sid: 'EnableIAMPolicies', Effect: 'Allow', Principal: { AWS: `arn:${partition}:iam::${accountId}:root` }, Action: 'kms:*', Resource: '*' },
  ];
  if (services.length)
    statements.push({
      Sid: 'AllowLogDeliveryForThisAccount',
      Effect: 'Allow',
      Principal: { Service: services.length === 1 ? services[0] : [...services] },
      Action: LOG_DELIVERY_KMS_ACTIONS,
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
    });
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

export const describeWriters = (services: readonly string[]) => services.map((s) => LOG_SERVICES[s] ?? s).join(' and ');

/** The alias of the key this tool creates for S3 when asked for a new one (one per region). */
export const NEW_KEY_ALIAS = 'alias/secure-start-s3';
export const AWS_S3_KEY_ALIAS = 'alias/aws/s3';

/** SSEAlgorithm values of S3 default encryption. */
const ALGORITHMS: Record<string, Algorithm> = { AES256: 'SSE-S3', 'aws:kms': 'SSE-KMS', 'aws:kms:dsse': 'DSSE-KMS' };

/** Reads GetBucketEncryption's answer (the first rule is the default; S3 allows one). */
export function classify(config: ServerSideEncryptionConfiguration | null): Omit<Current, 'keyArn' | 'keyLabel' | 'awsManagedKey'> {
  const rule = config?.Rules?.[0];
  const sse = rule?.ApplyServerSideEncryptionByDefault;
  if (!sse?.SSEAlgorithm) return { algorithm: 'none', bucketKey: false };
  const algorithm = ALGORITHMS[sse.SSEAlgorithm] ?? 'other';
  return {
    algorithm,
    ...(algorithm === 'other' ? { raw: sse.SSEAlgorithm } : {}),
    ...(sse.KMSMasterKeyID ? { keyRef: sse.KMSMasterKeyID } : {}),
    bucketKey: rule?.BucketKeyEnabled === true,
  };
}

/** One phrase for a person: "SSE-S3", "SSE-KMS with alias/app (bucket key on)", "no default encryption". */
export function describeCurrent(c: Current): string {
  switch (c.algorithm) {
    case 'none':
      return 'no default encryption';
    case 'SSE-S3':
      return 'SSE-S3';
    case 'SSE-KMS':
      return `SSE-KMS with ${c.awsManagedKey ? 'the AWS managed key aws/s3' : `key ${c.keyLabel ?? c.keyRef}`}, bucket key ${c.bucketKey ? 'on' : 'off'}`;
    case 'DSSE-KMS':
      return `DSSE-KMS with ${c.awsManagedKey ? 'the AWS managed key aws/s3' : `key ${c.keyLabel ?? c.keyRef}`}`;
    default:
      return `${c.raw ?? 'an unknown algorithm'}`;
  }
}

/**
 * The default the person chose, as it applies in one region:
 * - `sse-s3`;
 * - `kms`: an existing key (`arn`), or the AWS managed key (`awsManaged`, no key named in the request);
 * - `kms-new`: a key this run will create, which no bucket uses yet.
 */
export type RegionChoice = { kind: 'sse-s3' } | { kind: 'kms'; arn?: string; label: string; awsManaged: boolean } | { kind: 'kms-new'; alias: string };

/** The bucket already uses the chosen existing key (whatever its bucket-key setting). */
export function sameKey(c: Current, choice: RegionChoice): boolean {
  if (choice.kind !== 'kms' || (c.algorithm !== 'SSE-KMS' && c.algorithm !== 'DSSE-KMS')) return false;
  return choice.awsManaged ? c.awsManagedKey === true : !!c.keyArn && c.keyArn === choice.arn;
}

/** The bucket already has exactly the chosen default: nothing to change. */
export function matches(c: Current, choice: RegionChoice): boolean {
  if (choice.kind === 'sse-s3') return c.algorithm === 'SSE-S3';
  if (choice.kind === 'kms-new') return false;
  return c.algorithm === 'SSE-KMS' && c.bucketKey && sameKey(c, choice);
}

/**
 * Whether `"buckets": "all"` changes this bucket. "All" never moves a bucket off a KMS key that
 * someone chose for it, nor downgrades one: buckets without default encryption always, buckets on
 * SSE-S3 when the choice is a KMS key, and buckets on the chosen key that lack a bucket key.
 * Only a bucket named in the answers (or ticked in the wizard) changes from one key to another.
 */
export function pickedByAll(c: Current, choice: RegionChoice): boolean {
  if (matches(c, choice)) return false;
  if (c.algorithm === 'none') return true;
  if (choice.kind === 'sse-s3') return false;
  if (c.algorithm === 'SSE-S3') return true;
  return c.algorithm === 'SSE-KMS' && sameKey(c, choice);
}

/** The rule S3 stores for a choice; the key ARN of a new key is known only once it exists. */
export function ruleFor(choice: RegionChoice, newKeyArn?: string): ServerSideEncryptionConfiguration {
  if (choice.kind === 'sse-s3') return { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] };
  const key = choice.kind === 'kms-new' ? newKeyArn : choice.arn;
  return {
    Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', ...(key ? { KMSMasterKeyID: key } : {}) }, BucketKeyEnabled: true }],
  };
}

/** A bucket on a KMS key of its own: "all" leaves it there, and moving it off needs a word of warning. */
export function usesKmsKey(c: Current): boolean {
  return c.algorithm === 'SSE-KMS' || c.algorithm === 'DSSE-KMS';
}

/** The alias name in a reference (`alias/x` or an alias ARN), if it names one. */
export function aliasOf(ref: string): string | undefined {
  return ref.startsWith('alias/') ? ref : /:(alias\/.+)$/.exec(ref)?.[1];
}

/** Key id, mrk- id, key or alias ARN, alias name, or "new". */
const KEY_REF = /^(new|alias\/[A-Za-z0-9/_-]+|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key\/[A-Za-z0-9-]+|alias\/[A-Za-z0-9/_-]+)|mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** KMS's limits: an alias name has at most 256 characters, any key reference at most 2048. */
const ALIAS_MAX = 256;
const KEY_REF_MAX = 2048;

export function validKeyRef(value: string): true | string {
  const v = value.trim();
  if (v.length > KEY_REF_MAX || (v.startsWith('alias/') && v.length > ALIAS_MAX)) return `too long for KMS: an alias name has at most ${ALIAS_MAX} characters, a key ARN at most ${KEY_REF_MAX}`;
  return KEY_REF.test(v) ? true : 'a key ARN, a key id, an alias name such as alias/my-key, or "new"';
}

/** Inputs of the fix (answers file `data.s3-encryption`). */
export interface S3EncryptionInputs {
  algorithm: 'SSE-S3' | 'SSE-KMS';
  /** SSE-KMS only: a key ARN, key id, alias name or alias ARN in the buckets' region, or "new" for a key this tool creates. */
  kmsKeyId?: string;
  /** "all": every bucket the choice applies to (see pickedByAll); or the names of the buckets to set. */
  buckets: 'all' | string[];
}

export const inputsSchema: z.ZodType<S3EncryptionInputs> = z
  .strictObject({
    algorithm: z.enum(['SSE-S3', 'SSE-KMS'], { message: 'SSE-S3 or SSE-KMS' }).default('SSE-S3'),
    kmsKeyId: z
      .string()
      .superRefine((v, ctx) => {
        const result = validKeyRef(v);
        if (result !== true) ctx.addIssue({ code: 'custom', message: result });
      })
      .optional(),
    buckets: z
      .union([z.literal('all'), z.array(z.string().regex(BUCKET_NAME, 'a bucket name')).min(1, 'name at least one bucket, or "all"')], {
        message: '"all" or a list of bucket names',
      })
      .default('all'),
  })
  .superRefine((v, ctx) => {
    if (v.algorithm === 'SSE-KMS' && !v.kmsKeyId)
      ctx.addIssue({ code: 'custom', path: ['kmsKeyId'], message: 'SSE-KMS needs a key: a key ARN, key id, alias name, or "new" for a key made for it' });
    if (v.algorithm === 'SSE-S3' && v.kmsKeyId) ctx.addIssue({ code: 'custom', path: ['kmsKeyId'], message: 'a key is only for SSE-KMS' });
  });

export const DEFAULT_INPUTS: S3EncryptionInputs = { algorithm: 'SSE-S3', buckets: 'all' };
