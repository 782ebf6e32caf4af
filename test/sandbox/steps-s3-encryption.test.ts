import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, DisableKeyCommand, GetKeyPolicyCommand, GetKeyRotationStatusCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CreateBucketCommand,
  PutBucketPolicyCommand,
  DeleteBucketEncryptionCommand,
  GetBucketEncryptionCommand,
  PutBucketEncryptionCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { BucketLocationConstraint, ServerSideEncryptionConfiguration } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { iamActionFor } from '../../src/aws/actions.js';
import { UserError } from '../../src/engine/errors.js';
import type { RunContext } from '../../src/engine/context.js';
import { applyPlan, checkStep, planStep } from '../../src/engine/runner.js';
import type { JournalEntry } from '../../src/engine/runner.js';
import type { Plan } from '../../src/engine/types.js';
import step from '../../steps/data/s3-encryption/index.js';
import { resetMoto } from '../helpers/moto.js';
import { inSandbox, isReadRequest, makeSandboxContext, recordCheckAndPlan, runStepCases } from '../helpers/step-tester.js';
import { fixThenUndo } from '../helpers/undo.js';

const PUT = 's3:PutBucketEncryption';
const NEW_KEY = ['kms:CreateKey', 'kms:CreateAlias', 'kms:EnableKeyRotation'];
const entry = { meta: step.meta, load: async () => step };

const SSE_S3: ServerSideEncryptionConfiguration = { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] };
const kms = (key?: string, bucketKey = true): ServerSideEncryptionConfiguration => ({
  Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', ...(key ? { KMSMasterKeyID: key } : {}) }, BucketKeyEnabled: bucketKey }],
});

/**
 * StepTester compares each planned `service:Operation` with `meta.permissions.fix` literally, but
 * S3's API names are not IAM's: PutBucketEncryption is allowed by s3:PutEncryptionConfiguration,
 * which is what the step declares. The tester gets the API name as well; the test below proves the
 * declared IAM actions cover every planned call through iamActionFor.
 */
const tested = { ...step, meta: { ...step.meta, permissions: { ...step.meta.permissions, fix: [...step.meta.permissions.fix, PUT] } } };

async function bucket(ctx: RunContext, name: string, config?: ServerSideEncryptionConfiguration, region = 'us-east-1'): Promise<void> {
  const s3 = ctx.client(S3Client, region);
  await s3.send(new CreateBucketCommand({ Bucket: name, ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }) }));
  if (config) await s3.send(new PutBucketEncryptionCommand({ Bucket: name, ServerSideEncryptionConfiguration: config }));
}

async function key(ctx: RunContext, alias: string, region = 'us-east-1'): Promise<string> {
  const client = ctx.client(KMSClient, region);
  const m = (await client.send(new CreateKeyCommand({ Description: alias }))).KeyMetadata!;
  await client.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: m.KeyId! }));
  return m.Arn!;
}

async function encryption(ctx: RunContext, name: string, region = 'us-east-1'): Promise<ServerSideEncryptionConfiguration | null> {
  try {
    return (await ctx.client(S3Client, region).send(new GetBucketEncryptionCommand({ Bucket: name }))).ServerSideEncryptionConfiguration ?? null;
  } catch (err) {
    if ((err as { name?: string }).name === 'ServerSideEncryptionConfigurationNotFoundError') return null;
    throw err;
  }
}

/** A bucket without encryption, one on SSE-S3, one on another customer key, and the key `alias/app-data` to choose. */
async function mixed(ctx: RunContext): Promise<void> {
  await key(ctx, 'alias/app-data');
  const other = await key(ctx, 'alias/other-team');
  await bucket(ctx, 'enc-a-plain');
  await bucket(ctx, 'enc-b-sse-s3', SSE_S3);
  await bucket(ctx, 'enc-c-other-key', kms(other));
}

