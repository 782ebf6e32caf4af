import type { Answers } from '../../engine/answers.js';
import { loadAnswers } from '../../engine/answers.js';
import { honouredSkip, refusalUnderYes } from '../../engine/consent.js';
import type { AcceptDecision } from '../../engine/decision.js';
import { decisionText, withDecision } from '../../engine/decision.js';
import { UserError } from '../../engine/errors.js';
import { answered as hasAnswer, resolveInputs, splitEntry } from '../../engine/inputs.js';
import type { StepResult } from '../../engine/result.js';
import type { Session } from '../../engine/session.js';
import type { ProgressStore } from '../../progress/index.js';
import type { StepEntry } from '../../engine/types.js';
import { checkStep, endsTheRun, errorResult, resultFor, tryPlanStep } from '../../engine/runner.js';
import { regionsText } from '../../engine/report.js';
import { safeText } from '../../engine/safe-text.js';
import { exitCodeFor } from '../../engine/status.js';
import type { GlobalOptions } from '../options.js';
import { selectSteps } from '../options.js';
import { openProgress, runRegions } from '../progress.js';
import { info, startSession } from '../session.js';
import { wantsFix } from './plan.js';
import { plural } from '../../engine/wrap.js';
import { invokedAs } from '../../engine/invocation.js';

export async function run(opts: GlobalOptions): Promise<number> {
  if (!opts.yes) {
    if (!process.stdin.isTTY || !process.stdout.isTTY)
      throw new UserError('fix needs a terminal to ask before it changes anything, or --yes.', `Use \`${invokedAs()} fix --yes --answers FILE\` in scripts (see \`${invokedAs()} answers --template\`).`);
    const wizard = await import('./wizard.js');
    return wizard.run({ ...opts, lessons: false });
  }
  const entries = selectSteps(opts);
  const answers: Answers = opts.answers ? await loadAnswers(opts.answers, entries) : {};
  const session = await startSession(opts);
  const progress = await openProgress(opts, session);
  const results: StepResult[] = [];
  try {
    // An empty region list is refused before anything is checked or changed.
    info(regionsText(await runRegions(session, entries)));
    // Catalogue order, each step checked again just before its plan: earlier fixes change the account.
    for (const entry of entries) {
      const id = entry.meta.id;
      // The answers file accepts this step as it is: recorded, so later checks of this progress file show it.
      const decision = splitEntry(answers[id]).decision;
      if (decision) {
        results.push(await acceptOne(entry, decision, session, progress));
        continue;
      }
      // A step the person accepted as is stays so, unless this run names it.
      const skip = honouredSkip(progress.data.steps[id], id, opts.step);
      if (skip) {
        results.push(resultFor(entry, [{ status: 'skipped', resource: id, region: 'global', message: `Not applied: ${skip}` }], 'skipped'));
        info(`SKIPPED     ${id}: ${skip}`);
        continue;
      }
      try {
        results.push(await fixOne(entry, answers[id], hasAnswer(answers[id]), session, progress));
      } catch (err) {
        // One step's failure never takes the run down: it is that step's error, and the next step runs.
        if (endsTheRun(err)) throw err;
        const result = errorResult(entry, err);
        results.push(result);
        progress.recordStep(id, { status: result.status, message: result.error ?? '' });
        await progress.save();
        info(`${result.status.toUpperCase().padEnd(11)} ${id}: ${safeText(result.error ?? '')}`);
      }
    }
    return exitCodeFor(results);
  } finally {
    await progress.save().catch(() => undefined);
    await progress.close();
    await session.close();
  }
}

/**
 * A step the answers file accepts as it is: checked (read-only), and when it fails or needs a
 * person, recorded as skipped with the reason; a step that passes, or cannot be checked, is
 * reported as it is.
 */
async function acceptOne(entry: StepEntry, decision: AcceptDecision, session: Session, progress: ProgressStore): Promise<StepResult> {
  const id = entry.meta.id;
  const checked = await checkStep(entry, session.ctx);
  const result = withDecision(checked.result, decision);
  if (result.status === 'skipped') progress.recordStep(id, { status: 'skipped', reason: decision.reason });
  else if (result.status === 'pass') progress.recordStep(id, { status: 'pass' });
  await progress.save();
  const why = result.status === 'skipped' ? `: ${decisionText(decision)}` : result.status === 'pass' ? '' : `: ${safeText(result.error ?? '')}`;
  info(`${result.status.toUpperCase().padEnd(11)} ${id}${why}`);
  return result;
}

