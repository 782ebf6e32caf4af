import {
  CreateKeyCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyRotationCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  ReplicateKeyCommand,
} from '@aws-sdk/client-kms';
import type { CreateKeyRequest } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context.js';
import { applyPlan, checkStep, planStep } from '../../src/engine/runner.js';
import step from '../../steps/data/kms-rotation/index.js';
import { inSandbox, isReadRequest, recordCheckAndPlan, runStepCases } from '../helpers/step-tester.js';
import { fixThenUndo } from '../helpers/undo.js';

const ENABLE = 'kms:EnableKeyRotation';
const entry = { meta: step.meta, load: async () => step };
const EU_FIRST = ['eu-west-1', 'us-east-1'];
/** The keys a case's seed made, for its own assertions after the fix. */
const keys = { eu: '', us: '' };

async function createKey(ctx: RunContext, req: CreateKeyRequest = {}, region?: string): Promise<string> {
  return (await ctx.client(KMSClient, region).send(new CreateKeyCommand(req))).KeyMetadata!.KeyId!;
}

/** moto creates the AWS managed key for S3 on first use and calls it a customer key, with rotation off. */
async function touchAwsS3Key(ctx: RunContext): Promise<string> {
  const m = (await ctx.client(KMSClient).send(new DescribeKeyCommand({ KeyId: 'alias/aws/s3' }))).KeyMetadata!;
  expect(m.KeyManager, 'moto still reports alias/aws/s3 as a customer key').toBe('CUSTOMER');
  return m.KeyId!;
}

async function rotating(ctx: RunContext, keyId: string, region?: string): Promise<boolean> {
  return (await ctx.client(KMSClient, region).send(new GetKeyRotationStatusCommand({ KeyId: keyId }))).KeyRotationEnabled === true;
}

