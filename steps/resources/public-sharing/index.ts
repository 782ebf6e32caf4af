/**
 * resources.public-sharing: nothing of the account's disks and databases is shared with every AWS
 * account (FSBP EC2.1 for EBS snapshots, RDS.1 for RDS snapshots; AMIs alike), and the account
 * blocks that stop it from happening again are on in every region of the run: EBS snapshot Block
 * Public Access in block-all-sharing mode (FSBP EC2.182) and AMI Block Public Access.
 *
 * A public snapshot or image is made private only when the person names it (a confirmation per
 * resource in the wizard, its id in the answers file for `fix --yes`): someone may be restoring a
 * community AMI from it. The blocks are turned on in every region the check could read them.
 */
import {
  DescribeImagesCommand,
  DescribeSnapshotAttributeCommand,
  EC2Client,
  EnableImageBlockPublicAccessCommand,
  EnableSnapshotBlockPublicAccessCommand,
  ModifyImageAttributeCommand,
  ModifySnapshotAttributeCommand,
} from '@aws-sdk/client-ec2';
import { DescribeDBSnapshotAttributesCommand, ModifyDBSnapshotAttributeCommand, RDSClient } from '@aws-sdk/client-rds';
import { z } from 'zod';
import type { Finding, OperationSpec, Plan, PlanAction, Step, StepContext, StepInputs, UndoEntry, UndoVerdict } from '../../../src/engine/step-kit.js';
import { drifted, errorCode, formatZodError, irreversible, nothingToUndo, recordedInverse, sandboxOnly, undoWith } from '../../../src/engine/step-kit.js';
import { labelled } from '../../../src/aws/ec2-inventory.js';
import { failure, forEachRegion, regionArn, someOf } from '../_shared/compute.js';
import { seedPublicSnapshot } from '../_shared/compute-fixtures.js';
import meta from './meta.js';
import type { BlockState } from './reads.js';
import { imageBlock, publicDbSnapshots, publicImages, publicSnapshots, snapshotBlock } from './reads.js';

const KINDS = {
  'ebs-snapshot': { noun: 'EBS snapshot', service: 'Amazon EC2', permissions: ['ec2:DescribeSnapshots', 'ec2:DescribeSnapshotAttribute'], rest: 'snapshot/*' },
  ami: { noun: 'AMI', service: 'Amazon EC2', permissions: ['ec2:DescribeImages'], rest: 'image/*' },
  'rds-snapshot': { noun: 'RDS snapshot', service: 'Amazon RDS', permissions: ['rds:DescribeDBSnapshots', 'rds:DescribeDBSnapshotAttributes'], rest: 'snapshot:*' },
} as const;
type SharedKind = keyof typeof KINDS;

/** What a failing finding carries for the plan. */
const dataSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.enum(['ebs-snapshot', 'ami', 'rds-snapshot']), id: z.string(), label: z.string(), region: z.string() }),
  z.object({ kind: z.enum(['snapshot-block', 'image-block']), region: z.string(), state: z.string(), managedBy: z.string().optional() }),
]);
type Data = z.infer<typeof dataSchema>;
type SharedData = Extract<Data, { id: string }>;
type BlockData = Extract<Data, { state: string }>;

/** Snapshot ids, AMI ids and RDS snapshot identifiers. */
const resourceId = z
  .string()
  .trim()
  .min(1, 'an id is not empty')
  .max(255, 'an id has at most 255 characters')
  .regex(/^[A-Za-z0-9:._-]+$/, 'an id holds only letters, digits, dots, colons, dashes and underscores');

export const inputsSchema = z.strictObject({ unshare: z.array(resourceId, { error: 'unshare is a list of snapshot and AMI ids' }).default([]) });
export interface PublicSharingInputs {
  /** The public snapshots and AMIs to make private: EBS snapshot ids, AMI ids, RDS snapshot identifiers. */
  unshare: string[];
}

