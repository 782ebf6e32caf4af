import {
  CreateImageCommand,
  CreateSnapshotCommand,
  DescribeImagesCommand,
  DescribeSnapshotAttributeCommand,
  EC2Client,
  ModifyImageAttributeCommand,
  ModifySnapshotAttributeCommand,
} from '@aws-sdk/client-ec2';
import { CreateDBInstanceCommand, CreateDBSnapshotCommand, DeleteDBSnapshotCommand, DescribeDBSnapshotAttributesCommand, ModifyDBSnapshotAttributeCommand, RDSClient } from '@aws-sdk/client-rds';
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context.js';
import { applyPlan, checkStep, planStep } from '../../src/engine/runner.js';
import type { JournalEntry } from '../../src/engine/runner.js';
import step from '../../steps/resources/public-sharing/index.js';
import { DAY_ONE_SNAPSHOT, ensureDayOneVolume, seedDayOneInstance, seedPublicSnapshot } from '../../steps/resources/_shared/compute-fixtures.js';
import { resetMoto } from '../helpers/moto.js';
import type { SentRequest } from '../helpers/permissions.js';
import { uncovered } from '../helpers/permissions.js';
import { checkedWith, inSandbox, makeSandboxContext, recordCheckAndPlan, runStepCases, SANDBOX_ACCOUNT_ID } from '../helpers/step-tester.js';
import { fixThenUndo } from '../helpers/undo.js';

const entry = { meta: step.meta, load: async () => step };
const DB_SNAPSHOT = 'orders-db-export';

const passes = (region: string) => [
  { status: 'pass' as const, region, resource: `arn:aws:ec2:${region}:123456789012:snapshot/*`, message: `No EBS snapshot of this account in ${region} is public.` },
  { status: 'pass' as const, region, resource: `arn:aws:ec2:${region}:123456789012:image/*`, message: `No AMI of this account in ${region} is public.` },
  { status: 'pass' as const, region, resource: `arn:aws:rds:${region}:123456789012:snapshot:*`, message: `No RDS snapshot of this account in ${region} is public.` },
];
/** moto answers both Block Public Access reads with HTTP 500 (not implemented). */
const NO_BLOCKS = (region: string) => [
  { status: 'unsupported' as const, region, resource: `arn:aws:ec2:${region}:123456789012:snapshot-block-public-access`, message: expect.stringMatching(/does not implement this API/) },
  { status: 'unsupported' as const, region, resource: `arn:aws:ec2:${region}:123456789012:image-block-public-access`, message: expect.stringMatching(/does not implement this API/) },
];

async function publicDbSnapshot(ctx: RunContext, region = 'us-east-1'): Promise<void> {
  const rds = ctx.client(RDSClient, region);
  await rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: 'orders-db',
      DBInstanceClass: 'db.t3.micro',
      Engine: 'postgres',
      MasterUsername: 'orders',
      MasterUserPassword: 'not-a-real-secret-1',
      AllocatedStorage: 20,
    }),
  );
  await rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'orders-db', DBSnapshotIdentifier: DB_SNAPSHOT }));
  await rds.send(new ModifyDBSnapshotAttributeCommand({ DBSnapshotIdentifier: DB_SNAPSHOT, AttributeName: 'restore', ValuesToAdd: ['all'] }));
}

async function restoreValues(ctx: RunContext, region = 'us-east-1'): Promise<string[]> {
  const out = await ctx.client(RDSClient, region).send(new DescribeDBSnapshotAttributesCommand({ DBSnapshotIdentifier: DB_SNAPSHOT }));
  return out.DBSnapshotAttributesResult?.DBSnapshotAttributes?.find((a) => a.AttributeName === 'restore')?.AttributeValues ?? [];
}

