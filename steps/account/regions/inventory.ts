/**
 * Which regions are enabled, which of them are opt-in, and where something is running. Read
 * once per run through `ctx.shared`.
 *
 * Enabled regions come from the Account API (ListRegions, which also tells opt-in regions apart
 * and is what DisableRegion works with); when the endpoint lacks it (moto answers 404) or refuses
 * it, from EC2 DescribeRegions, and the reading says so.
 *
 * "In use" is a cheap probe, not an inventory: four EC2 reads per region, one small page each
 * (instances that are not terminated, VPCs other than the default one, volumes, network
 * interfaces, which also reveal load balancers, databases, NAT gateways and functions attached
 * to a VPC), with a bounded number of regions at once.
 */
import { AccountClient, ListRegionsCommand } from '@aws-sdk/client-account';
import type { Region as AccountRegion } from '@aws-sdk/client-account';
import {
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRegionsCommand,
  DescribeVolumesCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import type { StepContext } from '../../../src/engine/step-kit.js';
import { describeError, errorKind, mapLimit } from '../../../src/engine/step-kit.js';

export interface RegionInfo {
  name: string;
  /** An opt-in region (launched after March 2019): it can be disabled again. */
  optIn: boolean;
}

export interface EnabledRegions {
  /** Enabled regions of the caller's partition, sorted by name. */
  regions: RegionInfo[];
  /** `account`: account:ListRegions answered; `ec2`: read with EC2 DescribeRegions instead. */
  source: 'account' | 'ec2';
  /** Why the Account API was not used, when it was not. */
  note?: string;
}

export interface RegionUsage {
  instances: number;
  vpcs: number;
  volumes: number;
  interfaces: number;
  /** A probe found a full page: there may be more. */
  more: boolean;
}

export interface Inventory {
  /** Regions where something was found. */
  inUse: Record<string, RegionUsage>;
  /** Regions that could not be read, with the reason (a guardrail in place denies exactly this). */
  unreadable: Record<string, string>;
}

/** Regions probed at once; four small reads each. */
export const SCAN_CONCURRENCY = 8;
/** The smallest page EC2 accepts for these reads. */
const PAGE = 5;

/** The partition a region belongs to, from its name. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('eu-isoe-')) return 'aws-iso-e';
  if (region.startsWith('eusc-')) return 'aws-eusc';
  return 'aws';
}

async function fromAccountApi(ctx: StepContext): Promise<RegionInfo[]> {
  const client = ctx.client(AccountClient);
  const all: AccountRegion[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListRegionsCommand({ MaxResults: 50, NextToken: token }));
    all.push(...(page.Regions ?? []));
    token = page.NextToken;
  } while (token);
  return all
    .filter((r) => r.RegionName && (r.RegionOptStatus === 'ENABLED' || r.RegionOptStatus === 'ENABLED_BY_DEFAULT' || r.RegionOptStatus === 'ENABLING'))
    .map((r) => ({ name: r.RegionName!, optIn: r.RegionOptStatus !== 'ENABLED_BY_DEFAULT' }));
}

async function fromEc2(ctx: StepContext): Promise<RegionInfo[]> {
  const out = await ctx.client(EC2Client).send(new DescribeRegionsCommand({ AllRegions: true }));
  return (out.Regions ?? [])
    .filter((r) => r.RegionName && r.OptInStatus !== 'not-opted-in')
    .map((r) => ({ name: r.RegionName!, optIn: r.OptInStatus === 'opted-in' }));
}

export async function loadEnabledRegions(ctx: StepContext): Promise<EnabledRegions> {
  const mine = (rs: RegionInfo[]) => rs.filter((r) => partitionOf(r.name) === ctx.target.partition).sort((a, b) => a.name.localeCompare(b.name));
  try {
    return { regions: mine(await fromAccountApi(ctx)), source: 'account' };
  } catch (err) {
    const kind = errorKind(err);
    if (kind !== 'unsupported' && kind !== 'access-denied') throw err;
    const why =
      kind === 'unsupported'
        ? 'this endpoint does not implement the Account API’s region calls (account:ListRegions)'
        : 'account:ListRegions was refused';
    return {
      regions: mine(await fromEc2(ctx)),
      source: 'ec2',
      note: `Enabled regions were read with EC2 DescribeRegions: ${why}, so opt-in regions cannot be disabled from here.`,
    };
  }
}

/** Enabled regions, read once per run. */
export function enabledRegionList(ctx: StepContext): Promise<EnabledRegions> {
  return ctx.shared('account.regions:enabled', () => loadEnabledRegions(ctx));
}

const LIVE_STATES = ['pending', 'running', 'stopping', 'stopped'];

/** What one region holds, in four small reads. Throws only what none of them could read. */
export async function probeRegion(ctx: StepContext, region: string): Promise<{ usage: RegionUsage; error?: string }> {
  const ec2 = ctx.client(EC2Client, region);
  const [instances, vpcs, volumes, interfaces] = await Promise.allSettled([
    ec2.send(new DescribeInstancesCommand({ MaxResults: PAGE, Filters: [{ Name: 'instance-state-name', Values: LIVE_STATES }] })),
    ec2.send(new DescribeVpcsCommand({ MaxResults: PAGE, Filters: [{ Name: 'is-default', Values: ['false'] }] })),
    ec2.send(new DescribeVolumesCommand({ MaxResults: PAGE })),
    ec2.send(new DescribeNetworkInterfacesCommand({ MaxResults: PAGE })),
  ]);
  const usage: RegionUsage = { instances: 0, vpcs: 0, volumes: 0, interfaces: 0, more: false };
  const failed: unknown[] = [];
  if (instances.status === 'fulfilled') {
    usage.instances = (instances.value.Reservations ?? []).reduce((n, r) => n + (r.Instances?.length ?? 0), 0);
    usage.more ||= Boolean(instances.value.NextToken);
  } else failed.push(instances.reason);
  if (vpcs.status === 'fulfilled') {
    usage.vpcs = vpcs.value.Vpcs?.length ?? 0;
    usage.more ||= Boolean(vpcs.value.NextToken);
  } else failed.push(vpcs.reason);
  if (volumes.status === 'fulfilled') {
    usage.volumes = volumes.value.Volumes?.length ?? 0;
    usage.more ||= Boolean(volumes.value.NextToken);
  } else failed.push(volumes.reason);
  if (interfaces.status === 'fulfilled') {
    usage.interfaces = interfaces.value.NetworkInterfaces?.length ?? 0;
    usage.more ||= Boolean(interfaces.value.NextToken);
  } else failed.push(interfaces.reason);
  // A read the endpoint does not implement says nothing about use; a refused one means we could not look.
  const real = failed.filter((e) => errorKind(e) !== 'unsupported');
  const network = real.find((e) => errorKind(e) === 'network' || errorKind(e) === 'credentials');
  if (network) throw network;
  return real.length ? { usage, error: describeError(real[0]) } : { usage };
}

export function isUsed(u: RegionUsage): boolean {
  return u.instances + u.vpcs + u.volumes + u.interfaces > 0;
}

export async function loadInventory(ctx: StepContext, regions: readonly string[]): Promise<Inventory> {
  const probes = await mapLimit(regions, SCAN_CONCURRENCY, (r) => probeRegion(ctx, r));
  const inv: Inventory = { inUse: {}, unreadable: {} };
  regions.forEach((r, i) => {
    const p = probes[i]!;
    if (isUsed(p.usage)) inv.inUse[r] = p.usage;
    if (p.error) inv.unreadable[r] = p.error;
  });
  return inv;
}

/** Where something runs, probed once per run over every enabled region. */
export function regionInventory(ctx: StepContext, regions: readonly string[]): Promise<Inventory> {
  return ctx.shared(`account.regions:inventory:${regions.join(',')}`, () => loadInventory(ctx, regions));
}

const plural = (n: number, one: string, many: string, more: boolean) => `${n}${more && n >= PAGE ? '+' : ''} ${n === 1 ? one : many}`;

/** `2 instances, 1 VPC` */
export function usageText(u: RegionUsage): string {
  const parts: string[] = [];
  if (u.instances) parts.push(plural(u.instances, 'instance', 'instances', u.more));
  if (u.vpcs) parts.push(plural(u.vpcs, 'VPC', 'VPCs', u.more));
  if (u.volumes) parts.push(plural(u.volumes, 'volume', 'volumes', u.more));
  if (u.interfaces) parts.push(plural(u.interfaces, 'network interface', 'network interfaces', u.more));
  return parts.join(', ') || 'nothing found';
}