const arnFor = (ctx: Pick<StepContext, 'target'>, kind: SharedKind, region: string) =>
  kind === 'rds-snapshot' ? regionArn(ctx, region, 'rds', KINDS[kind].rest) : regionArn(ctx, region, 'ec2', KINDS[kind].rest);

/** The findings of one kind in one region: one per public resource, or one pass (exported for unit tests). */
export function sharedFindings(ctx: Pick<StepContext, 'target'>, kind: SharedKind, region: string, found: { id: string; label: string }[]): Finding[] {
  const { noun } = KINDS[kind];
  if (!found.length) return [{ status: 'pass', resource: arnFor(ctx, kind, region), region, message: `No ${noun} of this account in ${region} is public.` }];
  const who = kind === 'ami' ? 'any AWS account can launch instances from it' : 'any AWS account can restore it and read every byte on it';
  return found.map((r) => {
    const data: SharedData = { kind, id: r.id, label: r.label, region };
    return { status: 'fail', resource: r.label, region, message: `${noun} ${r.label} in ${region} is public: ${who}.`, data: { ...data } };
  });
}

/** The finding for one account block in one region (exported for unit tests). */
export function blockFinding(ctx: Pick<StepContext, 'target'>, kind: 'snapshot-block' | 'image-block', region: string, b: BlockState): Finding {
  const snapshots = kind === 'snapshot-block';
  const name = snapshots ? 'EBS snapshot Block Public Access' : 'AMI Block Public Access';
  const resource = regionArn(ctx, region, 'ec2', snapshots ? 'snapshot-block-public-access' : 'image-block-public-access');
  const wanted = snapshots ? 'block-all-sharing' : 'block-new-sharing';
  if (b.state === wanted)
    return { status: 'pass', resource, region, message: `${name} is on in ${region} (${b.state}${b.managedBy === 'declarative-policy' ? ', set by the organization' : ''}).` };
  const data: BlockData = { kind, region, state: b.state, ...(b.managedBy ? { managedBy: b.managedBy } : {}) };
  const now =
    b.state === 'block-new-sharing' ? 'only blocks new public sharing: snapshots already public stay public' : 'is off: anyone here can make a snapshot or image public';
  return { status: 'fail', resource, region, message: `${name} in ${region} ${snapshots ? now : 'is off: anyone here can make an AMI public'}.`, data: { ...data } };
}

async function checkRegion(ctx: StepContext, region: string): Promise<Finding[]> {
  const reads = await Promise.allSettled([
    publicSnapshots(ctx, region).then((xs) => xs.map((s) => ({ id: s.SnapshotId!, label: labelled(s.SnapshotId!, s.Tags) }))),
    publicImages(ctx, region).then((xs) => xs.map((i) => ({ id: i.ImageId!, label: labelled(i.ImageId!, i.Tags, i.Name) }))),
    publicDbSnapshots(ctx, region).then((xs) => xs.map((s) => ({ id: s.DBSnapshotIdentifier!, label: s.DBSnapshotIdentifier! }))),
    snapshotBlock(ctx, region),
    imageBlock(ctx, region),
  ] as const);
  const out: Finding[] = [];
  (['ebs-snapshot', 'ami', 'rds-snapshot'] as const).forEach((kind, i) => {
    const r = reads[i]!;
    if (r.status === 'fulfilled') out.push(...sharedFindings(ctx, kind, region, r.value as { id: string; label: string }[]));
    else out.push(failure(r.reason, region, { ...KINDS[kind], resource: (x) => arnFor(ctx, kind, x) }));
  });
  (['snapshot-block', 'image-block'] as const).forEach((kind, i) => {
    const r = reads[3 + i]!;
    const action = kind === 'snapshot-block' ? 'ec2:GetSnapshotBlockPublicAccessState' : 'ec2:GetImageBlockPublicAccessState';
    const resource = (x: string) => regionArn(ctx, x, 'ec2', kind === 'snapshot-block' ? 'snapshot-block-public-access' : 'image-block-public-access');
    // Named for what could not be read: two findings that both said "Amazon EC2" could not be told apart.
    const service = kind === 'snapshot-block' ? 'EBS snapshot Block Public Access' : 'AMI Block Public Access';
    if (r.status === 'fulfilled') out.push(blockFinding(ctx, kind, region, r.value as BlockState));
    else out.push(failure(r.reason, region, { service, permissions: [action], resource }));
  });
  return out;
}

