/**
 * infrastructure.admin-ports: no security group lets 0.0.0.0/0 or ::/0 reach SSH (22), RDP (3389)
 * or every port (CIS 6.3, 6.4; FSBP EC2.13, EC2.14, EC2.18, EC2.19). Port ranges that contain 22 or
 * 3389, protocol -1, IPv4 and IPv6 all count.
 *
 * Reads (shared EC2 inventory): security groups and network interfaces, one paginated read per kind
 * per region. The fix revokes exactly the world-open source entries, one entry at a time, so an
 * office range beside 0.0.0.0/0 in the same rule stays, and so does every other rule. It can
 * authorize a network the person types in their place (first, so there is no gap). The way in
 * without an open port is EC2 Instance Connect or Session Manager.
 */
import { AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, EC2Client, paginateDescribeSecurityGroups, RevokeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import type { IpPermission, SecurityGroup } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { labelled, networkInterfaces, securityGroups } from '../../../src/aws/ec2-inventory.js';
import type { Finding, Plan, PlanAction, Step, StepContext, StepInputs } from '../../../src/engine/step-kit.js';
import { formatZodError, plural, sandboxOnly, validCidr, zodCheck } from '../../../src/engine/step-kit.js';
import { authorizeOnce, defaultVpcId } from '../_shared/default-vpc.js';
import { eachEc2Region, regionPass } from '../_shared/ec2-check.js';
import { callerInstance, groupUsers, usersText } from '../_shared/interfaces.js';
import { listText, pick } from '../_shared/text.js';
import type { OpenEntry } from '../_shared/sg-rules.js';
import { exposureText, hasSource, openAdminEntries, WORLD_V4, WORLD_V6 } from '../_shared/sg-rules.js';
import { rulesLeft, undoRuleChanges } from '../_shared/sg-undo.js';
import meta from './meta.js';

export const REGION_CONCURRENCY = 8;
/** The security group the day-one seed opens to the world. */
export const DAY_ONE_GROUP = 'day-one-web';
/** The description of a rule the fix adds in place of a world-open one. */
export const REPLACEMENT_DESCRIPTION = 'secure-start: in place of an internet-wide rule';

export interface AdminPortsInputs {
  /** A network to allow instead (IPv4 or IPv6 CIDR); null: remove the rules and add nothing. */
  cidr: string | null;
}

const schema = z
  .object({ cidr: zodCheck(validCidr).nullable().default(null) })
  .strict() as unknown as z.ZodType<AdminPortsInputs>;

/** What a failing finding carries for the plan. */
export interface GroupData {
  region: string;
  groupId: string;
  label: string;
  vpcId: string;
  open: OpenEntry[];
  /** Every inbound rule as read (to leave out a replacement the group already has). */
  ingress: IpPermission[];
  interfaces: string[];
  /** The instances behind those interfaces (for the caller's-own-session warning). */
  instances: string[];
  users: string[];
}

/** The finding for one group with world-open entries, or undefined when it has none (exported for unit tests). */
export function groupFinding(g: SecurityGroup, enis: Parameters<typeof groupUsers>[0], region: string): Finding | undefined {
  const open = openAdminEntries(g.IpPermissions);
  if (!open.length) return undefined;
  const groupId = g.GroupId!;
  const label = labelled(groupId, g.Tags, g.GroupName);
  const used = groupUsers(enis, groupId);
  const instances = [...new Set(enis.filter((e) => e.Groups?.some((x) => x.GroupId === groupId)).map((e) => e.Attachment?.InstanceId).filter((i): i is string => !!i))];
  const reach = [...new Set(open.map(exposureText))].join('; ');
  const data: GroupData = { region, groupId, label, vpcId: g.VpcId ?? '', open, ingress: g.IpPermissions ?? [], interfaces: used.interfaces, instances, users: used.users };
  return {
    status: 'fail',
    resource: label,
    region,
    message:
      `Security group ${label}${g.VpcId ? ` of VPC ${g.VpcId}` : ''} in ${region} lets the whole internet reach ${reach}: ${open.map((e) => e.text).join('; ')}. ` +
      (used.interfaces.length ? `Used by ${usersText(used)}.` : 'Nothing uses it now.'),
    data: { ...data },
  };
}

async function checkRegion(ctx: StepContext, region: string): Promise<Finding[]> {
  const [groups, enis] = await Promise.all([securityGroups(ctx, region), networkInterfaces(ctx, region)]);
  const failing = [...groups]
    .sort((a, b) => (a.GroupId ?? '').localeCompare(b.GroupId ?? ''))
    .map((g) => groupFinding(g, enis, region))
    .filter((f): f is Finding => !!f);
  if (failing.length) return failing;
  const message = groups.length
    ? `None of the ${plural(groups.length, 'security group')} in ${region} lets 0.0.0.0/0 or ::/0 reach SSH, RDP or every port.`
    : `No security groups in ${region}.`;
  return [regionPass(ctx, region, 'security-group', message)];
}

function dataOf(f: Finding): GroupData {
  const d = f.data as Partial<GroupData> | undefined;
  if (!d?.groupId || !d.region || !d.open) throw new Error(`${meta.id}: a failing finding without its group; check the step before planning its fix.`);
  return { region: d.region, groupId: d.groupId, label: d.label ?? d.groupId, vpcId: d.vpcId ?? '', open: d.open, ingress: d.ingress ?? [], interfaces: d.interfaces ?? [], instances: d.instances ?? [], users: d.users ?? [] };
}

function parseInputs(given: unknown): AdminPortsInputs {
  const parsed = schema.safeParse(given ?? {});
  if (!parsed.success) throw new Error(`Invalid inputs for ${meta.id}: ${formatZodError(parsed.error)}`);
  return parsed.data;
}

const familyOf = (cidr: string): 'ipv4' | 'ipv6' => (cidr.includes(':') ? 'ipv6' : 'ipv4');

/** The rules that let `cidr` in where the world was, one per protocol and port range, leaving out those the group has. */
export function replacements(d: Pick<GroupData, 'open' | 'ingress'>, cidr: string): IpPermission[] {
  const out = new Map<string, IpPermission>();
  for (const e of d.open) {
    const p = e.permission;
    const key = `${p.IpProtocol}:${p.FromPort ?? ''}:${p.ToPort ?? ''}`;
    if (out.has(key) || hasSource(d.ingress, p, cidr)) continue;
    const rule: IpPermission = { IpProtocol: p.IpProtocol ?? '-1' };
    if (p.FromPort !== undefined) rule.FromPort = p.FromPort;
    if (p.ToPort !== undefined) rule.ToPort = p.ToPort;
    if (familyOf(cidr) === 'ipv4') rule.IpRanges = [{ CidrIp: cidr, Description: REPLACEMENT_DESCRIPTION }];
    else rule.Ipv6Ranges = [{ CidrIpv6: cidr, Description: REPLACEMENT_DESCRIPTION }];
    out.set(key, rule);
  }
  return [...out.values()];
}

function send(region: string, op: 'Authorize' | 'Revoke', params: { GroupId: string; IpPermissions: IpPermission[] }) {
  return async (ctx: StepContext) => {
    const client = ctx.client(EC2Client, region);
    if (op === 'Authorize') {
      await client.send(new AuthorizeSecurityGroupIngressCommand(params));
      return { output: { GroupId: params.GroupId, authorized: params.IpPermissions } };
    }
    const out = await client.send(new RevokeSecurityGroupIngressCommand(params));
    if (out.UnknownIpPermissions?.length)
      throw new Error(`${params.GroupId} in ${region} no longer has some of the rules read by the check (they changed since): check again and plan anew.`);
    // What the revoke left, read back: undo puts the rules back only while the group still has just these.
    return { output: { GroupId: params.GroupId, revoked: params.IpPermissions, left: await rulesLeft(ctx, region, params.GroupId, 'in') } };
  };
}

function actionsFor(d: GroupData, cidr: string | null): PlanAction[] {
  const out: PlanAction[] = [];
  const inUse = d.interfaces.length > 0;
  const where = `security group ${d.label} in ${d.region}`;
  const exposed = listText([...new Set(d.open.map(exposureText))]);
  if (cidr) {
    const rules = replacements(d, cidr);
    if (rules.length) {
      const params = { GroupId: d.groupId, IpPermissions: rules };
      out.push({
        service: 'ec2',
        operation: 'AuthorizeSecurityGroupIngress',
        region: d.region,
        params,
        summary: `Let ${cidr} reach ${exposed} through ${where}, in place of the internet`,
        inverse: { service: 'ec2', operation: 'RevokeSecurityGroupIngress', region: d.region, params, summary: `Remove the rules for ${cidr} from ${where}` },
        run: send(d.region, 'Authorize', params),
      });
    }
  }
  const params = { GroupId: d.groupId, IpPermissions: d.open.map((e) => e.permission) };
  out.push({
    service: 'ec2',
    operation: 'RevokeSecurityGroupIngress',
    region: d.region,
    params,
    summary: `Close ${where} to the internet: remove ${listText(d.open.map((e) => e.text))} (its other rules stay)`,
    ...(inUse ? { destructive: true } : {}),
    inverse: { service: 'ec2', operation: 'AuthorizeSecurityGroupIngress', region: d.region, params, summary: `Open ${where} to the internet again as it was` },
    run: send(d.region, 'Revoke', params),
  });
  return out;
}

const inputs: StepInputs<AdminPortsInputs> = {
  schema,
  requiredInAnswers: false,
  defaults: () => ({ cidr: null }),
  async ask(asker, initial) {
    asker.note(
      'Without these rules nobody on the internet reaches SSH or RDP through them, you included. The way in without an open port: ' +
        'EC2 Instance Connect (an endpoint in the VPC) or Session Manager. If you still need SSH or RDP from one place, give its ' +
        'network (your office, your VPN) and the fix lets only that network in.',
    );
    const typed = await asker.text({
      message: 'Network to allow instead (CIDR such as 203.0.113.0/24; leave empty to allow none):',
      default: initial.cidr ?? '',
      validate: (v) => (v.trim() ? validCidr(v) : true),
    });
    return { cidr: typed.trim() || null };
  },
};

const step: Step<AdminPortsInputs> = {
  meta,
  inputs,

  async check(ctx) {
    return eachEc2Region(ctx, { type: 'security-group', reads: ['securityGroups', 'networkInterfaces'], concurrency: REGION_CONCURRENCY }, (region) =>
      checkRegion(ctx, region),
    );
  },

  async plan(ctx, findings, given): Promise<Plan> {
    const { cidr } = parseInputs(given);
    const failing = findings.filter((f) => f.status === 'fail').map(dataOf);
    if (!failing.length) return { actions: [] };
    const actions = failing.flatMap((d) => actionsFor(d, cidr));
    const warnings: string[] = [];
    const mine = callerInstance(ctx.target.principalArn);
    const onMine = mine ? failing.filter((d) => d.instances.includes(mine)) : [];
    if (onMine.length)
      warnings.push(
        `This tool runs as instance ${mine} (${ctx.target.principalArn}), which uses ${onMine.map((d) => d.label).join(', ')}: ` +
          `an SSH or RDP session you have to it from the internet ends with this fix${cidr ? ` unless it comes from ${cidr}` : ''}. Open Session Manager or Instance Connect to it first.`,
      );
    if (!cidr)
      warnings.push(
        'Your own session: if you reach instances that use these groups over SSH or RDP from your computer, that way in closes now ' +
          '(the tool cannot tell your address). Connect with EC2 Instance Connect or Session Manager instead, or give your own network ' +
          `as the CIDR (wizard: the question before this plan; answers file: "${meta.id}": { "cidr": "203.0.113.0/24" }).`,
      );
    for (const d of failing.filter((x) => x.interfaces.length))
      warnings.push(
        `Security group ${d.label} in ${d.region} is used by ${usersText({ interfaces: d.interfaces, users: d.users }, 10)}: ` +
          `connections to ${pick(d.interfaces.length, 'it', 'them')} from the internet through these rules stop${cidr ? `, except from ${cidr}` : ''}.`,
      );
    return { actions, warnings };
  },

  /**
   * Undo: a revoke is authorized again as recorded while the group's inbound rules are still those
   * the fix left; a replacement rule is revoked while it is still there as added.
   */
  undo: undoRuleChanges(meta.id, ['RevokeSecurityGroupIngress', 'AuthorizeSecurityGroupIngress']),

  /**
   * day-one scenario: security group "day-one-web" in the home region's default VPC, open to the
   * world on SSH and HTTPS, IPv4 and IPv6 (the held-out case: SSH must go, HTTPS must stay). Seeding
   * again puts back what a fix removed.
   */
  async seed(ctx) {
    sandboxOnly(ctx);
    const ec2 = ctx.client(EC2Client, ctx.target.homeRegion);
    const defaultVpc = await defaultVpcId(ctx);
    if (!defaultVpc) return;
    let groupId: string | undefined;
    const filters = [
      { Name: 'group-name', Values: [DAY_ONE_GROUP] },
      { Name: 'vpc-id', Values: [defaultVpc] },
    ];
    for await (const page of paginateDescribeSecurityGroups({ client: ec2 }, { Filters: filters })) groupId ??= page.SecurityGroups?.[0]?.GroupId;
    if (!groupId) {
      groupId = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: DAY_ONE_GROUP, Description: 'day-one web server', VpcId: defaultVpc }))).GroupId!;
    }
    for (const port of [22, 443])
      for (const range of [{ IpRanges: [{ CidrIp: WORLD_V4 }] }, { Ipv6Ranges: [{ CidrIpv6: WORLD_V6 }] }])
        await authorizeOnce(() =>
          ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [{ IpProtocol: 'tcp', FromPort: port, ToPort: port, ...range }] })),
        );
  },
};

export default step;
