/**
 * Security group rules as people read them, and as the EC2 API takes them back. Pure: the
 * infrastructure steps (default-security-groups, admin-ports) and their unit tests use these.
 *
 * A rule is sent back to Revoke/Authorize exactly as DescribeSecurityGroups returned it, minus the
 * empty lists the API pads it with (`cleanPermission`), so a revoke removes that rule and no other.
 */
import type { IpPermission, IpRange, Ipv6Range } from '@aws-sdk/client-ec2';

export const WORLD_V4 = '0.0.0.0/0';
export const WORLD_V6 = '::/0';

/** The remote administration ports CIS 6.3/6.4 and FSBP EC2.13/EC2.14 name: SSH and RDP. */
export const ADMIN_PORTS = [22, 3389] as const;
export type AdminPort = (typeof ADMIN_PORTS)[number];
export const PORT_NAME: Record<AdminPort, string> = { 22: 'SSH (22)', 3389: 'RDP (3389)' };

/** `-1`, `tcp`/`6`, `udp`/`17`, `icmp`/`1`… as one lower-case name. */
export function protocolName(p: string | undefined): string {
  const v = (p ?? '-1').toLowerCase();
  return ({ '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6' } as Record<string, string>)[v] ?? v;
}

/** The rule's port range for TCP/UDP, or undefined when it covers every port (protocol -1, or no range given). */
function portRange(p: IpPermission): { from: number; to: number } | undefined {
  const proto = protocolName(p.IpProtocol);
  if (proto === '-1') return undefined;
  if (proto !== 'tcp' && proto !== 'udp') return { from: -2, to: -2 }; // ICMP and others: no ports to speak of
  if (p.FromPort === undefined || p.ToPort === undefined || p.FromPort < 0 || p.ToPort < 0) return undefined;
  return { from: p.FromPort, to: p.ToPort };
}

/** Whether traffic of this rule reaches `port` (TCP or UDP, or every protocol). */
export function reachesPort(p: IpPermission, port: number): boolean {
  const r = portRange(p);
  return !r || (r.from <= port && port <= r.to);
}

/** Whether the rule opens every port: protocol -1, or TCP/UDP 0–65535. */
export function allPorts(p: IpPermission): boolean {
  const r = portRange(p);
  return !r || (r.from <= 0 && r.to >= 65535);
}

/** `all traffic`, `TCP 22`, `TCP 20-30`, `ICMP`. */
export function trafficText(p: IpPermission): string {
  const proto = protocolName(p.IpProtocol);
  if (proto === '-1') return 'all traffic';
  const r = portRange(p);
  if (!r) return `${proto.toUpperCase()} (all ports)`;
  if (r.from === -2) return proto.toUpperCase();
  if (r.from <= 0 && r.to >= 65535) return `${proto.toUpperCase()} (all ports)`;
  return `${proto.toUpperCase()} ${r.from === r.to ? r.from : `${r.from}-${r.to}`}`;
}

/** Every source of a rule, as text: CIDRs, groups (`this group` for a self-reference), prefix lists. */
export function sources(p: IpPermission, selfId?: string): string[] {
  return [
    ...(p.IpRanges ?? []).map((r) => r.CidrIp ?? '?'),
    ...(p.Ipv6Ranges ?? []).map((r) => r.CidrIpv6 ?? '?'),
    ...(p.UserIdGroupPairs ?? []).map((g) => (g.GroupId && g.GroupId === selfId ? 'this group' : (g.GroupId ?? g.GroupName ?? '?'))),
    ...(p.PrefixListIds ?? []).map((l) => l.PrefixListId ?? '?'),
  ];
}

/** `all traffic from this group`, `TCP 22 to 0.0.0.0/0`. */
export function ruleText(p: IpPermission, direction: 'in' | 'out', selfId?: string): string {
  return `${trafficText(p)} ${direction === 'in' ? 'from' : 'to'} ${sources(p, selfId).join(', ') || '(no source)'}`;
}

const nonEmpty = <T>(xs: T[] | undefined): xs is T[] => !!xs && xs.length > 0;

