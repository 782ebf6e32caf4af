/**
 * One step of the wizard: title, lesson, check, findings, then the menu (fix, show the plan,
 * re-check, explain, skip, save and quit) until the step passes or the person moves on. Every
 * re-check, and every plan shown, starts from fresh reads: the person may have just changed the
 * account by hand.
 */
import type { StepEntry } from '../engine/types.js';
import type { Answers } from '../engine/answers.js';
import { planCost } from '../engine/cost.js';
import { resolveInputs } from '../engine/inputs.js';
import type { StepResult } from '../engine/result.js';
import type { CheckedStep } from '../engine/runner.js';
import { checkStep, endsTheRun, errorResult, recheckStep, tryPlanStep } from '../engine/runner.js';
import type { PlanOutcome } from '../engine/runner.js';
import { safeTarget, safeText } from '../engine/safe-text.js';
import type { Session } from '../engine/session.js';
import type { Plan } from '../engine/types.js';
import type { ProgressStore } from '../progress/index.js';
import { loadLesson, renderMarkdown } from './lesson.js';
import type { InquirerAsker, PromptContext } from './prompts.js';
import { askChallengeChoice, askReadLesson, askSkipReason, askStepChoice, confirmPlan } from './prompts.js';
import type { CliOptions } from './challenge.js';
import { HINT_LEVELS, hintInputs, HINT_NAMES, challengeSummary, hintText } from './challenge.js';
import { explainView, findingsTable, fitLines, planView, secretsView, stepHeader, wrapText } from './render.js';
import { applyInteractive, applyWithTasks, rememberDecisions } from './apply.js';
import { withSpinner } from './tasks.js';
import { wrap } from '../engine/wrap.js';
import { undoableEntries } from '../engine/undo.js';

/** Thrown when the person chooses "save and quit". */
export class QuitRequested extends Error {
  constructor() {
    super('quit');
    this.name = 'QuitRequested';
  }
}

export function columns(): number {
  return Math.min(process.stdout.columns || 100, 110);
}

export interface StepWalkOptions {
  session: Session;
  progress: ProgressStore;
  answers: Answers;
  showLessons: boolean;
  interrupted: () => boolean;
  prompt: PromptContext;
  asker: InquirerAsker;
  write: (s: string) => void;
  /** Shows a long text (a lesson) a page at a time where the output is a terminal. */
  page: (text: string) => Promise<void>;
  /** This run's results, by step id (the scorecard reads them). */
  results: Map<string, StepResult>;
  /**
   * Challenge mode (`--challenge`): no fix and no plan; the learner changes the account by hand and
   * asks to check their work; hints reveal the plan. `profile`: the learner's AWS CLI profile in a class.
   */
  challenge?: CliOptions;
}

const sameFindings = (a: StepResult, b: StepResult) => JSON.stringify(a.findings) === JSON.stringify(b.findings);

export class StepWalker {
  /** The last inputs given per step, so a declined plan does not mean typing everything again. */
  private readonly lastInputs = new Map<string, unknown>();

  constructor(private readonly o: StepWalkOptions) {}

  private line(s = ''): void {
    this.o.write(fitLines(s, process.stdout.columns || 80) + '\n');
  }

  /** A `✓` line: wrapped at spaces, its continuation under the text, not under the mark. */
  private done(text: string): void {
    this.line(wrap(text, columns(), { rest: '  ' }).join('\n'));
  }

  private checkInterrupted(): void {
    if (this.o.interrupted()) throw new QuitRequested();
  }

  /** Walks one step; its failure never takes the run down: it is that step's error, and the next step comes. */
  async walk(entry: StepEntry, n: number, total: number): Promise<void> {
    try {
      await this.walkStep(entry, n, total);
    } catch (err) {
      if (endsTheRun(err)) throw err;
      await this.stepError(errorResult(entry, err), 'This step could not be completed');
    } finally {
      if (this.o.challenge) await this.endVisit(entry.meta.id);
    }
  }

  /** Challenge mode: the clock on a step that does not pass starts when its check is shown. */
  private async startVisit(id: string, status: StepResult['status']): Promise<void> {
    const { progress } = this.o;
    if (progress.data.steps[id]?.challenge?.since) return;
    progress.recordChallenge(id, status, (c) => ({ ...c, since: new Date().toISOString() }));
    await progress.save();
  }

