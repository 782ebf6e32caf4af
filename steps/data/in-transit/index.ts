/**
 * data.in-transit: in every region of the run, each VPC whose private subnets send traffic out
 * (a default route to a NAT gateway, transit gateway, firewall…, anything but an internet
 * gateway) has an S3 gateway endpoint on those subnets' route tables, so their S3 traffic stays
 * on the AWS network and off the NAT. The fix creates the endpoint (free) or adds the missing
 * route tables to the existing one; the plan's guidance covers what the API cannot decide: VPNs,
 * PrivateLink and TLS.
 */
import {
  AllocateAddressCommand,
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  CreateVpcEndpointCommand,
  AssociateRouteTableCommand,
  DeleteVpcEndpointsCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
  EC2Client,
  ModifyVpcEndpointCommand,
  paginateDescribeRouteTables,
  paginateDescribeSubnets,
  paginateDescribeVpcEndpoints,
  paginateDescribeVpcs,
} from '@aws-sdk/client-ec2';
import type { RouteTable, Subnet, Tag, Vpc, VpcEndpoint } from '@aws-sdk/client-ec2';
import type { Finding, Plan, PlanAction, Step, StepContext } from '../../../src/engine/step-kit.js';
import { drifted, eachRegion, nothingToUndo, recordedInverse, sandboxOnly, undoWith } from '../../../src/engine/step-kit.js';
import type { UndoEntry, UndoVerdict } from '../../../src/engine/step-kit.js';
import { exposure, routeTableOf } from '../../../src/aws/routing.js';
import meta from './meta.js';

/** How many regions are read at once (four reads each). */
const REGION_CONCURRENCY = 4;

/** Endpoint states that no longer carry traffic. */
const GONE = new Set(['deleting', 'deleted', 'failed', 'rejected', 'expired']);

/** The S3 service name of a region's endpoints (China regions put `cn.` in front). */
export function s3ServiceName(region: string, partition = 'aws'): string {
  return `${partition === 'aws-cn' ? 'cn.' : ''}com.amazonaws.${region}.s3`;
}

// How a subnet reaches the internet is shared with the infrastructure area (network-layout).
export { exposure, routeTableOf, routeTarget } from '../../../src/aws/routing.js';
export type { Exposure } from '../../../src/aws/routing.js';

export function isS3Gateway(e: VpcEndpoint, region: string, partition = 'aws'): boolean {
  return e.VpcEndpointType === 'Gateway' && e.ServiceName === s3ServiceName(region, partition) && !GONE.has((e.State ?? '').toLowerCase());
}

/** The endpoint policy AWS gives a new endpoint: everyone, every action, every resource. */
export function isOpenPolicy(doc: string | undefined): boolean {
  if (!doc) return true;
  try {
    const p = JSON.parse(doc) as { Statement?: unknown };
    const statements = Array.isArray(p.Statement) ? p.Statement : [p.Statement];
    return statements.some((s) => {
      const st = s as Record<string, unknown>;
      return st.Effect === 'Allow' && (st.Principal === '*' || JSON.stringify(st.Principal) === '{"AWS":"*"}') && [st.Action].flat().includes('*') && [st.Resource].flat().includes('*') && !st.Condition;
    });
  } catch {
    return false;
  }
}

/** What a failing finding carries for the plan. */
export interface VpcData {
  vpcId: string;
  region: string;
  label: string;
  /** Route tables of private subnets with a way out and no S3 gateway endpoint. */
  routeTables: string[];
  /** Where those route tables' default routes go, per table. */
  via: Record<string, string[]>;
  /** An S3 gateway endpoint the VPC already has: the plan adds the route tables to it. */
  endpointId?: string;
  /** Whether that endpoint's policy is AWS's allow-everything default. */
  endpointPolicyOpen?: boolean;
}

function nameOf(tags: Tag[] | undefined): string | undefined {
  return tags?.find((t) => t.Key === 'Name')?.Value || undefined;
}

