import { CreateDetectorCommand, GetDetectorCommand, GuardDutyClient, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { describe, expect, it } from 'vitest';
import { applyPlan, checkStep, planStep } from '../../src/engine/runner.js';
import type { JournalEntry } from '../../src/engine/runner.js';
import type { ClientClass, SdkClient, StepContext } from '../../src/engine/types.js';
import step from '../../steps/monitoring/guardduty/index.js';
import { resetMoto } from '../helpers/moto.js';
import { makeSandboxContext, recordCheckAndPlan, runStepCases } from '../helpers/step-tester.js';

const entry = { meta: step.meta, load: async () => step };

async function detectors(ctx: StepContext, region = 'us-east-1'): Promise<string[]> {
  return (await ctx.client(GuardDutyClient, region).send(new ListDetectorsCommand({}))).DetectorIds ?? [];
}

async function detector(ctx: StepContext, enable: boolean, region = 'us-east-1'): Promise<string> {
  return (await ctx.client(GuardDutyClient, region).send(new CreateDetectorCommand({ Enable: enable }))).DetectorId!;
}

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
]);

describe('monitoring.guardduty: beyond the table', () => {
  it('the day-one fix enables the detector that is there, with the inverse that suspends it again', async () => {
    await resetMoto();
    const ctx = makeSandboxContext();
    try {
      ctx.factory.readOnly = false;
      await step.seed!(ctx);
      ctx.factory.readOnly = true;
      const [id] = await detectors(ctx);
      const plan = await planStep(await checkStep(entry, ctx), ctx, undefined);
      expect(plan.actions.map((a) => [a.operation, a.params, a.inverse?.params])).toEqual([['UpdateDetector', { DetectorId: id, Enable: true }, { DetectorId: id, Enable: false }]]);
      // The detector was suspended, not new: no trial is promised for it.
      expect(plan.cost).toEqual({ scale: 'dollars', detail: expect.stringMatching(/^GuardDuty in 1 region \(us-east-1\)\. us-east-1 had GuardDuty before .*no new free trial.*few dollars per region per month/) });
      expect(plan.warnings!.join('\n')).not.toMatch(/trial ends 30 days after/);
      expect((await applyPlan(step.meta.id, plan, ctx, () => undefined)).ok).toBe(true);
      expect(await detectors(ctx)).toEqual([id]);
      expect((await ctx.client(GuardDutyClient).send(new GetDetectorCommand({ DetectorId: id }))).Status).toBe('ENABLED');
    } finally {
      ctx.factory.destroy();
    }
  });

  it('two regions, one already on: only the other is planned, and the cost names one region', async () => {
    await resetMoto();
    const ctx = makeSandboxContext({ regions: ['us-east-1', 'eu-west-1'] });
    try {
      ctx.factory.readOnly = false;
      const on = await detector(ctx, true, 'us-east-1');
      ctx.factory.readOnly = true;
      const checked = await checkStep(entry, ctx);
      expect(checked.result.findings.map((f) => [f.region, f.status])).toEqual([
        ['us-east-1', 'pass'],
        ['eu-west-1', 'fail'],
      ]);
      const plan = await planStep(checked, ctx, undefined);
      expect(plan.actions.map((a) => [a.operation, a.region, a.params])).toEqual([['CreateDetector', 'eu-west-1', { Enable: true, FindingPublishingFrequency: 'FIFTEEN_MINUTES' }]]);
      expect(plan.cost!.detail).toContain('1 region (eu-west-1)');
      const journal: JournalEntry[] = [];
      expect((await applyPlan(step.meta.id, plan, ctx, (e) => void journal.push(e))).ok).toBe(true);
      const made = journal[0]!.output!.DetectorId as string;
      expect(await detectors(ctx, 'eu-west-1')).toEqual([made]);
      expect(journal[0]!.inverse).toMatchObject({ operation: 'DeleteDetector', region: 'eu-west-1', params: { DetectorId: made } });
      expect(await detectors(ctx, 'us-east-1')).toEqual([on]);
      const after = await checkStep(entry, ctx);
      expect(after.result.status).toBe('pass');
      expect((await planStep(after, ctx, undefined)).actions).toEqual([]);
    } finally {
      ctx.factory.destroy();
    }
  });

  it('both regions off: one action per region, and the cost names both', async () => {
    await resetMoto();
    const ctx = makeSandboxContext({ regions: ['us-east-1', 'eu-west-1'] });
    try {
      ctx.factory.readOnly = false;
      await detector(ctx, false, 'eu-west-1');
      ctx.factory.readOnly = true;
      const plan = await planStep(await checkStep(entry, ctx), ctx, undefined);
      expect(plan.actions.map((a) => [a.operation, a.region])).toEqual([
        ['CreateDetector', 'us-east-1'],
        ['UpdateDetector', 'eu-west-1'],
      ]);
      expect(plan.cost!.detail).toContain('2 regions (us-east-1, eu-west-1)');
    } finally {
      ctx.factory.destroy();
    }
  });

  it('a region whose endpoint cannot be reached is an error of its own, never "not offered"; the others are still checked', async () => {
    await resetMoto();
    const base = makeSandboxContext();
    // A real client for a region whose endpoint refuses the connection: a network failure, not AWS saying the region lacks GuardDuty.
    const nowhere = new GuardDutyClient({ region: 'xx-nowhere-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    const ctx: StepContext = {
      target: base.target,
      regions: async () => ['us-east-1', 'xx-nowhere-1'],
      shared: (k, l) => base.shared(k, l),
      client<C extends SdkClient>(cls: ClientClass<C>, region?: string): C {
        if (region === 'xx-nowhere-1') return nowhere as unknown as C;
        return base.client(cls, region);
      },
    };
    try {
      const findings = await step.check(ctx);
      expect(findings.map((f) => [f.region, f.status])).toEqual([
        ['us-east-1', 'fail'],
        ['xx-nowhere-1', 'error'],
      ]);
      expect(findings[1]!.message).toMatch(/GuardDuty in xx-nowhere-1 could not be read: Could not reach /);
      const plan = await step.plan(ctx, findings, undefined);
      expect(plan.actions.map((a) => a.region)).toEqual(['us-east-1']);
    } finally {
      nowhere.destroy();
      base.factory.destroy();
    }
  });

  it('check and plan send only ListDetectors and GetDetector', async () => {
    const { checked, plan, sent } = await recordCheckAndPlan(step, { seed: (ctx) => step.seed!(ctx) });
    expect(checked.result.status).toBe('fail');
    expect(plan.actions).toHaveLength(1);
    expect([...new Set(sent)].sort()).toEqual(['GuardDuty:GetDetector', 'GuardDuty:ListDetectors']);
  });

  it('seeding again keeps one detector and suspends it again', async () => {
    await resetMoto();
    const ctx = makeSandboxContext();
    try {
      ctx.factory.readOnly = false;
      await step.seed!(ctx);
      ctx.factory.readOnly = true;
      expect((await applyPlan(step.meta.id, await planStep(await checkStep(entry, ctx), ctx, undefined), ctx, () => undefined)).ok).toBe(true);
      ctx.factory.readOnly = false;
      await step.seed!(ctx);
      ctx.factory.readOnly = true;
      expect(await detectors(ctx)).toHaveLength(1);
      expect((await checkStep(entry, ctx)).result.status).toBe('fail');
    } finally {
      ctx.factory.destroy();
    }
  });
});
