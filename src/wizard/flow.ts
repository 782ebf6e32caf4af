/**
 * The interactive wizard: one area at a time in guide order, each step lesson → check → findings
 * → choice → inputs → plan → confirm → apply → re-check, resumable from the progress file.
 * All prompts and prints live here and in the modules beside it; steps stay pure.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StepEntry } from '../../steps/index.js';
import type { Answers } from '../engine/answers.js';
import type { RunRegions } from '../engine/context.js';
import { regionsText } from '../engine/report.js';
import { COST_LABEL, planCost } from '../engine/cost.js';
import { resolveInputs } from '../engine/inputs.js';
import type { StepResult } from '../engine/result.js';
import type { CheckedStep } from '../engine/runner.js';
import { checkAll, checkStep, endsTheRun, errorResult, resultFor, tryPlanStep } from '../engine/runner.js';
import { safeTarget, safeText } from '../engine/safe-text.js';
import type { Session } from '../engine/session.js';
import { exitCodeFor } from '../engine/status.js';
import type { Area, Plan } from '../engine/types.js';
import { lessonsDir } from '../paths.js';
import type { ProgressStore } from '../progress/index.js';
import { loadLesson, renderMarkdown } from './lesson.js';
import { InquirerAsker, askReadLesson, askSkipReason, askStepChoice, confirmPlan } from './prompts.js';
import { findingsTable, header, planView, rootWarning, secretsView, stepHeader, wrapText } from './render.js';
import { saveScorecard, scorecardMarkdown, scorecardPath, scorecardTerminal } from './scorecard.js';
import { applyInteractive, applyWithTasks, rememberDecisions } from './apply.js';
import { withSpinner } from './tasks.js';

/** Thrown when the person chooses "save and quit". */
export class QuitRequested extends Error {
  constructor() {
    super('quit');
    this.name = 'QuitRequested';
  }
}

export interface WizardOptions {
  session: Session;
  progress: ProgressStore;
  entries: StepEntry[];
  answers: Answers;
  /** The run's regions at start and where they came from, for the header. */
  regions?: RunRegions & { error?: string };
  showLessons: boolean;
  /** Set by the SIGINT handler while no prompt is active. */
  interrupted: () => boolean;
  /** Aborted on Ctrl-C: a prompt open (or about to open) when the signal arrives ends at once. */
  signal?: AbortSignal;
  write?: (s: string) => void;
}

const FINISHED = new Set(['pass', 'fixed', 'skipped']);

function columns(): number {
  return Math.min(process.stdout.columns || 100, 110);
}

export class Wizard {
  private readonly write: (s: string) => void;
  private readonly asker: InquirerAsker;
  private readonly results = new Map<string, StepResult>();
  /** The last inputs given per step, so a declined plan does not mean typing everything again. */
  private readonly lastInputs = new Map<string, unknown>();

  constructor(private readonly o: WizardOptions) {
    this.write = o.write ?? ((s) => process.stdout.write(s));
    this.asker = new InquirerAsker({ context: this.prompt });
  }

  private get prompt(): { signal?: AbortSignal } {
    return this.o.signal ? { signal: this.o.signal } : {};
  }

  private line(s = ''): void {
    this.write(s + '\n');
  }

  private checkInterrupted(): void {
    if (this.o.interrupted()) throw new QuitRequested();
  }

