/**
 * infrastructure.network-layout: every subnet of the run's regions is known as public (a default
 * route to an internet gateway) or private, and no subnet gives new instances a public IP address
 * by default (FSBP EC2.15). Reads subnets and route tables from the shared EC2 inventory: two
 * paginated reads per region, however many subnets there are.
 *
 * The fix turns MapPublicIpOnLaunch off, subnet by subnet, only for the subnets the person picks
 * (the wizard asks; `fix --yes` takes the ids named in the answers file and nothing else). On a
 * public subnet that is marked destructive: a launch that counted on the automatic address (an
 * Auto Scaling group of web servers, say) comes up unreachable.
 */
import { EC2Client, ModifySubnetAttributeCommand } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { routeTables, subnets } from '../../../src/aws/ec2-inventory.js';
import type { Finding, Plan, PlanAction, Step, StepInputs } from '../../../src/engine/step-kit.js';
import { formatZodError, irreversible, nothingToUndo, plural, recordedInverse, sandboxOnly, undoWith } from '../../../src/engine/step-kit.js';
import { seedPublicDefaultVpc } from '../_shared/default-vpc.js';
import { eachEc2Region } from '../_shared/ec2-check.js';
import type { SubnetData } from './layout.js';
import { regionFindings } from './layout.js';
import meta from './meta.js';

export { reachOf, regionFindings, subnetFinding } from './layout.js';

const REGION_CONCURRENCY = 4;

/** A subnet id, or a subnet's Name tag (every failing subnet with that name). */
const subnetRef = z
  .string()
  .trim()
  .min(1, 'a subnet id (subnet-0abc…) or a subnet Name tag')
  .max(255, 'a Name tag has at most 255 characters')
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f-\u009f]+$/, 'a subnet id or Name tag without control characters');

export const inputsSchema = z.strictObject({ subnets: z.array(subnetRef).min(1, 'no subnet was chosen, so nothing would change (to keep them as they are, choose Skip and give a reason; in the answers file, list subnet ids or Name tags)') });
export interface NetworkLayoutInputs {
  subnets: string[];
}

const dataSchema = z.object({
  subnetId: z.string(),
  region: z.string(),
  label: z.string(),
  name: z.string().optional(),
  vpcId: z.string(),
  public: z.boolean(),
  zone: z.string().optional(),
  cidr: z.string().optional(),
});

/**
 * How the wizard lists a subnet, short enough for one line of a narrow terminal (the prompt does
 * not wrap its choices): `subnet-0abc (web), us-east-1b, 172.31.16.0/20: public`. The note before
 * the list says what public and private mean for the change.
 */
export function subnetChoice(d: SubnetData): string {
  return `${[d.label, d.zone ?? d.region, d.cidr].filter(Boolean).join(', ')}: ${d.public ? 'public' : 'private'}`;
}

/** Whether the answers name this subnet, by id or by Name tag. */
export const named = (chosen: readonly string[], d: Pick<SubnetData, 'subnetId' | 'name'>): boolean =>
  chosen.includes(d.subnetId) || (d.name !== undefined && chosen.includes(d.name));

export function failingSubnets(findings: Finding[]): SubnetData[] {
  return findings.filter((f) => f.status === 'fail' && f.data && 'subnetId' in f.data).map((f) => dataSchema.parse(f.data));
}

/** What the plan takes: the answers' shape, where an empty list (the defaults when every failing subnet is public) plans nothing. */
const planInputsSchema = z.object({ subnets: z.array(subnetRef) });

function parseInputs(given: unknown): NetworkLayoutInputs {
  const parsed = planInputsSchema.safeParse(given);
  if (!parsed.success) throw new Error(`Invalid inputs for ${meta.id}: ${formatZodError(parsed.error)}`);
  return parsed.data;
}

function turnOff(d: SubnetData): PlanAction {
  const params = { SubnetId: d.subnetId, MapPublicIpOnLaunch: { Value: false } };
  return {
    service: 'ec2',
    operation: 'ModifySubnetAttribute',
    region: d.region,
    params,
    summary: `Stop giving new instances in ${d.public ? 'public' : 'private'} subnet ${d.label} (${d.region}) a public IP address`,
    ...(d.public ? { destructive: true } : {}),
    inverse: {
      service: 'ec2',
      operation: 'ModifySubnetAttribute',
      region: d.region,
      params: { SubnetId: d.subnetId, MapPublicIpOnLaunch: { Value: true } },
      summary: `Give new instances in subnet ${d.subnetId} a public IP address again`,
    },
    async run(ctx) {
      await ctx.client(EC2Client, d.region).send(new ModifySubnetAttributeCommand(params));
    },
  };
}