runStepCases(step, [
  {
    name: 'a fresh account: nothing is public; the emulator lacks both Block Public Access reads, so those are unsupported',
    expectStatus: 'unsupported',
    expectFindings: [...passes('us-east-1'), ...NO_BLOCKS('us-east-1')],
  },
  {
    name: 'a public RDS snapshot named in the answers file is made private',
    seed: (ctx) => publicDbSnapshot(ctx),
    inputs: { unshare: [DB_SNAPSHOT] },
    expectStatus: 'fail',
    expectFindings: [
      passes('us-east-1')[0]!,
      passes('us-east-1')[1]!,
      { status: 'fail', region: 'us-east-1', resource: DB_SNAPSHOT, message: `RDS snapshot ${DB_SNAPSHOT} in us-east-1 is public: any AWS account can restore it and read every byte on it.` },
      ...NO_BLOCKS('us-east-1'),
    ],
    expectOperations: ['rds:ModifyDBSnapshotAttribute'],
    expectAfter: 'unsupported',
    expectFindingsAfter: [...passes('us-east-1'), ...NO_BLOCKS('us-east-1')],
  },
  {
    name: 'snapshots shared with one named account, and private ones, are not public',
    seed: async (ctx) => {
      const ec2 = ctx.client(EC2Client);
      const volumeId = await ensureDayOneVolume(ctx);
      const shared = (await ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId }))).SnapshotId!;
      await ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId }));
      await ec2.send(new ModifySnapshotAttributeCommand({ SnapshotId: shared, Attribute: 'createVolumePermission', OperationType: 'add', UserIds: ['111122223333'] }));
    },
    expectStatus: 'unsupported',
    expectFindings: [...passes('us-east-1'), ...NO_BLOCKS('us-east-1')],
  },
  {
    name: 'two regions: the public RDS snapshot in eu-west-1 is changed there; us-east-1 has nothing public',
    regions: ['us-east-1', 'eu-west-1'],
    seed: (ctx) => publicDbSnapshot(ctx, 'eu-west-1'),
    inputs: { unshare: [DB_SNAPSHOT] },
    expectStatus: 'fail',
    expectFindings: [
      ...passes('us-east-1'),
      ...NO_BLOCKS('us-east-1'),
      passes('eu-west-1')[0]!,
      passes('eu-west-1')[1]!,
      { status: 'fail', region: 'eu-west-1', resource: DB_SNAPSHOT },
      ...NO_BLOCKS('eu-west-1'),
    ],
    expectOperations: ['rds:ModifyDBSnapshotAttribute'],
    expectAfter: 'unsupported',
  },
]);