  async run(): Promise<number> {
    const { session, progress, entries } = this.o;
    this.line(header(safeTarget(session.target)));
    if (this.o.regions) this.line(safeText(regionsText(this.o.regions)));
    if (session.target.isRoot) this.line(rootWarning());
    const ids = entries.map((e) => e.meta.id);
    if (progress.isNew) {
      const areas = [...new Set(entries.map((e) => e.meta.area))];
      const welcome = [
        `Welcome. This walks you through ${ids.length} step${ids.length === 1 ? '' : 's'} in ${areas.length === 1 ? `the ${areas[0]} area` : `${areas.length} areas (${areas.join(', ')})`}.`,
        'Each step: a short lesson, a read-only check, and a fix only if you agree to the exact changes it shows.',
        'Press Ctrl-C or choose "Save and quit" at any time: your progress is saved and the next run picks up here.',
      ];
      this.line('\n' + welcome.flatMap((l) => wrapText(l, columns())).join('\n'));
    }
    const savedAt = progress.data.updatedAt;
    const done = ids.filter((id) => FINISHED.has(progress.stepStatus(id) ?? ''));
    if (!progress.isNew && done.length) await this.recheckFinished(done);
    const still = ids.filter((id) => FINISHED.has(progress.stepStatus(id) ?? ''));
    const first = progress.firstUnfinished(ids);
    if (!progress.isNew && still.length) {
      this.line(
        first
          ? `Resuming at ${first}: ${still.length} of ${ids.length} steps ${still.length === 1 ? 'is' : 'are'} already done (progress saved ${savedAt.slice(0, 16).replace('T', ' ')} UTC).`
          : `All ${ids.length} steps were already done in an earlier run; showing the scorecard.`,
      );
    }
    let areaShown: Area | undefined;
    for (const [i, entry] of entries.entries()) {
      const id = entry.meta.id;
      if (FINISHED.has(progress.stepStatus(id) ?? '')) continue;
      if (areaShown !== entry.meta.area) {
        areaShown = entry.meta.area;
        await this.areaIntro(entry.meta.area);
      }
      try {
        await this.walkStep(entry, i + 1, entries.length);
      } catch (err) {
        // One step's failure never takes the run down: it is that step's error, and the next step comes.
        if (endsTheRun(err)) throw err;
        await this.stepError(errorResult(entry, err), 'This step could not be completed');
      }
    }
    return this.finish();
  }

  /**
   * Steps finished in an earlier run are checked again (read-only, in parallel): the account may
   * have changed since, or a private sandbox started afresh. One that fails now is back on the list.
   */
  private async recheckFinished(done: string[]): Promise<void> {
    const { progress, entries, session } = this.o;
    const recorded = entries.filter((e) => done.includes(e.meta.id) && progress.stepStatus(e.meta.id) !== 'skipped');
    if (!recorded.length) return;
    const checked = await withSpinner(`Checking the ${recorded.length} step(s) finished earlier`, () => checkAll(recorded, session.ctx), {});
    const regressed = checked.filter((c) => c.result.status !== 'pass');
    for (const c of checked) if (c.result.status === 'pass') this.results.set(c.entry.meta.id, c.result);
    for (const c of regressed) {
      const before = progress.data.steps[c.entry.meta.id];
      this.line(`${c.entry.meta.id} was ${before?.status ?? 'done'} on ${(before?.at ?? '').slice(0, 10)} but ${c.result.status === 'fail' ? 'fails' : `is ${c.result.status}`} now: it is back on the list.`);
      progress.recordStep(c.entry.meta.id, { status: c.result.status, message: 'changed since the earlier run' });
    }
    if (regressed.length) {
      await progress.save();
      if (session.sandbox?.private)
        this.line('(A private sandbox starts from the day-one scenario every time. To keep one between sessions: secure-start sandbox start.)');
    }
  }

  private async areaIntro(area: Area): Promise<void> {
    const { entries } = this.o;
    this.line('');
    this.line(`━━ Area: ${area} ━━`);
    const here = entries.filter((e) => e.meta.area === area).map((e) => e.meta.id.slice(area.length + 1));
    this.line(wrapText(`In this run (${here.length} step${here.length === 1 ? '' : 's'}): ${here.join(', ')}.`, columns()).join('\n'));
    if (!this.o.showLessons) return;
    const md = await readFile(join(lessonsDir(), area, 'README.md'), 'utf8').catch(() => undefined);
    if (md && (await askReadLesson(this.prompt, `Read the overview of the ${area} area?`))) this.line(renderMarkdown(md, columns()));
  }

