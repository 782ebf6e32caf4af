/** data.s3-encryption without AWS: reading a bucket's default, which buckets a choice changes, the inputs schema and the questions. */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/engine/types.js';
import { classify, describeCurrent, inputsSchema, matches, pickedByAll, ruleFor, validKeyRef } from '../../steps/data/s3-encryption/choice.js';
import type { BucketData, Current, KeyChoice, RegionChoice } from '../../steps/data/s3-encryption/choice.js';
import step from '../../steps/data/s3-encryption/index.js';
import { ScriptedAsker } from '../helpers/step-tester.js';

const spec = step.inputs!;

/** Also records which boxes start ticked. */
class TickAsker extends ScriptedAsker {
  readonly ticked: string[][] = [];
  override async checkbox<T extends string>(q: { message: string; choices: { value: T; name: string; checked?: boolean }[]; required?: boolean }): Promise<T[]> {
    this.ticked.push(q.choices.filter((c) => c.checked).map((c) => c.value));
    return super.checkbox(q);
  }
}
const US_KEY = 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555';
const US_OTHER = 'arn:aws:kms:us-east-1:123456789012:key/99999999-2222-3333-4444-555555555555';
const EU_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/aaaaaaaa-2222-3333-4444-555555555555';

const none: Current = { algorithm: 'none', bucketKey: false };
const sseS3: Current = { algorithm: 'SSE-S3', bucketKey: false };
const onKey = (arn: string, bucketKey = true): Current => ({ algorithm: 'SSE-KMS', keyRef: arn, keyArn: arn, keyLabel: 'alias/x', bucketKey });
const awsS3: Current = { algorithm: 'SSE-KMS', awsManagedKey: true, keyLabel: 'aws/s3', bucketKey: true };

const S3: RegionChoice = { kind: 'sse-s3' };
const KEY: RegionChoice = { kind: 'kms', arn: US_KEY, label: 'alias/app', awsManaged: false };
const AWS: RegionChoice = { kind: 'kms', label: 'aws/s3', awsManaged: true };
const NEW: RegionChoice = { kind: 'kms-new', alias: 'alias/secure-start-s3' };