/** Checks one step again, plans its fix from the answers, applies it and checks again. */
async function fixOne(
  entry: StepEntry,
  given: unknown,
  answered: boolean,
  session: Session,
  progress: ProgressStore,
): Promise<StepResult> {
  const id = entry.meta.id;
  const { applyWithTasks, rememberDecisions } = await import('../../wizard/apply.js');
  const checked = await checkStep(entry, session.ctx);
  if (!wantsFix(checked.result.status, answered)) {
    info(`${checked.result.status.toUpperCase().padEnd(11)} ${id}${checked.result.status === 'pass' ? '' : ' (nothing to apply)'}`);
    if (checked.result.status === 'pass') progress.recordStep(id, { status: 'pass' });
    return checked.result;
  }
  const inputs = resolveInputs(checked.step, checked.result.findings, given);
  if (!inputs.ok) {
    const message = `Not applied: ${inputs.message}`;
    info(`FAIL        ${id}: ${safeText(message)}`);
    return resultFor(entry, [...checked.result.findings, { status: 'fail', resource: id, region: 'global', message }], 'fail');
  }
  const planned = await tryPlanStep(checked, session.ctx, inputs.inputs);
  if (!planned.ok) {
    // The plan reads the account too: a refused read is this step's error; the run goes on.
    progress.recordStep(id, { status: planned.result.status, message: planned.result.error ?? '' });
    await progress.save();
    info(`${planned.result.status.toUpperCase().padEnd(11)} ${id}: ${safeText(planned.result.error ?? '')}`);
    return planned.result;
  }
  const plan = planned.plan;
  if (plan.interactive) {
    const message = `Not applied: this fix needs a person at a terminal (codes from an MFA app, say). Run the wizard: ${invokedAs()} --step ${id}`;
    info(`FAIL        ${id}: ${message}`);
    return resultFor(entry, [...checked.result.findings, { status: 'fail', resource: id, region: 'global', message }], 'fail');
  }
  // --yes alone decides nothing that costs money or takes something away: the answers must say so.
  const refusal = refusalUnderYes(entry.meta, plan, given);
  if (refusal) {
    const message = `Not applied: ${refusal}`;
    info(`FAIL        ${id}: ${message}`);
    return resultFor(entry, [...checked.result.findings, { status: 'fail', resource: id, region: 'global', message }], 'fail');
  }
  const { ok, error, secrets, unsupported, made = [] } = await applyWithTasks(id, plan, session.ctx, progress, {
    renderer: process.stdout.isTTY ? 'default' : 'simple',
    titlePrefix: `${id}: `,
  });
  if (secrets.length) {
    // One-time secrets go to a person's screen only, never to a log.
    if (process.stdout.isTTY) {
      const { secretsView } = await import('../../wizard/render.js');
      process.stdout.write(secretsView(secrets) + '\n');
    } else info(`${id}: ${plural(secrets.length, 'one-time secret')} ${secrets.length === 1 ? 'was' : 'were'} generated and not shown (no terminal); reset them in the console.`);
  }
  if (ok) await rememberDecisions(checked.step, inputs.inputs, session, progress);
  const after = await checkStep(entry, session.ctx);
  // A change the endpoint does not implement leaves the step unsupported (unless the re-check still fails), never fixed;
  // what was made before it is said, as it stays.
  const kept = made.length ? ` Made before it, and kept: ${made.join('; ')}.` : '';
  const stop = unsupported
    ? { status: 'unsupported' as const, resource: id, region: 'global', message: `Not finished: the endpoint does not implement a change of this fix (${error}).${kept}` }
    : { status: 'fail' as const, resource: id, region: 'global', message: `Fix failed: ${error}${kept}` };
  const result = ok ? after.result : resultFor(entry, [...after.result.findings, stop], unsupported ? undefined : 'fail');
  progress.recordStep(id, {
    status: result.status === 'pass' ? 'fixed' : result.status,
    ...(inputs.inputs !== undefined ? { inputs: inputs.inputs as Record<string, unknown> } : {}),
  });
  await progress.save();
  info(`${(result.status === 'pass' ? 'FIXED' : result.status.toUpperCase()).padEnd(11)} ${id}${ok ? '' : `: the fix stopped: ${safeText(error ?? '')}${kept}`}`);
  // What the plan said a person must read or do, where the run leaves something undone.
  if (result.status !== 'pass') for (const w of plan.warnings ?? []) info(`            ! ${safeText(w)}`);
  return result;
}