  /** Challenge mode: the time of this visit is added to the step's, whichever way the step was left. */
  private async endVisit(id: string): Promise<void> {
    const { progress } = this.o;
    const since = progress.data.steps[id]?.challenge?.since;
    if (!since || progress.closed) return;
    progress.recordChallenge(id, 'fail', ({ since: start, ...c }) => ({ ...c, timeMs: c.timeMs + Math.max(0, Date.now() - Date.parse(start ?? since)) }));
    // Leaving the step must not fail the run: the time is saved with the next save if not now.
    await progress.save().catch(() => undefined);
  }

  /** A step that could not be checked, planned or applied: says why, records `error`, and the walk moves on. */
  private async stepError(result: StepResult, what?: string): Promise<void> {
    const { progress } = this.o;
    const message = result.error ?? 'unknown error';
    this.line(wrapText(safeText(what ? `${what}: ${message}` : message), columns()).join('\n'));
    this.line('Moving on to the next step; run the wizard again to come back to this one.');
    this.o.results.set(result.step, result);
    progress.recordStep(result.step, { status: result.status, ...(result.error ? { message: result.error } : {}) });
    await progress.save();
  }

  private async walkStep(entry: StepEntry, n: number, total: number): Promise<void> {
    const { session, progress } = this.o;
    const m = entry.meta;
    this.line('');
    this.line(stepHeader(safeTarget(session.target), `Step ${n} of ${total} · ${m.id} · ${m.severity}`));
    this.line(`${m.title}`);
    if (this.o.showLessons && (await askReadLesson(this.o.prompt, `Read the lesson on ${m.id}?`)))
      await this.o.page(renderMarkdown(await loadLesson(m.lesson), columns()));
    this.checkInterrupted();
    let checked = await this.check(entry);
    const first = checked;
    let shown: CheckedStep | undefined;
    for (;;) {
      this.checkInterrupted();
      const r = checked.result;
      this.o.results.set(m.id, r);
      // Findings once per check; not again after the plan or an explanation.
      if (shown !== checked) this.line(findingsTable(r.findings, columns()));
      shown = checked;
      if (r.status === 'pass') {
        const challenge = progress.data.steps[m.id]?.challenge;
        if (challenge && !challenge.solvedAt) {
          // The learner's own change made it pass (in this visit, or between runs).
          progress.recordChallenge(m.id, 'pass', (ch) => ({ ...ch, solvedAt: new Date().toISOString() }));
          this.done(`✓ S${challengeSummary(progress.data.steps[m.id]!.challenge!).slice(1)}: ${m.title}`);
        } else this.done(checked === first ? '✓ Already secure. Nothing to change.' : `✓ Passes now: ${m.title}`);
        // A fix applied earlier (--redo) that still holds stays recorded as that fix, with its cost.
        if (progress.stepStatus(m.id) !== 'fixed') progress.recordStep(m.id, { status: 'pass' });
        await progress.save();
        return;
      }
      if (r.status === 'error' || r.status === 'unsupported') {
        this.line(r.status === 'unsupported' ? 'This endpoint cannot answer for this step; moving on.' : 'This step could not be checked; the message above says why.');
        progress.recordStep(m.id, { status: r.status, ...(r.error ? { message: r.error } : {}) });
        await progress.save();
        // An endpoint that lacks the API will not grow it between two checks.
        const again = r.status === 'error' && (await this.o.asker.confirm({ message: 'Check it again?', default: false }));
        if (again) {
          checked = await this.check(entry, 'Checking again', { fresh: true });
          continue;
        }
        return;
      }
      if (this.o.challenge) {
        await this.startVisit(m.id, r.status);
        const hintsUsed = progress.data.steps[m.id]?.challenge?.hints ?? 0;
        const turn = await askChallengeChoice(this.o.prompt, { hintsUsed, levels: HINT_LEVELS, names: HINT_NAMES });
        if (turn === 'quit') throw new QuitRequested();
        if (turn === 'skip') return this.skip(m.id, r);
        if (turn === 'explain') {
          await this.o.page(explainView(entry.meta, await loadLesson(m.lesson), columns()));
          continue;
        }
        // Check my work, or a hint: both from what the account holds now.
        const fresh = await this.check(entry, turn === 'check' ? 'Checking your work on' : 'Looking again before the hint on', { fresh: true });
        checked = fresh;
        // Passing now, or otherwise different: the loop shows it and goes on from there.
        if (fresh.result.status !== r.status || (turn === 'check' && !sameFindings(fresh.result, r))) continue;
        if (!sameFindings(fresh.result, r)) this.line(findingsTable(fresh.result.findings, columns()));
        shown = fresh;
        if (turn === 'check') {
          this.line('Not yet: the check finds the same as before.');
          continue;
        }
        await this.showHint(fresh, hintsUsed);
        continue;
      }
      const choice = await askStepChoice(this.o.prompt, { canFix: m.fix.kind !== 'advice', hasPlan: true, canRecheck: true });
      if (choice === 'quit') throw new QuitRequested();
      if (choice === 'skip') return this.skip(m.id, r);
      if (choice === 'explain') {
        await this.o.page(explainView(entry.meta, await loadLesson(m.lesson), columns()));
        continue;
      }
      if (choice === 'recheck') {
        checked = await this.check(entry, 'Checking again', { fresh: true });
        continue;
      }
      if (choice === 'plan') {
        const spec = checked.step.inputs;
        if (spec?.requiredInAnswers && !this.lastInputs.has(m.id) && !(m.id in this.o.answers)) {
          this.line('The changes depend on what you enter (this fix needs your input). Choose "Fix it": you will see the exact plan, and can still say no, before anything changes.');
          continue;
        }
        // A plan from what the account holds now, not from the first check.
        const fresh = await this.check(entry, 'Looking again before planning', { fresh: true });
        checked = fresh;
        // Passing now, or otherwise different: the loop shows the new findings and goes on from there.
        if (fresh.result.status !== r.status) continue;
        if (!sameFindings(fresh.result, r)) this.line(findingsTable(fresh.result.findings, columns()));
        shown = fresh;
        const planned = await tryPlanStep(fresh, session.ctx, this.initialInputs(fresh));
        if (!planned.ok) return this.stepError(planned.result);
        this.showPlan(fresh, planned.plan);
        continue;
      }
      // fix
      const fixed = await this.fix(entry, checked);
      checked = fixed.checked;
      if (fixed.shown) shown = checked;
      if (fixed.done) return;
    }
  }

