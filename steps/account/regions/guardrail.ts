/**
 * Where the guardrail goes and what is there now.
 *
 * - The caller's account is the management account of an organization with all features: a
 *   service control policy attached to the organization root (SCPs must be enabled on the root,
 *   or attached SCPs do nothing).
 * - Otherwise (no organization, a member account, consolidated billing only, or an endpoint
 *   without Organizations): a customer-managed IAM policy attached to every IAM group.
 *
 * Guardrails are recognised by content, not by name: any deny-other-regions statement counts,
 * ours (`secure-start-deny-other-regions`) or one written by hand. Several on one target all
 * apply, so the regions left open are those every one of them allows.
 */
import {
  DescribePolicyCommand,
  ListPoliciesCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import type { PolicySummary, Root } from '@aws-sdk/client-organizations';
import type { StepContext } from '../../../src/engine/step-kit.js';
import { authorizationDetails } from '../_shared/iam-data.js';
import { organization } from '../_shared/organization.js';
import { POLICY_NAME, allowedRegionsOf, intersect } from '../_shared/region-guardrail.js';

export const SCP_TYPE = 'SERVICE_CONTROL_POLICY';

/** One guardrail policy on a target, and the regions it leaves open. */
export interface GuardrailPolicy {
  name: string;
  /** SCP id or IAM policy ARN; `inline:<name>` for an inline group policy. */
  ref: string;
  allowed: string[];
}

export interface ScpState {
  path: 'scp';
  organizationId: string;
  rootId: string;
  rootArn: string;
  /** SCPs are enabled on the root: without it, attached SCPs have no effect. */
  typeEnabled: boolean;
  /** Our SCP, attached or not. */
  ours?: { id: string; arn: string; content: string; attached: boolean };
  /** Guardrail SCPs attached to the root. */
  attached: GuardrailPolicy[];
}

export interface IamGroupState {
  name: string;
  guardrails: GuardrailPolicy[];
  /** Our policy is attached to this group. */
  hasOurs: boolean;
}

export interface IamState {
  path: 'iam';
  /** Why not an SCP: said in the findings. */
  why: string;
  ours?: {
    arn: string;
    defaultVersionId: string;
    document: unknown;
    /** Oldest first. */
    versions: { id: string; isDefault: boolean }[];
  };
  groups: IamGroupState[];
}

export type GuardrailState = ScpState | IamState;

/** A place the guardrail must cover: the organization root, or one IAM group. */
export interface Target {
  label: string;
  /** Regions left open there; undefined when no guardrail covers it. */
  allowed: string[] | undefined;
}

export function targetsOf(state: GuardrailState): Target[] {
  if (state.path === 'scp')
    return [{ label: 'the organization root', allowed: state.typeEnabled && state.attached.length ? intersect(state.attached.map((p) => p.allowed)) : undefined }];
  return state.groups.map((g) => ({ label: `group ${g.name}`, allowed: g.guardrails.length ? intersect(g.guardrails.map((p) => p.allowed)) : undefined }));
}

type Organization = { id: string; managementAccountId: string; allFeatures: boolean } | { id?: undefined; note: string };

async function readOrganization(ctx: StepContext): Promise<Organization> {
  const read = await organization(ctx);
  const org = read.organization;
  if (!org) return { note: read.why === 'unsupported' ? 'this endpoint does not implement AWS Organizations' : 'this account is not part of an organization' };
  return { id: org.Id!, managementAccountId: org.MasterAccountId ?? '', allFeatures: org.FeatureSet !== 'CONSOLIDATED_BILLING' };
}

/** Every item of a paginated Organizations list (shared with undo.ts). */
export async function listAll<T>(fetch: (token: string | undefined) => Promise<{ items: T[]; next: string | undefined }>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetch(token);
    out.push(...page.items);
    token = page.next;
  } while (token);
  return out;
}