describe('reading GetBucketEncryption', () => {
  it('knows none, SSE-S3, SSE-KMS (with or without a key named), DSSE-KMS and anything else', () => {
    expect(classify(null)).toEqual({ algorithm: 'none', bucketKey: false });
    expect(classify({ Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }] })).toEqual({ algorithm: 'SSE-S3', bucketKey: false });
    expect(classify({ Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: US_KEY }, BucketKeyEnabled: true }] })).toEqual({
      algorithm: 'SSE-KMS',
      keyRef: US_KEY,
      bucketKey: true,
    });
    expect(classify({ Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] })).toEqual({ algorithm: 'SSE-KMS', bucketKey: false });
    expect(classify({ Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms:dsse', KMSMasterKeyID: 'alias/x' } }] })).toMatchObject({ algorithm: 'DSSE-KMS' });
    expect(classify({ Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:future' as never } }] })).toMatchObject({ algorithm: 'other', raw: 'aws:future' });
  });

  it('describes a default in a few words', () => {
    expect(describeCurrent(none)).toBe('no default encryption');
    expect(describeCurrent(onKey(US_KEY, false))).toBe('SSE-KMS with key alias/x, bucket key off');
    expect(describeCurrent(awsS3)).toBe('SSE-KMS with the AWS managed key aws/s3, bucket key on');
  });
});

describe('which buckets a choice changes', () => {
  it('SSE-S3 on "all": only buckets without encryption; SSE-KMS buckets are never downgraded', () => {
    expect([none, sseS3, onKey(US_KEY), awsS3].map((c) => pickedByAll(c, S3))).toEqual([true, false, false, false]);
  });

  it('a chosen key on "all": no encryption, SSE-S3, and the same key without a bucket key; other keys stay', () => {
    expect([none, sseS3, onKey(US_KEY, false), onKey(US_KEY), onKey(US_OTHER), awsS3].map((c) => pickedByAll(c, KEY))).toEqual([true, true, true, false, false, false]);
    expect([none, sseS3, awsS3, { ...awsS3, bucketKey: false }].map((c) => pickedByAll(c, AWS))).toEqual([true, true, false, true]);
    expect([none, sseS3, onKey(US_KEY)].map((c) => pickedByAll(c, NEW))).toEqual([true, true, false]);
  });

  it('a bucket matches only the exact choice, bucket key included; nothing matches a key not made yet', () => {
    expect(matches(sseS3, S3)).toBe(true);
    expect(matches(onKey(US_KEY), KEY)).toBe(true);
    expect(matches(onKey(US_KEY, false), KEY)).toBe(false);
    expect(matches(onKey(US_OTHER), KEY)).toBe(false);
    expect(matches(awsS3, AWS)).toBe(true);
    expect(matches(onKey(US_KEY), NEW)).toBe(false);
  });

  it('writes the rule S3 stores: a bucket key with KMS, no key id for the AWS managed key', () => {
    expect(ruleFor(S3)).toEqual({ Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
    expect(ruleFor(KEY).Rules![0]).toEqual({ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: US_KEY }, BucketKeyEnabled: true });
    expect(ruleFor(AWS).Rules![0]).toEqual({ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' }, BucketKeyEnabled: true });
    expect(ruleFor(NEW, EU_KEY).Rules![0]!.ApplyServerSideEncryptionByDefault!.KMSMasterKeyID).toBe(EU_KEY);
  });
});

describe('the inputs schema (answers file data.s3-encryption)', () => {
  it('defaults to SSE-S3 on all buckets', () => {
    expect(inputsSchema.parse({})).toEqual({ algorithm: 'SSE-S3', buckets: 'all' });
    expect(spec.defaults([])).toEqual({ algorithm: 'SSE-S3', buckets: 'all' });
    expect(spec.requiredInAnswers).toBe(false);
  });

  it('takes a key ARN, key id, alias name or alias ARN, or "new", with SSE-KMS only', () => {
    for (const k of [US_KEY, '11111111-2222-3333-4444-555555555555', 'mrk-1234abcd12ab34cd56ef1234567890ab', 'alias/app-data', 'arn:aws:kms:eu-west-1:123456789012:alias/app', 'new'])
      expect(inputsSchema.safeParse({ algorithm: 'SSE-KMS', kmsKeyId: k }).success, k).toBe(true);
    expect(inputsSchema.safeParse({ algorithm: 'SSE-KMS' }).error?.issues[0]?.message).toMatch(/SSE-KMS needs a key/);
    expect(inputsSchema.safeParse({ algorithm: 'SSE-S3', kmsKeyId: 'new' }).error?.issues[0]?.message).toMatch(/only for SSE-KMS/);
    expect(inputsSchema.safeParse({ algorithm: 'SSE-KMS', kmsKeyId: 'my key' }).success).toBe(false);
    expect(validKeyRef('alias/aws/s3')).toBe(true);
  });

  it('takes "all" or bucket names, and nothing else', () => {
    expect(inputsSchema.safeParse({ buckets: ['logs.example.com', 'app-data'] }).success).toBe(true);
    expect(inputsSchema.safeParse({ buckets: [] }).success).toBe(false);
    expect(inputsSchema.safeParse({ buckets: 'some' }).success).toBe(false);
    expect(inputsSchema.safeParse({ buckets: ['Not_A_Bucket'] }).success).toBe(false);
    expect(inputsSchema.safeParse({ algorithm: 'SSE-C' }).success).toBe(false);
    expect(inputsSchema.safeParse({ extra: 1 }).success).toBe(false);
  });
});

describe('the questions', () => {
  const key = (arn: string, label: string, aliases: string[] = [label]): KeyChoice => ({ arn, id: arn.split('/').pop()!, region: arn.split(':')[3]!, label, aliases });
  const usKeys = [key(US_KEY, 'alias/app-data')];
  const euKeys = [key(EU_KEY, 'alias/eu-data')];
  const row = (bucket: string, region: string, current: Current, keys: KeyChoice[]): Finding => {
    const data: BucketData = { bucket, region, arn: `arn:aws:s3:::${bucket}`, current, previous: null, keys };
    return { status: current.algorithm === 'none' ? 'fail' : 'pass', resource: data.arn, region, message: '…', data: data as unknown as Record<string, unknown> };
  };
  const findings = [
    row('eu-plain', 'eu-west-1', none, euKeys),
    row('us-plain', 'us-east-1', none, usKeys),
    row('us-sse-s3', 'us-east-1', sseS3, usKeys),
    row('us-other-key', 'us-east-1', onKey(US_OTHER), usKeys),
  ];

  it('SSE-S3: every bucket offered, those without encryption ticked', async () => {
    const asker = new TickAsker([{ select: 'SSE-S3' }, { checkbox: ['eu-plain', 'us-plain'] }]);
    expect(await spec.ask(asker, { algorithm: 'SSE-S3', buckets: 'all' }, findings)).toEqual({ algorithm: 'SSE-S3', buckets: ['eu-plain', 'us-plain'] });
    expect(asker.remaining).toBe(0);
    expect(asker.ticked).toEqual([['eu-plain', 'us-plain']]);
    expect(asker.asked[1]!.choices).toEqual([
      'eu-plain (eu-west-1), now no default encryption',
      'us-plain (us-east-1), now no default encryption',
      'us-sse-s3 (us-east-1), now SSE-S3',
      'us-other-key (us-east-1), now SSE-KMS with key alias/x, bucket key on',
    ]);
  });

  it('SSE-KMS with an existing key: its region’s buckets only, the plain and SSE-S3 ones ticked', async () => {
    const asker = new TickAsker([{ select: 'SSE-KMS' }, { select: US_KEY }, { checkbox: ['us-plain', 'us-sse-s3'] }]);
    const answer = await spec.ask(asker, { algorithm: 'SSE-S3', buckets: 'all' }, findings);
    expect(answer).toEqual({ algorithm: 'SSE-KMS', kmsKeyId: US_KEY, buckets: ['us-plain', 'us-sse-s3'] });
    expect(asker.ticked).toEqual([['us-plain', 'us-sse-s3']]);
    expect(asker.asked[1]!.choices).toEqual([
      'alias/eu-data (eu-west-1)',
      'alias/app-data (us-east-1)',
      'Create a key for S3 (alias/secure-start-s3, one in each region that needs it, $1/month each)',
      'Another key: type its ARN or alias',
    ]);
    expect(asker.notes.join('\n')).toContain('1 bucket in other regions than the key is not offered');
    expect(asker.asked[2]!.choices).toEqual(['us-plain (us-east-1), now no default encryption', 'us-sse-s3 (us-east-1), now SSE-S3', 'us-other-key (us-east-1), now SSE-KMS with key alias/x, bucket key on']);
  });

  it('a new key: every region offered; a typed key is validated', async () => {
    const asker = new ScriptedAsker([{ select: 'SSE-KMS' }, { select: 'new' }, { checkbox: ['eu-plain', 'us-plain', 'us-sse-s3'] }]);
    expect(await spec.ask(asker, { algorithm: 'SSE-S3', buckets: 'all' }, findings)).toEqual({ algorithm: 'SSE-KMS', kmsKeyId: 'new', buckets: ['eu-plain', 'us-plain', 'us-sse-s3'] });

    const typed = new ScriptedAsker([{ select: 'SSE-KMS' }, { select: 'other' }, { text: 'not a key' }, { text: 'new' }, { text: 'alias/app-data' }, { checkbox: ['us-plain'] }]);
    expect(await spec.ask(typed, { algorithm: 'SSE-S3', buckets: 'all' }, findings)).toEqual({ algorithm: 'SSE-KMS', kmsKeyId: 'alias/app-data', buckets: ['us-plain'] });
    expect(typed.asked[2]!.rejected.map((r) => r.message)).toEqual(['a key ARN, a key id, an alias name such as alias/my-key, or "new"', 'to create a key, choose "Create a key for S3"']);
  });

  it('starts from an answers file: its algorithm, key and named buckets are the defaults', async () => {
    const asker = new TickAsker([{ select: null }, { select: null }, { checkbox: ['us-other-key'] }]);
    const answer = await spec.ask(asker, { algorithm: 'SSE-KMS', kmsKeyId: US_KEY, buckets: ['us-other-key'] }, findings);
    expect(answer).toEqual({ algorithm: 'SSE-KMS', kmsKeyId: US_KEY, buckets: ['us-other-key'] });
    expect(asker.asked[0]!.default).toBe('SSE-KMS');
    expect(asker.asked[1]!.default).toBe(US_KEY);
    expect(asker.ticked).toEqual([['us-other-key']]);
  });
});
