/**
 * account.no-admin-star-policies: no customer-managed policy's default version allows every
 * action on every resource. Read from the shared account authorization details, which carry each
 * policy's versions and every user, group and role with what is attached to it. The fix is
 * advice: the findings name who uses each policy, the guidance says how to replace it.
 */
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  EntityAlreadyExistsException,
  IAMClient,
} from '@aws-sdk/client-iam';
import type { ManagedPolicyDetail } from '@aws-sdk/client-iam';
import { z } from 'zod';
import type { Finding, Plan, Step, StepContext } from '../../../src/engine/step-kit.js';
import { sandboxOnly } from '../../../src/engine/step-kit.js';
import { authorizationDetails, decodePolicyDocument } from '../_shared/iam-data.js';
import type { AuthorizationDetails } from '../_shared/iam-data.js';
import { analyseDocument, worst } from './analysis.js';
import type { DocumentAnalysis, StatementFinding } from './analysis.js';
import meta from './meta.js';

export interface Usage {
  users: string[];
  groups: string[];
  roles: string[];
  /** Identities that use the policy as a permissions boundary (a limit, not a grant). */
  boundaryOf: string[];
}

/** Who each managed policy is attached to, by policy ARN. */
export function usageByPolicy(d: AuthorizationDetails): Map<string, Usage> {
  const out = new Map<string, Usage>();
  const of = (arn: string | undefined) => {
    const key = arn ?? '';
    let u = out.get(key);
    if (!u) out.set(key, (u = { users: [], groups: [], roles: [], boundaryOf: [] }));
    return u;
  };
  for (const u of d.UserDetailList) {
    for (const p of u.AttachedManagedPolicies ?? []) of(p.PolicyArn).users.push(u.UserName ?? '?');
    if (u.PermissionsBoundary?.PermissionsBoundaryArn) of(u.PermissionsBoundary.PermissionsBoundaryArn).boundaryOf.push(`user ${u.UserName}`);
  }
  for (const g of d.GroupDetailList) for (const p of g.AttachedManagedPolicies ?? []) of(p.PolicyArn).groups.push(g.GroupName ?? '?');
  for (const r of d.RoleDetailList) {
    for (const p of r.AttachedManagedPolicies ?? []) of(p.PolicyArn).roles.push(r.RoleName ?? '?');
    if (r.PermissionsBoundary?.PermissionsBoundaryArn) of(r.PermissionsBoundary.PermissionsBoundaryArn).boundaryOf.push(`role ${r.RoleName}`);
  }
  return out;
}

const names = (what: string, xs: string[]) => (xs.length ? [`${what}${xs.length === 1 ? '' : 's'} ${xs.join(', ')}`] : []);

export function describeUsage(u: Usage | undefined): string {
  const parts = u ? [...names('user', u.users), ...names('group', u.groups), ...names('role', u.roles)] : [];
  const boundary = u?.boundaryOf.length ? ` It is also the permissions boundary of ${u.boundaryOf.join(', ')} (a limit there, not a grant).` : '';
  return parts.length
    ? `It is attached to ${parts.join('; ')}.${boundary}`
    : `It is attached to nothing yet: one attachment away from a new administrator.${boundary}`;
}

function where(s: StatementFinding): string {
  return `statement ${s.index}${s.sid ? ` "${s.sid}"` : ''}`;
}

