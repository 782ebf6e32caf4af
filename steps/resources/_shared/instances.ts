/**
 * What the instance steps of the resources area share (ec2-imdsv2, ec2-instance-connect,
 * ec2-instance-roles): which instances count, how they are named, which security group rules open
 * an administration port to the internet, how a per-instance selection reads, and the day-one
 * instances their seeds make. Instances and security groups come from the run's shared EC2
 * inventory (src/aws/ec2-inventory.ts): one paginated read per region, whichever step asks first.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  EC2Client,
  RunInstancesCommand,
  paginateDescribeImages,
} from '@aws-sdk/client-ec2';
import type { Instance, IpPermission, SecurityGroup } from '@aws-sdk/client-ec2';
import { AddRoleToInstanceProfileCommand, CreateInstanceProfileCommand, CreateRoleCommand, GetInstanceProfileCommand, IAMClient } from '@aws-sdk/client-iam';
import { z } from 'zod';
import type { Asker, StepContext } from '../../../src/engine/step-kit.js';
import { errorCode } from '../../../src/engine/step-kit.js';
import { instances, labelled, securityGroups } from '../../../src/aws/ec2-inventory.js';

/** How many regions the instance steps read at once. */
export const REGION_CONCURRENCY = 8;

/** States in which an instance exists and can be changed (terminated and shutting-down ones are on their way out). */
const LIVE = new Set(['pending', 'running', 'stopping', 'stopped']);

export const isLive = (i: Instance): boolean => LIVE.has(i.State?.Name ?? '');
export const isRunning = (i: Instance): boolean => ['pending', 'running'].includes(i.State?.Name ?? '');

/** The region's instances that still exist (pending, running, stopping, stopped), by id. */
export async function liveInstances(ctx: Pick<StepContext, 'client' | 'shared'>, region: string): Promise<Instance[]> {
  return (await instances(ctx, region)).filter(isLive).sort((a, b) => (a.InstanceId ?? '').localeCompare(b.InstanceId ?? ''));
}

/** `i-0abc (web-1)`: the id with its Name tag. */
export const instanceLabel = (i: Instance): string => labelled(i.InstanceId!, i.Tags);

export const instanceArn = (ctx: Pick<StepContext, 'target'>, region: string, id: string): string =>
  `arn:${ctx.target.partition}:ec2:${region}:${ctx.target.accountId}:instance/${id}`;

/** The ARN pattern for "the instances of a region" (findings about a whole region). */
export const instancesArn = (ctx: Pick<StepContext, 'target'>, region: string): string => instanceArn(ctx, region, '*');

// ---------------------------------------------------------------------------------------------
// Administration ports open to the internet

/** SSH and RDP: the ports administrators log in through. */
export const ADMIN_PORTS = [22, 3389] as const;
export const WORLD_V4 = '0.0.0.0/0';
export const WORLD_V6 = '::/0';

/** One way in: a port, the range open to everyone, and the group and rule that open it. */
export interface OpenPort {
  port: number;
  cidr: string;
  groupId: string;
}

/** Whether an ingress rule lets TCP traffic reach `port` (all protocols, or TCP with the port in its range). */
export function ruleCoversPort(rule: IpPermission, port: number): boolean {
  const proto = String(rule.IpProtocol ?? '').toLowerCase();
  if (proto === '-1' || proto === 'all') return true;
  if (proto !== 'tcp' && proto !== '6') return false;
  const from = rule.FromPort ?? -1;
  const to = rule.ToPort ?? -1;
  // -1 on both ends is "every port" for TCP in some old rules.
  if (from === -1 && to === -1) return true;
  return from <= port && port <= to;
}

/** The administration ports a security group opens to 0.0.0.0/0 or ::/0. */
export function worldOpenAdminPorts(group: SecurityGroup): OpenPort[] {
  const out: OpenPort[] = [];
  for (const rule of group.IpPermissions ?? []) {
    const world = [
      ...(rule.IpRanges ?? []).map((r) => r.CidrIp).filter((c) => c === WORLD_V4),
      ...(rule.Ipv6Ranges ?? []).map((r) => r.CidrIpv6).filter((c) => c === WORLD_V6),
    ];
    for (const cidr of world)
      for (const port of ADMIN_PORTS)
        if (ruleCoversPort(rule, port) && !out.some((o) => o.port === port && o.cidr === cidr)) out.push({ port, cidr, groupId: group.GroupId! });
  }
  return out;
}

