/**
 * account.regions: the person chooses the regions they use; a guardrail denies every other
 * region (global services exempt), and opt-in regions outside the choice are disabled where the
 * Account API allows. The choice becomes the run's regions for every regional step after this one.
 *
 * Check: enabled regions, where something runs, and whether a deny-other-regions guardrail covers
 * the organization root (management account) or every IAM group (otherwise), in agreement with
 * the regions this run works on. Plan: the policy (shown in full in the action's parameters), its
 * attachments, and DisableRegion calls; by hand what the endpoint cannot do.
 */
import { CreateGroupCommand, EntityAlreadyExistsException, IAMClient } from '@aws-sdk/client-iam';
import { CreateTagsCommand, CreateVpcCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { isRegionName } from '../../../src/aws/regions.js';
import type { Asker, Finding, Plan, Step, StepInputs } from '../../../src/engine/step-kit.js';
import { formatZodError, sandboxOnly } from '../../../src/engine/step-kit.js';
import { usageText } from './inventory.js';
import meta from './meta.js';
import type { Reading } from './judge.js';
import { guardrailFinding, inventoryFinding, list, openRegions, read, readingFrom, regionFindings, requireReading, sorted } from './judge.js';
import { planRegions } from './plan.js';
import { undoRegions } from './undo.js';

export type { Reading } from './judge.js';

/** Inputs of the fix (answers file `account.regions`). */
export interface RegionsInputs {
  /** The regions workloads may run in; every other one is denied. */
  allowed: string[];
}

const inputsSchema = z.strictObject({
  allowed: z
    .array(z.string().trim().refine(isRegionName, { message: 'not a region name (for example eu-west-1)' }))
    .min(1, 'choose at least one region')
    .refine((rs) => new Set(rs).size === rs.length, { message: 'a region is listed twice' }),
});

function parseInputs(inputs: unknown): RegionsInputs {
  const parsed = inputsSchema.safeParse(inputs);
  if (!parsed.success) throw new Error(`Invalid inputs for ${meta.id}: ${formatZodError(parsed.error)}`);
  return { allowed: sorted(parsed.data.allowed) };
}

/** The regions to start from: none without a reading (the answers template never guesses regions). */
function defaultAllowed(r: Reading | undefined): string[] {
  if (!r) return [];
  const names = r.enabled.regions.map((x) => x.name);
  const open = openRegions(r.guardrail)?.filter((x) => names.includes(x));
  if (open?.length) return open;
  return sorted([r.homeRegion, ...Object.keys(r.inventory.inUse)].filter((x) => names.includes(x)));
}

const inputs: StepInputs<RegionsInputs> = {
  schema: inputsSchema,
  requiredInAnswers: true,
  defaults: (findings) => ({ allowed: defaultAllowed(readingFrom(findings)) }),

  async ask(asker: Asker, initial: RegionsInputs, findings: Finding[]): Promise<RegionsInputs> {
    const r = requireReading(findings);
    const names = r.enabled.regions.map((x) => x.name);
    const used = Object.keys(r.inventory.inUse);
    const rank = (x: string) => (x === r.homeRegion ? 0 : used.includes(x) ? 1 : 2);
    const order = [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    const width = Math.max(...names.map((x) => x.length));
    const label = (x: string) => {
      const tags = [
        x === r.homeRegion ? 'home region' : '',
        used.includes(x) ? `in use: ${usageText(r.inventory.inUse[x]!)}` : '',
        r.enabled.regions.find((y) => y.name === x)?.optIn ? 'opt-in' : '',
      ].filter(Boolean);
      return tags.length ? `${x.padEnd(width)}  ${tags.join(' · ')}` : x;
    };
    let checked = new Set((initial?.allowed ?? []).filter((x) => names.includes(x)));
    if (!checked.size) checked = new Set(defaultAllowed(r));
    asker.note(
      used.length
        ? `Resources were found in ${list(used.sort())}; those regions and your home region are checked to start with.`
        : 'No resources of your own were found in any region; your home region is checked to start with.',
    );
    for (;;) {
      const picked = await asker.checkbox({
        message: 'Which regions may run workloads? Everything else will be denied (global services such as IAM keep working).',
        choices: order.map((x) => ({ value: x, name: label(x), checked: checked.has(x) })),
        required: true,
      });
      checked = new Set(picked);
      const dropped = used.filter((x) => !checked.has(x)).sort();
      const worries = [
        ...(dropped.length ? [`${list(dropped)} still hold${dropped.length === 1 ? 's' : ''} resources that nobody could manage afterwards`] : []),
        ...(!checked.has(r.homeRegion) ? [`your home region ${r.homeRegion} would be denied`] : []),
      ];
      if (!worries.length) break;
      const sure = await asker.confirm({ message: `Leave them out even though ${worries.join(', and ')}?`, default: false });
      if (sure) break;
    }
    return { allowed: sorted(checked) };
  },
};

const step: Step<RegionsInputs> = {
  meta,
  inputs,

  async check(ctx) {
    const r = await read(ctx);
    return [inventoryFinding(ctx, r), guardrailFinding(ctx, r), ...regionFindings(ctx, r)];
  },

  async plan(ctx, findings, given): Promise<Plan> {
    const r = requireReading(findings);
    const { allowed } = parseInputs(given);
    return planRegions(ctx, r, allowed);
  },

  /** Puts back the guardrail as it was before the fix, only while it is still what the fix wrote (undo.ts). */
  undo: undoRegions,

  remember(given) {
    return { regions: sorted(given.allowed) };
  },

  /** day-one scenario: a forgotten VPC in eu-west-1, a developers group, and no guardrail. */
  async seed(ctx) {
    sandboxOnly(ctx);
    const ec2 = ctx.client(EC2Client, 'eu-west-1');
    // Seeding again (a workshop's `sandbox reset`) keeps the one legacy-test VPC.
    const existing = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: ['legacy-test'] }] }));
    if (!existing.Vpcs?.length) {
      const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.42.0.0/16' }));
      if (vpc.Vpc?.VpcId) await ec2.send(new CreateTagsCommand({ Resources: [vpc.Vpc.VpcId], Tags: [{ Key: 'Name', Value: 'legacy-test' }] }));
    }
    try {
      await ctx.client(IAMClient).send(new CreateGroupCommand({ GroupName: 'developers' }));
    } catch (err) {
      if (!(err instanceof EntityAlreadyExistsException)) throw err;
    }
  },
};

export default step;
