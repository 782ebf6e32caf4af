/**
 * data.s3-encryption, undo: each bucket's previous default encryption comes back (or the default
 * goes, where there was none) while the bucket still has the default the fix set. A key the fix
 * created is scheduled for deletion (30 days, cancellable) only while it is enabled and no bucket
 * but those the fix gave it uses it: a destructive step (default No), because objects written
 * with it cannot be read once it is gone. Its alias and rotation go back first.
 */
import { DescribeKeyCommand, GetKeyRotationStatusCommand, KMSClient, ListAliasesCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { GetBucketEncryptionCommand, S3Client } from '@aws-sdk/client-s3';
import type { ServerSideEncryptionConfiguration } from '@aws-sdk/client-s3';
import type { StepContext, UndoEntry, UndoVerdict } from '../../../src/engine/step-kit.js';
import { drifted, errorCode, nothingToUndo, recordedInverse, sameJson, undoWith } from '../../../src/engine/step-kit.js';
import type { PlanAction } from '../../../src/engine/step-kit.js';
import { checkEncryption, rowsOf } from './check.js';
import { classify, describeCurrent } from './choice.js';

/** A default encryption as a comparable value: algorithm, key as configured, bucket key. */
function normal(config: ServerSideEncryptionConfiguration | null | undefined): unknown {
  const c = classify(config ?? null);
  return { algorithm: c.algorithm, raw: c.raw ?? null, key: c.keyRef ?? null, bucketKey: c.bucketKey };
}

async function readDefault(ctx: StepContext, region: string, bucket: string): Promise<ServerSideEncryptionConfiguration | null | 'gone'> {
  try {
    return (await ctx.client(S3Client, region).send(new GetBucketEncryptionCommand({ Bucket: bucket }))).ServerSideEncryptionConfiguration ?? null;
  } catch (err) {
    if (errorCode(err) === 'ServerSideEncryptionConfigurationNotFoundError') return null;
    if (errorCode(err) === 'NoSuchBucket') return 'gone';
    throw err;
  }
}

async function undoBucket(ctx: StepContext, entry: UndoEntry): Promise<UndoVerdict> {
  const { Bucket: bucket, ServerSideEncryptionConfiguration: wrote } = entry.params as { Bucket: string; ServerSideEncryptionConfiguration: ServerSideEncryptionConfiguration };
  const now = await readDefault(ctx, entry.region, bucket);
  if (now === 'gone') return nothingToUndo(`Bucket ${bucket} no longer exists.`);
  const before = entry.inverse?.operation === 'PutBucketEncryption' ? (entry.inverse.params as { ServerSideEncryptionConfiguration?: ServerSideEncryptionConfiguration }).ServerSideEncryptionConfiguration : null;
  if (sameJson(normal(now), normal(before))) return nothingToUndo(`Bucket ${bucket} already has its default from before the fix (${describeCurrent(classify(before ?? null))}).`);
  if (!sameJson(normal(now), normal(wrote)))
    return drifted(`The default encryption of bucket ${bucket}`, { now: describeCurrent(classify(now)), wrote: describeCurrent(classify(wrote)) });
  return undoWith(recordedInverse(entry));
}

/** The key as KMS describes it now; undefined when it is gone or already pending deletion. */
async function keyState(ctx: StepContext, region: string, key: string): Promise<string | undefined> {
  try {
    const state = (await ctx.client(KMSClient, region).send(new DescribeKeyCommand({ KeyId: key }))).KeyMetadata?.KeyState;
    return state === 'PendingDeletion' ? undefined : state;
  } catch (err) {
    if ((err as { name?: string }).name === 'NotFoundException') return undefined;
    throw err;
  }
}

async function undoKey(ctx: StepContext, entry: UndoEntry): Promise<UndoVerdict> {
  const out = (entry.output ?? {}) as { KeyId?: string; KeyArn?: string; ForBuckets?: string[] };
  if (!out.KeyArn || !out.KeyId) return nothingToUndo('The journal does not name the key that was created, so there is nothing it can delete.');
  const state = await keyState(ctx, entry.region, out.KeyArn);
  if (!state) return nothingToUndo(`Key ${out.KeyArn} is already gone or pending deletion.`);
  if (state !== 'Enabled') return drifted(`Key ${out.KeyArn}`, { now: state, wrote: 'Enabled' });
  // Buckets that use it besides those the fix gave it: someone chose the key for them since.
  const mine = new Set(out.ForBuckets ?? []);
  const others = rowsOf(await checkEncryption(ctx))
    .filter((r) => r.current.keyArn === out.KeyArn && !mine.has(r.bucket))
    .map((r) => r.bucket);
  if (others.length)
    return { kind: 'drifted', reason: `Key ${out.KeyArn} is now also the default of ${others.join(', ')}, so undo keeps it rather than take it from them.` };
  // By key id: AWS takes the id or the ARN, moto only the id (an ARN answers HTTP 500).
  const params = { KeyId: out.KeyId, PendingWindowInDays: 30 };
  const region = entry.region;
  const action: PlanAction = {
    service: 'kms',
    operation: 'ScheduleKeyDeletion',
    region,
    params,
    summary: `Schedule the key made for S3 in ${region} for deletion in 30 days (objects written with it become unreadable once it is gone; CancelKeyDeletion stops it meanwhile)`,
    destructive: true,
    async run(c) {
      await c.client(KMSClient, region).send(new ScheduleKeyDeletionCommand(params));
    },
  };
  return undoWith(action);
}

async function undoAlias(ctx: StepContext, entry: UndoEntry): Promise<UndoVerdict> {
  const { AliasName: alias, TargetKeyId: key } = entry.params as { AliasName: string; TargetKeyId: string };
  const aliases = [];
  let marker: string | undefined;
  do {
    const page = await ctx.client(KMSClient, entry.region).send(new ListAliasesCommand({ ...(marker ? { Marker: marker } : {}) }));
    aliases.push(...(page.Aliases ?? []));
    marker = page.Truncated ? page.NextMarker : undefined;
  } while (marker);
  const now = aliases.find((a) => a.AliasName === alias);
  if (!now) return nothingToUndo(`The alias ${alias} no longer exists in ${entry.region}.`);
  if (now.TargetKeyId !== key) return drifted(`The alias ${alias}`, { now: `key ${now.TargetKeyId ?? 'none'}`, wrote: `key ${key}` });
  return undoWith(recordedInverse(entry));
}

async function undoRotation(ctx: StepContext, entry: UndoEntry): Promise<UndoVerdict> {
  const { KeyId: key } = entry.params as { KeyId: string };
  if (!(await keyState(ctx, entry.region, key))) return nothingToUndo(`Key ${key} is already gone or pending deletion.`);
  const out = await ctx.client(KMSClient, entry.region).send(new GetKeyRotationStatusCommand({ KeyId: key }));
  if (out.KeyRotationEnabled !== true) return nothingToUndo(`Rotation of key ${key} is already off.`);
  return undoWith(recordedInverse(entry));
}

/** The step's undo: by the operation the fix applied. */
export function undoEncryption(ctx: StepContext, entry: UndoEntry): Promise<UndoVerdict> {
  switch (entry.operation) {
    case 'PutBucketEncryption':
      return undoBucket(ctx, entry);
    case 'CreateKey':
      return undoKey(ctx, entry);
    case 'CreateAlias':
      return undoAlias(ctx, entry);
    case 'EnableKeyRotation':
      return undoRotation(ctx, entry);
    default:
      return Promise.resolve(nothingToUndo(`${entry.operation} is not a change this step makes.`));
  }
}
