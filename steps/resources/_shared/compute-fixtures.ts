/**
 * Day-one fixtures of the compute steps (sandbox only; every seed calls sandboxOnly first). Each is
 * found again by its Name tag, so seeding twice leaves the same account as seeding once.
 */
import {
  CreateSnapshotCommand,
  CreateVolumeCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  DisableEbsEncryptionByDefaultCommand,
  EC2Client,
  ModifySnapshotAttributeCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  DetachRolePolicyCommand,
  GetInstanceProfileCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import type { StepContext } from '../../../src/engine/step-kit.js';
import { anyImage } from './instances.js';

/** The day-one instance that Systems Manager does not manage (its role lacks the SSM policy). */
export const DAY_ONE_APP = 'day-one-app-server';
/** Its instance profile and role. */
export const DAY_ONE_PROFILE = 'day-one-app-server';
/** The day-one unencrypted data volume. */
export const DAY_ONE_VOLUME = 'day-one-data';
/** The day-one snapshot shared with everyone. */
export const DAY_ONE_SNAPSHOT = 'day-one-data-backup';

const nameFilter = (name: string) => [{ Name: 'tag:Name', Values: [name] }];
const named = (kind: 'instance' | 'volume' | 'snapshot', name: string) => [{ ResourceType: kind, Tags: [{ Key: 'Name', Value: name }] }];

/** The role and instance profile of the day-one instance, without AmazonSSMManagedInstanceCore. */
async function ensureProfile(ctx: StepContext): Promise<string> {
  const iam = ctx.client(IAMClient);
  let arn: string | undefined;
  try {
    arn = (await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: DAY_ONE_PROFILE }))).InstanceProfile?.Arn;
  } catch (err) {
    if (!/^NoSuchEntity/.test((err as { name?: string }).name ?? '')) throw err;
  }
  if (!arn) {
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    await iam.send(new CreateRoleCommand({ RoleName: DAY_ONE_PROFILE, AssumeRolePolicyDocument: JSON.stringify(trust) }));
    arn = (await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: DAY_ONE_PROFILE }))).InstanceProfile!.Arn!;
    await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: DAY_ONE_PROFILE, RoleName: DAY_ONE_PROFILE }));
  }
  // Seeding again takes back what a fix gave the role.
  for (const p of (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: DAY_ONE_PROFILE }))).AttachedPolicies ?? [])
    await iam.send(new DetachRolePolicyCommand({ RoleName: DAY_ONE_PROFILE, PolicyArn: p.PolicyArn! }));
  return arn;
}

/** A running instance with an instance profile whose role does not allow Systems Manager. */
export async function seedDayOneInstance(ctx: StepContext): Promise<string> {
  const ec2 = ctx.client(EC2Client, ctx.target.homeRegion);
  const profileArn = await ensureProfile(ctx);
  const found = (await ec2.send(new DescribeInstancesCommand({ Filters: [...nameFilter(DAY_ONE_APP), { Name: 'instance-state-name', Values: ['pending', 'running'] }] })))
    .Reservations?.flatMap((r) => r.Instances ?? [])
    .find((i) => i.InstanceId);
  if (found) return found.InstanceId!;
  const made = await ec2.send(
    new RunInstancesCommand({
      ImageId: await anyImage(ec2),
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
      IamInstanceProfile: { Arn: profileArn },
      MetadataOptions: { HttpTokens: 'required' },
      TagSpecifications: named('instance', DAY_ONE_APP),
    }),
  );
  return made.Instances![0]!.InstanceId!;
}

/** The unencrypted day-one volume in the home region (made once). */
export async function ensureDayOneVolume(ctx: StepContext): Promise<string> {
  const ec2 = ctx.client(EC2Client, ctx.target.homeRegion);
  const found = (await ec2.send(new DescribeVolumesCommand({ Filters: nameFilter(DAY_ONE_VOLUME) }))).Volumes?.find((v) => v.VolumeId);
  if (found) return found.VolumeId!;
  const made = await ec2.send(
    new CreateVolumeCommand({ AvailabilityZone: `${ctx.target.homeRegion}a`, Size: 8, Encrypted: false, TagSpecifications: named('volume', DAY_ONE_VOLUME) }),
  );
  return made.VolumeId!;
}

/** Encryption by default off in the home region, and the unencrypted volume. */
export async function seedUnencrypted(ctx: StepContext): Promise<void> {
  await ctx.client(EC2Client, ctx.target.homeRegion).send(new DisableEbsEncryptionByDefaultCommand({}));
  await ensureDayOneVolume(ctx);
}

/** A snapshot of the day-one volume that anyone can restore. */
export async function seedPublicSnapshot(ctx: StepContext): Promise<string> {
  const ec2 = ctx.client(EC2Client, ctx.target.homeRegion);
  const volumeId = await ensureDayOneVolume(ctx);
  let id = (await ec2.send(new DescribeSnapshotsCommand({ Filters: [...nameFilter(DAY_ONE_SNAPSHOT), { Name: 'owner-id', Values: [ctx.target.accountId] }] }))).Snapshots?.find(
    (s) => s.SnapshotId,
  )?.SnapshotId;
  if (!id)
    id = (await ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId, Description: 'day-one nightly backup', TagSpecifications: named('snapshot', DAY_ONE_SNAPSHOT) })))
      .SnapshotId!;
  await ec2.send(new ModifySnapshotAttributeCommand({ SnapshotId: id, Attribute: 'createVolumePermission', OperationType: 'add', GroupNames: ['all'] }));
  return id;
}
