/**
 * The reads of resources.public-sharing, one region at a time. Each kind is read on its own, so
 * that one refused or unimplemented call costs only its own finding.
 *
 * Request counts (measured against moto 5.2 and from the EC2/RDS API references):
 * - EBS snapshots: DescribeSnapshots with OwnerIds=self and RestorableByUserIds=all, which on AWS
 *   returns only this account's public snapshots; each candidate is then confirmed with one
 *   DescribeSnapshotAttribute. On AWS that is one call per *public* snapshot (usually none). moto
 *   ignores OwnerIds, RestorableByUserIds and MaxResults (it returns every snapshot it holds, its
 *   ~1,200 AMI snapshots of other owners included), so an owner-id filter, which moto honours and
 *   AWS treats as a no-op here, keeps the answer to this account, and the confirmation keeps a
 *   private snapshot from being reported public.
 * - AMIs: DescribeImages with Owners=self: each image carries `Public`, so no attribute call.
 * - RDS snapshots: DescribeDBSnapshots (manual only: automated ones cannot be shared), then one
 *   DescribeDBSnapshotAttributes per manual snapshot: RDS has no filter for public snapshots.
 * - The account blocks: GetSnapshotBlockPublicAccessState and GetImageBlockPublicAccessState,
 *   one call each (moto: not implemented, HTTP 500).
 */
import {
  EC2Client,
  DescribeSnapshotAttributeCommand,
  GetImageBlockPublicAccessStateCommand,
  GetSnapshotBlockPublicAccessStateCommand,
  paginateDescribeImages,
  paginateDescribeSnapshots,
} from '@aws-sdk/client-ec2';
import type { Image, Snapshot } from '@aws-sdk/client-ec2';
import { DescribeDBSnapshotAttributesCommand, RDSClient, paginateDescribeDBSnapshots } from '@aws-sdk/client-rds';
import type { DBSnapshot } from '@aws-sdk/client-rds';
import type { StepContext } from '../../../src/engine/step-kit.js';
import { mapLimit } from '../../../src/engine/step-kit.js';

/** How many attribute reads run at once in one region. */
export const ATTRIBUTE_CONCURRENCY = 4;

/** This account's EBS snapshots that anyone may restore. */
export async function publicSnapshots(ctx: StepContext, region: string): Promise<Snapshot[]> {
  const client = ctx.client(EC2Client, region);
  const candidates: Snapshot[] = [];
  const pages = paginateDescribeSnapshots(
    { client },
    { OwnerIds: ['self'], RestorableByUserIds: ['all'], Filters: [{ Name: 'owner-id', Values: [ctx.target.accountId] }], MaxResults: 1000 },
  );
  for await (const page of pages) candidates.push(...(page.Snapshots ?? []).filter((s) => s.SnapshotId && s.OwnerId === ctx.target.accountId));
  const confirmed = await mapLimit(candidates, ATTRIBUTE_CONCURRENCY, async (s) => {
    const attr = await client.send(new DescribeSnapshotAttributeCommand({ SnapshotId: s.SnapshotId, Attribute: 'createVolumePermission' }));
    return (attr.CreateVolumePermissions ?? []).some((p) => p.Group === 'all') ? s : undefined;
  });
  return confirmed.filter((s): s is Snapshot => !!s).sort((a, b) => a.SnapshotId!.localeCompare(b.SnapshotId!));
}

/** This account's AMIs that anyone may launch. */
export async function publicImages(ctx: StepContext, region: string): Promise<Image[]> {
  const client = ctx.client(EC2Client, region);
  const out: Image[] = [];
  for await (const page of paginateDescribeImages({ client }, { Owners: ['self'], MaxResults: 1000 }))
    out.push(...(page.Images ?? []).filter((i) => i.ImageId && i.Public === true && (!i.OwnerId || i.OwnerId === ctx.target.accountId)));
  return out.sort((a, b) => a.ImageId!.localeCompare(b.ImageId!));
}

/** This account's manual RDS snapshots that any account may restore. */
export async function publicDbSnapshots(ctx: StepContext, region: string): Promise<DBSnapshot[]> {
  const client = ctx.client(RDSClient, region);
  const manual: DBSnapshot[] = [];
  for await (const page of paginateDescribeDBSnapshots({ client }, { SnapshotType: 'manual', MaxRecords: 100 }))
    manual.push(...(page.DBSnapshots ?? []).filter((s) => s.DBSnapshotIdentifier));
  const confirmed = await mapLimit(manual, ATTRIBUTE_CONCURRENCY, async (s) => {
    const out = await client.send(new DescribeDBSnapshotAttributesCommand({ DBSnapshotIdentifier: s.DBSnapshotIdentifier }));
    const restore = out.DBSnapshotAttributesResult?.DBSnapshotAttributes?.find((a) => a.AttributeName === 'restore');
    return restore?.AttributeValues?.includes('all') ? s : undefined;
  });
  return confirmed.filter((s): s is DBSnapshot => !!s).sort((a, b) => a.DBSnapshotIdentifier!.localeCompare(b.DBSnapshotIdentifier!));
}

export interface BlockState {
  state: string;
  /** `declarative-policy`: the organization sets it, and the account cannot change it. */
  managedBy?: string;
}

export async function snapshotBlock(ctx: StepContext, region: string): Promise<BlockState> {
  const out = await ctx.client(EC2Client, region).send(new GetSnapshotBlockPublicAccessStateCommand({}));
  return { state: out.State ?? 'unblocked', ...(out.ManagedBy ? { managedBy: out.ManagedBy } : {}) };
}

export async function imageBlock(ctx: StepContext, region: string): Promise<BlockState> {
  const out = await ctx.client(EC2Client, region).send(new GetImageBlockPublicAccessStateCommand({}));
  return { state: out.ImageBlockPublicAccessState ?? 'unblocked', ...(out.ManagedBy ? { managedBy: out.ManagedBy } : {}) };
}
