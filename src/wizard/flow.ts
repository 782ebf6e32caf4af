/**
 * The interactive wizard: one area at a time in guide order, each step lesson → check → findings
 * → choice → inputs → plan → confirm → apply → re-check (step-walk.ts), resumable from the progress
 * file: a resumed run starts at the first open step, a step can be revisited from its area's
 * overview or with --redo, and the scorecard covers every step the progress file knows.
 * All prompts and prints live here and in the modules beside it; steps stay pure.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StepEntry } from '../engine/types.js';
import { registry } from '../../steps/index.js';
import type { Answers } from '../engine/answers.js';
import type { StepResult } from '../engine/result.js';
import { checkAll } from '../engine/runner.js';
import type { RunRegions } from '../engine/context.js';
import { regionsText } from '../engine/report.js';
import { safeTarget, safeText } from '../engine/safe-text.js';
import type { Session } from '../engine/session.js';
import { exitCodeFor } from '../engine/status.js';
import type { Area } from '../engine/types.js';
import { lessonsDir } from '../paths.js';
import type { ProgressStore } from '../progress/index.js';
import { renderMarkdown } from './lesson.js';
import { InquirerAsker, askReadLesson } from './prompts.js';
import { fitLines, header, rootWarning, wrapText } from './render.js';
import { showPaged } from './pager.js';
import { invokedAs } from '../engine/invocation.js';
import { appliedCosts, isFinished, scorecardResults, stepsToWalk } from './resume.js';
import { saveScorecard, scorecardMarkdown, scorecardPath, scorecardTerminal } from './scorecard.js';
import { QuitRequested, StepWalker, columns } from './step-walk.js';
import { withSpinner } from './tasks.js';
import { cliAccess, type CliOptions } from './challenge.js';

export { QuitRequested };

export interface WizardOptions {
  session: Session;
  progress: ProgressStore;
  entries: StepEntry[];
  answers: Answers;
  /** The run's regions at start and where they came from, for the header. */
  regions?: RunRegions & { error?: string };
  showLessons: boolean;
  /** Walk every selected step again, done or skipped (--redo). */
  redo?: boolean;
  /** The whole guide, for the scorecard (default: the registry). */
  guide?: readonly StepEntry[];
  /** Challenge mode (`--challenge`): the learner fixes by hand; `learner` names their account in a class. */
  challenge?: { learner?: string };
  /** How to run this wizard again, for hints ("… --redo"). */
  command?: string;
  /** Set by the SIGINT handler while no prompt is active. */
  interrupted: () => boolean;
  /** Aborted on Ctrl-C: a prompt open (or about to open) when the signal arrives ends at once. */
  signal?: AbortSignal;
  write?: (s: string) => void;
}

import { plural, wrapCommand } from '../engine/wrap.js';

/** How a recorded status reads in the area's step picker. */
const CHALLENGE_WELCOME =
  'Challenge mode: each step gives a short lesson and a read-only check; you make the change yourself (AWS CLI or console) and choose "Check my work". ' +
  'Hints reveal the fix in three levels; they are counted on your scorecard, with your time per step.';

/** The AWS CLI options of the hints, without the intro's lines. */
const profileOf = ({ lines: _, ...options }: CliOptions & { lines: string[] }): CliOptions => options;

const STATUS_WORD: Record<string, string> = {
  pass: 'passed',
  fixed: 'fixed',
  skipped: 'accepted as is',
  unsupported: 'not available here',
  fail: 'failing',
  error: 'could not be checked',
  manual: 'needs a look by hand',
};

export class Wizard {
  private readonly write: (s: string) => void;
  private readonly asker: InquirerAsker;
  private readonly results = new Map<string, StepResult>();
  private readonly walker: StepWalker;

  constructor(private readonly o: WizardOptions) {
    this.write = o.write ?? ((s) => process.stdout.write(s));
    this.asker = new InquirerAsker({ context: this.prompt });
    this.walker = new StepWalker({
      session: o.session,
      progress: o.progress,
      answers: o.answers,
      showLessons: o.showLessons,
      interrupted: o.interrupted,
      prompt: this.prompt,
      asker: this.asker,
      write: this.write,
      page: (text) => this.page(text),
      results: this.results,
      ...(o.challenge ? { challenge: profileOf(cliAccess(o.session.target, o.challenge.learner)) } : {}),
    });
  }

  private get prompt(): { signal?: AbortSignal } {
    return this.o.signal ? { signal: this.o.signal } : {};
  }

