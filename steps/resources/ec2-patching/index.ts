/**
 * resources.ec2-patching: every running instance in the run's regions is a Systems Manager managed
 * node whose agent is online (FSBP SSM.1), so Patch Manager can scan and patch it.
 *
 * Per region: the running instances from the shared EC2 inventory, then, only when there are
 * some, DescribeInstanceInformation paginated (50 a page, its limit), matched by instance id.
 * The guided fix attaches AmazonSSMManagedInstanceCore to the role of each unmanaged instance's
 * profile (one call per role, however many instances share it), and says the rest: the agent,
 * the network path to Systems Manager, and a patch baseline.
 */
import { AttachRolePolicyCommand, IAMClient, ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import type { InstanceInformation } from '@aws-sdk/client-ssm';
import { SSMClient, paginateDescribeInstanceInformation } from '@aws-sdk/client-ssm';
import type { Finding, Plan, PlanAction, Step, StepContext } from '../../../src/engine/step-kit.js';
import { errorCode, irreversible, nothingToUndo, recordedInverse, sandboxOnly, undoWith } from '../../../src/engine/step-kit.js';
import { READ_ACTION } from '../../../src/aws/ec2-inventory.js';
import { failure, forEachRegion, instanceLabel, profileRole, regionArn, runningInstances, someOf } from '../_shared/compute.js';
import type { ProfileRole } from '../_shared/compute.js';
import { seedDayOneInstance } from '../_shared/compute-fixtures.js';
import meta from './meta.js';

/** DescribeInstanceInformation's largest page. */
export const SSM_PAGE_SIZE = 50;

/** The managed policy Systems Manager's agent needs on the instance role. */
export const SSM_CORE_POLICY = 'AmazonSSMManagedInstanceCore';
export const ssmCorePolicyArn = (partition: string): string => `arn:${partition}:iam::aws:policy/${SSM_CORE_POLICY}`;

/** What a failing finding carries for the plan. */
export interface UnmanagedData {
  instanceId: string;
  region: string;
  label: string;
  /** The instance profile's ARN, when the instance has one. */
  profileArn?: string;
  /** The agent's last ping status, when the instance is registered but not online. */
  ping?: string;
}

/** The finding for one running instance, from what Systems Manager knows of it (exported for unit tests). */
export function instanceFinding(
  instance: { InstanceId?: string; Tags?: { Key?: string; Value?: string }[]; IamInstanceProfile?: { Arn?: string } },
  info: InstanceInformation | undefined,
  region: string,
): Finding {
  const label = instanceLabel(instance);
  const base = { resource: label, region };
  const where = `Instance ${label} in ${region}`;
  const ping = info?.PingStatus;
  if (info && ping === 'Online') {
    const os = [info.PlatformName, info.PlatformVersion].filter(Boolean).join(' ');
    return { ...base, status: 'pass', message: `${where} is managed by Systems Manager (agent ${info.AgentVersion ?? 'online'}${os ? `, ${os}` : ''}): Patch Manager can reach it.` };
  }
  const profileArn = instance.IamInstanceProfile?.Arn;
  const data: UnmanagedData = { instanceId: instance.InstanceId!, region, label, ...(profileArn ? { profileArn } : {}), ...(ping ? { ping } : {}) };
  const why = info
    ? `its Systems Manager agent registered once but is ${ping ?? 'not online'} now (last ping ${info.LastPingDateTime?.toISOString().slice(0, 16).replace('T', ' ') ?? 'unknown'})`
    : profileArn
      ? 'Systems Manager does not know it: its agent has never registered (not installed, not running, no network path, or its role lacks the permissions)'
      : 'Systems Manager does not know it, and it has no instance profile, so its agent has no credentials to register with';
  return { ...base, status: 'fail', message: `${where} is not managed by Systems Manager: ${why}. Nothing can patch it centrally.`, data: { ...data } };
}

async function managedNodes(ctx: StepContext, region: string): Promise<Map<string, InstanceInformation>> {
  const client = ctx.client(SSMClient, region);
  const out = new Map<string, InstanceInformation>();
  for await (const page of paginateDescribeInstanceInformation({ client }, { MaxResults: SSM_PAGE_SIZE }))
    for (const info of page.InstanceInformationList ?? []) if (info.InstanceId) out.set(info.InstanceId, info);
  return out;
}

const EC2_READ = {
  service: 'Amazon EC2',
  permissions: [READ_ACTION.instances],
};

async function checkRegion(ctx: StepContext, region: string): Promise<Finding[]> {
  const running = await runningInstances(ctx, region);
  if (!running.length)
    return [{ status: 'pass', resource: regionArn(ctx, region, 'ec2', 'instance/*'), region, message: `No running instances in ${region}: nothing to patch.` }];
  let nodes: Map<string, InstanceInformation>;
  try {
    nodes = await managedNodes(ctx, region);
  } catch (err) {
    return [
      failure(err, region, {
        service: 'AWS Systems Manager',
        permissions: ['ssm:DescribeInstanceInformation'],
        resource: (r) => regionArn(ctx, r, 'ssm', 'managed-instance/*'),
      }),
    ];
  }
  return running.map((i) => instanceFinding(i, nodes.get(i.InstanceId!), region));
}

function dataOf(f: Finding): UnmanagedData {
  const d = f.data as Partial<UnmanagedData> | undefined;
  if (!d?.instanceId || !d.region) throw new Error(`${meta.id}: a failing finding without its instance; check the step before planning its fix.`);
  return { instanceId: d.instanceId, region: d.region, label: d.label ?? d.instanceId, ...(d.profileArn ? { profileArn: d.profileArn } : {}), ...(d.ping ? { ping: d.ping } : {}) };
}

function attachAction(role: ProfileRole & { roleName: string }, policyArn: string, instances: UnmanagedData[]): PlanAction {
  const params = { RoleName: role.roleName, PolicyArn: policyArn };
  const who = someOf(instances.map((i) => `${i.label} (${i.region})`), 3);
  return {
    service: 'iam',
    operation: 'AttachRolePolicy',
    region: 'global',
    params,
    summary: `Attach ${SSM_CORE_POLICY} to role ${role.roleName} (instance profile ${role.profileName}, used by ${who})`,
    inverse: {
      service: 'iam',
      operation: 'DetachRolePolicy',
      region: 'global',
      params: { ...params },
      summary: `Detach ${SSM_CORE_POLICY} from role ${role.roleName}`,
    },
    async run(ctx) {
      await ctx.client(IAMClient).send(new AttachRolePolicyCommand(params));
    },
  };
}

/** Whether the role has the policy attached now; undefined when the role is gone. */
async function attachedNow(ctx: StepContext, roleName: string, policyArn: string): Promise<boolean | undefined> {
  try {
    let Marker: string | undefined;
    do {
      const page = await ctx.client(IAMClient).send(new ListAttachedRolePoliciesCommand({ RoleName: roleName, Marker }));
      if ((page.AttachedPolicies ?? []).some((x) => x.PolicyArn === policyArn)) return true;
      Marker = page.IsTruncated ? page.Marker : undefined;
    } while (Marker);
    return false;
  } catch (err) {
    if (errorCode(err) === 'NoSuchEntity') return undefined;
    throw err;
  }
}

/** The hand-work, in markdown: what an instance needs besides the role policy, and patching itself. */
export function guidance(o: { noProfile: UnmanagedData[]; registered: UnmanagedData[]; roleReady: UnmanagedData[]; emptyProfile: UnmanagedData[] }): string {
  const list = (xs: UnmanagedData[]) => someOf(xs.map((x) => `${x.label} (${x.region})`), 8);
  const parts: string[] = [];
  if (o.noProfile.length)
    parts.push(
      `**No instance profile:** ${list(o.noProfile)}. Give each one a role first (step resources.ec2-instance-roles, or EC2 console → Instance → Actions → Security → Modify IAM role) with ${SSM_CORE_POLICY} attached; then run this step again.`,
    );
  if (o.emptyProfile.length) parts.push(`**Instance profile without a role:** ${list(o.emptyProfile)}. Add a role holding ${SSM_CORE_POLICY} to the profile (IAM console → Roles).`);
  if (o.registered.length)
    parts.push(
      `**Registered, but the agent is not online:** ${list(o.registered)}. The instance may be stopped inside, the agent stopped or out of date, or its network path gone: on the instance, \`sudo systemctl status amazon-ssm-agent\` (Linux) or \`Get-Service AmazonSSMAgent\` (Windows).`,
    );
  if (o.roleReady.length) parts.push(`**Role already allows Systems Manager:** ${list(o.roleReady)}. What is missing is on the instance or its network (below).`);
  parts.push(
    [
      'What every instance needs to become a managed node:',
      '1. **The SSM Agent**, installed and running. AWS\'s Amazon Linux 2 and 2023, Ubuntu Server, macOS and Windows Server images have it; on other images install it (Systems Manager → Documentation → "Manually installing SSM Agent").',
      '2. **A role** on the instance profile with ' + SSM_CORE_POLICY + ' (this plan attaches it where a role exists). Restart the agent or wait up to 30 minutes for the new credentials.',
      '3. **A network path** over HTTPS (443) to `ssm`, `ssmmessages` and `ec2messages` in the instance\'s region: through an internet gateway or NAT gateway, or, in a private subnet without one, VPC interface endpoints for those three services (about $7 a month each per Availability Zone).',
      '',
      'Then patch them: in Systems Manager → Patch Manager, create a **patch policy** (Quick Setup) that scans every instance daily and installs approved patches in a maintenance window you choose, with AWS\'s default patch baseline for each operating system (security updates rated Critical and Important, auto-approved after 7 days) unless you need your own. Check compliance in Patch Manager → Compliance reporting (Security Hub control SSM.2).',
      '',
      'Alternative: Default Host Management Configuration (Systems Manager → Fleet Manager → Settings) manages every instance of a region without touching their roles.',
      '',
      'A newly registered instance shows up in Fleet Manager within a few minutes; choose "re-check" then.',
    ].join('\n'),
  );
  return parts.join('\n\n');
}

const step: Step = {
  /** Undo: the policy detached again while it is still attached to the role. */
  async undo(ctx, entry) {
    const p = entry.params as { RoleName?: string; PolicyArn?: string };
    if (entry.operation !== 'AttachRolePolicy' || !p.RoleName || !p.PolicyArn || !entry.inverse) return irreversible(`${meta.id} made no ${entry.operation} change that it knows how to undo.`);
    const now = await attachedNow(ctx, p.RoleName, p.PolicyArn);
    if (now === undefined) return nothingToUndo(`Role ${p.RoleName} no longer exists.`);
    if (!now) return nothingToUndo(`${SSM_CORE_POLICY} is not attached to role ${p.RoleName} any more, as before the fix.`);
    return undoWith(recordedInverse(entry));
  },

  meta,

  async check(ctx) {
    return forEachRegion(ctx, { ...EC2_READ, resource: (r) => regionArn(ctx, r, 'ec2', 'instance/*') }, (region) => checkRegion(ctx, region));
  },

  async plan(ctx, findings): Promise<Plan> {
    const failing = findings.filter((f) => f.status === 'fail').map(dataOf);
    if (!failing.length) return { actions: [] };
    const policyArn = ssmCorePolicyArn(ctx.target.partition);
    const byProfile = new Map<string, UnmanagedData[]>();
    const noProfile: UnmanagedData[] = [];
    const registered = failing.filter((d) => d.ping);
    for (const d of failing.filter((x) => !x.ping)) {
      if (!d.profileArn) noProfile.push(d);
      else byProfile.set(d.profileArn, [...(byProfile.get(d.profileArn) ?? []), d]);
    }
    const actions: PlanAction[] = [];
    const emptyProfile: UnmanagedData[] = [];
    const roleReady: UnmanagedData[] = [];
    const byRole = new Map<string, { role: ProfileRole & { roleName: string }; instances: UnmanagedData[] }>();
    for (const [profileArn, instances] of byProfile) {
      const role = await profileRole(ctx, profileArn);
      if (!role.roleName) emptyProfile.push(...instances);
      else if (role.attached.includes(policyArn)) roleReady.push(...instances);
      else {
        const entry = byRole.get(role.roleName) ?? { role: { ...role, roleName: role.roleName }, instances: [] };
        entry.instances.push(...instances);
        byRole.set(role.roleName, entry);
      }
    }
    for (const { role, instances } of byRole.values()) actions.push(attachAction(role, policyArn, instances));
    return { actions, guidance: guidance({ noProfile, registered, roleReady, emptyProfile }) };
  },

  /** day-one scenario: the shared day-one instance runs, and Systems Manager does not manage it. */
  async seed(ctx) {
    sandboxOnly(ctx);
    await seedDayOneInstance(ctx);
  },
};

export default step;