function labelOf(vpc: Vpc): string {
  const name = nameOf(vpc.Tags);
  const parts = [name ? `"${name}"` : undefined, vpc.IsDefault ? 'default VPC' : undefined].filter(Boolean);
  return `${vpc.VpcId}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

const list = (ids: string[]) => ids.join(', ');
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

interface RegionView {
  vpcs: Vpc[];
  subnets: Subnet[];
  tables: RouteTable[];
  endpoints: VpcEndpoint[];
}

async function readRegion(ctx: StepContext, region: string): Promise<RegionView> {
  const client = ctx.client(EC2Client, region);
  const all = async <T>(pages: AsyncIterable<T>, pick: (p: T) => unknown[] | undefined) => {
    const out: unknown[] = [];
    for await (const page of pages) out.push(...(pick(page) ?? []));
    return out;
  };
  const [vpcs, subnets, tables, endpoints] = await Promise.all([
    all(paginateDescribeVpcs({ client }, {}), (p) => p.Vpcs),
    all(paginateDescribeSubnets({ client }, {}), (p) => p.Subnets),
    all(paginateDescribeRouteTables({ client }, {}), (p) => p.RouteTables),
    all(paginateDescribeVpcEndpoints({ client }, {}), (p) => p.VpcEndpoints),
  ]);
  return { vpcs: vpcs as Vpc[], subnets: subnets as Subnet[], tables: tables as RouteTable[], endpoints: endpoints as VpcEndpoint[] };
}

/** The finding for one VPC (exported for unit tests). */
export function vpcFinding(view: RegionView, vpc: Vpc, region: string, target: { partition: string; accountId: string }): Finding {
  const vpcId = vpc.VpcId!;
  const label = labelOf(vpc);
  const base = { resource: `arn:${target.partition}:ec2:${region}:${target.accountId}:vpc/${vpcId}`, region };
  const subnets = view.subnets.filter((s) => s.VpcId === vpcId);
  const gateways = view.endpoints.filter((e) => e.VpcId === vpcId && isS3Gateway(e, region, target.partition)).sort((a, b) => (a.VpcEndpointId ?? '').localeCompare(b.VpcEndpointId ?? ''));
  const covered = new Set(gateways.flatMap((e) => e.RouteTableIds ?? []));

  const egress = new Map<string, string[]>();
  let isolated = 0;
  let privateCount = 0;
  let coveredCount = 0;
  for (const s of subnets) {
    const rt = routeTableOf(s, view.tables);
    if (!rt?.RouteTableId) continue;
    const x = exposure(rt);
    if (x.kind === 'public') continue;
    privateCount++;
    if (covered.has(rt.RouteTableId)) coveredCount++;
    else if (x.kind === 'isolated') isolated++;
    else egress.set(rt.RouteTableId, x.via);
  }

  if (vpc.OwnerId && vpc.OwnerId !== target.accountId)
    return { ...base, status: 'pass', message: `VPC ${label} in ${region} is shared with this account by ${vpc.OwnerId}, which manages its routes and endpoints: check it there.` };
  if (!subnets.length) return { ...base, status: 'pass', message: `VPC ${label} in ${region} has no subnets: nothing runs in it.` };
  if (!privateCount)
    return { ...base, status: 'pass', message: `VPC ${label} in ${region} has only public subnets (a default route to an internet gateway): no private traffic to keep off the internet.` };

  const routeTables = [...egress.keys()].sort();
  const one = isolated === 1;
  const isolatedText = isolated
    ? `${plural(isolated, 'private subnet')} ${one ? 'has' : 'have'} no route out of the VPC, so ${one ? 'it sends' : 'they send'} nothing to S3; ` +
      `${one ? 'it is' : 'they are'} left as ${one ? 'it is' : 'they are'}, because an endpoint would open a way to S3 that ${one ? 'it does' : 'they do'} not have today.`
    : '';
  if (!routeTables.length) {
    const message = coveredCount
      ? `VPC ${label} in ${region}: its private subnets reach S3 through gateway endpoint ${list(gateways.map((g) => g.VpcEndpointId!))}.${isolated ? ` ${isolatedText}` : ''}`
      : `VPC ${label} in ${region}: ${isolatedText}`;
    return { ...base, status: 'pass', message };
  }

  const via = Object.fromEntries(routeTables.map((id) => [id, egress.get(id)!]));
  const targets = [...new Set(routeTables.flatMap((id) => egress.get(id)!))];
  const existing = gateways[0];
  const data: VpcData = {
    vpcId,
    region,
    label,
    routeTables,
    via,
    ...(existing ? { endpointId: existing.VpcEndpointId!, endpointPolicyOpen: isOpenPolicy(existing.PolicyDocument) } : {}),
  };
  const missing = existing
    ? `gateway endpoint ${existing.VpcEndpointId} is not attached to ${routeTables.length === 1 ? 'it' : 'them'}`
    : 'the VPC has no S3 gateway endpoint';
  return {
    ...base,
    status: 'fail',
    message:
      `VPC ${label} in ${region}: private subnets on route ${routeTables.length === 1 ? 'table' : 'tables'} ${list(routeTables)} send S3 traffic out through ${list(targets)}, ` +
      `and ${missing}.${isolated ? ` ${isolatedText}` : ''}`,
    data: { ...data },
  };
}

function dataOf(f: Finding): VpcData {
  const d = f.data as Partial<VpcData> | undefined;
  if (!d?.vpcId || !d.region || !d.routeTables?.length) throw new Error(`${meta.id}: a failing finding without its VPC; check the step before planning its fix.`);
  return d as VpcData;
}

/** Shown in place of an id that exists only once the action has run; replaced in the journal by the real one. */
const NEW_ENDPOINT = '(the new endpoint)';

function createAction(d: VpcData, partition: string): PlanAction {
  const params = { VpcId: d.vpcId, ServiceName: s3ServiceName(d.region, partition), VpcEndpointType: 'Gateway', RouteTableIds: [...d.routeTables] };
  const inverseParams: { VpcEndpointIds: string[] } = { VpcEndpointIds: [NEW_ENDPOINT] };
  return {
    service: 'ec2',
    operation: 'CreateVpcEndpoint',
    region: d.region,
    params,
    summary: `Create an S3 gateway endpoint in VPC ${d.label} (${d.region}) for route ${d.routeTables.length === 1 ? 'table' : 'tables'} ${list(d.routeTables)}`,
    inverse: {
      service: 'ec2',
      operation: 'DeleteVpcEndpoints',
      region: d.region,
      params: inverseParams,
      summary: `Delete the S3 gateway endpoint created in VPC ${d.vpcId} (its routes go with it)`,
    },
    async run(ctx) {
      const out = await ctx.client(EC2Client, d.region).send(
        new CreateVpcEndpointCommand({ VpcId: d.vpcId, ServiceName: params.ServiceName, VpcEndpointType: 'Gateway', RouteTableIds: params.RouteTableIds }),
      );
      const id = out.VpcEndpoint?.VpcEndpointId;
      if (!id) throw new Error(`CreateVpcEndpoint in ${d.vpcId} returned no endpoint id.`);
      // The undo can name the endpoint only now; the journal records the inverse as it stands after the run.
      inverseParams.VpcEndpointIds = [id];
      return { output: { VpcEndpointId: id } };
    },
  };
}

function attachAction(d: VpcData): PlanAction {
  const id = d.endpointId!;
  return {
    service: 'ec2',
    operation: 'ModifyVpcEndpoint',
    region: d.region,
    params: { VpcEndpointId: id, AddRouteTableIds: [...d.routeTables] },
    summary: `Attach route ${d.routeTables.length === 1 ? 'table' : 'tables'} ${list(d.routeTables)} to S3 gateway endpoint ${id} in VPC ${d.label} (${d.region})`,
    inverse: {
      service: 'ec2',
      operation: 'ModifyVpcEndpoint',
      region: d.region,
      params: { VpcEndpointId: id, RemoveRouteTableIds: [...d.routeTables] },
      summary: `Detach route ${d.routeTables.length === 1 ? 'table' : 'tables'} ${list(d.routeTables)} from endpoint ${id}`,
    },
    async run(ctx) {
      await ctx.client(EC2Client, d.region).send(new ModifyVpcEndpointCommand({ VpcEndpointId: id, AddRouteTableIds: d.routeTables }));
    },
  };
}

export function warningsFor(all: VpcData[]): string[] {
  const out: string[] = [];
  for (const d of all) {
    const inspected = Object.entries(d.via).filter(([, targets]) => targets.some((t) => t.startsWith('vpce-') || t.startsWith('eni-')));
    if (inspected.length)
      out.push(
        `In VPC ${d.vpcId}, route ${inspected.length === 1 ? 'table' : 'tables'} ${list(inspected.map(([id]) => id))} send${inspected.length === 1 ? 's' : ''} traffic out through ` +
          `${list([...new Set(inspected.flatMap(([, t]) => t))])}, which may be a firewall or an appliance that inspects it: S3 traffic will go around it through the endpoint.`,
      );
    if (d.endpointId && d.endpointPolicyOpen === false)
      out.push(`Endpoint ${d.endpointId} has a custom policy: from now on it also decides what the subnets of ${list(d.routeTables)} may do in S3.`);
  }
  out.push(
    'Bucket policies that allow requests only from certain public IP addresses (aws:SourceIp) will not match requests from these subnets any more: ' +
      'through an endpoint they carry private addresses. Such policies need aws:SourceVpce or aws:SourceVpc conditions instead.',
  );
  return out;
}

const GUIDANCE = `The endpoint keeps the subnets' S3 traffic (to buckets in the same region) on the AWS network. The rest of "data in transit" is a matter of design, not of one API call:

- **TLS everywhere.** AWS APIs and the console already use TLS. Make buckets refuse plain HTTP (\`data.s3-tls-only\`), use HTTPS listeners on load balancers, and turn on TLS for database connections.
- **People who reach private resources**: use AWS Client VPN (billed per endpoint association and per connection hour) or Systems Manager Session Manager instead of opening ports to the internet.
- **An office or data centre** connected to a VPC: AWS Site-to-Site VPN (IPsec tunnels, billed per connection hour) to a virtual private gateway or a transit gateway.
- **Other AWS services, or your own services in other VPCs**, without internet paths: interface endpoints (AWS PrivateLink, billed per endpoint hour and per GB). DynamoDB also has a free gateway endpoint.`;

/** The endpoint as it is now; undefined when it is gone (or going). */
async function readEndpoint(ctx: StepContext, region: string, id: string): Promise<VpcEndpoint | undefined> {
  try {
    const out = await ctx.client(EC2Client, region).send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [id] }));
    const e = out.VpcEndpoints?.find((x) => x.VpcEndpointId === id);
    return e && !GONE.has((e.State ?? '').toLowerCase()) ? e : undefined;
  } catch (err) {
    if ((err as { name?: string }).name === 'InvalidVpcEndpointId.NotFound') return undefined;
    throw err;
  }
}

