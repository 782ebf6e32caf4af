/**
 * The layout of a region's network, pure: each subnet is public (its route table, the explicit
 * association or else the VPC's main table, sends 0.0.0.0/0 or ::/0 to an internet gateway) or
 * private, and it fails when it gives every new instance a public IPv4 address (FSBP EC2.15).
 */
import type { RouteTable, Subnet } from '@aws-sdk/client-ec2';
import { exposure, routeTableOf } from '../../../src/aws/routing.js';
import { labelled, nameTag } from '../../../src/aws/ec2-inventory.js';
import type { Finding } from '../../../src/engine/step-kit.js';

export type Reach = { kind: 'public'; table: string; via: string } | { kind: 'private'; table?: string; via?: string[] };

/** Whether the subnet is public, and through which route table. */
export function reachOf(subnet: Subnet, tables: RouteTable[]): Reach {
  const rt = routeTableOf(subnet, tables);
  if (!rt) return { kind: 'private' };
  const x = exposure(rt);
  const table = rt.RouteTableId ?? '?';
  if (x.kind === 'public') return { kind: 'public', table, via: x.via };
  return { kind: 'private', table, ...(x.kind === 'egress' ? { via: x.via } : {}) };
}

/** What a failing finding carries for the plan. */
export interface SubnetData {
  subnetId: string;
  region: string;
  label: string;
  /** Its Name tag: the answers file may name a subnet by it. */
  name?: string;
  vpcId: string;
  public: boolean;
  /** Its zone and range, to tell subnets apart in the wizard's list. */
  zone?: string;
  cidr?: string;
}

function reachText(r: Reach, main: boolean): string {
  const table = r.table ? `route table ${r.table}${main ? ' (the VPC’s main table)' : ''}` : 'no route table';
  if (r.kind === 'public') return `public: ${table} sends internet traffic to ${r.via}`;
  if (r.via?.length) return `private: ${table} sends internet traffic through ${r.via.join(', ')}, not an internet gateway`;
  return `private: ${table} has no route to the internet`;
}

/** The finding for one subnet. */
export function subnetFinding(subnet: Subnet, tables: RouteTable[], region: string, accountId: string): Finding {
  const id = subnet.SubnetId!;
  const label = labelled(id, subnet.Tags);
  const reach = reachOf(subnet, tables);
  const main = !tables.some((t) => t.VpcId === subnet.VpcId && (t.Associations ?? []).some((a) => a.SubnetId === id));
  const where = `Subnet ${label} (${subnet.CidrBlock ?? '?'}, ${subnet.AvailabilityZone ?? region}) of VPC ${subnet.VpcId}${subnet.DefaultForAz ? ' (a default subnet)' : ''}`;
  const base = { resource: label, region };
  const is = `is ${reachText(reach, main)}`;
  if (!subnet.MapPublicIpOnLaunch) return { ...base, status: 'pass', message: `${where} ${is}; new instances get no public IP address unless their launch asks for one.` };
  if (subnet.OwnerId && subnet.OwnerId !== accountId)
    return {
      ...base,
      status: 'manual',
      message: `${where} ${is}, and gives every new instance a public IP address; it is shared with this account by ${subnet.OwnerId}, which alone can turn that off.`,
    };
  const name = nameTag(subnet.Tags);
  const data: SubnetData = {
    subnetId: id,
    region,
    label,
    ...(name ? { name } : {}),
    vpcId: subnet.VpcId ?? '?',
    public: reach.kind === 'public',
    ...(subnet.AvailabilityZone ? { zone: subnet.AvailabilityZone } : {}),
    ...(subnet.CidrBlock ? { cidr: subnet.CidrBlock } : {}),
  };
  return {
    ...base,
    status: 'fail',
    message:
      reach.kind === 'public'
        ? `${where} ${is}. It gives every new instance a public IP address, so anything launched there is reachable from the internet as far as its security groups allow.`
        : `${where} ${is}. Yet it gives every new instance a public IP address, which is of no use there: turn it off before someone adds an internet route.`,
    data: { ...data },
  };
}

/** Named subnets first, by name, then the others by id: reports read the same on every run. */
const sortKey = (s: Subnet) => { const n = nameTag(s.Tags); return n ? `0${n}\u0000${s.SubnetId}` : `1${s.SubnetId}`; };

/** The subnet findings of one region: the default VPC first, then by VPC, then by name and id; a pass when there is none. */
export function regionFindings(subnets: Subnet[], tables: RouteTable[], region: string, accountId: string, partition = 'aws'): Finding[] {
  if (!subnets.length)
    return [{ status: 'pass', resource: `arn:${partition}:ec2:${region}:${accountId}:subnet/*`, region, message: `No subnets in ${region}: nothing can be launched there.` }];
  return [...subnets]
    .sort(
      (a, b) =>
        Number(!!b.DefaultForAz) - Number(!!a.DefaultForAz) || (a.VpcId ?? '').localeCompare(b.VpcId ?? '') || sortKey(a).localeCompare(sortKey(b)),
    )
    .map((s) => subnetFinding(s, tables, region, accountId));
}