  /** Accepts the step as is, with the reason the person gives. */
  private async skip(id: string, r: StepResult): Promise<void> {
    const { progress } = this.o;
    const reason = await askSkipReason(this.o.prompt);
    progress.recordStep(id, { status: 'skipped', reason });
    await progress.save();
    this.o.results.set(id, { ...r, status: 'skipped' });
  }

  /**
   * Challenge mode: the next hint (or the whole plan again, once all are used), from a plan worked
   * out as the fix would (the step's default inputs). A hint is counted when it is first shown.
   */
  private async showHint(checked: CheckedStep, used: number): Promise<void> {
    const { progress } = this.o;
    const m = checked.entry.meta;
    const { planned, unanswered } = await this.hintPlan(checked);
    if (!planned?.ok) {
      const why = planned
        ? (planned.result.error ?? 'unknown error')
        : `its fix needs values only you can give (${unanswered.map((q) => q.replace(/[.:?\s]+$/, '')).join('; ')}). "Explain more" says what they are for`;
      this.line(wrapText(safeText(`No hint can be worked out for this step: ${why}.`), columns()).join('\n'));
      return;
    }
    const level = Math.min(used + 1, HINT_LEVELS);
    if (used < HINT_LEVELS) {
      progress.recordChallenge(m.id, checked.result.status, (c) => ({ ...c, hints: level }));
      await progress.save();
    }
    // Laid out to the width already; not wrapped again, which would break a command in two.
    this.o.write(`${hintText(level, m, planned.plan, columns(), { canUndo: Boolean(checked.step.undo), ...this.o.challenge })}\n`);
  }

  /**
   * A hint's plan, worked out from the inputs given before or in the answers file, else from what
   * pressing Enter at every question gives (enterInputs), else from the step's defaults. Each set
   * of inputs is planned once. `unanswered`: questions without a default, which need the person's
   * own values (then there is no plan).
   */
  private async hintPlan(checked: CheckedStep): Promise<{ planned?: PlanOutcome; unanswered: string[] }> {
    const spec = checked.step.inputs;
    const id = checked.entry.meta.id;
    const tried = new Map<unknown, PlanOutcome>();
    const plan = async (inputs: unknown): Promise<PlanOutcome> => {
      let planned = tried.get(inputs);
      if (!planned) tried.set(inputs, (planned = await tryPlanStep(checked, this.o.session.ctx, inputs)));
      return planned;
    };
    if (!spec || this.lastInputs.has(id) || id in this.o.answers) return { planned: await plan(this.initialInputs(checked)), unanswered: [] };
    const entered = await hintInputs(spec, checked.result.findings, async (inputs) => {
      const planned = await plan(inputs);
      return planned.ok && planned.plan.actions.length > 0;
    });
    if (entered.ok) return { planned: await plan(entered.value), unanswered: [] };
    // Enter everywhere is not enough: questions without a default need the person's own values.
    return entered.unanswered.length ? { unanswered: entered.unanswered } : { planned: await plan(this.initialInputs(checked)), unanswered: [] };
  }

