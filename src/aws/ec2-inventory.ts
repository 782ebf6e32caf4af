/**
 * The EC2 inventory of one region, read once per region per run and shared by every step that
 * needs it (the infrastructure area's network steps, the resources area's instance steps), as the
 * credential report is shared in the account area.
 *
 * Each kind is one paginated Describe call per region (1,000 items a page where the API allows
 * it), memoised in the run's shared reads under `ec2:<kind>:<region>`: ten steps asking for the
 * security groups of eu-west-1 cost one read, however many groups there are. A failed read is not
 * memoised (the next step tries again and reports its own error); an applied fix drops every
 * shared read, so a re-check reads the account as it is now.
 */
import {
  EC2Client,
  paginateDescribeInstances,
  paginateDescribeInternetGateways,
  paginateDescribeNetworkAcls,
  paginateDescribeNetworkInterfaces,
  paginateDescribeRouteTables,
  paginateDescribeSecurityGroups,
  paginateDescribeSubnets,
  paginateDescribeVolumes,
  paginateDescribeVpcs,
} from '@aws-sdk/client-ec2';
import type {
  Instance,
  InternetGateway,
  NetworkAcl,
  NetworkInterface,
  RouteTable,
  SecurityGroup,
  Subnet,
  Tag,
  Volume,
  Vpc,
} from '@aws-sdk/client-ec2';
import type { StepContext } from '../engine/types.js';

/** The largest page each Describe call accepts (its MaxResults limit in the EC2 API reference). */
export const PAGE_SIZE = {
  vpcs: 1000,
  subnets: 1000,
  routeTables: 100,
  internetGateways: 1000,
  securityGroups: 1000,
  networkAcls: 1000,
  networkInterfaces: 1000,
  instances: 1000,
  volumes: 1000,
} as const;

export type InventoryKind = keyof typeof PAGE_SIZE;

/** The IAM action each kind's read needs (for permissions and AccessDenied messages). */
export const READ_ACTION: Record<InventoryKind, string> = {
  vpcs: 'ec2:DescribeVpcs',
  subnets: 'ec2:DescribeSubnets',
  routeTables: 'ec2:DescribeRouteTables',
  internetGateways: 'ec2:DescribeInternetGateways',
  securityGroups: 'ec2:DescribeSecurityGroups',
  networkAcls: 'ec2:DescribeNetworkAcls',
  networkInterfaces: 'ec2:DescribeNetworkInterfaces',
  instances: 'ec2:DescribeInstances',
  volumes: 'ec2:DescribeVolumes',
};

type Ctx = Pick<StepContext, 'client' | 'shared'>;

async function collect<P, T>(pages: AsyncIterable<P>, items: (page: P) => T[] | undefined): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...(items(page) ?? []));
  return out;
}

function read<T>(ctx: Ctx, kind: InventoryKind, region: string, load: (client: EC2Client) => Promise<T[]>): Promise<T[]> {
  return ctx.shared(`ec2:${kind}:${region}`, () => load(ctx.client(EC2Client, region)));
}

export const vpcs = (ctx: Ctx, region: string): Promise<Vpc[]> =>
  read(ctx, 'vpcs', region, (client) => collect(paginateDescribeVpcs({ client }, { MaxResults: PAGE_SIZE.vpcs }), (p) => p.Vpcs));

export const subnets = (ctx: Ctx, region: string): Promise<Subnet[]> =>
  read(ctx, 'subnets', region, (client) => collect(paginateDescribeSubnets({ client }, { MaxResults: PAGE_SIZE.subnets }), (p) => p.Subnets));

export const routeTables = (ctx: Ctx, region: string): Promise<RouteTable[]> =>
  read(ctx, 'routeTables', region, (client) =>
    collect(paginateDescribeRouteTables({ client }, { MaxResults: PAGE_SIZE.routeTables }), (p) => p.RouteTables),
  );

export const internetGateways = (ctx: Ctx, region: string): Promise<InternetGateway[]> =>
  read(ctx, 'internetGateways', region, (client) =>
    collect(paginateDescribeInternetGateways({ client }, { MaxResults: PAGE_SIZE.internetGateways }), (p) => p.InternetGateways),
  );

export const securityGroups = (ctx: Ctx, region: string): Promise<SecurityGroup[]> =>
  read(ctx, 'securityGroups', region, (client) =>
    collect(paginateDescribeSecurityGroups({ client }, { MaxResults: PAGE_SIZE.securityGroups }), (p) => p.SecurityGroups),
  );

export const networkAcls = (ctx: Ctx, region: string): Promise<NetworkAcl[]> =>
  read(ctx, 'networkAcls', region, (client) =>
    collect(paginateDescribeNetworkAcls({ client }, { MaxResults: PAGE_SIZE.networkAcls }), (p) => p.NetworkAcls),
  );

export const networkInterfaces = (ctx: Ctx, region: string): Promise<NetworkInterface[]> =>
  read(ctx, 'networkInterfaces', region, (client) =>
    collect(paginateDescribeNetworkInterfaces({ client }, { MaxResults: PAGE_SIZE.networkInterfaces }), (p) => p.NetworkInterfaces),
  );

/** Every instance of the region (all states; callers filter), flattened out of its reservations. */
export const instances = (ctx: Ctx, region: string): Promise<Instance[]> =>
  read(ctx, 'instances', region, (client) =>
    collect(paginateDescribeInstances({ client }, { MaxResults: PAGE_SIZE.instances }), (p) => p.Reservations?.flatMap((r) => r.Instances ?? [])),
  );

export const volumes = (ctx: Ctx, region: string): Promise<Volume[]> =>
  read(ctx, 'volumes', region, (client) => collect(paginateDescribeVolumes({ client }, { MaxResults: PAGE_SIZE.volumes }), (p) => p.Volumes));

/** A resource's Name tag, when it has one. */
export const nameTag = (tags: readonly Tag[] | undefined): string | undefined => tags?.find((t) => t.Key === 'Name')?.Value || undefined;

/** `sg-0abc (web)`: an id with its Name tag (or a given name) when there is one. */
export function labelled(id: string, tags?: readonly Tag[], name?: string): string {
  const n = name ?? nameTag(tags);
  return n && n !== id ? `${id} (${n})` : id;
}