runStepCases(tested, [
  {
    name: 'no buckets: nothing to encrypt',
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', region: 'global', message: expect.stringContaining('No S3 buckets yet') }],
  },
  {
    name: 'the day-one seed: a bucket without default encryption gets SSE-S3 without any inputs',
    seed: (ctx) => step.seed!(ctx),
    expectStatus: 'fail',
    expectFindings: [
      {
        status: 'fail',
        resource: 'arn:aws:s3:::day-one-no-default-encryption',
        region: 'us-east-1',
        message: expect.stringContaining('has no default encryption'),
      },
    ],
    expectOperations: [PUT],
    expectFindingsAfter: [{ status: 'pass', message: expect.stringMatching(/SSE-S3 .*may be AWS’s default rather than a choice/) }],
  },
  {
    name: 'SSE-S3 on "all" changes only the bucket without encryption: never a bucket on a KMS key',
    seed: mixed,
    expectStatus: 'fail',
    expectFindings: [
      { status: 'fail', message: expect.stringContaining('enc-a-plain') },
      { status: 'pass', message: expect.stringContaining('SSE-S3') },
      { status: 'pass', message: expect.stringContaining('SSE-KMS with key alias/other-team, bucket key on') },
    ],
    expectOperations: [PUT],
  },
  {
    name: 'SSE-KMS with an existing key on "all": the plain and SSE-S3 buckets move to it, the other team’s key stays',
    seed: mixed,
    inputs: { algorithm: 'SSE-KMS', kmsKeyId: 'alias/app-data', buckets: 'all' },
    expectStatus: 'fail',
    expectOperations: [PUT, PUT],
    expectFindingsAfter: [
      { status: 'pass', message: expect.stringContaining('enc-a-plain (us-east-1) encrypts new objects with SSE-KMS with key alias/app-data, bucket key on') },
      { status: 'pass', message: expect.stringContaining('enc-b-sse-s3 (us-east-1) encrypts new objects with SSE-KMS with key alias/app-data, bucket key on') },
      { status: 'pass', message: expect.stringContaining('alias/other-team') },
    ],
  },
  {
    name: 'SSE-KMS with a new key: the key is created, named and set to rotate first, then used; a second plan creates nothing',
    seed: async (ctx) => {
      await step.seed!(ctx);
      await bucket(ctx, 'enc-d-sse-s3', SSE_S3);
    },
    inputs: { algorithm: 'SSE-KMS', kmsKeyId: 'new' },
    expectStatus: 'fail',
    expectOperations: [...NEW_KEY, PUT, PUT],
    expectFindingsAfter: [
      { status: 'pass', message: expect.stringContaining('SSE-KMS with key alias/secure-start-s3, bucket key on') },
      { status: 'pass', message: expect.stringContaining('SSE-KMS with key alias/secure-start-s3, bucket key on') },
    ],
  },
  {
    name: 'SSE-KMS with the AWS managed key aws/s3: no key named in the rule, recognised again on the re-check',
    seed: (ctx) => step.seed!(ctx),
    inputs: { algorithm: 'SSE-KMS', kmsKeyId: 'alias/aws/s3' },
    expectStatus: 'fail',
    expectOperations: [PUT],
    expectFindingsAfter: [{ status: 'pass', message: expect.stringContaining('SSE-KMS with the AWS managed key aws/s3, bucket key on') }],
  },
  {
    name: 'named buckets only: the one named changes, the other unencrypted bucket stays failing',
    seed: async (ctx) => {
      await bucket(ctx, 'enc-e-named');
      await bucket(ctx, 'enc-f-not-named');
    },
    inputs: { algorithm: 'SSE-S3', buckets: ['enc-e-named'] },
    expectStatus: 'fail',
    expectOperations: [PUT],
    expectAfter: 'fail',
    expectFindingsAfter: [{ status: 'pass' }, { status: 'fail', message: expect.stringContaining('enc-f-not-named') }],
  },
  {
    name: 'a key serves only its own region: the bucket in another region is left, with a warning',
    seed: async (ctx) => {
      await key(ctx, 'alias/app-data');
      await bucket(ctx, 'enc-g-eu', undefined, 'eu-west-1');
      await bucket(ctx, 'enc-h-us');
    },
    inputs: { algorithm: 'SSE-KMS', kmsKeyId: 'alias/app-data' },
    expectStatus: 'fail',
    expectFindings: [
      { status: 'fail', region: 'eu-west-1' },
      { status: 'fail', region: 'us-east-1' },
    ],
    expectOperations: [PUT],
    expectAfter: 'fail',
    expectFindingsAfter: [{ status: 'fail', region: 'eu-west-1' }, { status: 'pass' }],
  },
]);