  /** Checks the step; `fresh` first drops every shared read of the run (a re-check after a change). */
  private async check(entry: StepEntry, why = 'Checking', { fresh = false } = {}): Promise<CheckedStep> {
    const ctx = this.o.session.ctx;
    return withSpinner(`${why} ${entry.meta.id} (read-only)`, () => (fresh ? recheckStep(entry, ctx) : checkStep(entry, ctx)), {});
  }

  private initialInputs(checked: CheckedStep): unknown {
    const spec = checked.step.inputs;
    if (!spec) return undefined;
    if (this.lastInputs.has(checked.entry.meta.id)) return this.lastInputs.get(checked.entry.meta.id);
    const fromAnswers = resolveInputs(checked.step, checked.result.findings, this.o.answers[checked.entry.meta.id]);
    return fromAnswers.ok && fromAnswers.fromAnswers ? fromAnswers.inputs : spec.defaults(checked.result.findings);
  }

  private showPlan(checked: CheckedStep, plan: Plan): void {
    if (!plan.actions.length && !plan.guidance) this.line('The plan is empty: nothing would change.');
    else this.line(planView(checked.entry.meta, plan, undefined, { canUndo: Boolean(checked.step.undo) }));
  }

  /** `shown`: the findings of the `checked` returned are on screen already. */
  private async fix(entry: StepEntry, checked: CheckedStep): Promise<{ done: boolean; checked: CheckedStep; shown?: boolean }> {
    const { session, progress } = this.o;
    const m = entry.meta;
    let inputs = this.initialInputs(checked);
    if (checked.step.inputs) {
      inputs = await checked.step.inputs.ask(this.o.asker, inputs, checked.result.findings);
      const valid = checked.step.inputs.schema.safeParse(inputs);
      if (!valid.success) {
        this.line(`Those inputs are not valid: ${safeText(valid.error.issues[0]?.message ?? 'unknown problem')}. Let's try again.`);
        return { done: false, checked };
      }
      inputs = valid.data;
      this.lastInputs.set(m.id, inputs);
    }
    // The account may have changed since the check: plan from a fresh look.
    const fresh = await this.check(entry, 'Looking again before planning', { fresh: true });
    if (fresh.result.status === 'pass') {
      this.line('It passes now; nothing to change.');
      return { done: false, checked: fresh };
    }
    const planned = await tryPlanStep(fresh, session.ctx, inputs);
    if (!planned.ok) {
      await this.stepError(planned.result);
      return { done: true, checked: fresh };
    }
    const plan = planned.plan;
    this.showPlan(fresh, plan);
    if (!plan.actions.length) {
      await this.remember(fresh, inputs);
      if (plan.guidance) {
        const again = await this.o.asker.confirm({ message: 'Done that? Check again now?', default: true });
        return { done: false, checked: again ? await this.check(entry, 'Checking again', { fresh: true }) : fresh };
      }
      return { done: false, checked: fresh };
    }
    const destructive = m.fix.destructive || plan.actions.some((a) => a.destructive);
    const cost = planCost(m, plan);
    if (!(await confirmPlan({ destructive, paid: cost.paid }, this.o.prompt))) {
      this.line('Nothing was changed.');
      return { done: false, checked: fresh };
    }
    const journalStart = progress.data.journal.length;
    const outcome = plan.interactive
      ? await applyInteractive(m.id, plan, session.ctx, progress, (t) => this.o.write(t), this.o.asker)
      : await applyWithTasks(m.id, plan, session.ctx, progress, { renderer: 'default', interrupted: this.o.interrupted });
    if (outcome.secrets.length) this.line(secretsView(outcome.secrets));
    if (!outcome.ok) {
      this.line(`The fix stopped: ${safeText(outcome.error ?? 'unknown error').replace(/[.\s]+$/, '')}. Changes made before it are in the progress journal.`);
      progress.recordStep(m.id, { status: 'fail', message: outcome.error ?? '' });
      await progress.save();
      this.checkInterrupted();
      return this.afterFailedFix(entry, await this.check(entry, 'Checking again', { fresh: true }), checked.step.undo ? journalStart : undefined, 'Undo what it changed');
    }
    await this.remember(fresh, inputs);
    const after = await this.check(entry, 'Checking the result of', { fresh: true });
    const storedInputs = inputs !== undefined ? { inputs: inputs as Record<string, unknown> } : {};
    if (after.result.status === 'pass') {
      this.line(findingsTable(after.result.findings, columns()));
      this.done(`✓ Fixed: ${m.title}`);
      progress.recordStep(m.id, { status: 'fixed', ...storedInputs, cost: { scale: cost.scale, detail: cost.detail } });
      await progress.save();
      this.o.results.set(m.id, after.result);
      const undone = await this.offerUndo(entry, checked.step.undo ? journalStart : undefined);
      return undone ? { done: false, checked: undone } : { done: true, checked: after };
    }
    this.line(afterFixLine(after.result.status));
    progress.recordStep(m.id, { status: after.result.status, ...storedInputs });
    await progress.save();
    return this.afterFailedFix(entry, after, checked.step.undo ? journalStart : undefined);
  }