/** The finding for one flagged policy (pure). */
export function policyFinding(p: ManagedPolicyDetail, a: DocumentAnalysis, usage: Usage | undefined): Finding | undefined {
  const verdict = worst(a);
  if (!verdict) return undefined;
  const name = p.PolicyName ?? p.Arn?.split('/').pop() ?? '?';
  const s = a.statements.find((x) => x.verdict === verdict)!;
  const denies = a.denies ? ` Its ${a.denies === 1 ? 'Deny statement takes' : `${a.denies} Deny statements take`} some of that back.` : '';
  const what =
    verdict === 'full'
      ? `allows every action on every resource (${where(s)}).${denies}`
      : verdict === 'conditional'
        ? `allows every action on every resource when a condition holds (${where(s)}: ${s.detail}); check that the condition really narrows it.${denies}`
        : `allows ${s.detail} (${where(s)}): close to administrator access.${denies}`;
  const u = usage ?? { users: [], groups: [], roles: [], boundaryOf: [] };
  return {
    status: verdict === 'full' ? 'fail' : 'manual',
    resource: p.Arn ?? name,
    region: 'global',
    message: `Customer-managed policy ${name} ${what} ${describeUsage(usage)}`,
    data: { kind: 'admin-star', policyName: name, arn: p.Arn ?? '', verdict, version: p.DefaultVersionId ?? null, ...u },
  };
}

function defaultDocument(p: ManagedPolicyDetail): unknown {
  const versions = p.PolicyVersionList ?? [];
  const v = versions.find((x) => x.IsDefaultVersion) ?? versions.find((x) => x.VersionId === p.DefaultVersionId);
  return decodePolicyDocument(v?.Document);
}

const flaggedSchema = z.object({
  kind: z.literal('admin-star'),
  policyName: z.string(),
  arn: z.string(),
  verdict: z.enum(['full', 'conditional', 'nearly']),
  version: z.string().nullable(),
  users: z.array(z.string()),
  groups: z.array(z.string()),
  roles: z.array(z.string()),
  boundaryOf: z.array(z.string()),
});
export type FlaggedPolicy = z.infer<typeof flaggedSchema>;

export function flaggedPolicies(findings: readonly Finding[]): FlaggedPolicy[] {
  return findings.filter((f) => (f.status === 'fail' || f.status === 'manual') && f.data?.kind === 'admin-star').map((f) => flaggedSchema.parse(f.data));
}

/** The commands that take one policy off everything it is attached to and delete it. */
function removalCommands(p: FlaggedPolicy): string[] {
  const arn = p.arn;
  return [
    `aws iam list-entities-for-policy --policy-arn ${arn}`,
    ...p.users.map((u) => `aws iam detach-user-policy --user-name ${u} --policy-arn ${arn}`),
    ...p.groups.map((g) => `aws iam detach-group-policy --group-name ${g} --policy-arn ${arn}`),
    ...p.roles.map((r) => `aws iam detach-role-policy --role-name ${r} --policy-arn ${arn}`),
    `aws iam list-policy-versions --policy-arn ${arn}`,
    `# for each version listed that is not the default one:`,
    `aws iam delete-policy-version --policy-arn ${arn} --version-id VERSION`,
    `aws iam delete-policy --policy-arn ${arn}`,
  ];
}

/** Advice per flagged policy. */
export function adviceFor(flagged: readonly FlaggedPolicy[], partition: string): string {
  const admin = `arn:${partition}:iam::aws:policy/AdministratorAccess`;
  const out: string[] = [
    'Nothing here is changed by the tool: taking rights away needs someone who knows what each user and program really does. For each policy below:',
    '',
    '1. **Find out what it is used for.** IAM shows when each service was last used by a user, group or role (*Last accessed* tab), and ' +
      'IAM Access Analyzer can write a policy from what a role or user actually did, according to CloudTrail.',
    '',
    '2. **If those identities really administer the account,** say so plainly: put the people in an administrators group with the AWS managed ' +
      `policy \`AdministratorAccess\` (\`${admin}\`; see account.admin-identity), and attach that same managed policy to a role that truly needs everything. ` +
      'Everyone reading the account, people and tools alike, recognises that name; a home-made copy under another name hides an administrator.',
    '',
    '3. **Otherwise narrow it:** write the actions and resources that are really needed into a new version of the policy ' +
      '(`aws iam create-policy-version --set-as-default`); the attachments stay, the rights shrink.',
    '',
    '4. **Remove what is left over:** detach it from everything and delete it.',
    '',
  ];
  for (const p of flagged.slice(0, 20)) {
    const users = [...names('user', p.users), ...names('group', p.groups), ...names('role', p.roles)];
    const label = p.verdict === 'full' ? 'every action on every resource' : p.verdict === 'conditional' ? 'everything, under a condition' : 'nearly everything';
    out.push(`**\`${p.policyName}\`** (${label}; ${users.length ? `attached to ${users.join('; ')}` : 'attached to nothing'}):`, '', '```', ...removalCommands(p), '```', '');
  }
  if (flagged.length > 20) out.push(`… and ${flagged.length - 20} more policies: see the findings.`, '');
  out.push('Then choose re-check.');
  return out.join('\n');
}