async function fresh(seed?: (ctx: RunContext) => Promise<void>): Promise<RunContext> {
  await resetMoto();
  const ctx = makeSandboxContext();
  if (seed) {
    ctx.factory.readOnly = false;
    await seed(ctx);
    ctx.factory.readOnly = true;
    ctx.invalidate();
  }
  return ctx;
}

async function planFor(ctx: RunContext, inputs: unknown): Promise<Plan> {
  const checked = await checkStep(entry, ctx);
  return planStep(checked, ctx, inputs === undefined ? step.inputs!.defaults(checked.result.findings) : step.inputs!.schema.parse(inputs));
}

describe('data.s3-encryption: plans', () => {
  it('declares the IAM action of every call its plans make', async () => {
    const ctx = await fresh(async (c) => {
      await step.seed!(c);
    });
    try {
      const plan = await planFor(ctx, { algorithm: 'SSE-KMS', kmsKeyId: 'new' });
      expect(plan.actions.length).toBe(4);
      for (const a of plan.actions) expect(step.meta.permissions.fix).toContain(iamActionFor(a.service, a.operation));
    } finally {
      ctx.factory.destroy();
    }
  });

  it('a new key: the plan shows placeholders; the journal records the key that was created and used', async () => {
    const ctx = await fresh((c) => step.seed!(c));
    try {
      const plan = await planFor(ctx, { algorithm: 'SSE-KMS', kmsKeyId: 'new', buckets: ['day-one-no-default-encryption'] });
      const put = plan.actions[3]!;
      expect(JSON.stringify(put.params)).toContain('(the new key in us-east-1)');
      expect(plan.warnings?.join('\n')).toMatch(/creates 1 KMS key \(us-east-1\): \$1\/month/);
      const journal: JournalEntry[] = [];
      expect((await applyPlan(step.meta.id, plan, ctx, (e) => void journal.push(e))).ok).toBe(true);
      const created = journal[0]!.output!.KeyArn as string;
      expect(created).toMatch(/^arn:aws:kms:us-east-1:123456789012:key\//);
      expect(journal[0]!.inverse).toMatchObject({ operation: 'ScheduleKeyDeletion', params: { KeyId: created, PendingWindowInDays: 30 } });
      expect(journal[1]!.params).toEqual({ AliasName: 'alias/secure-start-s3', TargetKeyId: journal[0]!.output!.KeyId });
      expect(journal[2]!.params).toEqual({ KeyId: created });
      expect(JSON.stringify(journal[3]!.params)).toContain(created);
      expect((await encryption(ctx, 'day-one-no-default-encryption'))?.Rules?.[0]).toEqual(kms(created).Rules![0]);
      const rotation = await ctx.client(KMSClient).send(new GetKeyRotationStatusCommand({ KeyId: created }));
      expect(rotation.KeyRotationEnabled).toBe(true);
    } finally {
      ctx.factory.destroy();
    }
  });

  it('a named bucket on a KMS key can be moved to SSE-S3, with a warning that its old objects still need the key', async () => {
    const ctx = await fresh(async (c) => {
      await bucket(c, 'enc-i-kms', kms(await key(c, 'alias/app-data')));
      await bucket(c, 'enc-j-plain');
    });
    try {
      const plan = await planFor(ctx, { algorithm: 'SSE-S3', buckets: ['enc-i-kms'] });
      expect(plan.actions.map((a) => a.params.Bucket)).toEqual(['enc-i-kms']);
      expect(plan.warnings?.join('\n')).toContain('enc-i-kms moves away from SSE-KMS with key alias/app-data');
      expect(plan.actions[0]!.inverse).toMatchObject({ operation: 'PutBucketEncryption', params: { Bucket: 'enc-i-kms', ServerSideEncryptionConfiguration: expect.anything() } });
    } finally {
      ctx.factory.destroy();
    }
  });

  it('"all" with a KMS key turns on the bucket key of buckets already on that key', async () => {
    const ctx = await fresh(async (c) => {
      await bucket(c, 'enc-k-no-bucket-key', kms(await key(c, 'alias/app-data'), false));
      await bucket(c, 'enc-l-plain');
    });
    try {
      const plan = await planFor(ctx, { algorithm: 'SSE-KMS', kmsKeyId: 'alias/app-data' });
      expect(plan.actions.map((a) => a.params.Bucket)).toEqual(['enc-k-no-bucket-key', 'enc-l-plain']);
      expect(plan.warnings?.join('\n')).not.toContain('moves away');
    } finally {
      ctx.factory.destroy();
    }
  });

  it('refuses names that are not buckets of the account, and a key that cannot serve named buckets', async () => {
    const ctx = await fresh(async (c) => {
      await key(c, 'alias/app-data');
      await bucket(c, 'enc-m-eu', undefined, 'eu-west-1');
    });
    try {
      await expect(planFor(ctx, { algorithm: 'SSE-S3', buckets: ['no-such-bucket-here'] })).rejects.toThrow(/no readable bucket named no-such-bucket-here/);
      const err = await planFor(ctx, { algorithm: 'SSE-KMS', kmsKeyId: 'alias/app-data', buckets: ['enc-m-eu'] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).toMatch(/there is no key alias\/app-data in eu-west-1/);
      const arn = (await ctx.client(KMSClient).send(new DescribeKeyCommand({ KeyId: 'alias/app-data' }))).KeyMetadata!.Arn!;
      await expect(planFor(ctx, { algorithm: 'SSE-KMS', kmsKeyId: arn, buckets: ['enc-m-eu'] })).rejects.toThrow(/is in us-east-1, and S3 uses only keys in the bucket’s own region \(eu-west-1\)/);
    } finally {
      ctx.factory.destroy();
    }
  });

  it('an alias/aws/* key of another service is refused, and so is a disabled key', async () => {
    const ctx = await fresh(async (c) => {
      await bucket(c, 'enc-n-plain');
      await c.client(KMSClient).send(new DescribeKeyCommand({ KeyId: 'alias/aws/ebs' }));
      await c.client(KMSClient).send(new DisableKeyCommand({ KeyId: (await key(c, 'alias/switched-off')).split('/').pop()! }));
    });
    try {
      const plan = await planFor(ctx, { algorithm: 'SSE-KMS', kmsKeyId: 'alias/aws/ebs' });
      expect(plan.actions).toEqual([]);
      expect(plan.warnings?.join('\n')).toContain('1 bucket in us-east-1 is left as it is: alias/aws/ebs is the AWS managed key of another service');
      const off = await planFor(ctx, { algorithm: 'SSE-KMS', kmsKeyId: 'alias/switched-off' });
      expect(off.actions).toEqual([]);
      expect(off.warnings?.join('\n')).toContain('key alias/switched-off in us-east-1 is not an enabled symmetric customer managed key (Disabled)');
    } finally {
      ctx.factory.destroy();
    }
  });

  it('the inverse removes a default that was not there, and puts back one that was', async () => {
    const ctx = await fresh(async (c) => {
      await bucket(c, 'enc-o-plain');
      await bucket(c, 'enc-p-sse-s3', SSE_S3);
    });
    try {
      const plan = await planFor(ctx, { algorithm: 'SSE-KMS', kmsKeyId: 'alias/aws/s3' });
      const [plain, sseS3] = plan.actions;
      expect(plain!.inverse).toMatchObject({ operation: 'DeleteBucketEncryption', params: { Bucket: 'enc-o-plain' } });
      expect(sseS3!.inverse).toMatchObject({ operation: 'PutBucketEncryption', params: { Bucket: 'enc-p-sse-s3' } });
      expect((await applyPlan(step.meta.id, plan, ctx, () => undefined)).ok).toBe(true);
      ctx.factory.readOnly = false;
      await ctx.client(S3Client).send(new DeleteBucketEncryptionCommand(plain!.inverse!.params as { Bucket: string }));
      await ctx.client(S3Client).send(new PutBucketEncryptionCommand(sseS3!.inverse!.params as { Bucket: string; ServerSideEncryptionConfiguration: ServerSideEncryptionConfiguration }));
      ctx.factory.readOnly = true;
      expect(await encryption(ctx, 'enc-o-plain')).toBeNull();
      expect((await encryption(ctx, 'enc-p-sse-s3'))?.Rules?.[0]?.ApplyServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: 'AES256' });
    } finally {
      ctx.factory.destroy();
    }
  });
});

/** A bucket CloudTrail delivers to: the bucket policy lets cloudtrail.amazonaws.com put objects. */
async function trailBucket(ctx: RunContext, name: string): Promise<void> {
  await bucket(ctx, name);
  const Statement = [
    { Sid: 'AWSCloudTrailAclCheck', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:GetBucketAcl', Resource: `arn:aws:s3:::${name}` },
    { Sid: 'AWSCloudTrailWrite', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:PutObject', Resource: `arn:aws:s3:::${name}/AWSLogs/123456789012/*` },
  ];
  await ctx.client(S3Client).send(new PutBucketPolicyCommand({ Bucket: name, Policy: JSON.stringify({ Version: '2012-10-17', Statement }) }));
}

describe('data.s3-encryption: buckets that receive logs from AWS services', () => {
  it('with a new key, the key policy lets CloudTrail use it (this account only), and the plan says why', async () => {
    await inSandbox({}, async (ctx) => {
      ctx.factory.readOnly = false;
      await trailBucket(ctx, 'enc-trail-logs');
      await bucket(ctx, 'enc-plain');
      ctx.factory.readOnly = true;
      ctx.invalidate();
      const plan = await planStep(await checkStep(entry, ctx), ctx, { algorithm: 'SSE-KMS', kmsKeyId: 'new' });
      const create = plan.actions.find((a) => a.operation === 'CreateKey')!;
      const policy = JSON.parse(create.params.Policy as string) as { Statement: Array<Record<string, unknown>> };
      expect(policy.Statement).toEqual([
        expect.objectContaining({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'kms:*' }),
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: expect.arrayContaining(['kms:GenerateDataKey*', 'kms:DescribeKey']),
          Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
        }),
      ]);
      expect(plan.warnings!.join(' ')).toMatch(/enc-trail-logs receives logs from CloudTrail, which can write to an SSE-KMS bucket only when the key lets it/);
      expect(plan.actions.filter((a) => a.operation === 'PutBucketEncryption').map((a) => a.params.Bucket)).toEqual(['enc-plain', 'enc-trail-logs']);
      expect((await applyPlan(step.meta.id, plan, ctx, () => undefined)).ok).toBe(true);
      const keyId = (await ctx.client(KMSClient).send(new DescribeKeyCommand({ KeyId: 'alias/secure-start-s3' }))).KeyMetadata!.KeyId!;
      const stored = (await ctx.client(KMSClient).send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }))).Policy!;
      expect(stored).toContain('cloudtrail.amazonaws.com');
    });
  });

  it('with an existing key, a bucket CloudTrail writes to is left out with the reason; the other buckets move', async () => {
    await inSandbox({}, async (ctx) => {
      ctx.factory.readOnly = false;
      await key(ctx, 'alias/app-data');
      await trailBucket(ctx, 'enc-trail-logs');
      await bucket(ctx, 'enc-plain');
      ctx.factory.readOnly = true;
      ctx.invalidate();
      for (const kmsKeyId of ['alias/app-data', 'alias/aws/s3']) {
        const plan = await planStep(await checkStep(entry, ctx), ctx, { algorithm: 'SSE-KMS', kmsKeyId });
        expect(plan.actions.map((a) => a.params.Bucket)).toEqual(['enc-plain']);
        expect(plan.warnings!.join(' ')).toMatch(/Bucket enc-trail-logs \(us-east-1\) is left as it is: it receives logs from CloudTrail, which stops delivering once the bucket uses/);
      }
      // SSE-S3 needs no key permission: the log bucket is encrypted with the others.
      const sse = await planStep(await checkStep(entry, ctx), ctx, { algorithm: 'SSE-S3' });
      expect(sse.actions.map((a) => a.params.Bucket)).toEqual(['enc-plain', 'enc-trail-logs']);
    });
  });
});