async function readScp(ctx: StepContext, organizationId: string): Promise<ScpState> {
  const org = ctx.client(OrganizationsClient);
  const roots: Root[] = await listAll(async (NextToken) => {
    const p = await org.send(new ListRootsCommand({ NextToken }));
    return { items: p.Roots ?? [], next: p.NextToken };
  });
  const root = roots[0];
  if (!root?.Id) throw new Error('The organization has no root (organizations:ListRoots returned none).');
  const typeEnabled = (root.PolicyTypes ?? []).some((t) => t.Type === SCP_TYPE && t.Status === 'ENABLED');
  const onRoot: PolicySummary[] = await listAll(async (NextToken) => {
    const p = await org.send(new ListPoliciesForTargetCommand({ TargetId: root.Id, Filter: SCP_TYPE, NextToken }));
    return { items: p.Policies ?? [], next: p.NextToken };
  });
  // AWS-managed SCPs (FullAWSAccess) hold no region condition: only customer policies are read.
  const custom = onRoot.filter((p) => p.Id && !p.AwsManaged);
  const contents = await Promise.all(custom.map(async (p) => (await org.send(new DescribePolicyCommand({ PolicyId: p.Id }))).Policy?.Content ?? ''));
  const attached: GuardrailPolicy[] = [];
  let ours: ScpState['ours'];
  custom.forEach((p, i) => {
    const allowed = allowedRegionsOf(contents[i]);
    if (allowed) attached.push({ name: p.Name ?? p.Id!, ref: p.Id!, allowed });
    if (p.Name === POLICY_NAME) ours = { id: p.Id!, arn: p.Arn ?? '', content: contents[i]!, attached: true };
  });
  if (!ours) {
    const all: PolicySummary[] = await listAll(async (NextToken) => {
      const p = await org.send(new ListPoliciesCommand({ Filter: SCP_TYPE, NextToken }));
      return { items: p.Policies ?? [], next: p.NextToken };
    });
    const found = all.find((p) => p.Name === POLICY_NAME && p.Id);
    if (found) {
      const content = (await org.send(new DescribePolicyCommand({ PolicyId: found.Id }))).Policy?.Content ?? '';
      ours = { id: found.Id!, arn: found.Arn ?? '', content, attached: false };
    }
  }
  return { path: 'scp', organizationId, rootId: root.Id, rootArn: root.Arn ?? root.Id, typeEnabled, ...(ours ? { ours } : {}), attached };
}

async function readIam(ctx: StepContext, why: string): Promise<IamState> {
  const details = await authorizationDetails(ctx);
  const byArn = new Map(details.Policies.map((p) => [p.Arn ?? '', p]));
  const defaultDoc = (arn: string) => byArn.get(arn)?.PolicyVersionList?.find((v) => v.IsDefaultVersion)?.Document;
  const oursPolicy = details.Policies.find((p) => p.PolicyName === POLICY_NAME && (p.Path ?? '/') === '/');
  const groups: IamGroupState[] = details.GroupDetailList.map((g) => {
    const guardrails: GuardrailPolicy[] = [];
    for (const a of g.AttachedManagedPolicies ?? []) {
      const allowed = a.PolicyArn ? allowedRegionsOf(defaultDoc(a.PolicyArn)) : undefined;
      if (allowed) guardrails.push({ name: a.PolicyName ?? a.PolicyArn!, ref: a.PolicyArn!, allowed });
    }
    for (const inline of g.GroupPolicyList ?? []) {
      const allowed = allowedRegionsOf(inline.PolicyDocument);
      if (allowed) guardrails.push({ name: inline.PolicyName ?? 'inline', ref: `inline:${inline.PolicyName ?? ''}`, allowed });
    }
    const hasOurs = Boolean(oursPolicy?.Arn && (g.AttachedManagedPolicies ?? []).some((a) => a.PolicyArn === oursPolicy.Arn));
    return { name: g.GroupName ?? '', guardrails, hasOurs };
  });
  groups.sort((a, b) => a.name.localeCompare(b.name));
  let ours: IamState['ours'];
  if (oursPolicy?.Arn) {
    const versions = [...(oursPolicy.PolicyVersionList ?? [])].sort((a, b) => (a.CreateDate?.getTime() ?? 0) - (b.CreateDate?.getTime() ?? 0));
    ours = {
      arn: oursPolicy.Arn,
      defaultVersionId: oursPolicy.DefaultVersionId ?? versions.find((v) => v.IsDefaultVersion)?.VersionId ?? 'v1',
      document: defaultDoc(oursPolicy.Arn),
      versions: versions.map((v) => ({ id: v.VersionId ?? '', isDefault: Boolean(v.IsDefaultVersion) })),
    };
  }
  return { path: 'iam', why, ...(ours ? { ours } : {}), groups };
}

/** The guardrail's place and what stands there now. */
export async function readGuardrail(ctx: StepContext): Promise<GuardrailState> {
  const org = await readOrganization(ctx);
  if (org.id === undefined) return readIam(ctx, org.note);
  if (org.managementAccountId !== ctx.target.accountId)
    return readIam(ctx, `this is a member account of organization ${org.id}: service control policies are managed from its management account`);
  if (!org.allFeatures)
    return readIam(ctx, `organization ${org.id} has only consolidated billing: service control policies need all features enabled`);
  return readScp(ctx, org.id);
}