/** The public addresses an instance answers on: its public IPv4 and every IPv6 address of its interfaces. */
export function publicAddresses(i: Instance): string[] {
  const v6 = (i.NetworkInterfaces ?? []).flatMap((n) => (n.Ipv6Addresses ?? []).map((a) => a.Ipv6Address)).filter((a): a is string => !!a);
  return [...(i.PublicIpAddress ? [i.PublicIpAddress] : []), ...v6];
}

/** The security group ids of an instance, from all its network interfaces. */
export function instanceGroupIds(i: Instance): string[] {
  const ids = new Set<string>();
  for (const g of i.SecurityGroups ?? []) if (g.GroupId) ids.add(g.GroupId);
  for (const n of i.NetworkInterfaces ?? []) for (const g of n.Groups ?? []) if (g.GroupId) ids.add(g.GroupId);
  return [...ids];
}

/** Which administration ports an instance exposes to the internet through its groups. */
export function exposedPorts(i: Instance, groups: ReadonlyMap<string, SecurityGroup>): OpenPort[] {
  return instanceGroupIds(i).flatMap((id) => {
    const g = groups.get(id);
    return g ? worldOpenAdminPorts(g) : [];
  });
}

/** The region's security groups by id (from the shared inventory). */
export async function groupsById(ctx: Pick<StepContext, 'client' | 'shared'>, region: string): Promise<Map<string, SecurityGroup>> {
  return new Map((await securityGroups(ctx, region)).map((g) => [g.GroupId!, g]));
}

// ---------------------------------------------------------------------------------------------
// Choosing instances

/** `"all"` (every instance whose change is safe) or a list of instance ids (exactly those). */
export type InstanceSelection = 'all' | string[];

export const instanceIdSchema = z
  .string()
  .trim()
  .regex(/^i-[0-9a-f]{8}([0-9a-f]{9})?$/, 'an instance id looks like i-0123456789abcdef0');

export const instanceSelectionSchema = z.union([z.literal('all'), z.array(instanceIdSchema)], {
  error: 'use "all" or a list of instance ids (i-…)',
});

/** Whether the selection lets the fix change this instance; `sensitive` instances only by id. */
export function selectsInstance(selection: InstanceSelection, id: string, sensitive: boolean): boolean {
  return selection === 'all' ? !sensitive : selection.includes(id);
}

export interface InstanceCandidate {
  id: string;
  label: string;
  region: string;
}

/** `a, b, c and 4 more`. */
export function listed(names: readonly string[], max = 5): string {
  const shown = names.slice(0, max);
  return names.length > max ? `${shown.join(', ')} and ${names.length - max} more` : shown.join(', ');
}

/**
 * One confirmation per sensitive instance (default No unless the answers already name it), then one
 * for all the others (default Yes). `"all"` when that says exactly what was chosen.
 */
export async function askInstances(
  asker: Asker,
  opts: {
    initial: InstanceSelection;
    sensitive: (InstanceCandidate & { question: string })[];
    others: InstanceCandidate[];
    othersQuestion: (names: string) => string;
  },
): Promise<InstanceSelection> {
  const named = (id: string) => opts.initial !== 'all' && opts.initial.includes(id);
  const chosen: string[] = [];
  for (const c of opts.sensitive) if (await asker.confirm({ message: c.question, default: named(c.id) })) chosen.push(c.id);
  let others = false;
  if (opts.others.length)
    others = await asker.confirm({
      message: opts.othersQuestion(listed(opts.others.map((c) => `${c.label} (${c.region})`))),
      default: opts.initial === 'all' || opts.others.every((c) => named(c.id)),
    });
  if (others && !chosen.length) return 'all';
  return [...chosen, ...(others ? opts.others.map((c) => c.id) : [])];
}

// ---------------------------------------------------------------------------------------------
// Day-one fixtures (sandbox only: the callers check sandboxOnly first)

/** The role and instance profile the day-one instances run with, when their lesson is not about roles. */
export const DAY_ONE_PROFILE = 'day-one-app';

