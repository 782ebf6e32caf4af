/**
 * Every plan of the day-one scenario, as the wizard shows it, keeps its words whole at 60, 80 and
 * 120 columns: built from real reads of the seeded sandbox, rendered by planView and the findings
 * table, compared with the same text laid out without a width limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context.js';
import { checkStep, planStep } from '../../src/engine/runner.js';
import type { CheckedStep } from '../../src/engine/runner.js';
import { seedScenario } from '../../src/engine/scenario.js';
import type { Plan } from '../../src/engine/types.js';
import { findingsTable, planView } from '../../src/wizard/render.js';
import { setColor, stripAnsi } from '../../src/wizard/theme.js';
import { registry } from '../../steps/index.js';
import { resetMoto, useManagedPolicies } from '../helpers/moto.js';
import { makeSandboxContext } from '../helpers/step-tester.js';
import { layoutProblems } from '../helpers/text-layout.js';

useManagedPolicies();

/** Inputs a person would give where the defaults leave a required answer empty. */
const SAMPLE_INPUTS: Record<string, unknown> = {
  'monitoring.alerts': { email: 'security-team@example.com' },
  'account.security-contacts': {
    security: { name: 'Dana Example', title: 'Security lead', email: 'security@example.com', phone: '+1 206 555 0100' },
  },
};

const WIDTHS = [60, 80, 120];
const withoutHeadings = (s: string) => stripAnsi(s).replace(/\b(STATUS|REGION|RESOURCE|MESSAGE|global)\b|·/g, '');
let ctx: RunContext;
const views: { id: string; checked: CheckedStep; plan: Plan }[] = [];

beforeAll(async () => {
  await resetMoto();
  ctx = makeSandboxContext({ regions: ['us-east-1', 'eu-west-1'] });
  await seedScenario('day-one', ctx, registry);
  for (const entry of registry) {
    const checked = await checkStep(entry, ctx);
    if (checked.result.status !== 'fail') continue;
    const spec = checked.step.inputs;
    const inputs = SAMPLE_INPUTS[entry.meta.id] ?? spec?.defaults(checked.result.findings);
    views.push({ id: entry.meta.id, checked, plan: await planStep(checked, ctx, inputs) });
  }
}, 240_000);

afterAll(() => {
  ctx?.factory.destroy();
  setColor(false);
});

describe('day-one plans and findings at 60, 80 and 120 columns', () => {
  it('has plans to show', () => {
    expect(views.length).toBeGreaterThan(10);
    expect(views.some((v) => v.plan.actions.length > 0)).toBe(true);
    expect(views.some((v) => v.plan.guidance)).toBe(true);
  });

  for (const color of [false, true]) {
    it(`keep every word whole, no line wider than the terminal (colour ${color ? 'on' : 'off'})`, () => {
      setColor(color);
      const problems: string[] = [];
      for (const v of views) {
        const planRef = planView(v.checked.entry.meta, v.plan, 100_000);
        const tableRef = findingsTable(v.checked.result.findings, 100_000);
        for (const width of WIDTHS) {
          for (const p of layoutProblems(planRef, planView(v.checked.entry.meta, v.plan, width), width)) problems.push(`${v.id} plan at ${width}: ${p}`);
          // A narrow table stacks its findings: the column headings (and the region "global") go.
          const narrow = findingsTable(v.checked.result.findings, width);
          for (const p of layoutProblems(withoutHeadings(tableRef), withoutHeadings(narrow), width)) problems.push(`${v.id} findings at ${width}: ${p}`);
        }
      }
      expect(problems).toEqual([]);
    });
  }
});
