/**
 * account.admin-identity, check: who can administer the account (IAM groups with AdministratorAccess
 * and their members, Identity Center's admin permission sets), the inventory the fix and the
 * questions work from (carried in the failing finding's data), and the helpers to read it back.
 */
import type { Finding, StepContext } from '../../../src/engine/step-kit.js';
import { errorKind } from '../../../src/engine/step-kit.js';
import { z } from 'zod';
import { authorizationDetails } from '../_shared/iam-data.js';
import { organization } from '../_shared/organization.js';
import { readIdentityCenter } from './identity-center.js';
import type { IdentityCenterReading } from './identity-center.js';

export const DEFAULT_GROUP = 'Administrators';

/** Tag on the IAM user this step creates, so account.identity-center can name it as the one to move later. */
export const CREATED_BY_TAG = { Key: 'secure-start:created-by', Value: 'account.admin-identity' } as const;

const groupSchema = z.object({ name: z.string(), arn: z.string(), admin: z.boolean(), members: z.array(z.string()) });
const userSchema = z.object({ name: z.string(), directAdmin: z.boolean() });
/** Where Identity Center could give this account an administrator: an instance in an organization. */
const identityCenterSchema = z.object({ regions: z.array(z.string()), organization: z.boolean() });
const inventorySchema = z.object({
  kind: z.literal('inventory'),
  groups: z.array(groupSchema),
  users: z.array(userSchema),
  identityCenter: identityCenterSchema.optional(),
});
export type GroupInfo = z.infer<typeof groupSchema>;
export type UserInfo = z.infer<typeof userSchema>;
export type Inventory = z.infer<typeof inventorySchema>;
const adminGroupSchema = z.object({ kind: z.literal('admin-group'), group: z.string(), members: z.array(z.string()) });

export function adminPolicyArn(ctx: StepContext): string {
  return `arn:${ctx.target.partition}:iam::aws:policy/AdministratorAccess`;
}

/** Where IAM users sign in to the console: `https://<account>.signin.aws.amazon.com/console`. */
export function signInUrl(ctx: StepContext): string {
  const host = { 'aws-cn': 'signin.amazonaws.cn', 'aws-us-gov': 'signin.amazonaws-us-gov.com' }[ctx.target.partition] ?? 'signin.aws.amazon.com';
  return `https://${ctx.target.accountId}.${host}/console`;
}

/** IAM names are unique regardless of case: `administrators` is the existing `Administrators`. */
export function byName<T extends { name: string }>(items: readonly T[], name: string): T | undefined {
  const wanted = name.toLowerCase();
  return items.find((i) => i.name.toLowerCase() === wanted);
}

