/**
 * Who uses a security group: the network interfaces that carry it, each named by what it belongs
 * to where the interface tells (its attachment's instance, or the description and interface type
 * AWS gives the interfaces it makes for load balancers, Lambda functions, NAT gateways, databases…).
 * Pure; the network interfaces come from the shared EC2 inventory.
 */
import type { NetworkInterface } from '@aws-sdk/client-ec2';

const LAMBDA = /^AWS Lambda VPC ENI-(.+?)(-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?$/i;
const ELB = /^ELB (?:(?:app|net|gwy)\/([^/]+)\/\w+|(\S+))$/;

const TYPES: Record<string, string> = {
  natGateway: 'NAT gateway',
  load_balancer: 'load balancer',
  gateway_load_balancer: 'Gateway Load Balancer',
  vpc_endpoint: 'VPC endpoint',
  gateway_load_balancer_endpoint: 'Gateway Load Balancer endpoint',
  network_load_balancer: 'network load balancer',
  transit_gateway: 'transit gateway attachment',
  efs: 'EFS mount target',
  lambda: 'Lambda function',
  api_gateway_managed: 'API Gateway VPC link',
  quicksight: 'QuickSight connection',
};

/** One user of a group, as a person reads it: `instance i-0abc`, `load balancer web-lb`, `Lambda function resize`. */
export function interfaceUser(eni: NetworkInterface): string {
  const id = eni.NetworkInterfaceId ?? 'an interface';
  const instance = eni.Attachment?.InstanceId;
  if (instance) return `instance ${instance}`;
  const desc = (eni.Description ?? '').trim();
  const lambda = LAMBDA.exec(desc);
  if (lambda) return `Lambda function ${lambda[1]}`;
  const elb = ELB.exec(desc);
  if (elb) return `load balancer ${elb[1] ?? elb[2]}`;
  if (/^RDSNetworkInterface$/i.test(desc) || eni.RequesterId === 'amazon-rds') return `RDS database interface ${id}`;
  const type = eni.InterfaceType && TYPES[eni.InterfaceType];
  if (type) return `${type} (${id})`;
  return desc ? `network interface ${id} (${desc})` : `network interface ${id}`;
}

/** The interfaces that carry `groupId`, and their users (each once, in a stable order). */
export function groupUsers(enis: readonly NetworkInterface[], groupId: string): { interfaces: string[]; users: string[] } {
  const mine = enis.filter((e) => (e.Groups ?? []).some((g) => g.GroupId === groupId));
  const users = [...new Set(mine.map(interfaceUser))].sort();
  return { interfaces: mine.map((e) => e.NetworkInterfaceId ?? '?').sort(), users };
}

/**
 * `3 network interfaces (instance i-1, load balancer web, eni-9)`, shortened after `max` names. A bare
 * interface is named by its id alone here, not `network interface eni-9` inside "network interfaces (…)".
 */
export function usersText(u: { interfaces: string[]; users: string[] }, max = 5): string {
  const n = u.interfaces.length;
  const shown = u.users.map((x) => x.replace(/^network interface (?=eni-|an interface)/, ''));
  const names = shown.slice(0, max).join(', ') + (shown.length > max ? `, and ${shown.length - max} more` : '');
  return `${n} network interface${n === 1 ? '' : 's'} (${names})`;
}

/**
 * The instance the caller's own session runs on, when its principal says so: EC2 names an instance
 * profile's role session after the instance (`assumed-role/<role>/i-0abc…`). Undefined otherwise.
 */
export function callerInstance(principalArn: string): string | undefined {
  const m = /:assumed-role\/[^/]+\/(i-[0-9a-f]{8,17})$/.exec(principalArn);
  return m?.[1];
}

