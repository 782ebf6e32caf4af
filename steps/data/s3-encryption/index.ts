/**
 * data.s3-encryption: every bucket encrypts new objects at rest by default, with SSE-S3 or with a
 * KMS key and a bucket key. The person chooses the default once (SSE-S3, or SSE-KMS with a key they
 * pick or one the fix creates) and the buckets it goes to.
 *
 * Since January 2023 S3 applies SSE-S3 to every bucket by itself, and the API cannot tell that
 * default from a person's choice; the check has no inputs to compare with either. So a bucket
 * passes when it has any default encryption, and an SSE-S3 finding says that it may be AWS's
 * default. A bucket without one (emulators, and S3-compatible endpoints) fails. The lesson
 * explains the rule; the choice between SSE-S3 and SSE-KMS is made in the fix.
 */
import { CreateBucketCommand, DeleteBucketEncryptionCommand, S3Client } from '@aws-sdk/client-s3';
import type { BucketLocationConstraint } from '@aws-sdk/client-s3';
import type { Asker, Finding, Plan, Step, StepInputs } from '../../../src/engine/step-kit.js';
import { sandboxOnly } from '../../../src/engine/step-kit.js';
import { arnRegion } from '../_shared/kms.js';
import { fixtureBucket } from '../_shared/bucket-fixtures.js';
import { DEFAULT_INPUTS, NEW_KEY_ALIAS, describeCurrent, inputsSchema, pickedByAll, aliasOf, validKeyRef } from './choice.js';
import type { RegionChoice, S3EncryptionInputs } from './choice.js';
import meta from './meta.js';
import { checkEncryption, errName, isAwsS3Alias, rowsOf } from './check.js';
import { planEncryption, plural } from './plan.js';
import { undoEncryption } from './undo.js';

export type { S3EncryptionInputs } from './choice.js';
export { resolveCurrent } from './check.js';

