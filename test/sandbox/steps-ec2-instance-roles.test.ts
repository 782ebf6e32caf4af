/**
 * resources.ec2-instance-roles against moto: running instances without an instance profile fail; the
 * fix attaches the profile the person names, creating the minimal secure-start-ec2-ssm one
 * (AmazonSSMManagedInstanceCore only) when that is the choice.
 */
import {
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context.js';
import { resolveInputs } from '../../src/engine/inputs.js';
import { planStep } from '../../src/engine/runner.js';
import step, { DAY_ONE_INSTANCE, EC2_TRUST_POLICY, SSM_PROFILE } from '../../steps/resources/ec2-instance-roles/index.js';
import { DAY_ONE_PROFILE, dayOneProfile, launchDayOne } from '../../steps/resources/_shared/instances.js';
import { useManagedPolicies } from '../helpers/moto.js';
import { ScriptedAsker, checkedWith, inSandbox, runStepCases } from '../helpers/step-tester.js';
import { fixThenUndo } from '../helpers/undo.js';

// The minimal role gets the AWS managed policy AmazonSSMManagedInstanceCore.
useManagedPolicies();

const CREATE = ['iam:CreateRole', 'iam:AttachRolePolicy', 'iam:CreateInstanceProfile', 'iam:AddRoleToInstanceProfile'];
const ASSOCIATE = 'ec2:AssociateIamInstanceProfile';

async function launch(ctx: RunContext, name: string, opts: { profile?: string; region?: string } = {}): Promise<string> {
  return (await launchDayOne(ctx, name, { httpTokens: 'required', ...opts })).instance.InstanceId!;
}

runStepCases(step, [
  {
    name: 'no instances: passes',
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', resource: 'arn:aws:ec2:us-east-1:123456789012:instance/*', message: 'No running instances in us-east-1.' }],
  },
  {
    name: 'day-one seed: the instance without a role gets the minimal secure-start-ec2-ssm profile, created first',
    seed: (ctx) => step.seed!(ctx),
    inputs: { instanceProfile: SSM_PROFILE, instances: 'all' },
    expectStatus: 'fail',
    expectFindings: [
      {
        status: 'fail',
        message: expect.stringMatching(new RegExp(`^Instance i-\\w+ \\(${DAY_ONE_INSTANCE}\\) in us-east-1 runs without an instance profile: software on it that calls AWS needs keys stored on the instance\\.$`)),
      },
    ],
    expectOperations: [...CREATE, ASSOCIATE],
    expectFindingsAfter: [{ status: 'pass', message: expect.stringContaining(`(${DAY_ONE_INSTANCE}) in us-east-1 runs with instance profile ${SSM_PROFILE}.`) }],
  },
  {
    name: 'an existing profile the person names is attached as it is',
    seed: async (ctx) => {
      await dayOneProfile(ctx);
      await launch(ctx, 'ss-bare');
    },
    inputs: { instanceProfile: DAY_ONE_PROFILE },
    expectStatus: 'fail',
    expectOperations: [ASSOCIATE],
    expectFindingsAfter: [{ status: 'pass', message: expect.stringContaining(`runs with instance profile ${DAY_ONE_PROFILE}.`) }],
  },
  {
    name: 'secure-start-ec2-ssm made in an earlier run is reused, not made again',
    seed: async (ctx) => {
      // The role and profile as an earlier run's fix left them.
      const iam = ctx.client(IAMClient);
      await iam.send(new CreateRoleCommand({ RoleName: SSM_PROFILE, AssumeRolePolicyDocument: JSON.stringify(EC2_TRUST_POLICY) }));
      await iam.send(new AttachRolePolicyCommand({ RoleName: SSM_PROFILE, PolicyArn: 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore' }));
      await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: SSM_PROFILE }));
      await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: SSM_PROFILE, RoleName: SSM_PROFILE }));
      await launch(ctx, 'ss-later');
    },
    inputs: { instanceProfile: SSM_PROFILE },
    expectStatus: 'fail',
    expectOperations: [ASSOCIATE],
  },
  {
    name: 'an instance with a profile passes',
    seed: async (ctx) => void (await launch(ctx, 'ss-with-role', { profile: await dayOneProfile(ctx) })),
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', message: expect.stringContaining(`(ss-with-role) in us-east-1 runs with instance profile ${DAY_ONE_PROFILE}.`) }],
  },
  {
    name: 'two regions: instances of both are fixed, the role made once',
    regions: ['us-east-1', 'eu-west-1'],
    seed: async (ctx) => {
      await launch(ctx, 'ss-east');
      await launch(ctx, 'ss-west', { region: 'eu-west-1' });
    },
    inputs: { instanceProfile: SSM_PROFILE },
    expectStatus: 'fail',
    expectFindings: [
      { status: 'fail', region: 'us-east-1' },
      { status: 'fail', region: 'eu-west-1', message: expect.stringContaining('(ss-west) in eu-west-1') },
    ],
    expectOperations: [...CREATE, ASSOCIATE, ASSOCIATE],
  },
]);

describe('resources.ec2-instance-roles: beyond the table', () => {
  it('fix --yes without an answers entry changes nothing and names the input it needs', async () => {
    const { ctx, checked } = await checkedWith(step, (c) => step.seed!(c));
    try {
      const r = resolveInputs(step, checked.result.findings, undefined);
      expect(r).toEqual({ ok: false, message: expect.stringContaining('needs inputs: add "resources.ec2-instance-roles" to the answers file') });
      const blank = resolveInputs(step, checked.result.findings, step.inputs!.defaults(checked.result.findings));
      expect(blank).toEqual({ ok: false, message: expect.stringContaining('instanceProfile') });
      // One reason for a blank name, not a second one about its characters.
      expect(blank.ok ? '' : blank.message).not.toContain('holds letters');
    } finally {
      ctx.factory.destroy();
    }
  });

  it('the new role holds only AmazonSSMManagedInstanceCore and trusts only EC2', async () => {
    const { ctx, checked } = await checkedWith(step, (c) => step.seed!(c));
    try {
      const plan = await planStep(checked, ctx, { instanceProfile: SSM_PROFILE, instances: 'all' });
      ctx.factory.readOnly = false;
      for (const a of plan.actions) await a.run(ctx);
      const iam = ctx.client(IAMClient);
      const attached = (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: SSM_PROFILE }))).AttachedPolicies ?? [];
      expect(attached.map((p) => p.PolicyArn)).toEqual(['arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore']);
      const trust = JSON.parse(decodeURIComponent((await iam.send(new GetRoleCommand({ RoleName: SSM_PROFILE }))).Role!.AssumeRolePolicyDocument!));
      expect(trust.Statement).toEqual([{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
      const associate = plan.actions.at(-1)!;
      expect(associate.inverse).toMatchObject({ operation: 'DisassociateIamInstanceProfile', params: { AssociationId: expect.stringMatching(/^iip-assoc-/) } });
    } finally {
      ctx.factory.destroy();
    }
  });

  it('an existing profile with another role: the plan warns what it allows and that PassRole is granted only for secure-start-* roles', async () => {
    const { ctx, checked } = await checkedWith(step, async (c) => {
      await dayOneProfile(c);
      await step.seed!(c);
    });
    try {
      const plan = await planStep(checked, ctx, { instanceProfile: DAY_ONE_PROFILE });
      expect(plan.warnings?.[0]).toMatch(/^day-one-app holds the role day-one-app: whatever it allows.*iam:PassRole on that role/);
      await expect(planStep(checked, ctx, { instanceProfile: 'no-such-profile' })).rejects.toThrow(/There is no instance profile named no-such-profile/);
    } finally {
      ctx.factory.destroy();
    }
  });

  it('the wizard offers the minimal profile first, then the existing ones, then which instances', async () => {
    const { ctx, checked } = await checkedWith(step, async (c) => {
      await dayOneProfile(c);
      await step.seed!(c);
      await launch(c, 'ss-second');
    });
    try {
      const findings = checked.result.findings;
      const ids = findings.map((f) => f.resource.split('/').pop()!);
      const asker = new ScriptedAsker([{ select: DAY_ONE_PROFILE }, { checkbox: [ids[0]!] }]);
      const answer = await step.inputs!.ask(asker, step.inputs!.defaults(findings), findings);
      expect(asker.asked[0]!.choices).toEqual([`${SSM_PROFILE} (new)`, `${DAY_ONE_PROFILE} (existing)`]);
      // The wizard echoes question and answer on one line: it must fit 80 columns (with "✔ " and a space).
      expect(`✔ ${asker.asked[0]!.message} ${SSM_PROFILE} (made by secure-start)`.length).toBeLessThanOrEqual(80);
      expect(asker.asked[0]!.default).toBe(SSM_PROFILE);
      expect(answer).toEqual({ instanceProfile: DAY_ONE_PROFILE, instances: [ids[0]] });
    } finally {
      ctx.factory.destroy();
    }
  });
});

describe('undo', () => {
  const entry = { meta: step.meta, load: async () => step };
  const INPUTS = { instanceProfile: SSM_PROFILE, instances: 'all' };

  it('takes the profile off the instance and deletes the role and profile it made, newest first', async () => {
    await inSandbox({ seed: (c) => step.seed!(c) }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, INPUTS);
      expect(run.items.map((i) => [i.entry.operation, i.kind])).toEqual([
        ['AssociateIamInstanceProfile', 'undo'],
        ['AddRoleToInstanceProfile', 'undo'],
        ['CreateInstanceProfile', 'undo'],
        ['AttachRolePolicy', 'undo'],
        ['CreateRole', 'undo'],
      ]);
      expect(run.afterUndo).toEqual(run.before);
      await expect(ctx.client(IAMClient).send(new GetRoleCommand({ RoleName: SSM_PROFILE }))).rejects.toThrow();
    });
  });

  it('keeps the role when someone gave it another policy after the fix', async () => {
    await inSandbox({ seed: (c) => step.seed!(c) }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, INPUTS, {
        between: (c) => c.client(IAMClient).send(new AttachRolePolicyCommand({ RoleName: SSM_PROFILE, PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' })).then(() => undefined),
      });
      expect(run.items.at(-1)).toMatchObject({ kind: 'drifted', reason: expect.stringContaining(`The role ${SSM_PROFILE}`) });
      expect((await ctx.client(IAMClient).send(new GetRoleCommand({ RoleName: SSM_PROFILE }))).Role?.RoleName).toBe(SSM_PROFILE);
    });
  });
});
