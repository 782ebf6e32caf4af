/**
 * Whether IAM Identity Center gives someone administrator access to this account: an active
 * instance, a permission set with the AdministratorAccess managed policy, and at least one
 * assignment of that permission set in this account.
 *
 * An instance alone is not enough: it can be enabled and unused (moto even has one ready-made in
 * every region). Identity Center lives in one region, unknown in advance, so every run region is
 * asked, a few at a time. A region that cannot answer (AccessDenied, an endpoint without the API,
 * a region where the service is not offered) leaves Identity Center "not known" there: the IAM
 * groups then decide alone, and the finding says what could not be read.
 */
import {
  SSOAdminClient,
  paginateListAccountAssignments,
  paginateListInstances,
  paginateListManagedPoliciesInPermissionSet,
  paginateListPermissionSets,
} from '@aws-sdk/client-sso-admin';
import type { StepContext } from '../../../src/engine/step-kit.js';
import { describeError } from '../../../src/engine/step-kit.js';

export interface IdentityCenterAdmin {
  region: string;
  instanceArn: string;
  permissionSetArn: string;
  /** Users and groups assigned this permission set in this account. */
  assignments: number;
}

export interface IdentityCenterReading {
  /** Permission sets with AdministratorAccess assigned in this account. */
  admins: IdentityCenterAdmin[];
  /** Regions with an active instance. */
  instanceRegions: string[];
  /** `region: cause` for each region that could not be read. */
  unknown: string[];
}

const CONCURRENCY = 4;

async function inBatches<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += CONCURRENCY) out.push(...(await Promise.all(items.slice(i, i + CONCURRENCY).map(fn))));
  return out;
}

async function collect<P, T>(pages: AsyncIterable<P>, items: (page: P) => T[] | undefined): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...(items(page) ?? []));
  return out;
}

async function readRegion(ctx: StepContext, region: string, adminPolicyArn: string): Promise<{ admins: IdentityCenterAdmin[]; active: boolean }> {
  const client = ctx.client(SSOAdminClient, region);
  const instances = (await collect(paginateListInstances({ client }, {}), (p) => p.Instances)).filter(
    (i) => i.InstanceArn && (i.Status === undefined || i.Status === 'ACTIVE'),
  );
  const admins: IdentityCenterAdmin[] = [];
  for (const instance of instances) {
    const instanceArn = instance.InstanceArn!;
    const sets = await collect(paginateListPermissionSets({ client }, { InstanceArn: instanceArn }), (p) => p.PermissionSets);
    for (const permissionSetArn of sets) {
      const policies = await collect(
        paginateListManagedPoliciesInPermissionSet({ client }, { InstanceArn: instanceArn, PermissionSetArn: permissionSetArn }),
        (p) => p.AttachedManagedPolicies,
      );
      if (!policies.some((p) => p.Arn === adminPolicyArn)) continue;
      const assigned = await collect(
        paginateListAccountAssignments({ client }, { InstanceArn: instanceArn, AccountId: ctx.target.accountId, PermissionSetArn: permissionSetArn }),
        (p) => p.AccountAssignments,
      );
      if (assigned.length) admins.push({ region, instanceArn, permissionSetArn, assignments: assigned.length });
    }
  }
  return { admins, active: instances.length > 0 };
}

export async function readIdentityCenter(ctx: StepContext, adminPolicyArn: string): Promise<IdentityCenterReading> {
  const regions = await ctx.regions();
  const reading: IdentityCenterReading = { admins: [], instanceRegions: [], unknown: [] };
  const results = await inBatches(regions, async (region) => {
    try {
      return { region, ...(await readRegion(ctx, region, adminPolicyArn)) };
    } catch (err) {
      return { region, error: describeError(err, { permissions: ['sso:ListInstances', 'sso:ListPermissionSets', 'sso:ListManagedPoliciesInPermissionSet', 'sso:ListAccountAssignments'] }) };
    }
  });
  for (const r of results) {
    if ('error' in r) reading.unknown.push(`${r.region}: ${r.error}`);
    else {
      reading.admins.push(...r.admins);
      if (r.active) reading.instanceRegions.push(r.region);
    }
  }
  return reading;
}