const inputs: StepInputs<NetworkLayoutInputs> = {
  schema: inputsSchema,
  // Nothing is implied by --yes: the answers file names the subnets.
  requiredInAnswers: true,
  defaults: (findings) => ({ subnets: failingSubnets(findings).filter((d) => !d.public).map((d) => d.subnetId) }),

  async ask(asker, initial, findings) {
    const failing = failingSubnets(findings);
    if (!failing.length) return { subnets: initial.subnets };
    asker.note(
      'A public subnet routes to an internet gateway: an instance there with a public IP address can be reached from the internet, ' +
        'and a launch that counts on the automatic address loses it when you turn it off. In a private subnet a public address is of ' +
        'no use. Give one only to a launch that asks for it, or put a load balancer in front (and a NAT gateway for the way out).',
    );
    const subnets = await asker.checkbox({
      message: 'Stop giving new instances a public IP address in which subnets? (space to tick, enter to go on)',
      choices: failing.map((d) => ({
        value: d.subnetId,
        name: subnetChoice(d),
        checked: named(initial.subnets, d) || (!initial.subnets.length && !d.public),
      })),
    });
    return { subnets };
  },
};

const step: Step<NetworkLayoutInputs> = {
  meta,
  inputs,

  async check(ctx) {
    return eachEc2Region(ctx, { type: 'subnet', reads: ['subnets', 'routeTables'], concurrency: REGION_CONCURRENCY }, async (region) => {
      const [s, t] = await Promise.all([subnets(ctx, region), routeTables(ctx, region)]);
      return regionFindings(s, t, region, ctx.target.accountId, ctx.target.partition);
    });
  },

  async plan(_ctx, findings, given): Promise<Plan> {
    const failing = failingSubnets(findings);
    if (!failing.length) return { actions: [] };
    const { subnets: chosen } = parseInputs(given);
    const picked = failing.filter((d) => named(chosen, d));
    const left = failing.filter((d) => !named(chosen, d));
    const unknown = chosen.filter((ref) => !failing.some((d) => named([ref], d)));
    const warnings: string[] = [];
    const publicOnes = picked.filter((d) => d.public);
    if (publicOnes.length)
      warnings.push(
        `${plural(publicOnes.length, 'public subnet')} (${publicOnes.map((d) => d.label).join(', ')}) ${publicOnes.length === 1 ? 'stops' : 'stop'} handing out public IP addresses: ` +
          'instances launched there later are unreachable from the internet unless the launch asks for an address (or an Elastic IP is attached). Instances running now keep theirs.',
      );
    if (left.length)
      warnings.push(
        `Left as they are (not chosen): ${left.map((d) => `${d.label} (${d.region})`).join(', ')}. ` +
          `To change them under fix --yes, name them in the answers file: "${meta.id}": { "subnets": ["${left[0]!.subnetId}", …] }.`,
      );
    if (unknown.length) warnings.push(`Named but not failing here (already off, or not in the run's regions): ${unknown.join(', ')}.`);
    return { actions: picked.map(turnOff), ...(warnings.length ? { warnings } : {}) };
  },

  /**
   * Undo: the subnet gives public addresses again, as before the fix, while it still gives none
   * (what the fix set).
   */
  async undo(ctx, entry) {
    const wrote = entry.params as { SubnetId?: string; MapPublicIpOnLaunch?: { Value?: boolean } };
    if (entry.operation !== 'ModifySubnetAttribute' || !wrote.SubnetId || wrote.MapPublicIpOnLaunch?.Value !== false || !entry.inverse)
      return irreversible(`${meta.id} made no ${entry.operation} change that it knows how to undo.`);
    const subnet = (await subnets(ctx, entry.region)).find((s) => s.SubnetId === wrote.SubnetId);
    if (!subnet) return nothingToUndo(`Subnet ${wrote.SubnetId} (${entry.region}) no longer exists.`);
    if (subnet.MapPublicIpOnLaunch) return nothingToUndo(`Subnet ${wrote.SubnetId} (${entry.region}) gives new instances a public IP address again, as before the fix.`);
    return undoWith(recordedInverse(entry));
  },

  /**
   * day-one scenario: the default VPC of the home region as real AWS makes it: an internet
   * gateway, a default route to it, and default subnets that give every instance a public IP.
   */
  async seed(ctx) {
    sandboxOnly(ctx);
    await seedPublicDefaultVpc(ctx);
  },
};

export default step;