describe('data.s3-encryption: reads', () => {
  it('check and plan send only reads: buckets and KMS keys listed once, one encryption read per bucket', async () => {
    const { checked, plan, sent, recorded } = await recordCheckAndPlan(step, {
      seed: async (ctx) => {
        await step.seed!(ctx);
        await mixed(ctx);
      },
      inputs: { algorithm: 'SSE-KMS', kmsKeyId: 'new' },
    });
    expect(checked.result.status).toBe('fail');
    expect(plan.actions.map((a) => a.operation)).toEqual(['CreateKey', 'CreateAlias', 'EnableKeyRotation', 'PutBucketEncryption', 'PutBucketEncryption', 'PutBucketEncryption']);
    expect(recorded.filter((r) => !isReadRequest(r))).toEqual([]);
    const count = (op: string) => sent.filter((s) => s === op).length;
    expect(count('S3:ListBuckets')).toBe(1);
    expect(count('S3:GetBucketEncryption')).toBe(4);
    expect(count('KMS:ListKeys')).toBe(1);
    expect(count('KMS:ListAliases')).toBe(1);
  });
});

describe('data.s3-encryption: undo', () => {
  const keyState = async (ctx: RunContext, id: string) => (await ctx.client(KMSClient).send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!.KeyState;

  it('puts each bucket back; the key it made is deleted only by the destructive action, which undo --yes leaves out', async () => {
    const seed = async (ctx: RunContext) => {
      await bucket(ctx, 'enc-u-plain');
      await bucket(ctx, 'enc-u-s3', SSE_S3);
    };
    await inSandbox({ seed }, async (ctx) => {
      const inputs = { algorithm: 'SSE-KMS', kmsKeyId: 'new', buckets: ['enc-u-plain', 'enc-u-s3'] };
      const run = await fixThenUndo(entry, ctx, inputs);
      expect(run.items.map((i) => `${i.entry.operation}:${i.kind}`)).toEqual([
        'PutBucketEncryption:undo',
        'PutBucketEncryption:undo',
        'EnableKeyRotation:undo',
        'CreateAlias:undo',
        'CreateKey:undo',
      ]);
      const deletion = run.items.at(-1)!;
      expect(deletion.kind === 'undo' && deletion.actions.map((a) => [a.operation, a.destructive])).toEqual([['ScheduleKeyDeletion', true]]);
      expect(await encryption(ctx, 'enc-u-plain')).toBeNull();
      expect(classifyRule(await encryption(ctx, 'enc-u-s3'))).toBe('AES256');
      expect(run.afterUndo).toEqual(run.before);
      // Left out as `undo --yes` would: the key stays, enabled, and its journal entry stays open.
      const keyId = (run.journal[0]!.output as { KeyId: string }).KeyId;
      expect(await keyState(ctx, keyId)).toBe('Enabled');
      expect(run.journal.some((e) => e.undoes === 0)).toBe(false);
    });
  });

  it('with the destructive action chosen, the key it made is scheduled for deletion', async () => {
    await inSandbox({ seed: (ctx) => bucket(ctx, 'enc-u-one') }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, { algorithm: 'SSE-KMS', kmsKeyId: 'new', buckets: 'all' }, { includeDestructive: true });
      const keyId = (run.journal[0]!.output as { KeyId: string }).KeyId;
      expect(await keyState(ctx, keyId)).toBe('PendingDeletion');
      expect(run.journal.at(-1)).toMatchObject({ operation: 'ScheduleKeyDeletion', undoes: 0 });
    });
  });

  it('refuses a bucket whose default someone changed after the fix, and a key another bucket now uses; both stay', async () => {
    await inSandbox({ seed: (ctx) => bucket(ctx, 'enc-u-edit') }, async (ctx) => {
      const between = async (c: RunContext) => {
        const keyArn = (await c.client(KMSClient).send(new DescribeKeyCommand({ KeyId: 'alias/secure-start-s3' }))).KeyMetadata!.Arn!;
        await c.client(S3Client).send(new PutBucketEncryptionCommand({ Bucket: 'enc-u-edit', ServerSideEncryptionConfiguration: kms(keyArn, false) }));
        await bucket(c, 'enc-u-later', kms(keyArn));
      };
      const run = await fixThenUndo(entry, ctx, { algorithm: 'SSE-KMS', kmsKeyId: 'new', buckets: 'all' }, { between, includeDestructive: true });
      const kinds = Object.fromEntries(run.items.map((i) => [i.entry.operation, i.kind]));
      expect(kinds).toMatchObject({ PutBucketEncryption: 'drifted', CreateKey: 'drifted' });
      const refusal = run.items.find((i) => i.entry.operation === 'CreateKey')!;
      expect(refusal.kind === 'drifted' && refusal.reason).toMatch(/is now also the default of enc-u-later, so undo keeps it/);
      expect((await encryption(ctx, 'enc-u-edit'))?.Rules?.[0]?.BucketKeyEnabled).toBe(false);
      const keyId = (run.journal[0]!.output as { KeyId: string }).KeyId;
      expect(await keyState(ctx, keyId)).toBe('Enabled');
    });
  });
});

function classifyRule(c: ServerSideEncryptionConfiguration | null): string | undefined {
  return c?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm;
}