  /**
   * A fix that changed something but does not pass (or stopped half way): what the check finds now,
   * then the offer to undo what it changed. Without the offer here, a step the endpoint cannot
   * read in full ends at once, and its changes could only be undone with `secure-start undo`.
   */
  private async afterFailedFix(entry: StepEntry, after: CheckedStep, since: number | undefined, label?: string): Promise<{ done: boolean; checked: CheckedStep; shown?: boolean }> {
    this.line(findingsTable(after.result.findings, columns()));
    const undone = await this.offerUndo(entry, since, label);
    return undone ? { done: false, checked: undone } : { done: false, checked: after, shown: true };
  }

  /**
   * Right after a fix that changed something (whether it passes now, still fails, or stopped half
   * way): go on, or undo this fix (the changes this run journalled for the step from `since`),
   * through the same flow as `secure-start undo`. Returns the step as checked after an undo that
   * changed something, else undefined.
   */
  private async offerUndo(entry: StepEntry, since: number | undefined, label = 'Undo this fix'): Promise<CheckedStep | undefined> {
    if (since === undefined) return undefined;
    const { progress, session } = this.o;
    const mine = undoableEntries(progress.data.journal).filter((e) => e.index >= since && e.step === entry.meta.id);
    if (!mine.length) return undefined;
    const next = await this.o.asker.select<'next' | 'undo'>({
      message: 'What next?',
      choices: [
        { value: 'next', name: 'Continue' },
        { value: 'undo', name: label, description: 'Put back what was there before; asks before it changes anything' },
      ],
      default: 'next',
    });
    if (next !== 'undo') return undefined;
    const { runUndo } = await import('./undo.js');
    const out = await runUndo({
      session,
      progress,
      registry: [entry],
      entries: mine,
      yes: false,
      asker: this.o.asker,
      write: (t) => this.o.write(t),
      columns: columns(),
      renderer: 'default',
      spinner: true,
      interrupted: this.o.interrupted,
    });
    if (!out.applied) return undefined;
    const checked = out.rechecked.get(entry.meta.id);
    if (checked) this.o.results.set(entry.meta.id, checked.result);
    return checked;
  }

  private async remember(checked: CheckedStep, inputs: unknown): Promise<void> {
    const regions = await rememberDecisions(checked.step, inputs, this.o.session, this.o.progress);
    if (regions) this.line(`From now on, regional steps work on: ${regions.join(', ')}.`);
  }
}

/** What the wizard says when a fix was applied and the re-check does not pass: what is left depends on why. */
export function afterFixLine(status: string): string {
  switch (status) {
    case 'unsupported':
      return 'Applied. Part of this step cannot be read on this endpoint (below), so it cannot show a pass here; the changes stay in the journal.';
    case 'manual':
      return 'Applied. What is left needs a person to look (below): do it by hand and re-check, or skip to record that you accept it.';
    case 'error':
      return 'Applied, but the re-check could not read everything (below); check it again once the cause is fixed.';
    default:
      return 'Applied, but the check still finds something (below). Fix again with other values, or skip to record that you accept it as it is.';
  }
}