function found(findings: Finding[]): Data[] {
  return findings.filter((f) => f.status === 'fail' && f.data).map((f) => dataSchema.parse(f.data));
}
const isShared = (d: Data): d is SharedData => 'id' in d;
const isBlock = (d: Data): d is BlockData => 'state' in d;

function parseInputs(given: unknown): PublicSharingInputs {
  const parsed = inputsSchema.safeParse(given ?? {});
  if (!parsed.success) throw new Error(`Invalid inputs for ${meta.id}: ${formatZodError(parsed.error)}`);
  return parsed.data;
}

function unshareAction(d: SharedData): PlanAction {
  const { noun } = KINDS[d.kind];
  const base = { region: d.region, destructive: true, summary: `Make ${noun} ${d.label} (${d.region}) private: remove the permission that lets every AWS account use it` };
  let op: { service: string; operation: string; params: Record<string, unknown>; undo: OperationSpec['params']; send: (ctx: StepContext) => Promise<unknown> };
  if (d.kind === 'ebs-snapshot') {
    const params = { SnapshotId: d.id, Attribute: 'createVolumePermission' as const, OperationType: 'remove' as const, GroupNames: ['all'] };
    op = { service: 'ec2', operation: 'ModifySnapshotAttribute', params, undo: { ...params, OperationType: 'add' }, send: (ctx) => ctx.client(EC2Client, d.region).send(new ModifySnapshotAttributeCommand(params)) };
  } else if (d.kind === 'ami') {
    const params = { ImageId: d.id, LaunchPermission: { Remove: [{ Group: 'all' as const }] } };
    op = {
      service: 'ec2',
      operation: 'ModifyImageAttribute',
      params,
      undo: { ImageId: d.id, LaunchPermission: { Add: [{ Group: 'all' }] } },
      send: (ctx) => ctx.client(EC2Client, d.region).send(new ModifyImageAttributeCommand(params)),
    };
  } else {
    const params = { DBSnapshotIdentifier: d.id, AttributeName: 'restore', ValuesToRemove: ['all'] };
    op = {
      service: 'rds',
      operation: 'ModifyDBSnapshotAttribute',
      params,
      undo: { DBSnapshotIdentifier: d.id, AttributeName: 'restore', ValuesToAdd: ['all'] },
      send: (ctx) => ctx.client(RDSClient, d.region).send(new ModifyDBSnapshotAttributeCommand(params)),
    };
  }
  return {
    ...base,
    service: op.service,
    operation: op.operation,
    params: op.params,
    inverse: { service: op.service, operation: op.operation, region: d.region, params: op.undo, summary: `Share ${noun} ${d.label} with everyone again` },
    async run(ctx) {
      await op.send(ctx);
    },
  };
}

function blockAction(d: BlockData, stillPublic: SharedData[]): PlanAction {
  if (d.kind === 'snapshot-block') {
    const params = { State: 'block-all-sharing' as const };
    const left = stillPublic.filter((s) => s.kind === 'ebs-snapshot');
    return {
      service: 'ec2',
      operation: 'EnableSnapshotBlockPublicAccess',
      region: d.region,
      params,
      summary: `Turn on EBS snapshot Block Public Access in ${d.region}, blocking all public sharing${left.length ? ` (${someOf(left.map((s) => s.label), 3)} stop being public)` : ''}`,
      ...(left.length ? { destructive: true } : {}),
      inverse:
        d.state === 'block-new-sharing'
          ? { service: 'ec2', operation: 'EnableSnapshotBlockPublicAccess', region: d.region, params: { State: 'block-new-sharing' }, summary: `Put EBS snapshot Block Public Access in ${d.region} back to block-new-sharing` }
          : { service: 'ec2', operation: 'DisableSnapshotBlockPublicAccess', region: d.region, params: {}, summary: `Turn EBS snapshot Block Public Access off again in ${d.region}` },
      async run(ctx) {
        await ctx.client(EC2Client, d.region).send(new EnableSnapshotBlockPublicAccessCommand(params));
      },
    };
  }
  const params = { ImageBlockPublicAccessState: 'block-new-sharing' as const };
  return {
    service: 'ec2',
    operation: 'EnableImageBlockPublicAccess',
    region: d.region,
    params,
    summary: `Turn on AMI Block Public Access in ${d.region}: no AMI can be made public from now on`,
    inverse: { service: 'ec2', operation: 'DisableImageBlockPublicAccess', region: d.region, params: {}, summary: `Turn AMI Block Public Access off again in ${d.region}` },
    async run(ctx) {
      await ctx.client(EC2Client, d.region).send(new EnableImageBlockPublicAccessCommand(params));
    },
  };
}

