/**
 * Undo of the security group changes the infrastructure steps make (admin-ports,
 * default-security-groups). A revoke records, in its journal output, the rules the group had left
 * in that direction right after it (`left`, read back); undo re-authorizes exactly the revoked
 * rules, and only while the group's rules are still the ones the fix left. An authorize (a
 * replacement rule) is revoked again only while every rule it added is still there as added.
 *
 * Rules are compared one source entry at a time (protocol, ports, one CIDR, group or prefix list,
 * its description), so the order AWS lists them in and the way it groups them do not matter.
 */
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import type { IpPermission } from '@aws-sdk/client-ec2';
import { securityGroups } from '../../../src/aws/ec2-inventory.js';
import type { PlanAction, StepContext, UndoEntry, UndoVerdict } from '../../../src/engine/step-kit.js';
import { drifted, irreversible, nothingToUndo, recordedInverse, sameJson, undoWith } from '../../../src/engine/step-kit.js';
import { cleanPermission, protocolName, ruleText } from './sg-rules.js';

export type Direction = 'in' | 'out';

/** One source entry of a rule, as a rule of its own, with a key to compare it by. */
export interface SingleEntry {
  key: string;
  /** The key without the description: the same rule, whatever it is called. */
  source: string;
  permission: IpPermission;
}

/** Every source entry of `perms` as its own single-source rule, in the order read. */
export function singleEntries(perms: readonly IpPermission[] | undefined): SingleEntry[] {
  const out: SingleEntry[] = [];
  for (const p of perms ?? []) {
    const proto = protocolName(p.IpProtocol);
    const ports = proto === '-1' ? '' : `${p.FromPort ?? ''}:${p.ToPort ?? ''}`;
    const head: IpPermission = { IpProtocol: p.IpProtocol ?? '-1' };
    if (p.FromPort !== undefined) head.FromPort = p.FromPort;
    if (p.ToPort !== undefined) head.ToPort = p.ToPort;
    const keys = (kind: string, source: string | undefined, description: string | undefined) => ({
      key: JSON.stringify([proto, ports, kind, source ?? '', description ?? '']),
      source: JSON.stringify([proto, ports, kind, source ?? '']),
    });
    for (const r of p.IpRanges ?? []) out.push({ ...keys('v4', r.CidrIp, r.Description), permission: { ...head, IpRanges: [{ ...r }] } });
    for (const r of p.Ipv6Ranges ?? []) out.push({ ...keys('v6', r.CidrIpv6, r.Description), permission: { ...head, Ipv6Ranges: [{ ...r }] } });
    for (const g of p.UserIdGroupPairs ?? [])
      out.push({ ...keys('group', g.GroupId ?? g.GroupName, g.Description), permission: { ...head, UserIdGroupPairs: [{ ...g }] } });
    for (const l of p.PrefixListIds ?? []) out.push({ ...keys('prefix-list', l.PrefixListId, l.Description), permission: { ...head, PrefixListIds: [{ ...l }] } });
  }
  return out;
}

const keysOf = (perms: readonly IpPermission[] | undefined) => singleEntries(perms).map((e) => e.key).sort();

/** The rules of a group in one direction, read now (not from the run's shared reads): what a revoke left. */
export async function rulesLeft(ctx: StepContext, region: string, groupId: string, direction: Direction): Promise<IpPermission[]> {
  const out = await ctx.client(EC2Client, region).send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
  const g = out.SecurityGroups?.[0];
  return ((direction === 'in' ? g?.IpPermissions : g?.IpPermissionsEgress) ?? []).map(cleanPermission);
}

const directionText = (d: Direction) => (d === 'in' ? 'inbound' : 'outbound');

function rulesText(perms: readonly IpPermission[], direction: Direction, selfId: string): string {
  return perms.length ? perms.map((p) => ruleText(p, direction, selfId)).join('; ') : 'no rules';
}

async function currentRules(ctx: StepContext, region: string, groupId: string, direction: Direction): Promise<IpPermission[] | undefined> {
  const g = (await securityGroups(ctx, region)).find((x) => x.GroupId === groupId);
  if (!g) return undefined;
  return ((direction === 'in' ? g.IpPermissions : g.IpPermissionsEgress) ?? []).map(cleanPermission);
}

/**
 * Undo of a RevokeSecurityGroupIngress/Egress the fix made: authorize the revoked rules again, as
 * recorded, while the group's rules in that direction are still those the fix left (journal
 * output `left`). A revoked entry the group has now (moto keeps a revoked IPv6 egress rule) is not
 * authorized twice.
 */