/** The rule as the API takes it back: the read values, without empty lists and undefined fields. */
export function cleanPermission(p: IpPermission): IpPermission {
  const out: IpPermission = { IpProtocol: p.IpProtocol ?? '-1' };
  if (p.FromPort !== undefined) out.FromPort = p.FromPort;
  if (p.ToPort !== undefined) out.ToPort = p.ToPort;
  if (nonEmpty(p.IpRanges)) out.IpRanges = p.IpRanges.map((r) => ({ ...r }));
  if (nonEmpty(p.Ipv6Ranges)) out.Ipv6Ranges = p.Ipv6Ranges.map((r) => ({ ...r }));
  if (nonEmpty(p.UserIdGroupPairs)) out.UserIdGroupPairs = p.UserIdGroupPairs.map((g) => ({ ...g }));
  if (nonEmpty(p.PrefixListIds)) out.PrefixListIds = p.PrefixListIds.map((l) => ({ ...l }));
  return out;
}

/** One world-open source entry of one rule: the unit the admin-ports fix revokes. */
export interface OpenEntry {
  family: 'ipv4' | 'ipv6';
  /** The rule with only this one source entry, as read: what RevokeSecurityGroupIngress gets. */
  permission: IpPermission;
  /** The admin ports it lets the world reach. */
  ports: AdminPort[];
  /** It opens every port (protocol -1, or 0–65535). */
  everyPort: boolean;
  /** `TCP 22 from 0.0.0.0/0`. */
  text: string;
}

function only(p: IpPermission, range: { v4?: IpRange; v6?: Ipv6Range }): IpPermission {
  const out: IpPermission = { IpProtocol: p.IpProtocol ?? '-1' };
  if (p.FromPort !== undefined) out.FromPort = p.FromPort;
  if (p.ToPort !== undefined) out.ToPort = p.ToPort;
  if (range.v4) out.IpRanges = [{ ...range.v4 }];
  if (range.v6) out.Ipv6Ranges = [{ ...range.v6 }];
  return out;
}

/**
 * The source entries of a group's inbound rules that let 0.0.0.0/0 or ::/0 reach SSH, RDP or every
 * port, each as its own single-entry rule, in the order read. Other entries of the same rule (an
 * office range beside 0.0.0.0/0) are not among them.
 */
export function openAdminEntries(ingress: readonly IpPermission[] | undefined): OpenEntry[] {
  const out: OpenEntry[] = [];
  for (const p of ingress ?? []) {
    const ports = ADMIN_PORTS.filter((port) => reachesPort(p, port));
    const everyPort = allPorts(p);
    if (!ports.length && !everyPort) continue;
    for (const r of p.IpRanges ?? [])
      if (r.CidrIp === WORLD_V4) out.push({ family: 'ipv4', permission: only(p, { v4: r }), ports, everyPort, text: `${trafficText(p)} from ${WORLD_V4}` });
    for (const r of p.Ipv6Ranges ?? [])
      if (r.CidrIpv6 === WORLD_V6) out.push({ family: 'ipv6', permission: only(p, { v6: r }), ports, everyPort, text: `${trafficText(p)} from ${WORLD_V6}` });
  }
  return out;
}

/** What an open entry exposes, in words: `every port`, `SSH (22) and RDP (3389)`. */
export function exposureText(e: Pick<OpenEntry, 'ports' | 'everyPort'>): string {
  if (e.everyPort) return 'every port';
  return e.ports.map((p) => PORT_NAME[p]).join(' and ');
}

/** Whether `p` (one rule as read) already has `cidr` as a source, so authorizing it again would be a duplicate. */
export function hasSource(rules: readonly IpPermission[] | undefined, like: IpPermission, cidr: string): boolean {
  return (rules ?? []).some(
    (p) =>
      protocolName(p.IpProtocol) === protocolName(like.IpProtocol) &&
      (protocolName(like.IpProtocol) === '-1' || (p.FromPort === like.FromPort && p.ToPort === like.ToPort)) &&
      ((p.IpRanges ?? []).some((r) => r.CidrIp === cidr) || (p.Ipv6Ranges ?? []).some((r) => r.CidrIpv6 === cidr)),
  );
}
