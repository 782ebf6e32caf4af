/**
 * Every step declares the permissions it uses: each AWS call a check and a plan make on the seeded
 * day-one account is allowed by `secure-start policy --for check` for that step (plan is read-only
 * too, and runs under the check policy), so that policy is enough for an audit and for `plan`.
 * Runs over the whole registry, so a new step is covered as soon as it is registered. The fix side
 * is proven per step by StepTester (test/helpers/step-tester.ts), case by case.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { iamActionFor } from '../../src/aws/actions.js';
import { buildPolicy } from '../../src/cli/commands/policy.js';
import { resolveInputs } from '../../src/engine/inputs.js';
import { checkStep, planStep } from '../../src/engine/runner.js';
import { seedScenario } from '../../src/engine/scenario.js';
import { registry } from '../../steps/index.js';
import { SEED_WITHOUT_MFA } from '../../steps/account/user-mfa/index.js';
import { resetMoto, useManagedPolicies } from '../helpers/moto.js';
import { uncovered } from '../helpers/permissions.js';
import type { SentRequest } from '../helpers/permissions.js';
import { makeSandboxContext, SANDBOX_ACCOUNT_ID } from '../helpers/step-tester.js';

// The day-one scenario and the IAM steps attach AWS managed policies (ReadOnlyAccess, AdministratorAccess).
useManagedPolicies();

/** Answers that make the plans read what they read for a person's choices: an existing user made administrator. */
const ANSWERS: Record<string, unknown> = { 'account.admin-identity': { groupName: 'Administrators', userName: SEED_WITHOUT_MFA } };

beforeAll(async () => {
  await resetMoto();
  await seedScenario('day-one', makeSandboxContext(), registry);
});

describe('policy --for check covers what each check and plan read on the day-one account', () => {
  it.each(registry.map((e) => [e.meta.id, e] as const))('%s', async (id, entry) => {
    const sent: SentRequest[] = [];
    const ctx = makeSandboxContext({ onRequest: (service, operation, input) => sent.push({ service, operation, input }) });
    try {
      const checked = await checkStep(entry, ctx);
      expect(checked.result.status).not.toBe('error');
      expect(sent.length, 'a check that calls nothing proves nothing').toBeGreaterThan(0);
      const step = await entry.load();
      const given = ANSWERS[id];
      const resolved = step.inputs ? resolveInputs(step, checked.result.findings, given) : undefined;
      const inputs = step.inputs ? (resolved?.ok ? resolved.inputs : step.inputs.defaults(checked.result.findings)) : undefined;
      await planStep(checked, ctx, inputs);
      expect(uncovered(entry.meta, 'check', sent, SANDBOX_ACCOUNT_ID), `calls not allowed by policy --for check --step ${id}`).toEqual([]);
    } finally {
      ctx.factory.destroy();
    }
  });

  it('the plan of account.admin-identity for an existing user reads its login profile, which the check policy allows', async () => {
    const entry = registry.find((e) => e.meta.id === 'account.admin-identity')!;
    const sent: string[] = [];
    const ctx = makeSandboxContext({ onRequest: (s, o) => sent.push(iamActionFor(s, o)) });
    try {
      const checked = await checkStep(entry, ctx);
      await planStep(checked, ctx, ANSWERS['account.admin-identity']);
      expect(sent).toContain('iam:GetLoginProfile');
      expect(buildPolicy([entry], 'check').Statement[0]!.Action).toContain('iam:GetLoginProfile');
    } finally {
      ctx.factory.destroy();
    }
  });

  it('the policy for checking holds every check permission and nothing that writes', () => {
    const policy = buildPolicy(registry, 'check');
    expect(policy.Statement).toHaveLength(1);
    const actions: string[] = policy.Statement[0]!.Action;
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