export async function undoRevoke(ctx: StepContext, entry: UndoEntry, direction: Direction): Promise<UndoVerdict> {
  const params = entry.params as { GroupId: string; IpPermissions: IpPermission[] };
  const where = `security group ${params.GroupId} (${entry.region})`;
  const now = await currentRules(ctx, entry.region, params.GroupId, direction);
  if (!now) return nothingToUndo(`The ${where} no longer exists: there is nothing to put its rules back on.`);
  const left = entry.output?.left as IpPermission[] | undefined;
  if (left && !sameJson(keysOf(now), keysOf(left)))
    return drifted(`The ${directionText(direction)} rules of ${where}`, { now: rulesText(now, direction, params.GroupId), wrote: rulesText(left, direction, params.GroupId) });
  const nowKeys = new Set(keysOf(now));
  const revoked = singleEntries(params.IpPermissions);
  const missing = revoked.filter((e) => !nowKeys.has(e.key));
  if (!missing.length) return nothingToUndo(`The ${where} has the rules this fix removed: nothing to put back.`);
  const sent = missing.length === revoked.length ? params : { GroupId: params.GroupId, IpPermissions: missing.map((e) => e.permission) };
  const operation = direction === 'in' ? 'AuthorizeSecurityGroupIngress' : 'AuthorizeSecurityGroupEgress';
  const action: PlanAction = {
    service: 'ec2',
    operation,
    region: entry.region,
    params: sent,
    summary: entry.inverse?.summary ?? `Put back the ${directionText(direction)} rules removed from ${where}: ${rulesText(sent.IpPermissions, direction, params.GroupId)}`,
    async run(c) {
      const client = c.client(EC2Client, entry.region);
      if (direction === 'in') await client.send(new AuthorizeSecurityGroupIngressCommand(sent));
      else await client.send(new AuthorizeSecurityGroupEgressCommand(sent));
      return { output: { GroupId: params.GroupId, authorized: sent.IpPermissions } };
    },
  };
  return undoWith(action);
}

/**
 * Undo of an AuthorizeSecurityGroupIngress the fix made (a replacement rule): revoke it, as
 * recorded, while every entry it added is still there as added.
 */
export async function undoAuthorize(ctx: StepContext, entry: UndoEntry, direction: Direction): Promise<UndoVerdict> {
  const params = entry.params as { GroupId: string; IpPermissions: IpPermission[] };
  const where = `security group ${params.GroupId} (${entry.region})`;
  const now = await currentRules(ctx, entry.region, params.GroupId, direction);
  if (!now) return nothingToUndo(`The ${where} no longer exists, and the rules this fix added with it.`);
  const nowEntries = singleEntries(now);
  const nowKeys = new Set(nowEntries.map((e) => e.key));
  const nowSources = new Set(nowEntries.map((e) => e.source));
  const added = singleEntries(params.IpPermissions);
  const present = added.filter((e) => nowKeys.has(e.key));
  const edited = added.filter((e) => !nowKeys.has(e.key) && nowSources.has(e.source));
  if (!present.length && !edited.length) return nothingToUndo(`The rules this fix added to the ${where} are gone already.`);
  if (present.length < added.length)
    return drifted(`The rules this fix added to the ${where}`, { now: rulesText(now, direction, params.GroupId), wrote: rulesText(params.IpPermissions, direction, params.GroupId) });
  return undoWith(recordedInverse(entry));
}

/** The security group changes a fix can make, each with its undo. */
const UNDO_OF = {
  RevokeSecurityGroupIngress: (ctx: StepContext, entry: UndoEntry) => undoRevoke(ctx, entry, 'in'),
  RevokeSecurityGroupEgress: (ctx: StepContext, entry: UndoEntry) => undoRevoke(ctx, entry, 'out'),
  AuthorizeSecurityGroupIngress: (ctx: StepContext, entry: UndoEntry) => undoAuthorize(ctx, entry, 'in'),
};
export type RuleChange = keyof typeof UNDO_OF;

/**
 * A step's `undo` for the rule changes its fix makes (`made`); any other journal entry is one it
 * does not know how to undo.
 */
export function undoRuleChanges(stepId: string, made: readonly RuleChange[]): (ctx: StepContext, entry: UndoEntry) => Promise<UndoVerdict> {
  return async (ctx, entry) => {
    const op = made.find((m) => m === entry.operation);
    return op ? UNDO_OF[op](ctx, entry) : irreversible(`${stepId} made no ${entry.operation} change that it knows how to undo.`);
  };
}
