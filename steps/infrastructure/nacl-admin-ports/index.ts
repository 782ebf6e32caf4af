/**
 * infrastructure.nacl-admin-ports: no network ACL lets 0.0.0.0/0 or ::/0 reach SSH (22) or RDP
 * (3389) (CIS 6.2, FSBP EC2.21), evaluated as AWS does (./evaluate.ts): inbound entries in
 * rule-number order, the first match decides. Every default ACL allows everything at rule 100, so
 * every new account fails this.
 *
 * One shared paginated read per region (DescribeNetworkAcls). The fix adds deny entries (TCP 22 and
 * 3389, for each family the ACL lets in) at free rule numbers just below the allowing entry; it
 * never renumbers or deletes. An opening with no usable number below its allow stays, as `manual`.
 */
import { CreateNetworkAclEntryCommand, DeleteNetworkAclEntryCommand, EC2Client, paginateDescribeNetworkAcls } from '@aws-sdk/client-ec2';
import type { NetworkAcl } from '@aws-sdk/client-ec2';
import { labelled, networkAcls } from '../../../src/aws/ec2-inventory.js';
import type { Finding, Plan, PlanAction, Step, StepContext, UndoEntry, UndoVerdict } from '../../../src/engine/step-kit.js';
import { canonical, drifted, irreversible, nothingToUndo, plural, recordedInverse, sandboxOnly, undoWith } from '../../../src/engine/step-kit.js';
import type { Exposure, PlannedDeny } from './evaluate.js';
import { exposures, exposuresText, NACL_PORTS, PORT_LABEL, placeDenies, WORLD } from './evaluate.js';
import { eachEc2Region, regionPass } from '../_shared/ec2-check.js';
import { listText } from '../_shared/text.js';
import meta from './meta.js';

export const REGION_CONCURRENCY = 8;

/** What a finding with openings carries for the plan. */
export interface AclData {
  region: string;
  aclId: string;
  label: string;
  vpcId: string;
  subnets: number;
  planned: PlannedDeny[];
  stuck: Exposure[];
}

/** The finding for one ACL that lets the internet in, or undefined (exported for unit tests). */
export function aclFinding(acl: NetworkAcl, region: string): Finding | undefined {
  const found = exposures(acl.Entries ?? []);
  if (!found.length) return undefined;
  const { planned, stuck } = placeDenies(acl.Entries ?? [], found);
  const aclId = acl.NetworkAclId!;
  const label = labelled(aclId, acl.Tags);
  const subnets = acl.Associations?.length ?? 0;
  const where = `Network ACL ${label}${acl.IsDefault ? ' (the default ACL)' : ''} of VPC ${acl.VpcId ?? '?'} in ${region}, used by ${plural(subnets, 'subnet')},`;
  const data: AclData = { region, aclId, label, vpcId: acl.VpcId ?? '', subnets, planned, stuck };
  const open = `lets the internet reach ${exposuresText(found)}`;
  if (!stuck.length) return { status: 'fail', resource: label, region, message: `${where} ${open}.`, data: { ...data } };
  return {
    status: 'manual',
    resource: label,
    region,
    message:
      `${where} ${open}. No free rule number below the allowing entry for ${stuck.map((x) => `${PORT_LABEL[x.port]} from ${WORLD[x.family]}`).join(', ')} ` +
      '(or an earlier allow for a narrower range would be cut off): renumber your entries by hand to leave room for a deny, then check again.',
    data: { ...data },
  };
}

async function checkRegion(ctx: StepContext, region: string): Promise<Finding[]> {
  const acls = await networkAcls(ctx, region);
  const open = [...acls]
    .sort((a, b) => (a.NetworkAclId ?? '').localeCompare(b.NetworkAclId ?? ''))
    .map((a) => aclFinding(a, region))
    .filter((f): f is Finding => !!f);
  if (open.length) return open;
  const message = acls.length
    ? `None of the ${plural(acls.length, 'network ACL')} in ${region} lets 0.0.0.0/0 or ::/0 reach SSH (22) or RDP (3389).`
    : `No network ACLs in ${region}.`;
  return [regionPass(ctx, region, 'network-acl', message)];
}

function dataOf(f: Finding): AclData | undefined {
  const d = f.data as Partial<AclData> | undefined;
  if (!d?.aclId || !d.region) return undefined;
  return { region: d.region, aclId: d.aclId, label: d.label ?? d.aclId, vpcId: d.vpcId ?? '', subnets: d.subnets ?? 0, planned: d.planned ?? [], stuck: d.stuck ?? [] };
}

function denyAction(d: AclData, x: PlannedDeny): PlanAction {
  const range = x.family === 'ipv4' ? { CidrBlock: WORLD.ipv4 } : { Ipv6CidrBlock: WORLD.ipv6 };
  const params = {
    NetworkAclId: d.aclId,
    RuleNumber: x.ruleNumber,
    Protocol: '6',
    RuleAction: 'deny' as const,
    Egress: false,
    ...range,
    PortRange: { From: x.port, To: x.port },
  };
  return {
    service: 'ec2',
    operation: 'CreateNetworkAclEntry',
    region: d.region,
    params,
    summary: `Deny ${PORT_LABEL[x.port]} from ${WORLD[x.family]} at rule ${x.ruleNumber} of network ACL ${d.label} (${d.region}), ahead of rule ${x.allowRule} that allows it`,
    ...(d.subnets ? { destructive: true } : {}),
    inverse: {
      service: 'ec2',
      operation: 'DeleteNetworkAclEntry',
      region: d.region,
      params: { NetworkAclId: d.aclId, RuleNumber: x.ruleNumber, Egress: false },
      summary: `Remove the deny entry ${x.ruleNumber} from network ACL ${d.label}`,
    },
    async run(ctx) {
      await ctx.client(EC2Client, d.region).send(new CreateNetworkAclEntryCommand(params));
    },
  };
}

