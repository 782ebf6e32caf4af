/**
 * infrastructure.default-security-groups: in every region of the run, each VPC's default security
 * group has no inbound and no outbound rule (CIS 6.5, FSBP EC2.2). Anything launched without a
 * group of its own lands in the default one, so an empty default group means "nothing gets through
 * until someone decides what should".
 *
 * Reads (shared EC2 inventory, one paginated read per kind per region): security groups and
 * network interfaces. The check names who uses each default group. The fix revokes every rule with
 * the exact permissions read (one Revoke call per direction per group), keeps those rules in the
 * inverse so an undo can put them back, and is destructive where something uses the group.
 */
import { AuthorizeSecurityGroupEgressCommand, AuthorizeSecurityGroupIngressCommand, EC2Client, RevokeSecurityGroupEgressCommand, RevokeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import type { IpPermission, NetworkInterface, SecurityGroup } from '@aws-sdk/client-ec2';
import { networkInterfaces, securityGroups, vpcs } from '../../../src/aws/ec2-inventory.js';
import type { Finding, Plan, PlanAction, Step, StepContext } from '../../../src/engine/step-kit.js';
import { plural, sandboxOnly } from '../../../src/engine/step-kit.js';
import { authorizeOnce, defaultVpcId } from '../_shared/default-vpc.js';
import { eachEc2Region, regionPass } from '../_shared/ec2-check.js';
import { groupUsers, usersText } from '../_shared/interfaces.js';
import { pick } from '../_shared/text.js';
import { cleanPermission, ruleText, WORLD_V4 } from '../_shared/sg-rules.js';
import { rulesLeft, undoRuleChanges } from '../_shared/sg-undo.js';
import meta from './meta.js';

/** How many regions are read at once (two shared reads each). */
export const REGION_CONCURRENCY = 8;

/** What a failing finding carries for the plan: the group, its rules as read, and who uses it. */
export interface DefaultGroupData {
  region: string;
  groupId: string;
  vpcId: string;
  ingress: IpPermission[];
  egress: IpPermission[];
  interfaces: string[];
  users: string[];
}

export const isDefaultGroup = (g: SecurityGroup): boolean => g.GroupName === 'default' && !!g.VpcId;

function rulesText(rules: readonly IpPermission[], direction: 'in' | 'out', selfId: string): string {
  return rules.map((p) => ruleText(p, direction, selfId)).join('; ');
}

/** The finding for one default group (exported for unit tests). */
export function groupFinding(g: SecurityGroup, enis: readonly NetworkInterface[], region: string, defaultVpcId?: string): Finding {
  const groupId = g.GroupId!;
  const vpcId = g.VpcId!;
  const ingress = (g.IpPermissions ?? []).map(cleanPermission);
  const egress = (g.IpPermissionsEgress ?? []).map(cleanPermission);
  const used = groupUsers(enis, groupId);
  const where = `The default security group ${groupId} of VPC ${vpcId}${vpcId === defaultVpcId ? ' (the default VPC)' : ''} in ${region}`;
  const usage = used.interfaces.length ? `Used by ${usersText(used)}.` : 'Nothing uses it.';
  const base = { resource: groupId, region };
  if (!ingress.length && !egress.length) return { ...base, status: 'pass', message: `${where} allows no traffic: no inbound and no outbound rule. ${usage}` };
  const parts = [
    ingress.length ? `${plural(ingress.length, 'inbound rule')} (${rulesText(ingress, 'in', groupId)})` : '',
    egress.length ? `${plural(egress.length, 'outbound rule')} (${rulesText(egress, 'out', groupId)})` : '',
  ].filter(Boolean);
  const data: DefaultGroupData = { region, groupId, vpcId, ingress, egress, ...used };
  return { ...base, status: 'fail', message: `${where} has ${parts.join(' and ')}. ${usage}`, data: { ...data } };
}

async function checkRegion(ctx: StepContext, region: string): Promise<Finding[]> {
  const [groups, enis, nets] = await Promise.all([securityGroups(ctx, region), networkInterfaces(ctx, region), vpcs(ctx, region)]);
  const defaults = groups.filter(isDefaultGroup).sort((a, b) => (a.VpcId ?? '').localeCompare(b.VpcId ?? ''));
  if (!defaults.length) return [regionPass(ctx, region, 'security-group', `No VPCs in ${region}, so no default security groups.`)];
  const defaultVpc = nets.find((v) => v.IsDefault)?.VpcId;
  return defaults.map((g) => groupFinding(g, enis, region, defaultVpc));
}

function dataOf(f: Finding): DefaultGroupData {
  const d = f.data as Partial<DefaultGroupData> | undefined;
  if (!d?.groupId || !d.region || !d.vpcId) throw new Error(`${meta.id}: a failing finding without its group; check the step before planning its fix.`);
  return { region: d.region, groupId: d.groupId, vpcId: d.vpcId, ingress: d.ingress ?? [], egress: d.egress ?? [], interfaces: d.interfaces ?? [], users: d.users ?? [] };
}

function revokeAction(d: DefaultGroupData, direction: 'in' | 'out'): PlanAction {
  const rules = direction === 'in' ? d.ingress : d.egress;
  const params = { GroupId: d.groupId, IpPermissions: rules };
  const what = `${plural(rules.length, direction === 'in' ? 'inbound rule' : 'outbound rule')} of default security group ${d.groupId} (VPC ${d.vpcId}, ${d.region})`;
  const inverseOp = direction === 'in' ? 'AuthorizeSecurityGroupIngress' : 'AuthorizeSecurityGroupEgress';
  return {
    service: 'ec2',
    operation: direction === 'in' ? 'RevokeSecurityGroupIngress' : 'RevokeSecurityGroupEgress',
    region: d.region,
    params,
    summary: `Remove the ${what}: ${rulesText(rules, direction, d.groupId)}`,
    ...(d.interfaces.length ? { destructive: true } : {}),
    inverse: {
      service: 'ec2',
      operation: inverseOp,
      region: d.region,
      params: { GroupId: d.groupId, IpPermissions: rules },
      summary: `Put back the ${what} as ${pick(rules.length, 'it was', 'they were')}`,
    },
    async run(ctx) {
      const client = ctx.client(EC2Client, d.region);
      const out =
        direction === 'in' ? await client.send(new RevokeSecurityGroupIngressCommand(params)) : await client.send(new RevokeSecurityGroupEgressCommand(params));
      if (out.UnknownIpPermissions?.length)
        throw new Error(`${d.groupId} in ${d.region} no longer has some of the rules read by the check (they changed since): check again and plan anew.`);
      // The prior value, for the journal: the rules as they were, which the inverse authorizes again.
      return { output: { GroupId: d.groupId, revoked: rules, left: await rulesLeft(ctx, d.region, d.groupId, direction) } };
    },
  };
}

/** What removing a group's rules takes from the things that use it. */
function lossText(d: DefaultGroupData): string {
  const lost: string[] = [];
  if (d.ingress.length) lost.push(`the inbound traffic it allowed (${rulesText(d.ingress, 'in', d.groupId)})`);
  if (d.egress.length) lost.push(`the outbound traffic it allowed (${rulesText(d.egress, 'out', d.groupId)})`);
  const one = d.interfaces.length === 1;
  return (
    `Default security group ${d.groupId} (VPC ${d.vpcId}, ${d.region}) is used by ${usersText({ interfaces: d.interfaces, users: d.users }, 10)}: ` +
    `${one ? 'it loses' : 'they lose'} ${lost.join(' and ')}, unless another of ${one ? 'its' : 'their'} security groups allows it. ` +
    `Give ${one ? 'it' : 'each of them'} a security group of its own with the rules it needs before you apply this.`
  );
}

const step: Step = {
  meta,

  async check(ctx) {
    return eachEc2Region(ctx, { type: 'security-group', reads: ['securityGroups', 'networkInterfaces', 'vpcs'], concurrency: REGION_CONCURRENCY }, (region) =>
      checkRegion(ctx, region),
    );
  },

  async plan(_ctx, findings): Promise<Plan> {
    const failing = findings.filter((f) => f.status === 'fail').map(dataOf);
    const actions: PlanAction[] = [];
    for (const d of failing) {
      if (d.ingress.length) actions.push(revokeAction(d, 'in'));
      if (d.egress.length) actions.push(revokeAction(d, 'out'));
    }
    if (!actions.length) return { actions };
    const used = failing.filter((d) => d.interfaces.length);
    const warnings = used.map(lossText);
    return {
      actions,
      ...(warnings.length ? { warnings } : {}),
      risk: used.length
        ? `${used.length === failing.length ? pick(used.length, 'This default group is', used.length === 2 ? 'Both of these default groups are' : `All ${used.length} of these default groups are`) : `${used.length} of these ${failing.length} default groups ${pick(used.length, 'is', 'are')}`} in use: ` +
          `what uses ${pick(used.length, 'it', 'them')} loses that traffic (see the warnings). The rules removed are kept in the journal, so undo can put them back.`
        : 'Nothing uses these default groups now, so no traffic stops. From now on, anything launched without a group of its own gets no traffic until you give it one. The rules removed are kept in the journal, so undo can put them back.',
    };
  },

  /**
   * Undo: the revoked rules are authorized again as recorded, while the group's rules in that
   * direction are still those the fix left (journal output `left`).
   */
  undo: undoRuleChanges(meta.id, ['RevokeSecurityGroupIngress', 'RevokeSecurityGroupEgress']),

  /**
   * day-one scenario: the default security group of the home region's default VPC gets the rules
   * real AWS gives every new one (moto makes it without the inbound rule): all traffic in from
   * members of the group, and all traffic out. Seeding again puts back what a fix removed.
   */
  async seed(ctx) {
    sandboxOnly(ctx);
    const region = ctx.target.homeRegion;
    const ec2 = ctx.client(EC2Client, region);
    const defaultVpc = await defaultVpcId(ctx, region);
    const group = (await securityGroups(ctx, region)).find((g) => isDefaultGroup(g) && g.VpcId === defaultVpc);
    if (!group?.GroupId) return;
    const self: IpPermission = { IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: group.GroupId }] };
    const out: IpPermission = { IpProtocol: '-1', IpRanges: [{ CidrIp: WORLD_V4 }] };
    await authorizeOnce(() => ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: group.GroupId, IpPermissions: [self] })));
    await authorizeOnce(() => ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: group.GroupId, IpPermissions: [out] })));
  },
};

export default step;
