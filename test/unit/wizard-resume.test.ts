/**
 * What a wizard run picks up from the progress file (src/wizard/resume.ts): which steps it walks on
 * resume and with --redo, what the scorecard covers (the whole file, not the last selection), and
 * the monthly cost of the fixes applied.
 */
import { describe, expect, it } from 'vitest';
import { registry } from '../../steps/index.js';
import type { StepResult } from '../../src/engine/result.js';
import type { StepStatus } from '../../src/progress/index.js';
import { appliedCosts, isFinished, scorecardResults, stepsToWalk } from '../../src/wizard/resume.js';

const ids = ['account.root-mfa', 'account.root-access-keys', 'account.password-policy', 'account.groups-only'];

describe('stepsToWalk', () => {
  it('resumes at the first open step: done, accepted and unsupported steps are not asked again', () => {
    const recorded: Record<string, StepStatus> = {
      'account.root-mfa': 'unsupported',
      'account.root-access-keys': 'unsupported',
      'account.password-policy': 'fixed',
    };
    expect(stepsToWalk(ids, (id) => recorded[id], { redo: false })).toEqual(['account.groups-only']);
  });

  it('keeps failing, erroring and manual steps on the list', () => {
    const recorded: Record<string, StepStatus> = { 'account.root-mfa': 'error', 'account.root-access-keys': 'fail', 'account.password-policy': 'manual' };
    expect(stepsToWalk(ids, (id) => recorded[id], { redo: false })).toEqual(ids);
  });

  it('with --redo walks every selected step, even one done or skipped', () => {
    const recorded: Record<string, StepStatus> = { 'account.groups-only': 'skipped', 'account.password-policy': 'pass' };
    expect(stepsToWalk(ids, (id) => recorded[id], { redo: true })).toEqual(ids);
    expect(stepsToWalk(['account.groups-only'], (id) => recorded[id], { redo: false })).toEqual([]);
  });

  it('isFinished', () => {
    expect(['pass', 'fixed', 'skipped', 'unsupported'].map((s) => isFinished(s as StepStatus))).toEqual([true, true, true, true]);
    expect(['fail', 'error', 'manual'].map((s) => isFinished(s as StepStatus))).toEqual([false, false, false]);
    expect(isFinished(undefined)).toBe(false);
  });
});

const result = (step: string, status: StepResult['status']): StepResult => ({
  step,
  area: step.split('.')[0] as StepResult['area'],
  title: step,
  severity: 'medium',
  status,
  references: {},
  findings: [],
});

describe('scorecardResults', () => {
  it('covers the whole progress file: --area data, then --area monitoring, keeps the data steps on the card', () => {
    const recorded = {
      'data.s3-tls-only': { status: 'fixed' as const },
      'data.kms-rotation': { status: 'skipped' as const },
      'data.in-transit': { status: 'fail' as const },
      'monitoring.guardduty': { status: 'pass' as const },
    };
    const run = new Map([['monitoring.guardduty', result('monitoring.guardduty', 'pass')]]);
    const monitoring = new Set(registry.filter((e) => e.meta.area === 'monitoring').map((e) => e.meta.id));
    const card = scorecardResults(registry, monitoring, recorded, run);
    const byId = Object.fromEntries(card.map((r) => [r.step, r.status]));
    expect(byId['data.s3-tls-only']).toBe('pass');
    expect(byId['data.kms-rotation']).toBe('skipped');
    expect(byId['data.in-transit']).toBe('fail');
    expect(byId['monitoring.guardduty']).toBe('pass');
    for (const id of monitoring) expect(byId[id]).toBeDefined();
    // Steps neither selected nor recorded are not on it; the order is the guide's.
    expect(byId['account.password-policy']).toBeUndefined();
    const order = registry.map((e) => e.meta.id).filter((id) => id in byId);
    expect(card.map((r) => r.step)).toEqual(order);
  });

  it("a recorded skip stands over this run's result", () => {
    const run = new Map([['account.groups-only', result('account.groups-only', 'fail')]]);
    const card = scorecardResults(registry, new Set(['account.groups-only']), { 'account.groups-only': { status: 'skipped' } }, run);
    expect(card.map((r) => r.status)).toEqual(['skipped']);
  });
});

describe('appliedCosts', () => {
  it("takes the cost the plan named when it was applied, else the step's declared cost; only fixed steps", () => {
    const costs = appliedCosts(registry, {
      'monitoring.guardduty': { status: 'fixed', cost: { scale: 'dollars', detail: 'GuardDuty in 2 regions: about USD 8 a month' } },
      'account.password-policy': { status: 'fixed' },
      'monitoring.config-recorder': { status: 'skipped' },
    });
    const policy = registry.find((e) => e.meta.id === 'account.password-policy')!.meta.fix;
    expect(costs).toEqual({
      'account.password-policy': { scale: policy.costScale, detail: policy.cost, applied: 'all' },
      'monitoring.guardduty': { scale: 'dollars', detail: 'GuardDuty in 2 regions: about USD 8 a month', applied: 'all' },
    });
  });
});