/** Errors that say the snapshot or image is gone. */
const GONE = new Set(['InvalidSnapshot.NotFound', 'InvalidAMIID.NotFound', 'InvalidAMIID.Unavailable', 'DBSnapshotNotFound', 'DBSnapshotNotFoundFault']);

/** Whether the resource an unshare changed is shared with everyone now; undefined when it is gone. */
async function sharedNow(ctx: StepContext, entry: UndoEntry): Promise<boolean | undefined> {
  const p = entry.params as { SnapshotId?: string; ImageId?: string; DBSnapshotIdentifier?: string };
  try {
    if (entry.operation === 'ModifySnapshotAttribute') {
      const out = await ctx.client(EC2Client, entry.region).send(new DescribeSnapshotAttributeCommand({ SnapshotId: p.SnapshotId, Attribute: 'createVolumePermission' }));
      return (out.CreateVolumePermissions ?? []).some((x) => x.Group === 'all');
    }
    if (entry.operation === 'ModifyImageAttribute') {
      const image = (await ctx.client(EC2Client, entry.region).send(new DescribeImagesCommand({ ImageIds: [p.ImageId!] }))).Images?.[0];
      return image ? image.Public === true : undefined;
    }
    const out = await ctx.client(RDSClient, entry.region).send(new DescribeDBSnapshotAttributesCommand({ DBSnapshotIdentifier: p.DBSnapshotIdentifier }));
    return !!out.DBSnapshotAttributesResult?.DBSnapshotAttributes?.find((a) => a.AttributeName === 'restore')?.AttributeValues?.includes('all');
  } catch (err) {
    if (GONE.has(errorCode(err) ?? '')) return undefined;
    throw err;
  }
}

/**
 * Undo of one change. A snapshot or AMI made private is shared with everyone again (the 'all'
 * permission the fix removed, nothing else), while it is still private: that re-exposes its data,
 * so the action is destructive (default No; `undo --yes` leaves it out). A block turned on goes
 * back to the state the check read, while it is still what the fix set.
 */
async function undoChange(ctx: StepContext, entry: UndoEntry): Promise<UndoVerdict> {
  if (!entry.inverse) return irreversible(`${meta.id} made no ${entry.operation} change that it knows how to undo.`);
  if (['ModifySnapshotAttribute', 'ModifyImageAttribute', 'ModifyDBSnapshotAttribute'].includes(entry.operation)) {
    const p = entry.params as { SnapshotId?: string; ImageId?: string; DBSnapshotIdentifier?: string };
    const id = p.SnapshotId ?? p.ImageId ?? p.DBSnapshotIdentifier ?? '?';
    const now = await sharedNow(ctx, entry);
    if (now === undefined) return nothingToUndo(`${id} (${entry.region}) no longer exists.`);
    if (now) return nothingToUndo(`${id} (${entry.region}) is shared with everyone again, as before the fix.`);
    return undoWith(recordedInverse(entry, { destructive: true }));
  }
  if (entry.operation === 'EnableSnapshotBlockPublicAccess' || entry.operation === 'EnableImageBlockPublicAccess') {
    const snapshots = entry.operation === 'EnableSnapshotBlockPublicAccess';
    const b = snapshots ? await snapshotBlock(ctx, entry.region) : await imageBlock(ctx, entry.region);
    const wrote = snapshots ? 'block-all-sharing' : 'block-new-sharing';
    const before = entry.inverse.operation.startsWith('Disable') ? 'unblocked' : String((entry.inverse.params as { State?: string }).State);
    const name = `${snapshots ? 'EBS snapshot' : 'AMI'} Block Public Access in ${entry.region}`;
    if (b.state === before) return nothingToUndo(`${name} is ${before} again, as before the fix.`);
    if (b.state !== wrote) return drifted(name, { now: b.state, wrote });
    return undoWith(recordedInverse(entry));
  }
  return irreversible(`${meta.id} made no ${entry.operation} change that it knows how to undo.`);
}