const inputs: StepInputs<S3EncryptionInputs> = {
  schema: inputsSchema,
  requiredInAnswers: false,
  defaults: () => ({ ...DEFAULT_INPUTS }),

  async ask(asker: Asker, initial: S3EncryptionInputs, findings: Finding[]): Promise<S3EncryptionInputs> {
    const rows = rowsOf(findings);
    if (!rows.length) {
      asker.note('No bucket’s encryption could be read, so there is nothing to choose.');
      return initial;
    }
    const parsed = inputsSchema.safeParse(initial);
    const start = parsed.success ? parsed.data : { ...DEFAULT_INPUTS };
    const algorithm = await asker.select<'SSE-S3' | 'SSE-KMS'>({
      message: 'Which default encryption should new objects in your buckets get?',
      choices: [
        { value: 'SSE-S3', name: 'SSE-S3: S3 holds the keys (free)', description: 'Nothing to manage and no charge; S3 applies it to new buckets by itself.' },
        {
          value: 'SSE-KMS',
          name: 'SSE-KMS: a KMS key you control, with a bucket key (paid)',
          description: 'The key policy decides who may decrypt, and CloudTrail logs each use. $1/month per key, plus KMS requests that the bucket key keeps few.',
        },
      ],
      default: start.algorithm,
    });

    let kmsKeyId: string | undefined;
    let choiceIn: (region: string) => RegionChoice | undefined = () => ({ kind: 'sse-s3' });
    if (algorithm === 'SSE-KMS') {
      const keys = [...new Map(rows.flatMap((r) => r.keys).map((k) => [k.arn, k])).values()].sort((a, b) => a.region.localeCompare(b.region) || a.label.localeCompare(b.label));
      for (const e of new Set(rows.map((r) => r.keysError).filter(Boolean))) asker.note(`KMS keys could not be listed: ${e}`);
      const listed = new Set(keys.map((k) => k.arn));
      const wanted = start.kmsKeyId;
      const picked = await asker.select<string>({
        message: 'Which KMS key? (S3 uses a key only for buckets in its own region)',
        choices: [
          ...keys.map((k) => ({ value: k.arn, name: `${k.label} (${k.region})`, ...(k.description ? { description: k.description } : {}) })),
          { value: 'new', name: `Create a key for S3 (${NEW_KEY_ALIAS}, one in each region that needs it, $1/month each)` },
          { value: 'other', name: 'Another key: type its ARN or alias' },
        ],
        default: wanted ? (wanted === 'new' || listed.has(wanted) ? wanted : 'other') : (keys[0]?.arn ?? 'new'),
      });
      kmsKeyId =
        picked === 'other'
          ? (
              await asker.text({
                message: 'Key ARN, key id or alias name',
                ...(wanted && wanted !== 'new' && !listed.has(wanted) ? { default: wanted } : {}),
                validate: (v) => (v.trim() === 'new' ? 'to create a key, choose "Create a key for S3"' : validKeyRef(v)),
                required: true,
              })
            ).trim()
          : picked;
      const ref = kmsKeyId;
      choiceIn = (region) => {
        const here = keys.filter((k) => k.region === region);
        const refRegion = arnRegion(ref);
        if (refRegion && refRegion !== region) return undefined;
        if (isAwsS3Alias(ref)) return { kind: 'kms', label: 'the AWS managed key aws/s3', awsManaged: true };
        if (ref === 'new') {
          const mine = here.find((k) => k.aliases.includes(NEW_KEY_ALIAS));
          return mine ? { kind: 'kms', arn: mine.arn, label: NEW_KEY_ALIAS, awsManaged: false } : { kind: 'kms-new', alias: NEW_KEY_ALIAS };
        }
        const alias = aliasOf(ref);
        const known = here.find((k) => k.arn === ref || k.id === ref || ref.endsWith(`:key/${k.id}`) || (alias !== undefined && k.aliases.includes(alias)));
        return known ? { kind: 'kms', arn: known.arn, label: known.label, awsManaged: false } : { kind: 'kms', arn: ref, label: ref, awsManaged: false };
      };
    }

    const offered = rows.filter((r) => choiceIn(r.region));
    const left = rows.length - offered.length;
    if (left) asker.note(`${plural(left, 'bucket')} in other regions than the key ${left === 1 ? 'is' : 'are'} not offered: run the fix again with a key in their region.`);
    if (!offered.length) return { algorithm, ...(kmsKeyId ? { kmsKeyId } : {}), buckets: 'all' };
    const chosen = await asker.checkbox<string>({
      message: 'Which buckets should get this default? (ticked: the ones it would change)',
      choices: offered.map((r) => ({
        value: r.bucket,
        name: `${r.bucket} (${r.region}), now ${describeCurrent(r.current)}`,
        checked: start.buckets === 'all' ? pickedByAll(r.current, choiceIn(r.region)!) : start.buckets.includes(r.bucket),
      })),
      required: true,
    });
    return { algorithm, ...(kmsKeyId ? { kmsKeyId } : {}), buckets: chosen };
  },
};

const step: Step<S3EncryptionInputs> = {
  meta,
  inputs,
  check(ctx) {
    return checkEncryption(ctx);
  },

  plan(ctx, findings, given): Promise<Plan> {
    return planEncryption(ctx, findings, given);
  },

  undo: undoEncryption,

  /** day-one scenario: a bucket in the home region without default encryption (possible on emulators; S3 itself no longer allows it). */
  async seed(ctx) {
    sandboxOnly(ctx);
    const region = ctx.target.homeRegion;
    const s3 = ctx.client(S3Client, region);
    const bucket = fixtureBucket(ctx, 'day-one-no-default-encryption');
    try {
      await s3.send(new CreateBucketCommand({ Bucket: bucket, ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }) }));
    } catch (err) {
      if (errName(err) !== 'BucketAlreadyOwnedByYou') throw err;
    }
    await s3.send(new DeleteBucketEncryptionCommand({ Bucket: bucket }));
  },
};

export default step;
