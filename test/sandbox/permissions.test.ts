/**
 * Every step declares the permissions it uses: each AWS call a check makes on the seeded day-one
 * account is in the step's `permissions.check`, so `secure-start policy --for check` is enough for
 * an audit. Runs over the whole registry, so a new step is covered as soon as it is registered.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { iamActionFor } from '../../src/aws/actions.js';
import { buildPolicy } from '../../src/cli/commands/policy.js';
import { checkStep } from '../../src/engine/runner.js';
import { seedScenario } from '../../src/engine/scenario.js';
import { registry } from '../../steps/index.js';
import { resetMoto, useManagedPolicies } from '../helpers/moto.js';
import { makeSandboxContext } from '../helpers/step-tester.js';

// The day-one scenario and the IAM steps attach AWS managed policies (ReadOnlyAccess, AdministratorAccess).
useManagedPolicies();

beforeAll(async () => {
  await resetMoto();
  await seedScenario('day-one', makeSandboxContext(), registry);
});

describe('declared permissions cover what each check calls', () => {
  it.each(registry.map((e) => [e.meta.id, e] as const))('%s', async (_id, entry) => {
    const used = new Set<string>();
    const ctx = makeSandboxContext({ onRequest: (service, operation) => used.add(iamActionFor(service, operation)) });
    const { result } = await checkStep(entry, ctx);
    expect(result.status).not.toBe("error");
    expect(used.size, "a check that calls nothing proves nothing").toBeGreaterThan(0);
    const declared = new Set(entry.meta.permissions.check);
    const missing = [...used].filter((a) => !declared.has(a) && a !== 'sts:GetCallerIdentity');
    expect(missing, `calls not in permissions.check of ${entry.meta.id}`).toEqual([]);
  });

  it('the policy for checking holds every check permission and nothing that writes', () => {
    const actions: string[] = buildPolicy(registry, 'check').Statement[0]!.Action;
    for (const e of registry) for (const a of e.meta.permissions.check) expect(actions).toContain(a);
    expect(actions.filter((a) => !/^[a-z0-9-]+:(Get|List|Describe|Generate|Head|Search|Lookup)/.test(a))).toEqual([]);
  });
});

describe('iamActionFor', () => {
  it.each([
    ['IAMClient', 'GetAccountPasswordPolicy', 'iam:GetAccountPasswordPolicy'],
    ['AccountClient', 'GetAlternateContact', 'account:GetAlternateContact'],
    ['SSOAdminClient', 'ListInstances', 'sso:ListInstances'],
    ['S3Client', 'ListBuckets', 's3:ListAllMyBuckets'],
    ['S3ControlClient', 'GetPublicAccessBlock', 's3:GetAccountPublicAccessBlock'],
    ['CloudWatchLogsClient', 'DescribeMetricFilters', 'logs:DescribeMetricFilters'],
  ])('%s %s → %s', (client, op, action) => {
    expect(iamActionFor(client, op)).toBe(action);
  });
});
