/**
 * account.no-admin-star-policies against moto. The fix is advice (no API change), and the
 * StepTester only takes failing cases that plan operations, so its table holds the passing and
 * `manual` cases; the failing ones run check → plan → (the person fixes by hand) → re-check below.
 */
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachUserPolicyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateUserCommand,
  DeletePolicyCommand,
  DetachRolePolicyCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context.js';
import { checkStep, planStep } from '../../src/engine/runner.js';
import step, { SEED_ATTACHED, SEED_ROLE, SEED_UNATTACHED } from '../../steps/account/no-admin-star-policies/index.js';
import { resetMoto, useManagedPolicies } from '../helpers/moto.js';
import { inSandbox, isReadRequest, makeSandboxContext, recordCheckAndPlan, runStepCases } from '../helpers/step-tester.js';

// The day-one scenario and the IAM steps attach AWS managed policies (ReadOnlyAccess, AdministratorAccess).
useManagedPolicies();

const POLICY = (name: string) => `arn:aws:iam::123456789012:policy/${name}`;
const doc = (...Statement: Record<string, unknown>[]) => JSON.stringify({ Version: '2012-10-17', Statement });

function policies(docs: Record<string, string>) {
  return async (ctx: RunContext) => {
    const iam = ctx.client(IAMClient);
    for (const [name, document] of Object.entries(docs)) await iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: document }));
  };
}

