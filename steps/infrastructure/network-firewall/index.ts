/**
 * infrastructure.network-firewall: every VPC with an internet gateway is behind AWS Network
 * Firewall, or the person has decided it need not be (FSBP NetworkFirewall.*: those controls
 * judge a firewall's configuration; this step asks the question before them: is there one?).
 *
 * Advice only: a firewall costs hundreds of dollars a month per Availability Zone, and where to
 * put it depends on the network's routes, so the tool never creates one. Until the person decides,
 * each such VPC is `manual`; the decision (skip with a reason in the wizard, or
 * `"decision": "accept"` in the answers file) is recorded, and later checks show it as `skipped`.
 *
 * Per region: VPCs and internet gateways from the shared EC2 inventory, then ListFirewalls and one
 * DescribeFirewall per firewall (a firewall's VPC is only in its description), read only when some
 * VPC has an internet gateway.
 */
import { DescribeFirewallCommand, NetworkFirewallClient, paginateListFirewalls } from '@aws-sdk/client-network-firewall';
import type { InternetGateway, Vpc } from '@aws-sdk/client-ec2';
import { READ_ACTION, internetGateways, labelled, vpcs } from '../../../src/aws/ec2-inventory.js';
import type { Finding, Plan, Step, StepContext } from '../../../src/engine/step-kit.js';
import { mapLimit, plural, regionFailure, sandboxOnly } from '../../../src/engine/step-kit.js';
import { seedPublicDefaultVpc } from '../_shared/default-vpc.js';
import meta from './meta.js';

const REGION_CONCURRENCY = 4;
/** Firewalls described at once within a region. */
const DESCRIBE_CONCURRENCY = 4;

/**
 * us-east-1 list prices as this step was written. Not checked against the AWS pricing page (it could
 * not be read on 2026-12-05; lessons/infrastructure/network-firewall.md says so), hence "about".
 */
export const ENDPOINT_HOUR_USD = 0.395;
export const GB_PROCESSED_USD = 0.065;
export const HOURS_PER_MONTH = 730;

/** What one firewall endpoint costs a month before traffic: about $288. */
export const endpointMonthUsd = (): number => Math.round(ENDPOINT_HOUR_USD * HOURS_PER_MONTH);

/** Internet gateways attached to each VPC, by VPC id. */
export function gatewaysByVpc(gateways: readonly InternetGateway[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const g of gateways)
    for (const a of g.Attachments ?? []) {
      const state = (a.State ?? 'available').toLowerCase();
      if (!a.VpcId || state === 'detached' || state === 'detaching') continue;
      out.set(a.VpcId, [...(out.get(a.VpcId) ?? []), g.InternetGatewayId ?? '?']);
    }
  return out;
}

/** Firewalls that protect something: not being deleted. */
export const inService = (f: { status?: string }): boolean => (f.status ?? 'READY').toUpperCase() !== 'DELETING';

export interface FirewallView {
  name: string;
  vpcId: string;
  status?: string;
  zones: number;
}

export interface ExposedVpc {
  vpcId: string;
  region: string;
  label: string;
  gateways: string[];
}

/** The findings of one region (pure). */
export function regionFindings(region: string, vpcList: Vpc[], gateways: Map<string, string[]>, firewalls: FirewallView[], arnBase: string): Finding[] {
  const exposed = vpcList.filter((v) => gateways.has(v.VpcId!));
  if (!exposed.length)
    return [{ status: 'pass', resource: `${arnBase}:vpc/*`, region, message: `No VPC in ${region} has an internet gateway: no traffic reaches them from the internet directly.` }];
  return exposed
    .sort((a, b) => (a.VpcId ?? '').localeCompare(b.VpcId ?? ''))
    .map((v) => {
      const label = labelled(v.VpcId!, v.Tags);
      const igws = gateways.get(v.VpcId!)!;
      const mine = firewalls.filter((f) => f.vpcId === v.VpcId && inService(f));
      const where = `VPC ${label}${v.IsDefault ? ' (the default VPC)' : ''} in ${region}`;
      if (mine.length)
        return {
          status: 'pass' as const,
          resource: label,
          region,
          message:
            `${where} has AWS Network Firewall ${mine.map((f) => `${f.name} (${plural(f.zones, 'zone')}${f.status && f.status !== 'READY' ? `, ${f.status.toLowerCase()}` : ''})`).join(', ')}. ` +
            'Make sure its subnets’ routes send traffic through the firewall endpoints: a firewall nobody routes to inspects nothing.',
        };
      const data: ExposedVpc = { vpcId: v.VpcId!, region, label, gateways: igws };
      return {
        status: 'manual' as const,
        resource: label,
        region,
        message:
          `${where} has internet gateway ${igws.join(', ')} and no AWS Network Firewall: only security groups and network ACLs filter its traffic. ` +
          `A firewall costs about $${endpointMonthUsd()} a month per Availability Zone plus $${GB_PROCESSED_USD} per GB; decide whether this VPC needs one (or accept it as is, with a reason).`,
        data: { ...data },
      };
    });
}

