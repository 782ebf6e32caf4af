/**
 * resources.ec2-patching against moto. moto does not implement SSM DescribeInstanceInformation
 * (HTTP 500), so the cases that need Systems Manager's answer stub that one SDK call with
 * aws-sdk-client-mock and say so in their names; EC2 and IAM are always moto's.
 */
import type { InstanceInformation } from '@aws-sdk/client-ssm';
import { DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DetachRolePolicyCommand, GetRoleCommand, IAMClient, ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context.js';
import { planStep } from '../../src/engine/runner.js';
import step, { SSM_CORE_POLICY } from '../../steps/resources/ec2-patching/index.js';
import { DAY_ONE_APP, DAY_ONE_PROFILE, seedDayOneInstance } from '../../steps/resources/_shared/compute-fixtures.js';
import { useManagedPolicies } from '../helpers/moto.js';
import { checkedWith, inSandbox, runStepCases } from '../helpers/step-tester.js';
import { fixThenUndo } from '../helpers/undo.js';

// The fix attaches an AWS managed policy, which moto knows only when it loads them.
useManagedPolicies();

/** What the stubbed Systems Manager answers; `undefined`: no stub, moto answers (not implemented). */
let stub: { restore(): void } | undefined;
function ssmKnows(agents: (id: string) => InstanceInformation[]): (ctx: RunContext) => Promise<void> {
  return async (ctx) => {
    const id = await seedDayOneInstance(ctx);
    stub?.restore();
    const ssm = mockClient(SSMClient);
    stub = ssm;
    ssm.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: agents(id) });
  };
}
function moto(seed?: (ctx: RunContext) => Promise<unknown>): (ctx: RunContext) => Promise<void> {
  return async (ctx) => {
    stub?.restore();
    stub = undefined;
    if (seed) await seed(ctx);
  };
}
afterAll(() => stub?.restore());

const UNKNOWN = {
  status: 'fail' as const,
  region: 'us-east-1',
  resource: expect.stringMatching(new RegExp(`^i-\\w+ \\(${DAY_ONE_APP}\\)$`)),
  message: expect.stringMatching(/is not managed by Systems Manager: Systems Manager does not know it: its agent has never registered/),
};

runStepCases(step, [
  {
    name: 'a fresh account: no running instance, so Systems Manager is not even asked',
    seed: moto(),
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', region: 'us-east-1', message: 'No running instances in us-east-1: nothing to patch.' }],
  },
  {
    name: 'the day-one instance in moto itself: DescribeInstanceInformation is not implemented, so the region is unsupported',
    seed: moto((ctx) => step.seed!(ctx)),
    expectStatus: 'unsupported',
    expectFindings: [{ status: 'unsupported', region: 'us-east-1', resource: 'arn:aws:ssm:us-east-1:123456789012:managed-instance/*', message: expect.stringMatching(/^AWS Systems Manager in us-east-1 could not be checked here\. The endpoint does not implement this API/) }],
  },
  {
    name: 'SSM stubbed (moto lacks DescribeInstanceInformation): the unmanaged day-one instance’s role gets AmazonSSMManagedInstanceCore; it stays failing until its agent registers',
    seed: ssmKnows(() => []),
    expectStatus: 'fail',
    expectFindings: [UNKNOWN],
    expectOperations: ['iam:AttachRolePolicy'],
    expectAfter: 'fail',
    expectFindingsAfter: [UNKNOWN],
  },
  {
    name: 'SSM stubbed (moto lacks DescribeInstanceInformation): an instance whose agent is online passes',
    seed: ssmKnows((id) => [{ InstanceId: id, PingStatus: 'Online', AgentVersion: '3.3.0', PlatformName: 'Amazon Linux', PlatformVersion: '2023' }]),
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', region: 'us-east-1', message: expect.stringMatching(/is managed by Systems Manager \(agent 3\.3\.0, Amazon Linux 2023\)/) }],
  },
  {
    name: 'SSM stubbed (moto lacks DescribeInstanceInformation): two regions, the instance in us-east-1 only; eu-west-1 has none and is not asked',
    regions: ['us-east-1', 'eu-west-1'],
    seed: ssmKnows((id) => [{ InstanceId: id, PingStatus: 'Online' }]),
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', region: 'us-east-1' }, { status: 'pass', region: 'eu-west-1', message: 'No running instances in eu-west-1: nothing to patch.' }],
  },
]);

