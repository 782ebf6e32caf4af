/**
 * How a subnet reaches the internet, from its route table: shared by the data area (in-transit:
 * which subnets are private) and the infrastructure area (network-layout: which are public). Pure.
 */
import type { Route, RouteTable, Subnet } from '@aws-sdk/client-ec2';

export const isDefaultRoute = (r: Route) => r.DestinationCidrBlock === '0.0.0.0/0' || r.DestinationIpv6CidrBlock === '::/0';

/** Where a route sends traffic: the id of its target. */
export function routeTarget(r: Route): string {
  return (
    r.GatewayId ??
    r.NatGatewayId ??
    r.TransitGatewayId ??
    r.EgressOnlyInternetGatewayId ??
    r.NetworkInterfaceId ??
    r.InstanceId ??
    r.VpcPeeringConnectionId ??
    r.LocalGatewayId ??
    r.CarrierGatewayId ??
    r.CoreNetworkArn ??
    'unknown'
  );
}

/**
 * How a route table lets its subnets out:
 * - `public`: a default route (IPv4 or IPv6) to an internet gateway;
 * - `egress`: a default route to anything else (NAT gateway or instance, transit or VPN gateway, a firewall endpoint…);
 * - `isolated`: no default route at all: the subnets reach nothing outside the VPC's own routes.
 */
export type Exposure = { kind: 'public'; via: string } | { kind: 'egress'; via: string[] } | { kind: 'isolated' };

export function exposure(rt: RouteTable): Exposure {
  const defaults = (rt.Routes ?? []).filter((r) => isDefaultRoute(r) && r.State !== 'blackhole');
  const igw = defaults.map(routeTarget).find((t) => t.startsWith('igw-'));
  if (igw) return { kind: 'public', via: igw };
  if (defaults.length) return { kind: 'egress', via: [...new Set(defaults.map(routeTarget))] };
  return { kind: 'isolated' };
}

/** The route table a subnet uses: its explicit association, else the VPC's main route table. */
export function routeTableOf(subnet: Subnet, tables: RouteTable[]): RouteTable | undefined {
  const vpcTables = tables.filter((t) => t.VpcId === subnet.VpcId);
  return (
    vpcTables.find((t) => (t.Associations ?? []).some((a) => a.SubnetId === subnet.SubnetId)) ??
    vpcTables.find((t) => (t.Associations ?? []).some((a) => a.Main))
  );
}

