/**
 * resources.ec2-instance-connect: administrators reach instances without SSH or RDP open to the
 * internet. Fails each running instance that has a public address and a security group letting
 * 0.0.0.0/0 or ::/0 reach port 22 or 3389.
 *
 * Per region the shared reads (instances, security groups, subnets, route tables) and, only where
 * an instance is exposed, DescribeInstanceConnectEndpoints. Guided fix: an EC2 Instance Connect
 * Endpoint in a subnet the person picks (a private one is offered first), then the exact
 * `aws ec2-instance-connect ssh` command, how to close the open port, and Session Manager as the
 * way in without any port. moto implements no Instance Connect endpoints: there the endpoint read
 * is `unsupported` with the endpoint's answer, and nothing is planned for that region.
 */
import { CreateInstanceConnectEndpointCommand, DeleteInstanceConnectEndpointCommand, DescribeInstanceConnectEndpointsCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { Ec2InstanceConnectEndpoint, Instance, RouteTable, Subnet } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import type { Finding, Plan, PlanAction, Step, StepContext, StepInputs, UndoEntry, UndoVerdict } from '../../../src/engine/step-kit.js';
import { drifted, errorCode, formatZodError, irreversible, mapLimit, nothingToUndo, regionFailure, sandboxOnly, undoWith } from '../../../src/engine/step-kit.js';
import { labelled, routeTables, subnets } from '../../../src/aws/ec2-inventory.js';
import {
  REGION_CONCURRENCY,
  dayOneProfile,
  exposedPorts,
  groupsById,
  instanceArn,
  instanceLabel,
  instancesArn,
  isRunning,
  launchDayOne,
  liveInstances,
  publicAddresses,
  worldOpenGroup,
} from '../_shared/instances.js';
import meta from './meta.js';

/** The day-one instance with SSH open to the internet, and its security group. */
export const DAY_ONE_INSTANCE = 'day-one-ssh-open';
export const DAY_ONE_GROUP = 'day-one-ssh-open';
/** The Name tag of the endpoints this step creates. */
export const ENDPOINT_NAME = 'secure-start-eice';

const subnetId = z.string().trim().regex(/^subnet-[0-9a-f]{8,17}$/, 'a subnet id looks like subnet-0123456789abcdef0');
export const inputSchema = z.strictObject({
  /** One subnet per VPC to create an Instance Connect Endpoint in; empty: create none. */
  subnets: z.array(subnetId).default([]),
});
export type InstanceConnectInputs = z.infer<typeof inputSchema>;

const candidate = z.object({ subnetId: z.string(), label: z.string(), private: z.boolean() });
const exposedData = z.object({
  region: z.string(),
  instanceId: z.string(),
  label: z.string(),
  vpcId: z.string(),
  /** Only RDP is exposed: the way in is a tunnel to 3389, not SSH. */
  windows: z.boolean(),
  ports: z.array(z.object({ port: z.number(), cidr: z.string(), groupId: z.string() })),
  /** The VPC's usable Instance Connect endpoint, when it has one. */
  endpoint: z.string().optional(),
  /** Whether the region answered DescribeInstanceConnectEndpoints. */
  endpointsReadable: z.boolean(),
  subnets: z.array(candidate),
});
type ExposedData = z.infer<typeof exposedData>;
type Candidate = z.infer<typeof candidate>;

/** Whether a subnet's route table sends internet traffic to an internet gateway (its own table, else the VPC's main one). */
export function isPublicSubnet(subnet: Subnet, tables: readonly RouteTable[]): boolean {
  const own = tables.find((t) => t.Associations?.some((a) => a.SubnetId === subnet.SubnetId));
  const table = own ?? tables.find((t) => t.VpcId === subnet.VpcId && t.Associations?.some((a) => a.Main));
  return !!table?.Routes?.some((r) => (r.DestinationCidrBlock === '0.0.0.0/0' || r.DestinationIpv6CidrBlock === '::/0') && r.GatewayId?.startsWith('igw-'));
}

/** The VPC's subnets as choices, private ones first. */
export function subnetChoices(vpcId: string, all: readonly Subnet[], tables: readonly RouteTable[]): Candidate[] {
  return all
    .filter((s) => s.VpcId === vpcId && s.SubnetId)
    .map((s) => ({ subnetId: s.SubnetId!, label: `${labelled(s.SubnetId!, s.Tags)} ${s.CidrBlock ?? ''} ${s.AvailabilityZone ?? ''}`.trim(), private: !isPublicSubnet(s, tables) }))
    .sort((a, b) => Number(b.private) - Number(a.private) || a.subnetId.localeCompare(b.subnetId));
}

const usable = (e: Ec2InstanceConnectEndpoint) => ['create-complete', 'create-in-progress'].includes(String(e.State ?? ''));

async function readEndpoints(ctx: StepContext, region: string): Promise<Ec2InstanceConnectEndpoint[]> {
  const client = ctx.client(EC2Client, region);
  const out: Ec2InstanceConnectEndpoint[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(new DescribeInstanceConnectEndpointsCommand({ MaxResults: 50, NextToken }));
    out.push(...(page.InstanceConnectEndpoints ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

const portNames = (ports: ExposedData['ports']) =>
  [...new Set(ports.map((p) => `${p.port === 22 ? 'SSH (22)' : 'RDP (3389)'} from ${p.cidr} through ${p.groupId}`))].join(', ');

export function exposedFinding(ctx: Pick<StepContext, 'target'>, d: ExposedData, address: string): Finding {
  return {
    resource: instanceArn(ctx, d.region, d.instanceId),
    region: d.region,
    status: 'fail',
    message: `Instance ${d.label} in ${d.region} has the public address ${address} and lets anyone on the internet try to log in: ${portNames(d.ports)}.`,
    data: { ...d },
  };
}

async function checkRegion(ctx: StepContext, region: string): Promise<Finding[]> {
  let exposed: { instance: Instance; data: Omit<ExposedData, 'endpoint' | 'endpointsReadable' | 'subnets'>; address: string }[];
  let publicCount: number;
  let subnetList: Subnet[] = [];
  let tables: RouteTable[] = [];
  try {
    const [list, groups] = await Promise.all([liveInstances(ctx, region), groupsById(ctx, region)]);
    const running = list.filter(isRunning);
    const withAddress = running.filter((i) => publicAddresses(i).length);
    publicCount = withAddress.length;
    exposed = withAddress.flatMap((i) => {
      const ports = exposedPorts(i, groups);
      if (!ports.length) return [];
      const data = { region, instanceId: i.InstanceId!, label: instanceLabel(i), vpcId: i.VpcId ?? '', windows: !ports.some((p) => p.port === 22), ports };
      return [{ instance: i, data, address: publicAddresses(i)[0]! }];
    });
    if (exposed.length) [subnetList, tables] = await Promise.all([subnets(ctx, region), routeTables(ctx, region)]);
  } catch (err) {
    return [
      regionFailure(err, {
        region,
        resource: instancesArn(ctx, region),
        service: 'Amazon EC2',
        permissions: ['ec2:DescribeInstances', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeRouteTables'],
      }),
    ];
  }
  if (!exposed.length)
    return [
      {
        status: 'pass',
        resource: instancesArn(ctx, region),
        region,
        message: publicCount
          ? `None of the ${publicCount} running instances with a public address in ${region} has SSH or RDP open to the internet.`
          : `No running instance in ${region} has a public address.`,
      },
    ];
  const out: Finding[] = [];
  let endpoints: Ec2InstanceConnectEndpoint[] | undefined;
  try {
    endpoints = (await readEndpoints(ctx, region)).filter(usable);
  } catch (err) {
    out.push(
      regionFailure(err, {
        region,
        resource: `arn:${ctx.target.partition}:ec2:${region}:${ctx.target.accountId}:instance-connect-endpoint/*`,
        service: 'EC2 Instance Connect Endpoints',
        permissions: ['ec2:DescribeInstanceConnectEndpoints'],
      }),
    );
  }
  for (const e of exposed) {
    const endpoint = endpoints?.find((x) => x.VpcId === e.data.vpcId)?.InstanceConnectEndpointId;
    const data: ExposedData = { ...e.data, endpointsReadable: !!endpoints, subnets: subnetChoices(e.data.vpcId, subnetList, tables), ...(endpoint ? { endpoint } : {}) };
    out.unshift(exposedFinding(ctx, data, e.address));
  }
  return out.sort((a, b) => (a.status === b.status ? a.resource.localeCompare(b.resource) : a.status === 'fail' ? -1 : 1));
}

function found(findings: Finding[]): ExposedData[] {
  return findings.filter((f) => f.status === 'fail' && f.data).map((f) => exposedData.parse(f.data));
}

function parseInputs(given: unknown): InstanceConnectInputs {
  const parsed = inputSchema.safeParse(given ?? {});
  if (!parsed.success) throw new Error(`Invalid inputs for ${meta.id}: ${formatZodError(parsed.error)}`);
  return parsed.data;
}

/** The VPCs that need an endpoint: exposed instances, endpoints readable there, none usable yet. One entry per VPC. */
function vpcsNeedingEndpoint(exposed: ExposedData[]): ExposedData[] {
  const seen = new Map<string, ExposedData>();
  for (const d of exposed) if (d.endpointsReadable && !d.endpoint && !seen.has(`${d.region}/${d.vpcId}`)) seen.set(`${d.region}/${d.vpcId}`, d);
  return [...seen.values()];
}

function createAction(vpc: ExposedData, subnet: Candidate): PlanAction {
  const params = {
    SubnetId: subnet.subnetId,
    PreserveClientIp: false,
    TagSpecifications: [{ ResourceType: 'instance-connect-endpoint' as const, Tags: [{ Key: 'Name', Value: ENDPOINT_NAME }] }],
  };
  const inverseParams = { InstanceConnectEndpointId: '(the endpoint this call creates)' };
  return {
    service: 'ec2',
    operation: 'CreateInstanceConnectEndpoint',
    region: vpc.region,
    params,
    summary: `Create an EC2 Instance Connect Endpoint in subnet ${subnet.label} (VPC ${vpc.vpcId}, ${vpc.region})`,
    inverse: {
      service: 'ec2',
      operation: 'DeleteInstanceConnectEndpoint',
      region: vpc.region,
      params: inverseParams,
      summary: `Delete the Instance Connect Endpoint made in subnet ${subnet.subnetId}`,
    },
    async run(ctx) {
      const out = await ctx.client(EC2Client, vpc.region).send(new CreateInstanceConnectEndpointCommand(params));
      const id = out.InstanceConnectEndpoint?.InstanceConnectEndpointId;
      if (id) inverseParams.InstanceConnectEndpointId = id;
      return { output: { InstanceConnectEndpointId: id, SecurityGroupIds: out.InstanceConnectEndpoint?.SecurityGroupIds } };
    },
  };
}

/** The command that connects through an endpoint, for one instance. */
export function connectCommand(d: Pick<ExposedData, 'instanceId' | 'region' | 'windows'>): string {
  return d.windows
    ? `aws ec2-instance-connect open-tunnel --instance-id ${d.instanceId} --remote-port 3389 --local-port 13389 --region ${d.region}`
    : `aws ec2-instance-connect ssh --instance-id ${d.instanceId} --connection-type eice --region ${d.region}`;
}

export function guidance(exposed: ExposedData[], created: ReadonlySet<string>): string {
  const lines: string[] = ['**Connecting through an EC2 Instance Connect Endpoint** (free; AWS CLI v2):', ''];
  for (const d of exposed) {
    const where = d.endpoint ? `through ${d.endpoint}` : created.has(`${d.region}/${d.vpcId}`) ? 'through the endpoint this fix creates' : 'once its VPC has an endpoint';
    lines.push(`- ${d.label} (${d.region}), ${where}:`, '', `      ${connectCommand(d)}`, '');
    if (d.windows) lines.push('  then point your RDP client at localhost:13389.', '');
  }
  const unreadable = [...new Set(exposed.filter((d) => !d.endpointsReadable).map((d) => d.region))];
  if (unreadable.length)
    lines.push(`In ${unreadable.join(', ')} the existing Instance Connect Endpoints could not be listed, so none is planned there: create one in the VPC console (Endpoints → Create endpoint → EC2 Instance Connect Endpoint).`, '');
  lines.push(
    '**Then close the open port.** The endpoint reaches the instance from inside the VPC: allow the port from the endpoint\'s security group ' +
      '(the VPC\'s default group unless you chose another) in the instance\'s group, check that the command above works, then remove the rule open to the internet:',
    '',
  );
  for (const d of exposed)
    for (const p of d.ports)
      lines.push(
        p.cidr.includes(':')
          ? `      aws ec2 revoke-security-group-ingress --group-id ${p.groupId} --ip-permissions 'IpProtocol=tcp,FromPort=${p.port},ToPort=${p.port},Ipv6Ranges=[{CidrIpv6=${p.cidr}}]' --region ${d.region}`
          : `      aws ec2 revoke-security-group-ingress --group-id ${p.groupId} --protocol tcp --port ${p.port} --cidr ${p.cidr} --region ${d.region}`,
      );
  lines.push(
    '',
    '(A rule written as a port range or as all traffic must be removed as it is written; infrastructure.admin-ports removes such rules for you.) The instance can also lose its public address when nothing else needs it.',
    '',
    '**Or no port at all: Session Manager.** With the SSM agent running (it is on Amazon Linux and recent Windows AMIs) and a role holding ' +
      'AmazonSSMManagedInstanceCore (resources.ec2-instance-roles creates one), `aws ssm start-session --target i-…` opens a shell with no inbound rule, ' +
      'and every session can be logged.',
  );
  return lines.join('\n');
}

const inputs: StepInputs<InstanceConnectInputs> = {
  schema: inputSchema,
  requiredInAnswers: false,
  defaults: () => ({ subnets: [] }),

  async ask(asker, initial, findings) {
    const chosen: string[] = [];
    for (const vpc of vpcsNeedingEndpoint(found(findings))) {
      const pre = vpc.subnets.find((s) => initial?.subnets?.includes(s.subnetId))?.subnetId;
      const NONE = 'none';
      const pick = await asker.select({
        message: `Create an EC2 Instance Connect Endpoint in VPC ${vpc.vpcId} (${vpc.region})? Pick its subnet (a private one is best):`,
        choices: [
          ...vpc.subnets.map((s) => ({ value: s.subnetId, name: `${s.label}${s.private ? ' (private)' : ' (public: routes to an internet gateway)'}` })),
          { value: NONE, name: 'None: I will connect another way' },
        ],
        default: pre ?? vpc.subnets.find((s) => s.private)?.subnetId ?? NONE,
      });
      if (pick !== NONE) chosen.push(pick);
    }
    return { subnets: chosen };
  },
};

/**
 * Undo: the endpoint the fix made is deleted (by the id the journal recorded), while it is still
 * the tool's: in the subnet it was made in, with its Name tag.
 */
async function undoChange(ctx: StepContext, entry: UndoEntry): Promise<UndoVerdict> {
  const id = entry.output?.InstanceConnectEndpointId;
  if (entry.operation !== 'CreateInstanceConnectEndpoint') return irreversible(`${meta.id} made no ${entry.operation} change that it knows how to undo.`);
  if (typeof id !== 'string') return irreversible('The journal has no id for the endpoint: delete it by hand (VPC console, Endpoints).');
  let found: Ec2InstanceConnectEndpoint | undefined;
  try {
    const out = await ctx.client(EC2Client, entry.region).send(new DescribeInstanceConnectEndpointsCommand({ InstanceConnectEndpointIds: [id] }));
    found = out.InstanceConnectEndpoints?.find((e) => e.InstanceConnectEndpointId === id);
  } catch (err) {
    if (errorCode(err) !== 'InvalidInstanceConnectEndpointId.NotFound') throw err;
  }
  if (!found || found.State === 'delete-complete' || found.State === 'delete-in-progress') return nothingToUndo(`The Instance Connect Endpoint ${id} (${entry.region}) is deleted already.`);
  const subnet = (entry.params as { SubnetId?: string }).SubnetId;
  const name = found.Tags?.find((t) => t.Key === 'Name')?.Value;
  if (found.SubnetId !== subnet || name !== ENDPOINT_NAME)
    return drifted(`The Instance Connect Endpoint ${id}`, { now: `subnet ${found.SubnetId}, Name ${name ?? '(none)'}`, wrote: `subnet ${subnet}, Name ${ENDPOINT_NAME}` });
  const params = { InstanceConnectEndpointId: id };
  return undoWith({
    service: 'ec2',
    operation: 'DeleteInstanceConnectEndpoint',
    region: entry.region,
    params,
    summary: entry.inverse?.summary ?? `Delete the Instance Connect Endpoint ${id}`,
    async run(c) {
      await c.client(EC2Client, entry.region).send(new DeleteInstanceConnectEndpointCommand(params));
    },
  });
}

const step: Step<InstanceConnectInputs> = {
  undo: undoChange,
  meta,
  inputs,

  async check(ctx) {
    const regions = await ctx.regions();
    return (await mapLimit(regions, REGION_CONCURRENCY, (region) => checkRegion(ctx, region))).flat();
  },

  async plan(_ctx, findings, given): Promise<Plan> {
    const exposed = found(findings);
    if (!exposed.length) return { actions: [] };
    const { subnets: picked } = parseInputs(given);
    const needing = vpcsNeedingEndpoint(exposed);
    const actions: PlanAction[] = [];
    const created = new Set<string>();
    const known = new Set(exposed.flatMap((d) => d.subnets.map((s) => s.subnetId)));
    const unknown = picked.filter((s) => !known.has(s));
    if (unknown.length) throw new Error(`${unknown.join(', ')}: not a subnet of a VPC with an exposed instance; pick one from the VPCs the check named.`);
    for (const vpc of needing) {
      const mine = picked.filter((s) => vpc.subnets.some((c) => c.subnetId === s));
      if (mine.length > 1) throw new Error(`Pick one subnet for VPC ${vpc.vpcId}, not ${mine.length} (${mine.join(', ')}): one endpoint serves the whole VPC.`);
      const subnet = vpc.subnets.find((c) => c.subnetId === mine[0]);
      if (!subnet) continue;
      actions.push(createAction(vpc, subnet));
      created.add(`${vpc.region}/${vpc.vpcId}`);
    }
    const warnings = actions.length
      ? ['The endpoint alone closes nothing: the instances stay reachable from the internet until the open rules are removed (see the guidance).']
      : [];
    // Without an endpoint to create, the step's risk (about creating one) would not describe this plan.
    const risk = actions.length
      ? undefined
      : 'This plan creates nothing. Closing the open port afterwards (by hand, or infrastructure.admin-ports) cuts off whoever still logs in over the internet: test the new way in first.';
    return { actions, guidance: guidance(exposed, created), ...(warnings.length ? { warnings } : {}), ...(risk ? { risk } : {}) };
  },

  /** day-one scenario: a running instance with a public address whose security group lets anyone reach SSH (port 22). */
  async seed(ctx) {
    sandboxOnly(ctx);
    const group = await worldOpenGroup(ctx, DAY_ONE_GROUP, 22);
    await launchDayOne(ctx, DAY_ONE_INSTANCE, { httpTokens: 'required', profile: await dayOneProfile(ctx), groupIds: [group] });
  },
};

export default step;