describe('resources.public-sharing: beyond the table', () => {
  it('the day-one snapshot is public; unnamed, the plan leaves it and says how to name it', async () => {
    const { ctx, checked } = await checkedWith(step, (c) => seedPublicSnapshot(c).then(() => undefined));
    try {
      const failing = checked.result.findings.filter((f) => f.status === 'fail');
      expect(failing).toEqual([
        expect.objectContaining({ region: 'us-east-1', resource: expect.stringMatching(new RegExp(`^snap-\\w+ \\(${DAY_ONE_SNAPSHOT}\\)$`)), message: expect.stringContaining('is public: any AWS account can restore it') }),
      ]);
      const plan = await planStep(checked, ctx, undefined);
      expect(plan.actions).toEqual([]);
      // Nothing to apply: the wizard reads the guidance, fix --yes prints the warnings; both say how to name it.
      expect(plan.warnings).toEqual([expect.stringMatching(/stays shared with everyone: .*"unshare": \["snap-\w+"\], "apply": true/)]);
      expect(plan.guidance).toMatch(/^Nothing changes until you name the public snapshots and images to make private/);
      // The two Block Public Access reads moto lacks are told apart by name.
      expect(checked.result.findings.filter((f) => f.status === 'unsupported').map((f) => f.message)).toEqual([
        expect.stringMatching(/^EBS snapshot Block Public Access in us-east-1 could not be checked here\./),
        expect.stringMatching(/^AMI Block Public Access in us-east-1 could not be checked here\./),
      ]);
    } finally {
      ctx.factory.destroy();
    }
  });

  it('a named public EBS snapshot and AMI are made private, confirmed per resource, journalled with their undo, and within the fix policy', async () => {
    let snapshotId = '';
    let imageId = '';
    const { ctx, checked } = await checkedWith(step, async (c) => {
      snapshotId = await seedPublicSnapshot(c);
      const ec2 = c.client(EC2Client);
      imageId = (await ec2.send(new CreateImageCommand({ InstanceId: await seedDayOneInstance(c), Name: 'day-one-golden-image' }))).ImageId!;
      await ec2.send(new ModifyImageAttributeCommand({ ImageId: imageId, LaunchPermission: { Add: [{ Group: 'all' }] } }));
    });
    const sent: SentRequest[] = [];
    try {
      expect(checked.result.findings.filter((f) => f.status === 'fail').map((f) => f.resource)).toEqual([`${snapshotId} (${DAY_ONE_SNAPSHOT})`, `${imageId} (day-one-golden-image)`]);
      const plan = await planStep(checked, ctx, { unshare: [snapshotId, imageId] });
      expect(plan.actions.map((a) => [a.operation, a.params, a.destructive])).toEqual([
        ['ModifySnapshotAttribute', { SnapshotId: snapshotId, Attribute: 'createVolumePermission', OperationType: 'remove', GroupNames: ['all'] }, true],
        ['ModifyImageAttribute', { ImageId: imageId, LaunchPermission: { Remove: [{ Group: 'all' }] } }, true],
      ]);
      const journal: JournalEntry[] = [];
      const fixCtx = makeSandboxContext({ onRequest: (service, operation, input) => void sent.push({ service, operation, input }) });
      fixCtx.factory.readOnly = false;
      try {
        expect((await applyPlan(step.meta.id, plan, fixCtx, (e) => void journal.push(e))).ok).toBe(true);
      } finally {
        fixCtx.factory.destroy();
      }
      expect(uncovered(step.meta, 'fix', sent, SANDBOX_ACCOUNT_ID)).toEqual([]);
      expect(journal.map((e) => [e.operation, e.inverse?.params])).toEqual([
        ['ModifySnapshotAttribute', { SnapshotId: snapshotId, Attribute: 'createVolumePermission', OperationType: 'add', GroupNames: ['all'] }],
        ['ModifyImageAttribute', { ImageId: imageId, LaunchPermission: { Add: [{ Group: 'all' }] } }],
      ]);
      const ec2 = ctx.client(EC2Client);
      expect((await ec2.send(new DescribeSnapshotAttributeCommand({ SnapshotId: snapshotId, Attribute: 'createVolumePermission' }))).CreateVolumePermissions ?? []).toEqual([]);
      expect((await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }))).Images?.[0]?.Public).toBe(false);
      ctx.invalidate();
      const after = await checkStep(entry, ctx);
      expect(after.result.status).toBe('unsupported');
    } finally {
      ctx.factory.destroy();
    }
  });

  it('check confirms each candidate snapshot with its permission (moto ignores OwnerIds and RestorableByUserIds), and reads no attribute for AMIs', async () => {
    const { sent, checked } = await recordCheckAndPlan(step, {
      seed: async (ctx) => {
        await seedPublicSnapshot(ctx);
        await publicDbSnapshot(ctx);
      },
    });
    expect(checked.result.findings.filter((f) => f.status === 'fail')).toHaveLength(2);
    const count = (op: string) => sent.filter((s) => s === op).length;
    expect(count('EC2:DescribeSnapshots')).toBe(1);
    // The day-one volume has one snapshot: one confirmation. No AMI attribute call at all.
    expect(count('EC2:DescribeSnapshotAttribute')).toBe(1);
    expect(count('EC2:DescribeImageAttribute')).toBe(0);
    expect(count('RDS:DescribeDBSnapshots')).toBe(1);
    expect(count('RDS:DescribeDBSnapshotAttributes')).toBe(1);
    expect([...new Set(sent)].every((s) => /:(Describe|Get|List)/.test(s))).toBe(true);
  });

  it('the RDS snapshot named in the answers is private afterwards, and its undo would share it again', async () => {
    await resetMoto();
    const ctx = makeSandboxContext();
    try {
      ctx.factory.readOnly = false;
      await publicDbSnapshot(ctx);
      ctx.factory.readOnly = true;
      const plan = await planStep(await checkStep(entry, ctx), ctx, { unshare: [DB_SNAPSHOT] });
      expect(plan.actions[0]!.inverse).toMatchObject({ operation: 'ModifyDBSnapshotAttribute', params: { DBSnapshotIdentifier: DB_SNAPSHOT, AttributeName: 'restore', ValuesToAdd: ['all'] } });
      expect((await applyPlan(step.meta.id, plan, ctx, () => undefined)).ok).toBe(true);
      expect(await restoreValues(ctx)).toEqual([]);
    } finally {
      ctx.factory.destroy();
    }
  });
});

