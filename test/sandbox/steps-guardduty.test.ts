import { CreateDetectorCommand, GetDetectorCommand, GuardDutyClient, ListDetectorsCommand, UpdateDetectorCommand } from '@aws-sdk/client-guardduty';
import { describe, expect, it } from 'vitest';
import { applyPlan, checkStep, planStep } from '../../src/engine/runner.js';
import type { StepContext } from '../../src/engine/types.js';
import step from '../../steps/monitoring/guardduty/index.js';
import { inSandbox, recordCheckAndPlan, runStepCases } from '../helpers/step-tester.js';
import { fixThenUndo } from '../helpers/undo.js';

const entry = { meta: step.meta, load: async () => step };

async function detectors(ctx: StepContext, region = 'us-east-1'): Promise<string[]> {
  return (await ctx.client(GuardDutyClient, region).send(new ListDetectorsCommand({}))).DetectorIds ?? [];
}

async function detector(ctx: StepContext, enable: boolean, region = 'us-east-1'): Promise<string> {
  return (await ctx.client(GuardDutyClient, region).send(new CreateDetectorCommand({ Enable: enable }))).DetectorId!;
}

const TWO = ['us-east-1', 'eu-west-1'];
/** What a case's seed made, for its own assertions after the fix. */
const seeded = { on: '' };