const step: Step = {
  meta,

  async check(ctx) {
    const details = await authorizationDetails(ctx);
    const usage = usageByPolicy(details);
    const findings: Finding[] = [];
    const byName = [...details.Policies].sort((a, b) => (a.PolicyName ?? a.Arn ?? '').localeCompare(b.PolicyName ?? b.Arn ?? ''));
    for (const p of byName) {
      // AWS managed policies are not the account's to change; the shared read leaves them out anyway.
      if (p.Arn?.startsWith(`arn:${ctx.target.partition}:iam::aws:`)) continue;
      const f = policyFinding(p, analyseDocument(defaultDocument(p)), usage.get(p.Arn ?? ''));
      if (f) findings.push(f);
    }
    if (findings.length) return findings;
    const n = details.Policies.length;
    return [
      {
        status: 'pass',
        resource: `arn:${ctx.target.partition}:iam::${ctx.target.accountId}:account`,
        region: 'global',
        message: n
          ? n === 1
            ? 'The one customer-managed policy does not allow every action on every resource.'
            : `None of the ${n} customer-managed policies allows every action on every resource.`
          : 'There are no customer-managed policies, so none allows every action on every resource.',
      },
    ];
  },

  async plan(ctx, findings): Promise<Plan> {
    const flagged = flaggedPolicies(findings);
    if (!flagged.length) return { actions: [] };
    return { actions: [], guidance: adviceFor(flagged, ctx.target.partition) };
  },

  /**
   * day-one scenario: `deploy-everything` (Action "*", Resource "*") attached to the role a build
   * server uses, and `old-admin-test` (the list form, ["*"]) attached to nothing; `read-reports`,
   * a narrow policy, is fine.
   */
  async seed(ctx: StepContext) {
    sandboxOnly(ctx);
    const iam = ctx.client(IAMClient);
    const account = ctx.target.accountId;
    const arn = (name: string) => `arn:${ctx.target.partition}:iam::${account}:policy/${name}`;
    const create = async (name: string, doc: unknown) => {
      try {
        await iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: JSON.stringify(doc) }));
      } catch (err) {
        if (!(err instanceof EntityAlreadyExistsException)) throw err;
      }
    };
    await create(SEED_ATTACHED, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
    await create(SEED_UNATTACHED, { Version: '2012-10-17', Statement: [{ Sid: 'Everything', Effect: 'Allow', Action: ['*'], Resource: ['*'] }] });
    await create('read-reports', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: ['arn:aws:s3:::example-reports', 'arn:aws:s3:::example-reports/*'] }],
    });
    try {
      await iam.send(
        new CreateRoleCommand({
          RoleName: SEED_ROLE,
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
          }),
        }),
      );
    } catch (err) {
      if (!(err instanceof EntityAlreadyExistsException)) throw err;
    }
    await iam.send(new AttachRolePolicyCommand({ RoleName: SEED_ROLE, PolicyArn: arn(SEED_ATTACHED) }));
  },
};

export const SEED_ATTACHED = 'deploy-everything';
export const SEED_UNATTACHED = 'old-admin-test';
export const SEED_ROLE = 'legacy-automation';

export default step;