runStepCases(step, [
  {
    name: 'no keys at all: nothing to rotate',
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', region: 'us-east-1', message: expect.stringContaining('No customer managed symmetric keys in us-east-1') }],
  },
  {
    name: 'the day-one seed: the application key fails and is rotated; alias/aws/s3 is left alone',
    seed: (ctx) => step.seed!(ctx),
    expectStatus: 'fail',
    expectFindings: [
      { status: 'fail', region: 'us-east-1', resource: expect.stringMatching(/^arn:aws:kms:us-east-1:123456789012:key\//), message: expect.stringContaining('alias/day-one-app-data') },
    ],
    expectOperations: [ENABLE],
    expectFindingsAfter: [{ status: 'pass', message: expect.stringMatching(/alias\/day-one-app-data .* rotates its key material automatically/) }],
  },
  {
    name: 'an AWS managed key that moto reports as CUSTOMER without rotation is neither reported nor touched',
    seed: async (ctx) => {
      await touchAwsS3Key(ctx);
    },
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', message: expect.stringContaining('The 1 AWS managed key there is rotated by AWS') }],
  },
  {
    name: 'a key that already rotates passes',
    seed: async (ctx) => {
      const id = await createKey(ctx);
      await ctx.client(KMSClient).send(new EnableKeyRotationCommand({ KeyId: id }));
    },
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', message: expect.stringContaining('rotates its key material automatically') }],
  },
  {
    name: 'keys that cannot rotate automatically are not reported: disabled, asymmetric, HMAC, imported material',
    seed: async (ctx) => {
      const disabled = await createKey(ctx, { Description: 'disabled' });
      await ctx.client(KMSClient).send(new DisableKeyCommand({ KeyId: disabled }));
      await createKey(ctx, { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
      await createKey(ctx, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
      await createKey(ctx, { Origin: 'EXTERNAL' });
    },
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', message: expect.stringContaining('nothing to rotate') }],
  },
  {
    name: 'two keys without rotation and one with: one action per failing key',
    seed: async (ctx) => {
      await createKey(ctx);
      await createKey(ctx);
      const ok = await createKey(ctx);
      await ctx.client(KMSClient).send(new EnableKeyRotationCommand({ KeyId: ok }));
      await touchAwsS3Key(ctx);
    },
    expectStatus: 'fail',
    expectOperations: [ENABLE, ENABLE],
  },
  {
    name: 'works in every region of the run, each key fixed in its own region',
    regions: EU_FIRST,
    seed: async (ctx) => {
      keys.eu = await createKey(ctx, {}, 'eu-west-1');
      keys.us = await createKey(ctx, {}, 'us-east-1');
    },
    expectStatus: 'fail',
    expectFindings: [
      { status: 'fail', region: 'eu-west-1' },
      { status: 'fail', region: 'us-east-1' },
    ],
    expectOperations: [`${ENABLE}@eu-west-1`, `${ENABLE}@us-east-1`],
    expectApplied: async (ctx) => {
      expect(await rotating(ctx, keys.eu, 'eu-west-1')).toBe(true);
      expect(await rotating(ctx, keys.us, 'us-east-1')).toBe(true);
    },
  },
]);

describe('data.kms-rotation: beyond the table', () => {
  it('never enables rotation on alias/aws/s3, even in a fix of the same region', async () => {
    await inSandbox({}, async (ctx) => {
      ctx.factory.readOnly = false;
      await step.seed!(ctx);
      const awsKey = await touchAwsS3Key(ctx);
      ctx.factory.readOnly = true;
      const checked = await checkStep(entry, ctx);
      expect(checked.result.findings.map((f) => f.resource).join(' ')).not.toContain(awsKey);
      const plan = await planStep(checked, ctx, undefined);
      expect(JSON.stringify(plan.actions.map((a) => a.params))).not.toContain(awsKey);
      const applied = await applyPlan(step.meta.id, plan, ctx, () => undefined);
      expect(applied.ok).toBe(true);
      expect(await rotating(ctx, awsKey)).toBe(false);
    });
  });

  // Not a table case: on moto the replica keeps its own rotation status, so a second plan is never empty.
  it('a multi-Region key and its replica: one action, on the primary in its own region (moto does not share the status with the replica)', async () => {
    let id = '';
    const seed = async (ctx: RunContext) => {
      id = await createKey(ctx, { MultiRegion: true }, 'us-east-1');
      await ctx.client(KMSClient).send(new ReplicateKeyCommand({ KeyId: id, ReplicaRegion: 'eu-west-1' }));
    };
    await inSandbox({ regions: EU_FIRST, seed }, async (ctx) => {
      const checked = await checkStep(entry, ctx);
      expect(checked.result.findings.map((f) => [f.status, f.region])).toEqual([
        ['fail', 'eu-west-1'],
        ['fail', 'us-east-1'],
      ]);
      expect(checked.result.findings[0]!.message).toContain('multi-Region replica: rotation is set on its primary in us-east-1');
      const plan = await planStep(checked, ctx, undefined);
      expect(plan.actions.map((a) => [a.region, a.params.KeyId])).toEqual([['us-east-1', `arn:aws:kms:us-east-1:123456789012:key/${id}`]]);
      expect((await applyPlan(step.meta.id, plan, ctx, () => undefined)).ok).toBe(true);
      expect(await rotating(ctx, id, 'us-east-1')).toBe(true);
      // AWS reports the primary's setting for its replicas; moto keeps a separate, unchanged one.
      expect(await rotating(ctx, id, 'eu-west-1')).toBe(false);
    });
  });

  it('the inverse turns rotation off again', async () => {
    await inSandbox({}, async (ctx) => {
      ctx.factory.readOnly = false;
      const id = await createKey(ctx);
      ctx.factory.readOnly = true;
      const plan = await planStep(await checkStep(entry, ctx), ctx, undefined);
      const [action] = plan.actions;
      expect(action!.inverse).toMatchObject({ service: 'kms', operation: 'DisableKeyRotation', region: 'us-east-1' });
      expect(action!.inverse!.params.KeyId).toMatch(new RegExp(`:key/${id}$`));
      ctx.factory.readOnly = false;
      await action!.run(ctx);
      expect(await rotating(ctx, id)).toBe(true);
      await ctx.client(KMSClient).send(new DisableKeyRotationCommand(action!.inverse!.params as { KeyId: string }));
      expect(await rotating(ctx, id)).toBe(false);
    });
  });

  it('check and plan send only reads, and skip DescribeKey for keys with an alias/aws/* name', async () => {
    const { checked, plan, sent, recorded } = await recordCheckAndPlan(step, {
      seed: async (ctx) => {
        await step.seed!(ctx);
      },
    });
    expect(checked.result.status).toBe('fail');
    expect(plan.actions).toHaveLength(1);
    expect(recorded.filter((r) => !isReadRequest(r))).toEqual([]);
    expect(sent.filter((s) => s === 'KMS:DescribeKey')).toHaveLength(1);
    expect(sent.filter((s) => s === 'KMS:GetKeyRotationStatus')).toHaveLength(1);
  });
});

describe('data.kms-rotation: undo', () => {
  it('turns rotation off again on the key the fix rotated, and the check fails as before', async () => {
    await inSandbox({ seed: async (ctx) => void (keys.us = await createKey(ctx)) }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, undefined);
      expect(run.items.map((i) => i.kind)).toEqual(['undo']);
      expect(await rotating(ctx, keys.us)).toBe(false);
      expect(run.afterUndo).toEqual(run.before);
    });
  });

  // The drift case (a rotation period set after the fix) is in test/unit/step-kms-rotation-undo.test.ts: moto keeps no period.

  it('has nothing to undo when someone turned rotation off already', async () => {
    await inSandbox({ seed: async (ctx) => void (keys.us = await createKey(ctx)) }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, undefined, {
        between: (c) => c.client(KMSClient).send(new DisableKeyRotationCommand({ KeyId: keys.us })).then(() => undefined),
      });
      expect(run.items.map((i) => i.kind)).toEqual(['nothing']);
    });
  });
});