/** The fields of an ACL entry that make it what it is, as CreateNetworkAclEntry takes them. */
function entryShape(e: { Protocol?: string; RuleAction?: string; CidrBlock?: string; Ipv6CidrBlock?: string; PortRange?: { From?: number; To?: number } }) {
  return canonical({
    Protocol: e.Protocol,
    RuleAction: e.RuleAction,
    CidrBlock: e.CidrBlock ?? null,
    Ipv6CidrBlock: e.Ipv6CidrBlock ?? null,
    PortRange: e.PortRange ? { From: e.PortRange.From, To: e.PortRange.To } : null,
  });
}

/**
 * Undo of a deny entry the fix added: delete it by its rule number, while the entry at that number
 * is still the one the fix made.
 */
async function undoEntry(ctx: StepContext, entry: UndoEntry): Promise<UndoVerdict> {
  if (entry.operation !== 'CreateNetworkAclEntry') return irreversible(`${meta.id} made no ${entry.operation} change that it knows how to undo.`);
  const wrote = entry.params as { NetworkAclId: string; RuleNumber: number; Egress: boolean };
  const where = `Entry ${wrote.RuleNumber} of network ACL ${wrote.NetworkAclId} (${entry.region})`;
  const acl = (await networkAcls(ctx, entry.region)).find((a) => a.NetworkAclId === wrote.NetworkAclId);
  if (!acl) return nothingToUndo(`Network ACL ${wrote.NetworkAclId} (${entry.region}) no longer exists, and the entry the fix added with it.`);
  const now = (acl.Entries ?? []).find((e) => e.RuleNumber === wrote.RuleNumber && !!e.Egress === wrote.Egress);
  if (!now) return nothingToUndo(`${where} is gone already.`);
  if (entryShape(now) !== entryShape(entry.params)) return drifted(where, { now: entryShape(now), wrote: entryShape(entry.params) });
  return undoWith(recordedInverse(entry));
}

const step: Step = {
  meta,

  async check(ctx) {
    return eachEc2Region(ctx, { type: 'network-acl', reads: ['networkAcls'], concurrency: REGION_CONCURRENCY }, (region) => checkRegion(ctx, region));
  },

  async plan(_ctx, findings): Promise<Plan> {
    const open = findings.filter((f) => f.status === 'fail' || f.status === 'manual').map(dataOf).filter((d): d is AclData => !!d);
    const actions = open.flatMap((d) => d.planned.map((x) => denyAction(d, x)));
    const warnings: string[] = [];
    const stuck = open.filter((d) => d.stuck.length);
    for (const d of stuck)
      warnings.push(
        `Network ACL ${d.label} (${d.region}) stays open for ${d.stuck.map((x) => `${PORT_LABEL[x.port]} from ${WORLD[x.family]}`).join(', ')}: ` +
          `there is no free rule number between the entries before rule ${d.stuck.map((x) => x.allowRule).join('/')} and that rule, and no entry is renumbered or removed by this tool. ` +
          'Free a number below the allowing entry by hand (VPC console, Network ACLs, Edit inbound rules), then check again.',
      );
    const used = open.filter((d) => d.subnets && d.planned.length);
    if (used.length)
      warnings.push(
        `SSH and RDP from the internet stop for every subnet that uses ${listText(used.map((d) => `${d.label} in ${d.region} (${plural(d.subnets, 'subnet')})`))}, whatever their security groups allow. ` +
          'Reach instances with EC2 Instance Connect or Session Manager instead; to keep SSH from your own network, add an allow entry for it at a lower rule number than the new denies.',
      );
    return { actions, ...(warnings.length ? { warnings } : {}) };
  },

  undo: undoEntry,

  /**
   * day-one scenario: the home region's default VPC keeps its default ACL, which allows everything
   * in at rule 100 (moto makes it as AWS does). Seeding again removes the deny entries a fix added
   * for SSH and RDP from the internet, so the ACL is open again.
   */
  async seed(ctx) {
    sandboxOnly(ctx);
    const ec2 = ctx.client(EC2Client, ctx.target.homeRegion);
    for await (const page of paginateDescribeNetworkAcls({ client: ec2 }, { Filters: [{ Name: 'default', Values: ['true'] }] }))
      for (const acl of page.NetworkAcls ?? [])
        for (const e of acl.Entries ?? []) {
          const world = e.CidrBlock === WORLD.ipv4 || e.Ipv6CidrBlock === WORLD.ipv6;
          const admin = NACL_PORTS.some((p) => e.PortRange?.From === p && e.PortRange?.To === p);
          if (!e.Egress && world && admin && e.RuleAction === 'deny' && e.Protocol === '6')
            await ec2.send(new DeleteNetworkAclEntryCommand({ NetworkAclId: acl.NetworkAclId, RuleNumber: e.RuleNumber, Egress: false }));
        }
  },
};

export default step;