  private async walkStep(entry: StepEntry, n: number, total: number): Promise<void> {
    const { session, progress } = this.o;
    const m = entry.meta;
    this.line('');
    this.line(stepHeader(safeTarget(session.target), `Step ${n} of ${total} · ${m.id} · ${m.severity}`));
    this.line(`${m.title}`);
    if (this.o.showLessons && (await askReadLesson(this.prompt, `Read the lesson on ${m.id}?`)))
      this.line(renderMarkdown(await loadLesson(m.lesson), columns()));
    this.checkInterrupted();
    let checked = await this.check(entry);
    let shown: CheckedStep | undefined;
    for (;;) {
      this.checkInterrupted();
      const r = checked.result;
      this.results.set(m.id, r);
      // Findings once per check; not again after the plan or an explanation.
      if (shown !== checked) this.line(findingsTable(r.findings, columns()));
      shown = checked;
      if (r.status === 'pass') {
        this.line('✓ Already secure. Nothing to change.');
        progress.recordStep(m.id, { status: 'pass' });
        await progress.save();
        return;
      }
      if (r.status === 'error' || r.status === 'unsupported') {
        this.line(r.status === 'unsupported' ? 'This endpoint cannot answer for this step; moving on.' : 'This step could not be checked; the message above says why.');
        progress.recordStep(m.id, { status: r.status, ...(r.error ? { message: r.error } : {}) });
        await progress.save();
        // An endpoint that lacks the API will not grow it between two checks.
        const again = r.status === 'error' && (await this.asker.confirm({ message: 'Check it again?', default: false }));
        if (again) {
          checked = await this.check(entry);
          continue;
        }
        return;
      }
      const choice = await askStepChoice(this.prompt, { canFix: m.fix.kind !== 'advice', hasPlan: true });
      if (choice === 'quit') throw new QuitRequested();
      if (choice === 'skip') {
        const reason = await askSkipReason(this.prompt);
        progress.recordStep(m.id, { status: 'skipped', reason });
        await progress.save();
        this.results.set(m.id, { ...r, status: 'skipped' });
        return;
      }
      if (choice === 'explain') {
        this.explain(entry, await loadLesson(m.lesson));
        continue;
      }
      if (choice === 'plan') {
        const spec = checked.step.inputs;
        if (spec?.requiredInAnswers && !this.lastInputs.has(m.id) && !(m.id in this.o.answers)) {
          this.line('The changes depend on what you enter (this fix needs your input). Choose "Fix it": you will see the exact plan, and can still say no, before anything changes.');
          continue;
        }
        const inputs = this.initialInputs(checked);
        const planned = await tryPlanStep(checked, session.ctx, inputs);
        if (!planned.ok) return this.stepError(planned.result);
        this.showPlan(entry, planned.plan);
        continue;
      }
      // fix
      const fixed = await this.fix(entry, checked);
      checked = fixed.checked;
      if (fixed.done) return;
    }
  }

  /** A step that could not be checked, planned or applied: says why, records `error`, and the walk moves on. */
  private async stepError(result: StepResult, what?: string): Promise<void> {
    const { progress } = this.o;
    const message = result.error ?? 'unknown error';
    this.line(wrapText(safeText(what ? `${what}: ${message}` : message), columns()).join('\n'));
    this.line('Moving on to the next step; run the wizard again to come back to this one.');
    this.results.set(result.step, result);
    progress.recordStep(result.step, { status: result.status, ...(result.error ? { message: result.error } : {}) });
    await progress.save();
  }

  private explain(entry: StepEntry, lesson: string): void {
    const m = entry.meta;
    this.line(renderMarkdown(lesson, columns()));
    const refs = [...(m.references.cis ?? []).map((c) => `CIS AWS Foundations ${c}`), ...(m.references.fsbp ?? []).map((f) => `AWS FSBP ${f}`)];
    if (refs.length) this.line(`References: ${refs.join(' · ')}`);
    for (const d of m.references.docs ?? []) this.line(`  ${d}`);
    this.line(`Fix: ${m.fix.kind} · cost: ${COST_LABEL[m.fix.costScale]}, ${m.fix.cost} · risk: ${m.fix.risk}`);
  }

  private async check(entry: StepEntry, why = 'Checking'): Promise<CheckedStep> {
    return withSpinner(`${why} ${entry.meta.id} (read-only)`, () => checkStep(entry, this.o.session.ctx), {});
  }

  private initialInputs(checked: CheckedStep): unknown {
    const spec = checked.step.inputs;
    if (!spec) return undefined;
    if (this.lastInputs.has(checked.entry.meta.id)) return this.lastInputs.get(checked.entry.meta.id);
    const fromAnswers = resolveInputs(checked.step, checked.result.findings, this.o.answers[checked.entry.meta.id]);
    return fromAnswers.ok && fromAnswers.fromAnswers ? fromAnswers.inputs : spec.defaults(checked.result.findings);
  }

  private showPlan(entry: StepEntry, plan: Plan): void {
    if (!plan.actions.length && !plan.guidance) this.line('The plan is empty: nothing would change.');
    else this.line(planView(entry.meta, plan));
  }