const EC2_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/** The day-one instance profile (a role with no policy), made once. Returns its name. */
export async function dayOneProfile(ctx: StepContext): Promise<string> {
  const iam = ctx.client(IAMClient);
  try {
    await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: DAY_ONE_PROFILE }));
    return DAY_ONE_PROFILE;
  } catch (err) {
    if (errorCode(err) !== 'NoSuchEntity') throw err;
  }
  try {
    await iam.send(new CreateRoleCommand({ RoleName: DAY_ONE_PROFILE, AssumeRolePolicyDocument: EC2_TRUST }));
  } catch (err) {
    if (errorCode(err) !== 'EntityAlreadyExists') throw err;
  }
  await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: DAY_ONE_PROFILE }));
  await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: DAY_ONE_PROFILE, RoleName: DAY_ONE_PROFILE }));
  return DAY_ONE_PROFILE;
}

/** The image id a seeded instance is launched from when the emulator serves no Amazon image. */
const PLACEHOLDER_IMAGE = 'ami-0a0b0c0d0e0f01234';

/**
 * An image to launch a seeded instance from: an Amazon-owned one of the region when the emulator
 * serves its catalogue, else a placeholder id. The private moto starts without the catalogue
 * (MOTO_EC2_LOAD_DEFAULT_AMIS=false, see src/sandbox/moto.ts) and launches from any id.
 */
export async function anyImage(ec2: EC2Client): Promise<string> {
  for await (const page of paginateDescribeImages({ client: ec2 }, { Owners: ['amazon'], MaxResults: 5 }))
    for (const img of page.Images ?? []) if (img.ImageId) return img.ImageId;
  return PLACEHOLDER_IMAGE;
}

/** A live day-one instance of that name in the home region, if seeded before. */
export async function findDayOne(ctx: StepContext, name: string, region = ctx.target.homeRegion): Promise<Instance | undefined> {
  const all = await instances(ctx, region);
  return all.find((i) => isLive(i) && i.Tags?.some((t) => t.Key === 'Name' && t.Value === name));
}

/**
 * Launches a day-one instance in the default subnet of the home region (or `region`) (which gives it a public IP), once:
 * a live instance with that Name tag is returned as it is, for the caller to put back into shape.
 */
export async function launchDayOne(
  ctx: StepContext,
  name: string,
  opts: { httpTokens: 'optional' | 'required'; profile?: string; groupIds?: string[]; region?: string },
): Promise<{ instance: Instance; created: boolean }> {
  const region = opts.region ?? ctx.target.homeRegion;
  const found = await findDayOne(ctx, name, region);
  if (found) return { instance: found, created: false };
  const ec2 = ctx.client(EC2Client, region);
  const out = await ec2.send(
    new RunInstancesCommand({
      ImageId: await anyImage(ec2),
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
      MetadataOptions: { HttpTokens: opts.httpTokens, HttpEndpoint: 'enabled' },
      ...(opts.profile ? { IamInstanceProfile: { Name: opts.profile } } : {}),
      ...(opts.groupIds ? { SecurityGroupIds: opts.groupIds } : {}),
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: name }] }],
    }),
  );
  return { instance: out.Instances![0]!, created: true };
}

/** A security group in the default VPC that lets anyone reach `port`, made once. Returns its id. */
export async function worldOpenGroup(ctx: StepContext, name: string, port: number): Promise<string> {
  const ec2 = ctx.client(EC2Client, ctx.target.homeRegion);
  const existing = (await securityGroups(ctx, ctx.target.homeRegion)).find((g) => g.GroupName === name);
  const id =
    existing?.GroupId ??
    (
      await ec2.send(
        new CreateSecurityGroupCommand({
          GroupName: name,
          Description: `day-one: port ${port} open to the internet`,
          TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: 'Name', Value: name }] }],
        }),
      )
    ).GroupId!;
  if (!existing || !worldOpenAdminPorts(existing).some((o) => o.port === port && o.cidr === WORLD_V4))
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: id,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: port, ToPort: port, IpRanges: [{ CidrIp: WORLD_V4, Description: 'anyone' }] }],
      }),
    );
  return id;
}