describe('resources.ec2-patching: beyond the table (SSM stubbed: moto lacks DescribeInstanceInformation)', () => {
  it('the plan attaches the policy to the profile’s role with its undo, and the guidance names agent, network path and patch baseline', async () => {
    const { ctx, checked } = await checkedWith(step, ssmKnows(() => []));
    try {
      const plan = await planStep(checked, ctx, undefined);
      expect(plan.actions.map((a) => [a.operation, a.params, a.inverse?.operation])).toEqual([
        ['AttachRolePolicy', { RoleName: DAY_ONE_PROFILE, PolicyArn: `arn:aws:iam::aws:policy/${SSM_CORE_POLICY}` }, 'DetachRolePolicy'],
      ]);
      expect(plan.guidance).toMatch(/SSM Agent/);
      expect(plan.guidance).toMatch(/`ssm`, `ssmmessages` and `ec2messages`/);
      expect(plan.guidance).toMatch(/patch policy/);
      expect((await ctx.client(IAMClient).send(new ListAttachedRolePoliciesCommand({ RoleName: DAY_ONE_PROFILE }))).AttachedPolicies).toEqual([]);
      expect((await ctx.client(IAMClient).send(new GetRoleCommand({ RoleName: DAY_ONE_PROFILE }))).Role?.RoleName).toBe(DAY_ONE_PROFILE);
    } finally {
      ctx.factory.destroy();
    }
  });

  it('an instance registered but no longer online fails, and the plan only guides (its role is not the problem)', async () => {
    const { ctx, checked } = await checkedWith(step, ssmKnows((id) => [{ InstanceId: id, PingStatus: 'ConnectionLost', LastPingDateTime: new Date('2026-11-30T08:00:00Z') }]));
    try {
      expect(checked.result.findings).toEqual([expect.objectContaining({ status: 'fail', message: expect.stringContaining('registered once but is ConnectionLost now (last ping 2026-11-30 08:00)') })]);
      const plan = await planStep(checked, ctx, undefined);
      expect(plan.actions).toEqual([]);
      expect(plan.guidance).toMatch(/Registered, but the agent is not online/);
    } finally {
      ctx.factory.destroy();
    }
  });
});

describe('undo', () => {
  const entry = { meta: step.meta, load: async () => step };
  const attached = async (ctx: RunContext) =>
    ((await ctx.client(IAMClient).send(new ListAttachedRolePoliciesCommand({ RoleName: DAY_ONE_PROFILE }))).AttachedPolicies ?? []).map((p) => p.PolicyName);

  it('SSM stubbed (moto lacks DescribeInstanceInformation): detaches the policy the fix attached, and nothing else', async () => {
    await inSandbox({ seed: ssmKnows(() => []) }, async (ctx) => {
      const before = await attached(ctx);
      const run = await fixThenUndo(entry, ctx, undefined);
      expect(run.items.map((i) => [i.entry.operation, i.kind])).toEqual([['AttachRolePolicy', 'undo']]);
      expect(await attached(ctx)).toEqual(before);
      expect(run.afterUndo).toEqual(run.before);
    });
  });

  it('SSM stubbed (moto lacks DescribeInstanceInformation): has nothing to do when someone detached the policy after the fix', async () => {
    await inSandbox({ seed: ssmKnows(() => []) }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, undefined, {
        between: (c) => c.client(IAMClient).send(new DetachRolePolicyCommand({ RoleName: DAY_ONE_PROFILE, PolicyArn: `arn:aws:iam::aws:policy/${SSM_CORE_POLICY}` })).then(() => undefined),
      });
      expect(run.items).toEqual([expect.objectContaining({ kind: 'nothing', reason: expect.stringContaining('not attached') })]);
    });
  });
});