const inputs: StepInputs<PublicSharingInputs> = {
  schema: inputsSchema,
  requiredInAnswers: false,
  defaults: () => ({ unshare: [] }),
  async ask(asker, initial, findings) {
    const chosen: string[] = [];
    for (const d of found(findings).filter(isShared)) {
      const { noun } = KINDS[d.kind];
      const yes = await asker.confirm({
        message: `${noun} ${d.label} (${d.region}) is public. Make it private? Any other account that ${d.kind === 'ami' ? 'launches instances from' : 'restores'} it loses access.`,
        default: initial.unshare.includes(d.id),
      });
      if (yes) chosen.push(d.id);
    }
    return { unshare: chosen };
  },
};

const step: Step<PublicSharingInputs> = {
  meta,
  inputs,

  async check(ctx) {
    return forEachRegion(ctx, { service: 'Amazon EC2', permissions: meta.permissions.check, resource: (r) => regionArn(ctx, r, 'ec2', 'snapshot/*') }, (region) =>
      checkRegion(ctx, region),
    );
  },

  async plan(_ctx, findings, given): Promise<Plan> {
    const { unshare } = parseInputs(given);
    const all = found(findings);
    const shared = all.filter(isShared);
    const chosen = shared.filter((d) => unshare.includes(d.id));
    const left = shared.filter((d) => !unshare.includes(d.id));
    const actions: PlanAction[] = chosen.map(unshareAction);
    const warnings: string[] = [];
    let guidance: string | undefined;
    const byOrg: BlockData[] = [];
    for (const b of all.filter(isBlock)) {
      if (b.managedBy === 'declarative-policy') byOrg.push(b);
      else actions.push(blockAction(b, left.filter((s) => s.region === b.region)));
    }
    for (const d of left)
      warnings.push(
        `${KINDS[d.kind].noun} ${d.label} (${d.region}) stays shared with everyone: a public resource is made private only when named ` +
          `(wizard: answer yes for it; answers file: "${meta.id}": { "unshare": ["${d.id}"], "apply": true }).`,
      );
    if (byOrg.length)
      guidance = `Block Public Access in ${byOrg.map((b) => b.region).join(', ')} is set by your organization's declarative policy: ask whoever manages AWS Organizations to turn it on there.`;
    // With nothing to apply the wizard shows the plan as guidance: say there how to name one. The
    // warnings stay too, for fix --yes, which prints them (and not the guidance) under a failing step.
    if (!actions.length && warnings.length)
      guidance = [
        'Nothing changes until you name the public snapshots and images to make private: in the wizard, answer yes for each; in the answers file, list their ids under "unshare" with "apply": true.',
        ...(guidance ? [guidance] : []),
      ].join('\n\n');
    return { actions, ...(warnings.length ? { warnings } : {}), ...(guidance ? { guidance } : {}) };
  },

  undo: undoChange,

  /** day-one scenario: a snapshot of the day-one data volume that any AWS account can restore. */
  async seed(ctx) {
    sandboxOnly(ctx);
    await seedPublicSnapshot(ctx);
  },
};

export default step;