runStepCases(step, [
  {
    name: 'no customer-managed policies: nothing to report',
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', message: 'There are no customer-managed policies, so none allows every action on every resource.' }],
  },
  {
    name: 'narrow policies, a Deny on everything and NotAction "*" grant no administrator access',
    seed: policies({
      narrow: doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }),
      'all-on-one': doc({ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::one-bucket' }),
      'deny-all': doc({ Effect: 'Deny', Action: '*', Resource: '*' }),
      'allow-nothing': doc({ Effect: 'Allow', NotAction: '*', Resource: '*' }),
    }),
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', message: 'None of the 4 customer-managed policies allows every action on every resource.' }],
  },
  {
    name: 'everything under a condition is for a person to judge',
    seed: policies({
      'admin-with-mfa': doc({ Effect: 'Allow', Action: '*', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }),
    }),
    expectStatus: 'manual',
    expectFindings: [
      {
        status: 'manual',
        resource: POLICY('admin-with-mfa'),
        message: expect.stringContaining('when a condition holds (statement 1: aws:MultiFactorAuthPresent); check that the condition really narrows it.'),
      },
    ],
  },
  {
    name: 'every action but IAM is close to administrator access',
    seed: policies({ 'power-user': doc({ Effect: 'Allow', NotAction: ['iam:*', 'organizations:*'], Resource: '*' }) }),
    expectStatus: 'manual',
    expectFindings: [{ status: 'manual', message: expect.stringContaining('allows every action except iam:*, organizations:* (statement 1): close to administrator access.') }],
  },
  {
    name: 'only the default version counts: an old admin version is not reported',
    seed: async (ctx) => {
      await policies({ reformed: doc({ Effect: 'Allow', Action: '*', Resource: '*' }) })(ctx);
      await ctx
        .client(IAMClient)
        .send(new CreatePolicyVersionCommand({ PolicyArn: POLICY('reformed'), PolicyDocument: doc({ Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*' }), SetAsDefault: true }));
    },
    expectStatus: 'pass',
  },
]);

describe('account.no-admin-star-policies: failing policies and the advice', () => {
  it('the day-one seed: both admin policies fail, naming who uses them; the plan changes nothing and says what to do; removing them passes', async () => {
    await resetMoto();
    const ctx = makeSandboxContext();
    const entry = { meta: step.meta, load: async () => step };
    try {
      ctx.factory.readOnly = false;
      await step.seed!(ctx);
      ctx.factory.readOnly = true;
      ctx.invalidate();
      const checked = await checkStep(entry, ctx);
      expect(checked.result.status).toBe('fail');
      expect(checked.result.findings).toEqual([
        expect.objectContaining({
          status: 'fail',
          resource: POLICY(SEED_ATTACHED),
          message: `Customer-managed policy ${SEED_ATTACHED} allows every action on every resource (statement 1). It is attached to role ${SEED_ROLE}.`,
        }),
        expect.objectContaining({
          status: 'fail',
          resource: POLICY(SEED_UNATTACHED),
          message: `Customer-managed policy ${SEED_UNATTACHED} allows every action on every resource (statement 1 "Everything"). It is attached to nothing yet: one attachment away from a new administrator.`,
        }),
      ]);
      const plan = await planStep(checked, ctx, undefined);
      expect(plan.actions).toEqual([]);
      expect(plan.guidance).toContain('AdministratorAccess');
      expect(plan.guidance).toContain(`aws iam detach-role-policy --role-name ${SEED_ROLE} --policy-arn ${POLICY(SEED_ATTACHED)}`);
      expect(plan.guidance).toContain(`aws iam delete-policy --policy-arn ${POLICY(SEED_UNATTACHED)}`);

      // The person follows the advice by hand; the re-check passes.
      ctx.factory.readOnly = false;
      const iam = ctx.client(IAMClient);
      await iam.send(new DetachRolePolicyCommand({ RoleName: SEED_ROLE, PolicyArn: POLICY(SEED_ATTACHED) }));
      for (const name of [SEED_ATTACHED, SEED_UNATTACHED]) await iam.send(new DeletePolicyCommand({ PolicyArn: POLICY(name) }));
      ctx.factory.readOnly = true;
      ctx.invalidate();
      const after = await checkStep(entry, ctx);
      expect(after.result.findings).toEqual([expect.objectContaining({ status: 'pass', message: 'The one customer-managed policy does not allow every action on every resource.' })]);
      expect((await planStep(after, ctx, undefined)).actions).toEqual([]);
    } finally {
      ctx.factory.destroy();
    }
  });

  it('names every user, group and role a policy is attached to', async () => {
    await inSandbox({}, async (ctx) => {
      ctx.factory.readOnly = false;
      const iam = ctx.client(IAMClient);
      await policies({ star: doc({ Effect: 'Allow', Action: ['s3:GetObject', '*:*'], Resource: '*' }, { Effect: 'Deny', Action: 'iam:*', Resource: '*' }) })(ctx);
      await iam.send(new CreateUserCommand({ UserName: 'una' }));
      await iam.send(new AttachUserPolicyCommand({ UserName: 'una', PolicyArn: POLICY('star') }));
      await iam.send(new CreateGroupCommand({ GroupName: 'ops' }));
      await iam.send(new AttachGroupPolicyCommand({ GroupName: 'ops', PolicyArn: POLICY('star') }));
      await iam.send(new AddUserToGroupCommand({ GroupName: 'ops', UserName: 'una' }));
      ctx.factory.readOnly = true;
      ctx.invalidate();
      const [f] = (await checkStep({ meta: step.meta, load: async () => step }, ctx)).result.findings;
      expect(f!.message).toBe(
        'Customer-managed policy star allows every action on every resource (statement 1). Its Deny statement takes some of that back. It is attached to user una; group ops.',
      );
      expect(f!.data).toMatchObject({ users: ['una'], groups: ['ops'], roles: [] });
    });
  });

  it('check and plan read the authorization details once, and nothing else', async () => {
    const { checked, plan, sent, recorded } = await recordCheckAndPlan(step, { seed: (ctx) => step.seed!(ctx) });
    expect(checked.result.status).toBe('fail');
    expect(plan.actions).toEqual([]);
    expect(sent).toEqual(['IAM:GetAccountAuthorizationDetails']);
    expect(recorded.filter((r) => !isReadRequest(r))).toEqual([]);
  });
});