  private async fix(entry: StepEntry, checked: CheckedStep): Promise<{ done: boolean; checked: CheckedStep }> {
    const { session, progress } = this.o;
    const m = entry.meta;
    let inputs = this.initialInputs(checked);
    if (checked.step.inputs) {
      inputs = await checked.step.inputs.ask(this.asker, inputs, checked.result.findings);
      const valid = checked.step.inputs.schema.safeParse(inputs);
      if (!valid.success) {
        this.line(`Those inputs are not valid: ${safeText(valid.error.issues[0]?.message ?? 'unknown problem')}. Let's try again.`);
        return { done: false, checked };
      }
      inputs = valid.data;
      this.lastInputs.set(m.id, inputs);
    }
    // The account may have changed since the check: plan from a fresh look.
    const fresh = await this.check(entry, 'Looking again before planning');
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
    this.showPlan(entry, plan);
    if (!plan.actions.length) {
      await this.remember(fresh, inputs);
      if (plan.guidance) {
        const again = await this.asker.confirm({ message: 'Done that? Check again now?', default: true });
        return { done: false, checked: again ? await this.check(entry) : fresh };
      }
      return { done: false, checked: fresh };
    }
    const destructive = m.fix.destructive || plan.actions.some((a) => a.destructive);
    if (!(await confirmPlan({ destructive, paid: planCost(m, plan).paid }, this.prompt))) {
      this.line('Nothing was changed.');
      return { done: false, checked: fresh };
    }
    const outcome = plan.interactive
      ? await applyInteractive(m.id, plan, session.ctx, progress, (t) => this.write(t), this.asker)
      : await applyWithTasks(m.id, plan, session.ctx, progress, { renderer: 'default', interrupted: this.o.interrupted });
    if (outcome.secrets.length) this.line(secretsView(outcome.secrets));
    if (!outcome.ok) {
      this.line(`The fix stopped: ${safeText(outcome.error ?? 'unknown error')}. Changes made before it are in the progress journal.`);
      progress.recordStep(m.id, { status: 'fail', message: outcome.error ?? '' });
      await progress.save();
      this.checkInterrupted();
      return { done: false, checked: await this.check(entry) };
    }
    await this.remember(fresh, inputs);
    const after = await this.check(entry, 'Checking the result of');
    const storedInputs = inputs !== undefined ? { inputs: inputs as Record<string, unknown> } : {};
    if (after.result.status === 'pass') {
      this.line(findingsTable(after.result.findings, columns()));
      this.line(`✓ Fixed: ${m.title}`);
      progress.recordStep(m.id, { status: 'fixed', ...storedInputs });
      await progress.save();
      this.results.set(m.id, after.result);
      return { done: true, checked: after };
    }
    this.line('Applied, but the check still finds something (below). Fix again with other values, or skip to record that you accept it as it is.');
    progress.recordStep(m.id, { status: after.result.status, ...storedInputs });
    await progress.save();
    return { done: false, checked: after };
  }

  private async remember(checked: CheckedStep, inputs: unknown): Promise<void> {
    const regions = await rememberDecisions(checked.step, inputs, this.o.session, this.o.progress);
    if (regions) this.line(`From now on, regional steps work on: ${regions.join(', ')}.`);
  }

  /** The regions as they stand at the end (account.regions may have changed them during the run). */
  private async finalRegions(): Promise<(RunRegions & { error?: string }) | undefined> {
    const start = this.o.regions;
    if (!start || start.source === 'home-region' || start.error) return start;
    return this.o.session.ctx.regionInfo().catch(() => start);
  }

  /** The scorecard: this run's results, and earlier decisions from the progress file. */
  private async finish(): Promise<number> {
    const { progress, entries, session } = this.o;
    const results: StepResult[] = entries.map((e) => {
      const r = this.results.get(e.meta.id);
      const recorded = progress.data.steps[e.meta.id];
      if (recorded?.status === 'skipped') return { ...(r ?? resultFor(e, [])), status: 'skipped' };
      if (r) return r;
      const status = recorded ? (recorded.status === 'fixed' ? 'pass' : recorded.status) : 'skipped';
      return resultFor(e, [], status);
    });
    const decisions = Object.fromEntries(
      Object.entries(progress.data.steps).map(([id, s]) => [id, { status: s.status, ...(s.reason ? { reason: s.reason } : {}), at: s.at }]),
    );
    const regions = await this.finalRegions();
    const card = { target: session.target, results, decisions, generatedAt: new Date(), ...(regions ? { regions } : {}) };
    const path = scorecardPath(progress.file);
    await saveScorecard(path, scorecardMarkdown(card));
    this.line('');
    this.line(scorecardTerminal(card));
    this.line(`Scorecard saved to ${path}`);
    return exitCodeFor(results);
  }
}