async function readFirewalls(ctx: StepContext, region: string): Promise<FirewallView[]> {
  const client = ctx.client(NetworkFirewallClient, region);
  const arns: string[] = [];
  for await (const page of paginateListFirewalls({ client }, { MaxResults: 100 })) for (const f of page.Firewalls ?? []) if (f.FirewallArn) arns.push(f.FirewallArn);
  return mapLimit(arns, DESCRIBE_CONCURRENCY, async (arn) => {
    const out = await client.send(new DescribeFirewallCommand({ FirewallArn: arn }));
    const f = out.Firewall;
    return {
      name: f?.FirewallName ?? arn.split('/').pop() ?? arn,
      vpcId: f?.VpcId ?? '',
      ...(out.FirewallStatus?.Status ? { status: out.FirewallStatus.Status } : {}),
      zones: f?.SubnetMappings?.length ?? 0,
    };
  });
}

async function checkRegion(ctx: StepContext, region: string): Promise<Finding[]> {
  const arnBase = `arn:${ctx.target.partition}:ec2:${region}:${ctx.target.accountId}`;
  let vpcList: Vpc[];
  let gateways: Map<string, string[]>;
  try {
    const [v, g] = await Promise.all([vpcs(ctx, region), internetGateways(ctx, region)]);
    vpcList = v;
    gateways = gatewaysByVpc(g);
  } catch (err) {
    return [regionFailure(err, { region, resource: `${arnBase}:vpc/*`, service: 'Amazon EC2', permissions: [READ_ACTION.vpcs, READ_ACTION.internetGateways] })];
  }
  if (!vpcList.some((v) => gateways.has(v.VpcId!))) return regionFindings(region, vpcList, gateways, [], arnBase);
  try {
    return regionFindings(region, vpcList, gateways, await readFirewalls(ctx, region), arnBase);
  } catch (err) {
    return [
      regionFailure(err, {
        region,
        resource: `arn:${ctx.target.partition}:network-firewall:${region}:${ctx.target.accountId}:firewall/*`,
        service: 'AWS Network Firewall',
        permissions: ['network-firewall:ListFirewalls', 'network-firewall:DescribeFirewall'],
      }),
    ];
  }
}

function exposedOf(findings: Finding[]): ExposedVpc[] {
  return findings.filter((f) => f.status === 'manual' && f.data && 'vpcId' in f.data).map((f) => f.data as unknown as ExposedVpc);
}

/** The guidance for the VPCs without a firewall: when it is worth it, what it costs, how to deploy it. */
export function guidanceFor(exposed: ExposedVpc[]): string {
  const list = exposed.map((v) => `- ${v.label} in ${v.region} (internet gateway ${v.gateways.join(', ')})`).join('\n');
  const month = endpointMonthUsd();
  return `These VPCs take traffic from the internet with no managed firewall in the path:

${list}

**What it costs.** AWS Network Firewall bills each firewall endpoint by the hour (about $${ENDPOINT_HOUR_USD} an hour in us-east-1, so about $${month} a month) and every GB it inspects (about $${GB_PROCESSED_USD}). One endpoint per Availability Zone you use: two zones is about $${2 * month} a month before traffic, and 1 TB a month adds about $${Math.round(GB_PROCESSED_USD * 1000)}. Prices differ by region; check the pricing page for yours.

**When it is worth it.** When you must inspect or restrict traffic by domain name (only let servers reach your package mirrors and APIs), need intrusion prevention signatures, or a standard or customer asks for a network firewall. For a new account with a few instances behind a load balancer, tight security groups, network ACLs and GuardDuty cover most of the risk at no or little cost: accepting this step with that reason is a sound decision.

**How to deploy it.**
1. In each Availability Zone, create a small dedicated subnet for the firewall endpoint (a /28 is enough).
2. Create a firewall policy: start from the AWS managed threat-signature and domain-list rule groups, in alert mode.
3. Create the firewall in the VPC with those subnets (console: VPC › Network Firewall › Firewalls, or \`aws network-firewall create-firewall\`).
4. Change the routes: the public subnets' default route goes to the firewall endpoint of their zone, and an edge route table on the internet gateway sends traffic for those subnets back through it.
5. Turn on alert and flow logging, watch for a week, then switch rules from alert to drop.

Then check again. If you decide these VPCs do not need one, skip this step with your reason: the decision covers every VPC listed here, and later checks show it as accepted, with the reason and the date.`;
}

const step: Step = {
  meta,

  async check(ctx) {
    const regions = await ctx.regions();
    return (await mapLimit(regions, REGION_CONCURRENCY, (region) => checkRegion(ctx, region))).flat();
  },

  async plan(_ctx, findings): Promise<Plan> {
    const exposed = exposedOf(findings);
    if (!exposed.length) return { actions: [] };
    const zones = exposed.length * 2;
    return {
      actions: [],
      guidance: guidanceFor(exposed),
      cost: {
        scale: 'dollars',
        detail:
          `Nothing is created by this tool. Deploying it yourself: ${plural(exposed.length, 'VPC')} × 2 Availability Zones = ${zones} endpoints at about $${endpointMonthUsd()} a month each ` +
          `(about $${(zones * endpointMonthUsd()).toLocaleString('en-US')} a month), plus about $${GB_PROCESSED_USD} per GB inspected.`,
      },
    };
  },

  /** day-one scenario: the default VPC of the home region has its internet gateway (as in real AWS) and no firewall. */
  async seed(ctx) {
    sandboxOnly(ctx);
    await seedPublicDefaultVpc(ctx, ctx.target.homeRegion, { mapPublicIps: false });
  },
};

export default step;