describe('undo', () => {
  it('shares the EBS snapshot, the AMI and the RDS snapshot with everyone again, exactly as before, only as destructive actions', async () => {
    let snapshotId = '';
    let imageId = '';
    const seed = async (c: RunContext) => {
      snapshotId = await seedPublicSnapshot(c);
      const ec2 = c.client(EC2Client);
      imageId = (await ec2.send(new CreateImageCommand({ InstanceId: await seedDayOneInstance(c), Name: 'day-one-golden-image' }))).ImageId!;
      await ec2.send(new ModifyImageAttributeCommand({ ImageId: imageId, LaunchPermission: { Add: [{ Group: 'all' }] } }));
      await publicDbSnapshot(c);
    };
    await inSandbox({ seed }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, { unshare: [snapshotId, imageId, DB_SNAPSHOT] });
      expect(run.items.map((i) => [i.entry.operation, i.kind, i.kind === 'undo' && i.actions.every((a) => a.destructive)])).toEqual([
        ['ModifyDBSnapshotAttribute', 'undo', true],
        ['ModifyImageAttribute', 'undo', true],
        ['ModifySnapshotAttribute', 'undo', true],
      ]);
      expect(run.journal.some((e) => e.undoes !== undefined)).toBe(false);
      expect(await restoreValues(ctx)).toEqual([]);
    });
    await inSandbox({ seed }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, { unshare: [snapshotId, imageId, DB_SNAPSHOT] }, { includeDestructive: true });
      expect(run.afterUndo).toEqual(run.before);
      expect(await restoreValues(ctx)).toEqual(['all']);
      const ec2 = ctx.client(EC2Client);
      expect((await ec2.send(new DescribeSnapshotAttributeCommand({ SnapshotId: snapshotId, Attribute: 'createVolumePermission' }))).CreateVolumePermissions).toEqual([{ Group: 'all' }]);
      expect((await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }))).Images?.[0]?.Public).toBe(true);
    });
  });

  it('has nothing to do for a snapshot someone shared again after the fix, and one that was deleted', async () => {
    await inSandbox({ seed: publicDbSnapshot }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, { unshare: [DB_SNAPSHOT] }, {
        between: (c) => c.client(RDSClient).send(new ModifyDBSnapshotAttributeCommand({ DBSnapshotIdentifier: DB_SNAPSHOT, AttributeName: 'restore', ValuesToAdd: ['all'] })).then(() => undefined),
        includeDestructive: true,
      });
      expect(run.items).toEqual([expect.objectContaining({ kind: 'nothing', reason: expect.stringContaining('shared with everyone again') })]);
    });
    await inSandbox({ seed: publicDbSnapshot }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, { unshare: [DB_SNAPSHOT] }, {
        between: (c) => c.client(RDSClient).send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: DB_SNAPSHOT })).then(() => undefined),
        includeDestructive: true,
      });
      expect(run.items).toEqual([expect.objectContaining({ kind: 'nothing', reason: expect.stringContaining('no longer exists') })]);
    });
  });
});