export function names(list: readonly string[], max = 5): string {
  return list.length <= max ? list.join(', ') : `${list.slice(0, max).join(', ')} and ${list.length - max} more`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

async function inventory(ctx: StepContext, adminArn: string): Promise<Inventory> {
  const details = await authorizationDetails(ctx);
  const groups: GroupInfo[] = details.GroupDetailList.filter((g) => g.GroupName).map((g) => ({
    name: g.GroupName!,
    arn: g.Arn ?? '',
    admin: (g.AttachedManagedPolicies ?? []).some((p) => p.PolicyArn === adminArn),
    members: [],
  }));
  const users: UserInfo[] = [];
  for (const u of details.UserDetailList) {
    if (!u.UserName) continue;
    users.push({ name: u.UserName, directAdmin: (u.AttachedManagedPolicies ?? []).some((p) => p.PolicyArn === adminArn) });
    for (const g of u.GroupList ?? []) byName(groups, g)?.members.push(u.UserName);
  }
  return { kind: 'inventory', groups, users };
}

function identityCenterSentence(ic: IdentityCenterReading): string {
  if (ic.instanceRegions.length)
    return `IAM Identity Center (${ic.instanceRegions.join(', ')}) assigns no permission set with AdministratorAccess in this account`;
  if (ic.unknown.length) {
    const first = ic.unknown[0]!;
    return `IAM Identity Center could not be read (${ic.unknown.length > 1 ? `${ic.unknown.length} regions, first ` : ''}${first}), so only IAM groups were checked`;
  }
  return 'IAM Identity Center is not enabled in the regions checked';
}

function failMessage(inv: Inventory, ic: IdentityCenterReading): string {
  const parts = [`Only the root user can administer this account: no IAM group with AdministratorAccess has a member, and ${identityCenterSentence(ic)}.`];
  const empty = inv.groups.filter((g) => g.admin);
  if (empty.length) parts.push(`${names(empty.map((g) => g.name))} ${empty.length === 1 ? 'has' : 'have'} AdministratorAccess but no members.`);
  const direct = inv.users.filter((u) => u.directAdmin);
  if (direct.length)
    parts.push(
      `${names(direct.map((u) => u.name))} ${direct.length === 1 ? 'has' : 'have'} AdministratorAccess attached directly rather than through a group ` +
        '(account.groups-only moves such policies to groups).',
    );
  return parts.join(' ');
}

/** The organization only decides whether Identity Center is offered first: a caller who may not read it is simply not offered it. */
async function organizationIfReadable(ctx: StepContext): Promise<{ organization?: unknown }> {
  try {
    return await organization(ctx);
  } catch (err) {
    if (errorKind(err) === 'access-denied') return {};
    throw err;
  }
}

export async function check(ctx: StepContext): Promise<Finding[]> {
  const adminArn = adminPolicyArn(ctx);
  const [inv, ic, org] = await Promise.all([inventory(ctx, adminArn), readIdentityCenter(ctx, adminArn), organizationIfReadable(ctx)]);
  // Only an organization's instance can sign people in to AWS accounts; an account instance cannot.
  inv.identityCenter = { regions: ic.instanceRegions, organization: Boolean(org.organization) };
  const findings: Finding[] = [];
  for (const g of inv.groups.filter((x) => x.admin && x.members.length))
    findings.push({
      status: 'pass',
      resource: g.arn,
      region: 'global',
      message: `Group ${g.name} has AdministratorAccess and ${plural(g.members.length, 'member')}: ${names(g.members)}.`,
      data: { kind: 'admin-group', group: g.name, members: g.members },
    });
  for (const a of ic.admins)
    findings.push({
      status: 'pass',
      resource: a.permissionSetArn,
      region: a.region,
      message: `IAM Identity Center gives administrator access to this account: a permission set with AdministratorAccess is assigned to ${plural(a.assignments, 'user or group', 'users or groups')}.`,
      data: { kind: 'identity-center' },
    });
  if (!findings.length)
    findings.push({
      status: 'fail',
      resource: `arn:${ctx.target.partition}:iam::${ctx.target.accountId}:account`,
      region: 'global',
      message: failMessage(inv, ic),
      data: inv,
    });
  if (ctx.target.isRoot)
    findings.push({
      status: 'manual',
      resource: ctx.target.principalArn,
      region: 'global',
      message:
        'You are signed in as the root user. That is right for setting the account up; for daily work sign in as an administrator ' +
        `(${signInUrl(ctx)}) and keep root for the few tasks only it can do.`,
      data: { kind: 'root-caller' },
    });
  return findings;
}

export function inventoryOf(findings: Finding[]): Inventory | undefined {
  const f = findings.find((x) => x.status === 'fail' && x.data?.kind === 'inventory');
  return f ? inventorySchema.parse(f.data) : undefined;
}

export function adminGroupsOf(findings: Finding[]): z.infer<typeof adminGroupSchema>[] {
  return findings.filter((f) => f.data?.kind === 'admin-group').map((f) => adminGroupSchema.parse(f.data));
}


export function defaultGroupName(inv: Inventory | undefined): string {
  return inv?.groups.find((g) => g.admin)?.name ?? DEFAULT_GROUP;
}

/** Identity Center can give this account an administrator: an instance, in an organization. */
export function identityCenterUsable(inv: Inventory): string[] {
  return inv.identityCenter?.organization ? inv.identityCenter.regions : [];
}
