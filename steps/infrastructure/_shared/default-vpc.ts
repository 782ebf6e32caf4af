/**
 * The day-one default VPC as real AWS makes it: an internet gateway attached, a default route to
 * it in the main route table, and default subnets that give every instance a public IP. moto's
 * default VPC has neither the gateway nor the route (../shared/design/moto-coverage.md), so the
 * infrastructure seeds add them. Idempotent: what is already there is reused.
 */
import {
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateRouteCommand,
  EC2Client,
  ModifySubnetAttributeCommand,
  paginateDescribeInternetGateways,
  paginateDescribeRouteTables,
  paginateDescribeSubnets,
  paginateDescribeVpcs,
} from '@aws-sdk/client-ec2';
import type { InternetGateway, RouteTable, Subnet, Vpc } from '@aws-sdk/client-ec2';
import { vpcs as vpcsOf } from '../../../src/aws/ec2-inventory.js';
import type { StepContext } from '../../../src/engine/step-kit.js';
import { errorCode, sandboxOnly } from '../../../src/engine/step-kit.js';

async function all<P, T>(pages: AsyncIterable<P>, items: (p: P) => T[] | undefined): Promise<T[]> {
  const out: T[] = [];
  for await (const p of pages) out.push(...(items(p) ?? []));
  return out;
}

/** Makes the region's default VPC internet-facing as in real AWS; returns its id (undefined: no default VPC). */
export async function seedPublicDefaultVpc(ctx: StepContext, region = ctx.target.homeRegion, { mapPublicIps = true } = {}): Promise<string | undefined> {
  sandboxOnly(ctx);
  const client = ctx.client(EC2Client, region);
  const vpcs: Vpc[] = await all(paginateDescribeVpcs({ client }, { Filters: [{ Name: 'is-default', Values: ['true'] }] }), (p) => p.Vpcs);
  const vpcId = vpcs[0]?.VpcId;
  if (!vpcId) return undefined;
  const gateways: InternetGateway[] = await all(
    paginateDescribeInternetGateways({ client }, { Filters: [{ Name: 'attachment.vpc-id', Values: [vpcId] }] }),
    (p) => p.InternetGateways,
  );
  let igw = gateways[0]?.InternetGatewayId;
  if (!igw) {
    igw = (await client.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
    await client.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
  }
  const tables: RouteTable[] = await all(
    paginateDescribeRouteTables({ client }, { Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'association.main', Values: ['true'] }] }),
    (p) => p.RouteTables,
  );
  const main = tables[0];
  if (main && !(main.Routes ?? []).some((r) => r.DestinationCidrBlock === '0.0.0.0/0'))
    await client.send(new CreateRouteCommand({ RouteTableId: main.RouteTableId!, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw }));
  if (mapPublicIps) {
    const subnets: Subnet[] = await all(paginateDescribeSubnets({ client }, { Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }), (p) => p.Subnets);
    for (const s of subnets)
      if (s.DefaultForAz && !s.MapPublicIpOnLaunch)
        await client.send(new ModifySubnetAttributeCommand({ SubnetId: s.SubnetId!, MapPublicIpOnLaunch: { Value: true } }));
  }
  return vpcId;
}

/** The id of the region's default VPC, from the shared inventory read (undefined: it has none). */
export async function defaultVpcId(ctx: StepContext, region = ctx.target.homeRegion): Promise<string | undefined> {
  return (await vpcsOf(ctx, region)).find((v) => v.IsDefault)?.VpcId;
}

/** Sends an authorize of a seed's rule; a rule the group has already (seeding again) is no error. */
export async function authorizeOnce(send: () => Promise<unknown>): Promise<void> {
  try {
    await send();
  } catch (err) {
    if (errorCode(err) !== 'InvalidPermission.Duplicate') throw err;
  }
}