runStepCases(step, [
  {
    name: 'the day-one seed: a suspended detector is turned back on, and no second detector is made',
    seed: (ctx) => step.seed!(ctx),
    expectStatus: 'fail',
    expectFindings: [
      {
        status: 'fail',
        region: 'us-east-1',
        resource: expect.stringMatching(/^arn:aws:guardduty:us-east-1:123456789012:detector\/\w+$/),
        message: expect.stringMatching(/suspended in us-east-1: detector \w+ exists but is DISABLED/),
      },
    ],
    expectOperations: ['guardduty:UpdateDetector'],
    expectFindingsAfter: [{ status: 'pass', message: expect.stringMatching(/^GuardDuty is on in us-east-1 \(detector \w+/) }],
  },
  {
    name: 'no detector at all: one is created',
    expectStatus: 'fail',
    expectFindings: [{ status: 'fail', resource: 'arn:aws:guardduty:us-east-1:123456789012:detector/*', message: expect.stringContaining('there is no detector') }],
    expectOperations: ['guardduty:CreateDetector'],
    expectFindingsAfter: [{ status: 'pass', message: expect.stringContaining('updated findings exported every 15 minutes') }],
  },
  {
    name: 'an enabled detector passes',
    seed: async (ctx) => void (await detector(ctx, true)),
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', region: 'us-east-1', message: expect.stringContaining('GuardDuty is on in us-east-1') }],
  },
  {
    name: 'two regions, one already on: only the other is planned, and the cost names one region',
    regions: TWO,
    seed: async (ctx) => void (seeded.on = await detector(ctx, true, 'us-east-1')),
    expectStatus: 'fail',
    expectFindings: [
      { region: 'us-east-1', status: 'pass' },
      { region: 'eu-west-1', status: 'fail' },
    ],
    expectOperations: ['guardduty:CreateDetector@eu-west-1'],
    expectPlan: (plan) => {
      expect(plan.actions.map((a) => a.params)).toEqual([{ Enable: true, FindingPublishingFrequency: 'FIFTEEN_MINUTES' }]);
      expect(plan.cost!.detail).toContain('1 region (eu-west-1)');
    },
    expectApplied: async (ctx, journal) => {
      const made = journal[0]!.output!.DetectorId as string;
      expect(await detectors(ctx, 'eu-west-1')).toEqual([made]);
      expect(journal[0]!.inverse).toMatchObject({ operation: 'DeleteDetector', region: 'eu-west-1', params: { DetectorId: made } });
      expect(await detectors(ctx, 'us-east-1')).toEqual([seeded.on]);
    },
  },
  {
    name: 'both regions off: one action per region, and the cost names both',
    regions: TWO,
    seed: async (ctx) => void (await detector(ctx, false, 'eu-west-1')),
    expectStatus: 'fail',
    expectOperations: ['guardduty:CreateDetector@us-east-1', 'guardduty:UpdateDetector@eu-west-1'],
    expectPlan: (plan) => expect(plan.cost!.detail).toContain('2 regions (us-east-1, eu-west-1)'),
  },
  {
    name: 'a region that cannot be reached is an error of its own, never "not offered"; the other is still checked and fixed',
    regions: TWO,
    unreachable: ['eu-west-1'],
    expectStatus: 'fail',
    expectFindings: [
      { region: 'us-east-1', status: 'fail' },
      { region: 'eu-west-1', status: 'error', message: expect.stringMatching(/GuardDuty in eu-west-1 could not be read: Could not reach /) },
    ],
    expectOperations: ['guardduty:CreateDetector@us-east-1'],
    expectAfter: 'error',
    expectFindingsAfter: [
      { region: 'us-east-1', status: 'pass' },
      { region: 'eu-west-1', status: 'error' },
    ],
  },
]);

describe('monitoring.guardduty: beyond the table', () => {
  it('the day-one fix enables the detector that is there, with the inverse that suspends it again', async () => {
    await inSandbox({ seed: (ctx) => step.seed!(ctx) }, async (ctx) => {
      const [id] = await detectors(ctx);
      const plan = await planStep(await checkStep(entry, ctx), ctx, undefined);
      expect(plan.actions.map((a) => [a.operation, a.params, a.inverse?.params])).toEqual([['UpdateDetector', { DetectorId: id, Enable: true }, { DetectorId: id, Enable: false }]]);
      // The detector was suspended, not new: no trial is promised for it.
      expect(plan.cost).toEqual({ scale: 'dollars', detail: expect.stringMatching(/^GuardDuty in 1 region \(us-east-1\)\. us-east-1 had GuardDuty before .*no new free trial.*few dollars per region per month/) });
      expect(plan.warnings!.join('\n')).not.toMatch(/trial ends 30 days after/);
      expect((await applyPlan(step.meta.id, plan, ctx, () => undefined)).ok).toBe(true);
      expect(await detectors(ctx)).toEqual([id]);
      expect((await ctx.client(GuardDutyClient).send(new GetDetectorCommand({ DetectorId: id }))).Status).toBe('ENABLED');
    });
  });

  it('check and plan send only ListDetectors and GetDetector', async () => {
    const { checked, plan, sent } = await recordCheckAndPlan(step, { seed: (ctx) => step.seed!(ctx) });
    expect(checked.result.status).toBe('fail');
    expect(plan.actions).toHaveLength(1);
    expect([...new Set(sent)].sort()).toEqual(['GuardDuty:GetDetector', 'GuardDuty:ListDetectors']);
  });

  it('seeding again keeps one detector and suspends it again', async () => {
    await inSandbox({ seed: (ctx) => step.seed!(ctx) }, async (ctx) => {
      expect((await applyPlan(step.meta.id, await planStep(await checkStep(entry, ctx), ctx, undefined), ctx, () => undefined)).ok).toBe(true);
      ctx.factory.readOnly = false;
      await step.seed!(ctx);
      ctx.factory.readOnly = true;
      expect(await detectors(ctx)).toHaveLength(1);
      expect((await checkStep(entry, ctx)).result.status).toBe('fail');
    });
  });
});

describe('monitoring.guardduty: undo', () => {
  const entry = { meta: step.meta, load: async () => step };
  const detectors = async (ctx: StepContext) => (await ctx.client(GuardDutyClient).send(new ListDetectorsCommand({}))).DetectorIds ?? [];

  it('suspends the detector it resumed, and the check fails as before', async () => {
    await inSandbox({ seed: (ctx) => step.seed!(ctx) }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, undefined);
      expect(run.items.map((i) => i.kind)).toEqual(['undo']);
      expect(run.afterUndo).toEqual(run.before);
    });
  });

  it('deletes the detector it created only by the destructive action (its findings go with it), which undo --yes leaves out', async () => {
    await inSandbox({}, async (ctx) => {
      const kept = await fixThenUndo(entry, ctx, undefined);
      const [item] = kept.items;
      expect(item!.kind === 'undo' && item!.actions.map((a) => [a.operation, a.destructive])).toEqual([['DeleteDetector', true]]);
      expect(await detectors(ctx)).toHaveLength(1);
      const run = await fixThenUndo(entry, ctx, undefined, { includeDestructive: true });
      expect(run.plan.actions).toEqual([]);
    });
    await inSandbox({}, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, undefined, { includeDestructive: true });
      expect(await detectors(ctx)).toEqual([]);
      expect(run.afterUndo).toEqual(run.before);
    });
  });

  it('refuses a created detector someone reconfigured after the fix, and keeps it', async () => {
    await inSandbox({}, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, undefined, {
        includeDestructive: true,
        between: async (c) => {
          const [id] = await detectors(c);
          await c.client(GuardDutyClient).send(new UpdateDetectorCommand({ DetectorId: id!, FindingPublishingFrequency: 'SIX_HOURS' }));
        },
      });
      expect(run.items).toEqual([expect.objectContaining({ kind: 'drifted', reason: expect.stringContaining('SIX_HOURS') })]);
      expect(await detectors(ctx)).toHaveLength(1);
    });
  });
});
