import type { Answers } from '../../engine/answers.js';
import { loadAnswers } from '../../engine/answers.js';
import { honouredSkip, refusalUnderYes } from '../../engine/consent.js';
import { planCost } from '../../engine/cost.js';
import { regionsText } from '../../engine/report.js';
import { answered, resolveInputs, splitEntry } from '../../engine/inputs.js';
import { decisionText } from '../../engine/decision.js';
import { checkAll, endsTheRun, errorResult, PLAN_FAILED, tryPlanStep } from '../../engine/runner.js';
import type { CheckedStep } from '../../engine/runner.js';
import type { RunContext } from '../../engine/context.js';
import { safeJson, safeText } from '../../engine/safe-text.js';
import type { Plan } from '../../engine/types.js';
import type { GlobalOptions } from '../options.js';
import { selectSteps } from '../options.js';
import { loadRecordedProgress, loadRecordedRegions, runRegions } from '../progress.js';
import { info, startSession } from '../session.js';
import { plural } from '../../engine/wrap.js';
import { invokedAs } from '../../engine/invocation.js';

interface PlannedStep {
  step: string;
  /** The step has `undo`: secure-start undo can reverse what its plan does (except what the plan calls irreversible). */
  canUndo?: boolean;
  status: string;
  plan?: Plan;
  note?: string;
}

/** The cost as the JSON plan reports it: its order of magnitude and the prices behind it. */
const pick = ({ scale, detail }: { scale: string; detail: string }) => ({ scale, detail });

/** A step needs fixing when it fails, or when it needs a person (manual) and the answers say how. */
export function wantsFix(status: string, answered: boolean): boolean {
  return status === 'fail' || (status === 'manual' && answered);
}

export async function run(opts: GlobalOptions): Promise<number> {
  const entries = selectSteps(opts);
  const answers: Answers = opts.answers ? await loadAnswers(opts.answers, entries) : {};
  const session = await startSession(opts);
  try {
    await loadRecordedRegions(opts, session);
    const recorded = await loadRecordedProgress(opts, session.target);
    const regions = await runRegions(session, entries);
    if (opts.format !== 'json') info(regionsText(regions));
    const checked = await checkAll(entries, session.ctx);
    const planned: PlannedStep[] = [];
    for (const c of checked) {
      try {
        const id = c.entry.meta.id;
        const decision = splitEntry(answers[id]).decision;
        planned.push(await planOne(c, answers, session.ctx, decision ? decisionText(decision) : honouredSkip(recorded?.steps[id], id, opts.step)));
      } catch (err) {
        // One step's failure never takes the run down: it is that step's error, and the next step is planned.
        if (endsTheRun(err)) throw err;
        const result = errorResult(c.entry, err, { what: PLAN_FAILED });
        planned.push({ step: c.entry.meta.id, status: result.status, note: result.error ?? '' });
      }
    }
    if (opts.format === 'json') {
      const data = planned.map((p) => ({
        step: p.step,
        status: p.status,
        ...(p.note ? { note: p.note } : {}),
        actions: (p.plan?.actions ?? []).map((a) => ({
          summary: a.summary,
          service: a.service,
          operation: a.operation,
          region: a.region,
          params: a.params,
          ...(a.inverse
            ? { inverse: { summary: a.inverse.summary, service: a.inverse.service, operation: a.inverse.operation, region: a.inverse.region, params: a.inverse.params } }
            : {}),
          ...(a.irreversible ? { irreversible: a.irreversible } : {}),
          // Whether secure-start undo can reverse this action later (while it is as the fix left it).
          undoable: !a.irreversible && p.canUndo === true,
        })),
        ...(p.plan?.guidance ? { guidance: p.plan.guidance } : {}),
        ...(p.plan && (p.plan.actions.length || p.plan.guidance) ? { cost: pick(planCost(entries.find((e) => e.meta.id === p.step)!.meta, p.plan)) } : {}),
      }));
      process.stdout.write(safeJson({ target: { ...session.target, regions: regions.regions, regionsSource: regions.source }, steps: data }) + '\n');
    } else {
      const { planView } = await import('../../wizard/render.js');
      for (const p of planned) {
        const entry = entries.find((e) => e.meta.id === p.step)!;
        process.stdout.write(`\n== ${p.step} (${p.status})\n`);
        if (p.note) process.stdout.write(`   ${safeText(p.note)}\n`);
        if (p.plan && (p.plan.actions.length || p.plan.guidance)) process.stdout.write(planView(entry.meta, p.plan, undefined, { canUndo: p.canUndo === true }) + '\n');
      }
      const total = planned.reduce((n, p) => n + (p.plan?.actions.length ?? 0), 0);
      info(`\n${plural(total, 'change')} planned; nothing was changed. Apply with \`${invokedAs()} fix\`.`);
    }
    // A step that could not be checked or planned: 3, as for check (plan itself fails nothing).
    return planned.some((p) => p.status === 'error') ? 3 : 0;
  } finally {
    await session.close();
  }
}

/** One step's entry in the plan: its fix from the answers (or the defaults), or why there is none. */
async function planOne(c: CheckedStep, answers: Answers, ctx: RunContext, skip?: string): Promise<PlannedStep> {
  const id = c.entry.meta.id;
  // A step accepted as is: fix --yes leaves it, so there is nothing to plan.
  if (skip && c.result.status !== 'pass') return { step: id, status: c.result.status, note: `fix --yes leaves this step: ${skip}` };
  if (!wantsFix(c.result.status, answered(answers[id])))
    return { step: id, status: c.result.status, note: c.result.status === 'pass' ? 'nothing to change' : c.result.error ?? 'no fix planned' };
  const inputs = resolveInputs(c.step, c.result.findings, answers[id]);
  const planned = await tryPlanStep(c, ctx, inputs.ok ? inputs.inputs : c.step.inputs?.defaults(c.result.findings));
  // The plan reads the account too: a refused read is this step's error, named in its note.
  if (!planned.ok) return { step: id, status: planned.result.status, note: planned.result.error ?? '' };
  if (!inputs.ok)
    return { step: id, status: c.result.status, note: `Planned with default inputs; fix --yes ${inputs.message}`, plan: planned.plan, canUndo: Boolean(c.step.undo) };
  const refusal = refusalUnderYes(c.entry.meta, planned.plan, answers[id]);
  return { step: id, status: c.result.status, plan: planned.plan, canUndo: Boolean(c.step.undo), ...(refusal ? { note: `fix --yes will not apply this: ${refusal}` } : {}) };
}
