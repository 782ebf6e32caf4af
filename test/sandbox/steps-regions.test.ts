import { CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import { AttachGroupPolicyCommand, CreateGroupCommand, CreatePolicyCommand as IamCreatePolicyCommand, CreatePolicyVersionCommand, GetPolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  AttachPolicyCommand,
  CreateOrganizationCommand,
  CreatePolicyCommand,
  EnablePolicyTypeCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context.js';
import { applyAction, checkStep, planStep } from '../../src/engine/runner.js';
import type { CheckedStep } from '../../src/engine/runner.js';
import type { Finding } from '../../src/engine/types.js';
import step from '../../steps/account/regions/index.js';
import { POLICY_NAME, documentText, guardrailDocument } from '../../steps/account/_shared/region-guardrail.js';
import { resetMoto } from '../helpers/moto.js';
import { inSandbox, isReadRequest, makeSandboxContext, recordCheckAndPlan, runStepCases, ScriptedAsker } from '../helpers/step-tester.js';
import { fixThenUndo } from '../helpers/undo.js';

const IAM_POLICY_ARN = `arn:aws:iam::123456789012:policy/${POLICY_NAME}`;
const entry = { meta: step.meta, load: async () => step };

const groups =
  (...names: string[]) =>
  async (ctx: RunContext) => {
    for (const GroupName of names) await ctx.client(IAMClient).send(new CreateGroupCommand({ GroupName }));
  };

const vpcIn = (region: string) => async (ctx: RunContext) => {
  await ctx.client(EC2Client, region).send(new CreateVpcCommand({ CidrBlock: '10.7.0.0/16' }));
};

/** Our IAM policy, leaving `allowed` open, attached to each group named. */
const iamGuardrail =
  (allowed: string[], ...attachTo: string[]) =>
  async (ctx: RunContext) => {
    const iam = ctx.client(IAMClient);
    await iam.send(new IamCreatePolicyCommand({ PolicyName: POLICY_NAME, PolicyDocument: documentText(guardrailDocument(allowed)) }));
    for (const GroupName of attachTo) await iam.send(new AttachGroupPolicyCommand({ GroupName, PolicyArn: IAM_POLICY_ARN }));
  };

const organization = async (ctx: RunContext) => {
  await ctx.client(OrganizationsClient).send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
};

async function rootId(ctx: RunContext): Promise<string> {
  return (await ctx.client(OrganizationsClient).send(new ListRootsCommand({}))).Roots![0]!.Id!;
}

/** Our SCP for `allowed`, attached to the root; `enable`: SCPs enabled on the root first (moto does not insist). */
const scpGuardrail =
  (allowed: string[], opts: { enable: boolean }) =>
  async (ctx: RunContext) => {
    const org = ctx.client(OrganizationsClient);
    const root = await rootId(ctx);
    if (opts.enable) await org.send(new EnablePolicyTypeCommand({ RootId: root, PolicyType: 'SERVICE_CONTROL_POLICY' }));
    const p = await org.send(
      new CreatePolicyCommand({ Name: POLICY_NAME, Description: 'test', Type: 'SERVICE_CONTROL_POLICY', Content: documentText(guardrailDocument(allowed)) }),
    );
    await org.send(new AttachPolicyCommand({ PolicyId: p.Policy!.PolicySummary!.Id!, TargetId: root }));
  };

const all =
  (...seeds: ((ctx: RunContext) => Promise<void>)[]) =>
  async (ctx: RunContext) => {
    for (const s of seeds) await s(ctx);
  };

runStepCases(step, [
  {
    name: 'day-one seed: the forgotten VPC in eu-west-1 is found, no guardrail fails, the IAM policy goes on the group',
    seed: (ctx) => step.seed!(ctx),
    inputs: { allowed: ['us-east-1', 'eu-west-1'] },
    expectStatus: 'fail',
    expectFindings: [
      { status: 'pass', region: 'global', message: expect.stringMatching(/regions are enabled.*Resources were found in eu-west-1 \(1 VPC\).*EC2 DescribeRegions/) },
      { status: 'fail', resource: IAM_POLICY_ARN, message: expect.stringContaining('none of the 1 IAM group(s) carries one (developers)') },
    ],
    expectOperations: ['iam:CreatePolicy', 'iam:AttachGroupPolicy'],
    expectFindingsAfter: [
      { status: 'pass' },
      { status: 'pass', message: expect.stringContaining('leaves only eu-west-1, us-east-1 open') },
    ],
  },
  {
    name: 'without an organization the IAM policy is attached to every group',
    seed: groups('admins', 'developers', 'readers'),
    inputs: { allowed: ['us-east-1'] },
    expectStatus: 'fail',
    expectOperations: ['iam:CreatePolicy', 'iam:AttachGroupPolicy', 'iam:AttachGroupPolicy', 'iam:AttachGroupPolicy'],
    expectFindingsAfter: [{ status: 'pass' }, { status: 'pass', message: expect.stringMatching(/^An IAM policy attached to every group leaves only us-east-1 open/) }],
  },
  {
    name: 'a group created after the guardrail is covered by attaching the policy, nothing else',
    seed: all(groups('admins', 'newcomers'), iamGuardrail(['us-east-1'], 'admins')),
    inputs: { allowed: ['us-east-1'] },
    expectStatus: 'fail',
    expectFindings: [{ status: 'pass' }, { status: 'fail', message: expect.stringContaining('newcomers lack(s) a deny-other-regions policy (1 of 2 have one)') }],
    expectOperations: ['iam:AttachGroupPolicy'],
  },
  {
    name: 'a guardrail that denies a region of the run fails, and a new policy version widens it',
    seed: all(groups('admins'), iamGuardrail(['eu-west-1'], 'admins')),
    inputs: { allowed: ['eu-west-1', 'us-east-1'] },
    expectStatus: 'fail',
    expectFindings: [{ status: 'pass' }, { status: 'fail', message: expect.stringContaining('group admins denies us-east-1') }],
    expectOperations: ['iam:CreatePolicyVersion'],
  },
  {
    name: 'no IAM group at all: the policy is made, and a person must attach it to groups to come',
    inputs: { allowed: ['us-east-1'] },
    expectStatus: 'fail',
    expectOperations: ['iam:CreatePolicy'],
    expectAfter: 'manual',
    expectFindingsAfter: [{ status: 'pass' }, { status: 'manual', message: expect.stringContaining('no IAM group to attach it to') }],
  },
  {
    name: 'a management account gets an SCP on the root, with SCPs enabled first, and no IAM policy',
    seed: all(organization, groups('admins')),
    inputs: { allowed: ['us-east-1', 'eu-west-1'] },
    expectStatus: 'fail',
    expectFindings: [{ status: 'pass' }, { status: 'fail', message: expect.stringContaining('Service control policies are not enabled on the organization root') }],
    expectOperations: ['organizations:EnablePolicyType', 'organizations:CreatePolicy', 'organizations:AttachPolicy'],
    expectFindingsAfter: [{ status: 'pass' }, { status: 'pass', message: expect.stringMatching(/^A service control policy on the organization root leaves only eu-west-1, us-east-1 open/) }],
  },
  {
    name: 'an SCP attached before SCPs were enabled (moto allows it) only needs SCPs enabled',
    seed: all(organization, scpGuardrail(['us-east-1'], { enable: false })),
    inputs: { allowed: ['us-east-1'] },
    expectStatus: 'fail',
    expectFindings: [{ status: 'pass' }, { status: 'fail', message: expect.stringContaining(`the ${POLICY_NAME} policy attached there has no effect`) }],
    expectOperations: ['organizations:EnablePolicyType'],
    // Turning SCPs off again would detach the SCP that was there before the fix: it stays on, and says why.
    expectUndo: { kinds: ['irreversible'], findingsAfterUndo: [{ status: 'pass' }, { status: 'pass' }] },
  },
  {
    name: 'an SCP for other regions is updated in place, never attached twice',
    seed: all(organization, scpGuardrail(['eu-west-1'], { enable: true })),
    inputs: { allowed: ['us-east-1'] },
    expectStatus: 'fail',
    expectFindings: [{ status: 'pass' }, { status: 'fail', message: expect.stringContaining('the organization root denies us-east-1') }],
    expectOperations: ['organizations:UpdatePolicy'],
  },
  {
    name: 'a matching SCP passes and plans nothing',
    seed: all(organization, scpGuardrail(['us-east-1'], { enable: true })),
    expectStatus: 'pass',
  },
  {
    name: 'resources in a region the guardrail denies are left for a person to look at',
    seed: all(groups('admins'), iamGuardrail(['us-east-1'], 'admins'), vpcIn('ap-south-1')),
    expectStatus: 'manual',
    expectFindings: [
      { status: 'pass', message: expect.stringContaining('ap-south-1 (1 VPC)') },
      { status: 'pass' },
      { status: 'manual', region: 'ap-south-1', message: expect.stringContaining('the guardrail denies it') },
    ],
  },
]);

describe('account.regions: the choice and the plan, on the day-one seed', () => {
  // One seeded check for these tests: questions and plans only read the findings.
  let findings: Finding[] = [];
  let checked: CheckedStep;
  let ctx: RunContext;
  beforeAll(async () => {
    await resetMoto();
    ctx = makeSandboxContext();
    ctx.factory.readOnly = false;
    await step.seed!(ctx);
    ctx.factory.readOnly = true;
    ctx.invalidate();
    checked = await checkStep(entry, ctx);
    findings = checked.result.findings;
  });
  afterAll(() => ctx.factory.destroy());

  it('offers every enabled region, the home region and the regions in use checked and marked', async () => {
    const defaults = step.inputs!.defaults(findings);
    expect(defaults).toEqual({ allowed: ['eu-west-1', 'us-east-1'] });
    const asker = new ScriptedAsker([{ checkbox: ['us-east-1', 'eu-west-1', 'eu-central-1'] }]);
    expect(await step.inputs!.ask(asker, defaults, findings)).toEqual({ allowed: ['eu-central-1', 'eu-west-1', 'us-east-1'] });
    const [question] = asker.asked;
    expect(question!.choices![0]).toMatch(/^us-east-1\s+home region$/);
    expect(question!.choices![1]).toMatch(/^eu-west-1\s+in use: 1 VPC$/);
    expect(question!.choices!.length).toBeGreaterThan(10);
    expect(asker.notes[0]).toContain('Resources were found in eu-west-1');
  });

  it('asks again before leaving out a region in use, and takes the answer once confirmed', async () => {
    const asker = new ScriptedAsker([{ checkbox: ['us-east-1'] }, { confirm: false }, { checkbox: ['us-east-1'] }, { confirm: true }]);
    expect(await step.inputs!.ask(asker, { allowed: ['us-east-1', 'eu-west-1'] }, findings)).toEqual({ allowed: ['us-east-1'] });
    expect(asker.asked[1]!.message).toContain('eu-west-1 still holds resources');
    expect(asker.remaining).toBe(0);
  });

  it('becomes the run’s regions (remember)', () => {
    expect(step.remember!({ allowed: ['eu-west-1', 'us-east-1', 'eu-west-1'] })).toEqual({ regions: ['eu-west-1', 'us-east-1'] });
  });

  it('refuses a region that is not enabled here', async () => {
    await expect(planStep(checked, ctx, { allowed: ['us-east-1', 'ap-east-1'] })).rejects.toThrow(/ap-east-1 is not enabled in this account/);
  });

  it('shows the policy JSON, with the global exemptions and the region condition, and what moto cannot do', async () => {
    const plan = await planStep(checked, ctx, { allowed: ['us-east-1'] });
    const create = plan.actions[0]!;
    expect(create.params.PolicyDocument).toMatchObject({
      Statement: [
        {
          Effect: 'Deny',
          NotAction: expect.arrayContaining(['iam:*', 'organizations:*', 'sts:*', 'cloudfront:*', 'route53:*', 'support:*', 'account:*', 'billing:*', 'ce:*', 'waf:*', 'shield:*', 'health:*', 'trustedadvisor:*']),
          Resource: '*',
          Condition: { StringNotEquals: { 'aws:RequestedRegion': ['us-east-1'] } },
        },
      ],
    });
    expect(plan.warnings).toEqual(
      expect.arrayContaining([
        expect.stringContaining('eu-west-1 holds resources (1 VPC) and is not chosen'),
        expect.stringContaining('covers members of IAM groups only'),
        expect.stringContaining('does not implement the Account API’s region calls'),
      ]),
    );
  });
});

describe('account.regions: an organization, fixed again and again', () => {
  it('creates and attaches the SCP once, then only updates it', async () => {
    await inSandbox({}, async (ctx) => {
      ctx.factory.readOnly = false;
      await organization(ctx);
      ctx.invalidate();
      const ops: string[][] = [];
      for (const allowed of [['us-east-1'], ['us-east-1'], ['us-east-1', 'eu-west-1']]) {
        const plan = await planStep(await checkStep(entry, ctx), ctx, { allowed });
        ops.push(plan.actions.map((a) => a.operation));
        for (const a of plan.actions) await applyAction(step.meta.id, a, ctx);
      }
      expect(ops).toEqual([['EnablePolicyType', 'CreatePolicy', 'AttachPolicy'], [], ['UpdatePolicy']]);
      const attached = await ctx.client(OrganizationsClient).send(new ListPoliciesForTargetCommand({ TargetId: await rootId(ctx), Filter: 'SERVICE_CONTROL_POLICY' }));
      expect(attached.Policies!.map((p) => p.Name).sort()).toEqual(['FullAWSAccess', POLICY_NAME]);
      const after = await checkStep(entry, ctx);
      expect(after.result.findings[1]!.message).toContain('leaves only eu-west-1, us-east-1 open');
    });
  });
});

describe('account.regions: check and plan only read, a few calls per region', () => {
  it('sends reads only, at most four EC2 reads per enabled region', async () => {
    const { checked, plan, sent, recorded } = await recordCheckAndPlan(step, {
      seed: (ctx) => step.seed!(ctx),
      inputs: { allowed: ['us-east-1'] },
    });
    expect(checked.result.status).toBe('fail');
    expect(plan.actions.length).toBeGreaterThan(0);
    expect(recorded.filter((r) => !isReadRequest(r))).toEqual([]);
    const probes = sent.filter((s) => /^EC2:Describe(Instances|Vpcs|Volumes|NetworkInterfaces)$/.test(s)).length;
    const regions = (checked.result.findings[0]!.message.match(/^(\d+) regions are enabled/) ?? [])[1];
    expect(Number(regions)).toBeGreaterThan(10);
    expect(probes).toBe(4 * Number(regions));
    expect(sent.filter((s) => s.startsWith('IAM:'))).toEqual(['IAM:GetAccountAuthorizationDetails']);
  });
});

describe('account.regions: undo', () => {
  it('IAM path: detaches and deletes the policy it made, and the check reads as before', async () => {
    await inSandbox({ seed: (ctx) => step.seed!(ctx) }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, { allowed: ['us-east-1', 'eu-west-1'] });
      expect(run.items.map((i) => [i.entry.operation, i.kind])).toEqual([
        ['AttachGroupPolicy', 'undo'],
        ['CreatePolicy', 'undo'],
      ]);
      expect(run.journal[0]!.output).toEqual({ groups: ['developers'] });
      expect(run.journal.slice(2).map((e) => e.operation)).toEqual(['DetachGroupPolicy', 'DeletePolicy']);
      expect(run.afterUndo).toEqual(run.before);
    });
  });

  it('IAM path: keeps a policy someone gave a new version after the fix; the attachment it made still goes', async () => {
    await inSandbox({ seed: (ctx) => step.seed!(ctx) }, async (ctx) => {
      const theirs = documentText(guardrailDocument(['us-east-1', 'eu-west-1', 'eu-central-1']));
      const run = await fixThenUndo(entry, ctx, { allowed: ['us-east-1', 'eu-west-1'] }, {
        between: async (c) => void (await c.client(IAMClient).send(new CreatePolicyVersionCommand({ PolicyArn: IAM_POLICY_ARN, PolicyDocument: theirs, SetAsDefault: true }))),
      });
      expect(run.items.map((i) => [i.entry.operation, i.kind])).toEqual([
        ['AttachGroupPolicy', 'undo'],
        ['CreatePolicy', 'drifted'],
      ]);
      const policy = await ctx.client(IAMClient).send(new GetPolicyCommand({ PolicyArn: IAM_POLICY_ARN }));
      expect(policy.Policy?.DefaultVersionId).toBe('v2');
    });
  });

  it('IAM path: a new version it made is undone by making the old one the default again and deleting its own', async () => {
    await inSandbox({ seed: all(groups('admins'), iamGuardrail(['eu-west-1'], 'admins')) }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, { allowed: ['eu-west-1', 'us-east-1'] });
      expect(run.journal.map((e) => [e.operation, e.params.VersionId ?? e.output?.VersionId])).toEqual([
        ['CreatePolicyVersion', 'v2'],
        ['SetDefaultPolicyVersion', 'v1'],
        ['DeletePolicyVersion', 'v2'],
      ]);
      expect(run.afterUndo).toEqual(run.before);
    });
  });

  it('SCP path: leaves SCPs on when someone attached another SCP since, and keeps it; the SCP it made goes', async () => {
    await inSandbox({ seed: all(organization, groups('admins')) }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, { allowed: ['us-east-1', 'eu-west-1'] }, {
        between: async (c) => {
          const org = c.client(OrganizationsClient);
          const p = await org.send(
            new CreatePolicyCommand({ Name: 'their-own-scp', Description: 'theirs', Type: 'SERVICE_CONTROL_POLICY', Content: documentText(guardrailDocument(['us-east-1'])) }),
          );
          await org.send(new AttachPolicyCommand({ PolicyId: p.Policy!.PolicySummary!.Id!, TargetId: await rootId(c) }));
        },
      });
      expect(run.items.map((i) => [i.entry.operation, i.kind])).toEqual([
        ['AttachPolicy', 'undo'],
        ['CreatePolicy', 'undo'],
        ['EnablePolicyType', 'drifted'],
      ]);
      expect(run.items[2]).toMatchObject({ reason: expect.stringContaining('their-own-scp attached') });
      const onRoot = await ctx.client(OrganizationsClient).send(new ListPoliciesForTargetCommand({ TargetId: await rootId(ctx), Filter: 'SERVICE_CONTROL_POLICY' }));
      expect(onRoot.Policies!.map((p) => p.Name).sort()).toEqual(['FullAWSAccess', 'their-own-scp']);
    });
  });

  it('SCP path: detaches and deletes the SCP it made and turns SCPs off again', async () => {
    await inSandbox({ seed: all(organization, groups('admins')) }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, { allowed: ['us-east-1', 'eu-west-1'] });
      expect(run.journal.slice(3).map((e) => [e.operation, e.undoes])).toEqual([
        ['DetachPolicy', 2],
        ['DeletePolicy', 1],
        ['DisablePolicyType', 0],
      ]);
      expect(run.afterUndo).toEqual(run.before);
    });
  });
});