  /** A lesson: a page at a time on a terminal (or in $PAGER); whole when the output is not the terminal. */
  private async page(text: string): Promise<void> {
    if (this.o.write) this.line(text);
    else await showPaged(text);
  }

  private line(s = ''): void {
    this.write(fitLines(s, process.stdout.columns || 80) + '\n');
  }

  async run(): Promise<number> {
    const { session, progress, entries } = this.o;
    const redo = this.o.redo ?? false;
    this.line(header(safeTarget(session.target)));
    if (this.o.regions) this.line(safeText(regionsText(this.o.regions)));
    if (session.target.isRoot) this.line(rootWarning());
    const ids = entries.map((e) => e.meta.id);
    if (progress.isNew) {
      const areas = [...new Set(entries.map((e) => e.meta.area))];
      const welcome = [
        `Welcome. This walks you through ${plural(ids.length, 'step')} in ${areas.length === 1 ? `the ${areas[0]} area` : `${areas.length} areas (${areas.join(', ')})`}.`,
        'Each step: a short lesson, a read-only check, and a fix only if you agree to the exact changes it shows.',
        'Press Ctrl-C or choose "Save and quit" at any time: your progress is saved and the next run picks up here.',
      ];
      if (this.o.challenge) welcome.splice(1, 1, CHALLENGE_WELCOME);
      this.line('\n' + welcome.flatMap((l) => wrapText(l, columns())).join('\n'));
    }
    if (this.o.challenge) this.challengeIntro(progress.isNew);
    const savedAt = progress.data.updatedAt;
    const status = (id: string) => progress.stepStatus(id);
    if (!progress.isNew && !redo) await this.recheckFinished(ids.filter((id) => isFinished(status(id))));
    const walk = new Set(stepsToWalk(ids, status, { redo }));
    const done = ids.filter((id) => isFinished(status(id)));
    if (redo) {
      this.line(wrapText(`Going through ${plural(ids.length, 'step')} again (--redo), including those done or accepted as is before.`, columns()).join('\n'));
    } else if (!progress.isNew && done.length) {
      const first = ids.find((id) => walk.has(id));
      const text = first
        ? `Resuming at ${first}: ${done.length} of ${plural(ids.length, 'step')} ${done.length === 1 ? 'is' : 'are'} already done (progress saved ${savedAt.slice(0, 16).replace('T', ' ')} UTC).`
        : `All ${plural(ids.length, 'step')} ${ids.length === 1 ? 'was' : 'were'} already done or accepted as is in an earlier run; showing the scorecard. ` +
          `To go through ${ids.length === 1 ? 'it' : 'them'} again, run:`;
      this.line(wrapText(text, columns()).join('\n'));
      // The command on a line of its own, whole, to copy.
      if (!first) this.line(`  ${this.o.command ?? 'secure-start'} --redo`);
    }
    for (const area of [...new Set(entries.map((e) => e.meta.area))]) {
      const inArea = entries.filter((e) => e.meta.area === area);
      if (!inArea.some((e) => walk.has(e.meta.id))) continue;
      await this.areaIntro(area, inArea, redo);
      for (const entry of inArea) {
        // A step revisited from the area's picker may have been finished meanwhile.
        if (!redo && isFinished(status(entry.meta.id))) continue;
        await this.walker.walk(entry, ids.indexOf(entry.meta.id) + 1, ids.length);
      }
    }
    return this.finish();
  }

  /** Challenge mode: how to reach this account with the AWS CLI, said at every start. */
  private challengeIntro(welcomed: boolean): void {
    const { lines } = cliAccess(this.o.session.target, this.o.challenge?.learner);
    this.line('');
    if (!welcomed) this.line(wrapText('Challenge mode: no fix is shown. Make each change yourself, then choose "Check my work".', columns()).join('\n'));
    // A command on lines of its own, continued with a backslash where it must break, to copy whole.
    for (const l of lines) this.line((l.startsWith('  ') ? wrapCommand(safeText(l.trim()), columns(), '  ') : wrapText(safeText(l), columns())).join('\n'));
  }