const sorted = (ids: readonly string[] | undefined) => [...(ids ?? [])].sort();

/**
 * A created endpoint is deleted only while it is as the fix left it: on exactly the route tables it
 * was made for, with the open policy AWS gives a new endpoint. Route tables the fix attached to an
 * existing endpoint are detached while all of them are still there.
 */
async function undoChange(ctx: StepContext, entry: UndoEntry): Promise<UndoVerdict> {
  if (entry.operation === 'CreateVpcEndpoint') {
    const id = (entry.output as { VpcEndpointId?: string } | undefined)?.VpcEndpointId;
    const wrote = sorted((entry.params as { RouteTableIds?: string[] }).RouteTableIds);
    if (!id) return nothingToUndo('The journal does not name the endpoint that was created, so there is nothing it can delete.');
    const now = await readEndpoint(ctx, entry.region, id);
    if (!now) return nothingToUndo(`Endpoint ${id} no longer exists.`);
    const tables = sorted(now.RouteTableIds);
    if (tables.join() !== wrote.join()) return drifted(`The route tables of endpoint ${id}`, { now: tables.join(', ') || 'none', wrote: wrote.join(', ') });
    if (!isOpenPolicy(now.PolicyDocument)) return drifted(`The policy of endpoint ${id}`);
    return undoWith(recordedInverse(entry, { summary: `Delete the S3 gateway endpoint ${id} in VPC ${now.VpcId ?? '?'} (its routes go with it)` }));
  }
  if (entry.operation === 'ModifyVpcEndpoint') {
    const { VpcEndpointId: id, AddRouteTableIds: added = [] } = entry.params as { VpcEndpointId: string; AddRouteTableIds?: string[] };
    const now = await readEndpoint(ctx, entry.region, id);
    if (!now) return nothingToUndo(`Endpoint ${id} no longer exists.`);
    const there = added.filter((t) => now.RouteTableIds?.includes(t));
    if (!there.length) return nothingToUndo(`Route tables ${list(added)} are no longer on endpoint ${id}, as before the fix.`);
    if (there.length < added.length) return drifted(`The route tables of endpoint ${id}`, { now: sorted(now.RouteTableIds).join(', '), wrote: `${list(added)} added` });
    return undoWith(recordedInverse(entry));
  }
  return nothingToUndo(`${entry.operation} is not a change this step makes.`);
}

