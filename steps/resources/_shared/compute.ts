/**
 * What the compute steps of the resources area share (ec2-patching, ebs-encryption,
 * public-sharing): the fan-out over the run's regions with one failure rule, running instances
 * from the shared EC2 inventory, labels, and the instance profile → role read (IAM, memoised per
 * profile for the run).
 */
import type { Instance } from '@aws-sdk/client-ec2';
import { GetInstanceProfileCommand, IAMClient, ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import { instances, labelled } from '../../../src/aws/ec2-inventory.js';
import type { Finding, StepContext } from '../../../src/engine/step-kit.js';
import { eachRegion, regionFailure } from '../../../src/engine/step-kit.js';

/** How many regions are read at once. */
export const REGION_CONCURRENCY = 8;

/** `arn:aws:ec2:eu-west-1:123456789012:instance/*`: a region-wide resource for a finding. */
export function regionArn(ctx: Pick<StepContext, 'target'>, region: string, service: string, rest: string): string {
  return `arn:${ctx.target.partition}:${service}:${region}:${ctx.target.accountId}:${rest}`;
}

/** A failed regional read, as the step kit's one rule words it; rethrows a refused mutation. */
export interface RegionalRead {
  service: string;
  permissions: readonly string[];
  resource: (region: string) => string;
}

/** Runs `fn` for every region of the run (bounded), turning a region's failure into one finding. */
export async function forEachRegion(ctx: StepContext, read: RegionalRead, fn: (region: string) => Promise<Finding[]>): Promise<Finding[]> {
  return eachRegion(ctx, fn, (region) => ({ resource: read.resource(region), service: read.service, permissions: [...read.permissions] }), REGION_CONCURRENCY);
}

/** The finding for one read of one region that failed. */
export function failure(err: unknown, region: string, read: RegionalRead): Finding {
  return regionFailure(err, { region, resource: read.resource(region), service: read.service, permissions: [...read.permissions] });
}

export const isRunning = (i: Instance): boolean => i.State?.Name === 'running';

/** The running instances of a region, from the shared inventory (one paginated read per region per run). */
export async function runningInstances(ctx: StepContext, region: string): Promise<Instance[]> {
  return (await instances(ctx, region)).filter(isRunning).sort((a, b) => (a.InstanceId ?? '').localeCompare(b.InstanceId ?? ''));
}

/** `i-0abc (web)`. */
export const instanceLabel = (i: Pick<Instance, 'InstanceId' | 'Tags'>): string => labelled(i.InstanceId!, i.Tags);

/** `a, b, c and 4 more`. */
export function someOf(items: readonly string[], max = 5): string {
  if (items.length <= max) return items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items.at(-1)}` : (items[0] ?? '');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** The role of an instance profile and the managed policies attached to it. */
export interface ProfileRole {
  profileArn: string;
  profileName: string;
  /** Absent: the profile holds no role. */
  roleName?: string;
  attached: string[];
}

/** `arn:aws:iam::123:instance-profile/path/name` → `name`. */
export function profileNameOf(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** Reads an instance profile's role and its attached policies (memoised per profile for the run). */
export function profileRole(ctx: StepContext, profileArn: string): Promise<ProfileRole> {
  return ctx.shared(`iam:profile-role:${profileArn}`, async () => {
    const iam = ctx.client(IAMClient);
    const profileName = profileNameOf(profileArn);
    const got = await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: profileName }));
    const roleName = got.InstanceProfile?.Roles?.[0]?.RoleName;
    if (!roleName) return { profileArn, profileName, attached: [] };
    const attached: string[] = [];
    let marker: string | undefined;
    do {
      const page = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName, Marker: marker }));
      attached.push(...(page.AttachedPolicies ?? []).map((p) => p.PolicyArn!).filter(Boolean));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    return { profileArn, profileName, roleName, attached };
  });
}