  /**
   * Steps finished in an earlier run are checked again (read-only, in parallel): the account may
   * have changed since, or a private sandbox started afresh. One that fails now is back on the list.
   * Skipped steps stay the person's decision; unsupported ones stay unsupported on this endpoint.
   */
  private async recheckFinished(done: string[]): Promise<void> {
    const { progress, entries, session } = this.o;
    const recorded = entries.filter((e) => done.includes(e.meta.id) && !['skipped', 'unsupported'].includes(progress.stepStatus(e.meta.id) ?? ''));
    if (!recorded.length) return;
    const checked = await withSpinner(`Checking the ${plural(recorded.length, 'step')} finished earlier`, () => checkAll(recorded, session.ctx), {});
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
        this.line(`(A private sandbox starts from the day-one scenario every time. To keep one between sessions: ${invokedAs()} sandbox start.)`);
    }
  }

  /**
   * The area's heading, its overview (offered once: the progress file remembers it), and, when some
   * of its steps are already finished, a choice of where to go: on with the open steps, or back to
   * any step of the area.
   */
  private async areaIntro(area: Area, inArea: StepEntry[], redo: boolean): Promise<void> {
    const { progress } = this.o;
    this.line('');
    this.line(`━━ Area: ${area} ━━`);
    const here = inArea.map((e) => e.meta.id.slice(area.length + 1));
    this.line(wrapText(`In this run (${plural(here.length, 'step')}): ${here.join(', ')}.`, columns()).join('\n'));
    if (this.o.showLessons && !progress.overviewSeen(area)) {
      const md = await readFile(join(lessonsDir(), area, 'README.md'), 'utf8').catch(() => undefined);
      if (md) {
        const read = await askReadLesson(this.prompt, `Read the overview of the ${area} area?`);
        progress.markOverviewSeen(area);
        await progress.save();
        if (read) await this.page(renderMarkdown(md, columns()));
      }
    }
    if (!redo) await this.pickInArea(inArea);
  }

  /** While the area has finished steps, the person may revisit any of them before going on. */
  private async pickInArea(inArea: StepEntry[]): Promise<void> {
    const { progress, entries } = this.o;
    const ids = entries.map((e) => e.meta.id);
    for (;;) {
      const status = (e: StepEntry) => progress.stepStatus(e.meta.id);
      const open = inArea.filter((e) => !isFinished(status(e)));
      if (open.length === inArea.length || !open.length) return;
      const GO = '__go_on__';
      const choice = await this.asker.select<string>({
        message: `Where to in the ${inArea[0]!.meta.area} area?`,
        choices: [
          { value: GO, name: `Go on with the next open step: ${open[0]!.meta.id}${open.length > 1 ? ` (${open.length} open)` : ''}` },
          ...inArea.map((e) => {
            const st = status(e);
            return isFinished(st)
              ? { value: e.meta.id, name: `Revisit ${e.meta.id} (${STATUS_WORD[st ?? ''] ?? st})` }
              : { value: e.meta.id, name: `Go to ${e.meta.id} (${st ? STATUS_WORD[st] ?? st : 'open'})` };
          }),
        ],
        default: GO,
      });
      if (choice === GO) return;
      const entry = inArea.find((e) => e.meta.id === choice)!;
      await this.walker.walk(entry, ids.indexOf(choice) + 1, ids.length);
    }
  }

  /** The regions as they stand at the end (account.regions may have changed them during the run). */
  private async finalRegions(): Promise<(RunRegions & { error?: string }) | undefined> {
    const start = this.o.regions;
    if (!start || start.source === 'home-region' || start.error) return start;
    return this.o.session.ctx.regionInfo().catch(() => start);
  }

  /** The scorecard: every step this run selected or the progress file records, with accepted risks and costs. */
  private async finish(): Promise<number> {
    const { progress, entries, session } = this.o;
    const guide = this.o.guide ?? registry;
    const selected = new Set(entries.map((e) => e.meta.id));
    const results = scorecardResults(guide, selected, progress.data.steps, this.results);
    const decisions = Object.fromEntries(
      Object.entries(progress.data.steps).map(([id, s]) => [id, { status: s.status, ...(s.reason ? { reason: s.reason } : {}), at: s.at }]),
    );
    const regions = await this.finalRegions();
    const challenge = Object.fromEntries(Object.entries(progress.data.steps).flatMap(([id, s]) => (s.challenge ? [[id, { ...s.challenge }]] : [])));
    const card = {
      target: session.target,
      results,
      decisions,
      costs: appliedCosts(guide, progress.data.steps, progress.data.journal),
      generatedAt: new Date(),
      ...(regions ? { regions } : {}),
      ...(Object.keys(challenge).length ? { challenge } : {}),
    };
    const path = scorecardPath(progress.file);
    await saveScorecard(path, scorecardMarkdown(card));
    this.line('');
    this.line(scorecardTerminal(card));
    this.line(`Scorecard saved to ${path}`);
    // The exit code speaks for this run's selection; earlier areas are on the card for the record.
    return exitCodeFor(results.filter((r) => selected.has(r.step)));
  }
}
