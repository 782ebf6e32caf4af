/**
 * Network ACL evaluation as AWS does it, for inbound traffic from the internet to SSH and RDP, and
 * where deny entries can go to stop it. Pure (unit-tested on rule tables).
 *
 * AWS evaluates a network ACL's inbound entries in rule-number order and the first entry that
 * matches a packet decides (allow or deny); nothing is remembered between packets (stateless).
 * "The internet reaches port 22" is asked of a packet from an address that no narrower entry names:
 * the entries that can match it are those for 0.0.0.0/0 (IPv4) or ::/0 (IPv6) whose protocol is TCP
 * or all (-1) and whose port range holds the port. A narrower deny does not close the port to the
 * internet; a narrower allow does not open it.
 */
import type { NetworkAclEntry } from '@aws-sdk/client-ec2';

export const NACL_PORTS = [22, 3389] as const;
export type NaclPort = (typeof NACL_PORTS)[number];
export type Family = 'ipv4' | 'ipv6';
export const FAMILIES: readonly Family[] = ['ipv4', 'ipv6'];
export const WORLD: Record<Family, string> = { ipv4: '0.0.0.0/0', ipv6: '::/0' };

/** The highest rule number a person can use (32767 is AWS's own catch-all deny). */
export const MAX_RULE = 32766;

/** An opening: the first entry for the internet on this family and port allows it. */
export interface Exposure {
  family: Family;
  port: NaclPort;
  /** The rule number of the allowing entry. */
  allowRule: number;
}

/** A deny entry the fix adds. */
export interface PlannedDeny extends Exposure {
  ruleNumber: number;
}

const TCP = new Set(['6', 'tcp']);

const familyOf = (e: NetworkAclEntry): Family | undefined => (e.CidrBlock ? 'ipv4' : e.Ipv6CidrBlock ? 'ipv6' : undefined);
const cidrOf = (e: NetworkAclEntry): string | undefined => e.CidrBlock ?? e.Ipv6CidrBlock;

/** Whether the entry's protocol and ports take TCP traffic to `port` (whatever its address). */
export function takesTcpPort(e: NetworkAclEntry, port: number): boolean {
  const proto = String(e.Protocol ?? '-1').toLowerCase();
  if (proto === '-1' || proto === 'all') return true;
  if (!TCP.has(proto)) return false;
  const r = e.PortRange;
  if (!r || r.From === undefined || r.To === undefined) return true;
  return r.From <= port && port <= r.To;
}

/** The inbound entries, in the order AWS evaluates them. */
export function inbound(entries: readonly NetworkAclEntry[]): NetworkAclEntry[] {
  return entries.filter((e) => !e.Egress && e.RuleNumber !== undefined).sort((a, b) => a.RuleNumber! - b.RuleNumber!);
}

/** The entry that decides a packet from the internet (`family`) to TCP `port`, or undefined (AWS's implicit deny). */
export function decidingEntry(entries: readonly NetworkAclEntry[], family: Family, port: number): NetworkAclEntry | undefined {
  return inbound(entries).find((e) => familyOf(e) === family && cidrOf(e) === WORLD[family] && takesTcpPort(e, port));
}

/** Every family and port the internet reaches through this ACL, with the entry that lets it in. */
export function exposures(entries: readonly NetworkAclEntry[]): Exposure[] {
  const out: Exposure[] = [];
  for (const family of FAMILIES)
    for (const port of NACL_PORTS) {
      const e = decidingEntry(entries, family, port);
      if (e && String(e.RuleAction).toLowerCase() === 'allow') out.push({ family, port, allowRule: e.RuleNumber! });
    }
  return out;
}

/**
 * Where deny entries go: for each exposure, the highest free rule number below the allowing entry,
 * passing over the entries in between only when they cannot let that port in for that family (a
 * deny, another family, another port). An allow in between that takes the port (an office range,
 * say) must keep working, so a deny may not go above it: that exposure is `stuck` and a person must
 * free a rule number. Existing entries are never renumbered or removed.
 */
export function placeDenies(entries: readonly NetworkAclEntry[], found: readonly Exposure[] = exposures(entries)): { planned: PlannedDeny[]; stuck: Exposure[] } {
  const taken = new Map<number, NetworkAclEntry | 'planned'>();
  for (const e of inbound(entries)) taken.set(e.RuleNumber!, e);
  const planned: PlannedDeny[] = [];
  const stuck: Exposure[] = [];
  for (const x of found) {
    let placed: number | undefined;
    for (let n = Math.min(x.allowRule, MAX_RULE + 1) - 1; n >= 1; n--) {
      const e = taken.get(n);
      if (e === undefined) {
        placed = n;
        break;
      }
      if (e !== 'planned' && String(e.RuleAction).toLowerCase() === 'allow' && familyOf(e) === x.family && takesTcpPort(e, x.port)) break;
    }
    if (placed === undefined) stuck.push(x);
    else {
      taken.set(placed, 'planned');
      planned.push({ ...x, ruleNumber: placed });
    }
  }
  return { planned, stuck };
}

export const PORT_LABEL: Record<NaclPort, string> = { 22: 'SSH (22)', 3389: 'RDP (3389)' };

/** `SSH (22) from 0.0.0.0/0 through rule 100`. */
export function exposureText(x: Exposure): string {
  return `${PORT_LABEL[x.port]} from ${WORLD[x.family]} through rule ${x.allowRule}`;
}

/**
 * Every exposure of one ACL in words, the ports that share a source and an allowing rule together:
 * `SSH (22) and RDP (3389) from 0.0.0.0/0 through rule 100, and SSH (22) from ::/0 through rule 101`.
 */
export function exposuresText(found: readonly Exposure[]): string {
  const groups = new Map<string, { family: Family; allowRule: number; ports: NaclPort[] }>();
  for (const x of found) {
    const key = `${x.family}:${x.allowRule}`;
    const g = groups.get(key) ?? { family: x.family, allowRule: x.allowRule, ports: [] };
    g.ports.push(x.port);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => `${g.ports.map((p) => PORT_LABEL[p]).join(' and ')} from ${WORLD[g.family]} through rule ${g.allowRule}`).join(', and ');
}