const step: Step = {
  meta,
  undo: undoChange,

  async check(ctx) {
    const regions = await ctx.regions();
    const target = { partition: ctx.target.partition, accountId: ctx.target.accountId };
    const findings = await eachRegion(
      { regions: async () => regions },
      async (region) => {
        const view = await readRegion(ctx, region);
        // The default VPC first, then by id: reports read the same on every run.
        return [...view.vpcs].sort((a, b) => Number(!!b.IsDefault) - Number(!!a.IsDefault) || (a.VpcId ?? '').localeCompare(b.VpcId ?? '')).map((vpc) => vpcFinding(view, vpc, region, target));
      },
      (region) => ({
        resource: `arn:${ctx.target.partition}:ec2:${region}:${ctx.target.accountId}:vpc/*`,
        service: 'Amazon EC2',
        permissions: ['ec2:DescribeVpcs', 'ec2:DescribeSubnets', 'ec2:DescribeRouteTables', 'ec2:DescribeVpcEndpoints'],
      }),
      REGION_CONCURRENCY,
    );
    if (findings.length) return findings;
    return [
      {
        status: 'pass',
        resource: `arn:${ctx.target.partition}:ec2:*:${ctx.target.accountId}:vpc/*`,
        region: regions.length === 1 ? regions[0]! : 'global',
        message: `No VPCs in ${regions.length === 1 ? regions[0] : `${regions.length} regions`}: no network traffic to keep private.`,
      },
    ];
  },

  async plan(ctx, findings): Promise<Plan> {
    const failing = findings.filter((f) => f.status === 'fail').map(dataOf);
    if (!failing.length) return { actions: [] };
    const actions = failing.map((d) => (d.endpointId ? attachAction(d) : createAction(d, ctx.target.partition)));
    return { actions, warnings: warningsFor(failing), guidance: GUIDANCE };
  },

  /**
   * day-one scenario: in the home region, an application VPC with a public subnet (internet
   * gateway, NAT gateway) and a private subnet whose default route goes through the NAT: its S3
   * traffic leaves the VPC. Seeding again removes any S3 gateway endpoint the VPC got since.
   */
  async seed(ctx) {
    sandboxOnly(ctx);
    const region = ctx.target.homeRegion;
    const ec2 = ctx.client(EC2Client, region);
    const name = 'day-one-app';
    const found = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: [name] }] }))).Vpcs?.[0]?.VpcId;
    if (found) {
      const endpoints: string[] = [];
      for await (const page of paginateDescribeVpcEndpoints({ client: ec2 }, { Filters: [{ Name: 'vpc-id', Values: [found] }] }))
        for (const e of page.VpcEndpoints ?? []) if (isS3Gateway(e, region, ctx.target.partition)) endpoints.push(e.VpcEndpointId!);
      if (endpoints.length) await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: endpoints }));
      return;
    }
    const tag = (type: 'vpc' | 'subnet' | 'route-table' | 'internet-gateway' | 'natgateway', value: string) => [{ ResourceType: type, Tags: [{ Key: 'Name', Value: value }] }];
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.42.0.0/16', TagSpecifications: tag('vpc', name) }))).Vpc!.VpcId!;
    const igw = (await ec2.send(new CreateInternetGatewayCommand({ TagSpecifications: tag('internet-gateway', name) }))).InternetGateway!.InternetGatewayId!;
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
    const subnet = async (cidr: string, label: string) =>
      (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, TagSpecifications: tag('subnet', label) }))).Subnet!.SubnetId!;
    const table = async (subnetId: string, label: string) => {
      const id = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId, TagSpecifications: tag('route-table', label) }))).RouteTable!.RouteTableId!;
      await ec2.send(new AssociateRouteTableCommand({ RouteTableId: id, SubnetId: subnetId }));
      return id;
    };
    const publicSubnet = await subnet('10.42.0.0/24', `${name}-public`);
    const privateSubnet = await subnet('10.42.1.0/24', `${name}-private`);
    const publicTable = await table(publicSubnet, `${name}-public`);
    await ec2.send(new CreateRouteCommand({ RouteTableId: publicTable, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw }));
    const allocation = (await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }))).AllocationId!;
    const nat = (await ec2.send(new CreateNatGatewayCommand({ SubnetId: publicSubnet, AllocationId: allocation, TagSpecifications: tag('natgateway', name) }))).NatGateway!.NatGatewayId!;
    const privateTable = await table(privateSubnet, `${name}-private`);
    await ec2.send(new CreateRouteCommand({ RouteTableId: privateTable, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: nat }));
  },
};

export default step;
