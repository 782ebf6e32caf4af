/**
 * StepTester: one table of cases per step, in the spirit of ESLint's RuleTester. Each case runs
 * against the shared moto_server (reset first): seed → check → plan → apply → re-check → a second
 * plan, which must be empty. A case names the run's regions (`regions`), and regions that cannot be
 * reached (`unreachable`, through a fault-injecting proxy), so multi-region cases live in the table
 * too. The table itself is checked before any case runs: unique names, a failing case states the
 * operations its plan makes, a passing case plans nothing, inputs pass the step's schema.
 *
 * Also here: `recordCheckAndPlan()` to see which requests check and plan really send. Contexts for
 * other sandbox tests are in ./sandbox.ts (re-exported here), `ScriptedAsker` in ./scripted-asker.ts.
 */
import { describe, expect, it } from 'vitest';
import { iamActionFor } from '../../src/aws/actions.js';
import { isReadOnlyOperation } from '../../src/aws/factory.js';
import type { RunContext } from '../../src/engine/context.js';
import { formatZodError, resolveInputs } from '../../src/engine/inputs.js';
import { applyPlan, checkStep, planStep } from '../../src/engine/runner.js';
import type { CheckedStep, JournalEntry } from '../../src/engine/runner.js';
import { STATUSES } from '../../src/engine/types.js';
import type { AnyStep, Finding, Plan, Status, Step, StepEntry, UndoVerdict } from '../../src/engine/types.js';
import { applyUndo, undoableEntries, undoVerdicts } from '../../src/engine/undo.js';
import { describeRequest, downloadRecording, startRecording, stopRecording } from './moto.js';
import type { DescribedRequest } from './moto.js';
import { fixDiff, FIX_ALLOWANCES, uncovered } from './permissions.js';
import type { SentRequest } from './permissions.js';
import { inSandbox, SANDBOX_ACCOUNT_ID } from './sandbox.js';

export { checkedWith, inSandbox, makeSandboxContext, SANDBOX_ACCOUNT_ID, seedWith, withChecked } from './sandbox.js';
export type { SandboxContextOptions, SandboxRunOptions } from './sandbox.js';
export { ScriptedAsker } from './scripted-asker.js';
export type { AskedQuestion, ScriptedAnswer } from './scripted-asker.js';

export interface StepCase {
  /** Unique in the table. */
  name: string;
  /** The run's regions (regional steps); default: the sandbox's home region only. */
  regions?: string[];
  /** Regions of `regions` whose every request is dropped (a fault proxy in front of moto): each must come out an `error`. */
  unreachable?: string[];
  /** Makes the account this case starts from (mutations allowed). Often the step's own `seed`. */
  seed?: (ctx: RunContext) => Promise<void>;
  /** The answers-file entry for the step; omitted: what `fix --yes` would use without one. */
  inputs?: unknown;
  expectStatus: Status;
  /** Matched in order, one per finding, each with `expect.objectContaining`. */
  expectFindings?: Partial<Finding>[];
  /**
   * `service:Operation` of each planned action, in order; `service:Operation@region` pins the
   * action's region too (`@global` for a global one). Required when the step fails.
   */
  expectOperations?: string[];
  /** More about the first plan than its operations (parameters, cost, warnings). Requests it sends are not counted as the step's. */
  expectPlan?: (plan: Plan, ctx: RunContext) => void | Promise<void>;
  /** The account right after the fix, with the fix's journal, before the re-check. Requests it sends are not counted as the step's. */
  expectApplied?: (ctx: RunContext, journal: JournalEntry[]) => void | Promise<void>;
  /** Status after applying the plan: default `pass` when something was applied, else `expectStatus`. */
  expectAfter?: Status;
  /** Findings of the re-check, matched like `expectFindings`: what the fix left behind. */
  expectFindingsAfter?: Partial<Finding>[];
  /**
   * After the fix, the case undoes it (when the step has `undo`, as every step with an automatic
   * fix must): the verdict of each applied change, newest first, and then the check must read
   * exactly as before the fix. Default: every change `undo`. When some change is `irreversible`
   * (or `nothing`), say so here and give `findingsAfterUndo`: what the check reads afterwards.
   */
  expectUndo?: { kinds: UndoVerdict['kind'][]; findingsAfterUndo?: Partial<Finding>[] };
}

/** Refuses a table that cannot be a meaningful test, before any case runs (as RuleTester does). */
export function validateCases(step: AnyStep, cases: readonly StepCase[]): void {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [i, c] of cases.entries()) {
    const label = c.name ? `"${c.name}"` : `case ${i + 1}`;
    if (!c.name?.trim()) problems.push(`${label} has no name`);
    else if (seen.has(c.name)) problems.push(`${label} appears more than once`);
    seen.add(c.name);
    for (const s of [c.expectStatus, c.expectAfter]) if (s !== undefined && !STATUSES.includes(s)) problems.push(`${label}: unknown status "${s}"`);
    const ops = c.expectOperations;
    if (c.expectStatus === 'fail' && !ops?.length)
      problems.push(`${label} expects the step to fail but states no expectOperations: say what the plan must do`);
    if (c.regions && (!c.regions.length || new Set(c.regions).size !== c.regions.length)) problems.push(`${label}: regions must name at least one region, each once`);
    const regions = c.regions ?? ['us-east-1'];
    if (c.unreachable?.some((r) => !regions.includes(r)) || (c.unreachable && c.unreachable.length >= regions.length))
      problems.push(`${label}: unreachable regions are some of the case's regions, never all of them`);
    if (c.expectStatus === 'pass' && ops?.length) problems.push(`${label} expects a pass, and a passing step must plan nothing`);
    if (ops?.some((o) => !/^[a-z0-9-]+:[A-Z][A-Za-z0-9]+(@[a-z0-9-]+)?$/.test(o))) problems.push(`${label}: expectOperations are written service:Operation or service:Operation@region`);
    const spec = step.inputs;
    if (c.inputs !== undefined) {
      if (!spec) problems.push(`${label} gives inputs, but the step takes none`);
      else {
        const parsed = spec.schema.safeParse(c.inputs);
        if (!parsed.success) problems.push(`${label}: inputs do not match the step's schema (${formatZodError(parsed.error)})`);
      }
    } else if (spec?.requiredInAnswers && ops?.length) problems.push(`${label} expects changes, and the step needs inputs to make them`);
  }
  if (problems.length) throw new Error(`Invalid StepTester cases for ${step.meta.id}:\n- ${problems.join('\n- ')}`);
}

function entryFor(step: AnyStep): StepEntry {
  return { meta: step.meta, load: async () => step };
}

/** The plan's operations, each with its region where the expectation at the same place names one. */
function operations(plan: Plan, expected: readonly string[] = []): string[] {
  return plan.actions.map((a, i) => `${a.service}:${a.operation}${expected[i]?.includes('@') ? `@${a.region}` : ''}`);
}

/** A check's findings as comparable lines (status, region, resource, message), sorted. */
function findingsText(checked: CheckedStep): string[] {
  return checked.result.findings.map((f) => `${f.status} ${f.region} ${f.resource}: ${f.message}`).sort();
}

function explain(checked: CheckedStep): string {
  return checked.result.findings.map((f) => `${f.status}: ${f.message}`).join('\n') || '(no findings)';
}

/** The inputs a run would use: the case's answers, else the step's defaults (when those may be applied unasked, or nothing is to change). */
function inputsFor(step: AnyStep, checked: CheckedStep, given: unknown): unknown {
  if (!step.inputs) return undefined;
  const resolved = resolveInputs(step, checked.result.findings, given);
  if (resolved.ok) return resolved.inputs;
  if (given === undefined) return step.inputs.defaults(checked.result.findings);
  throw new Error(resolved.message);
}

/** What each step's cases sent while applying, for the both-ways diff of its fix permissions. */
const appliedBy = new Map<string, { cases: number; done: number; applied: SentRequest[] }>();

async function runCase(step: AnyStep, c: StepCase): Promise<void> {
  // Every request after the seed, by phase: reads (check, plan, re-check, second plan) and the fix.
  // The case's own looks at the account (expectPlan, expectApplied) count as 'test', like the seed.
  const sent = { read: [] as SentRequest[], fix: [] as SentRequest[], phase: 'test' as 'test' | 'read' | 'fix' };
  const ownLook = async (look: () => void | Promise<void>) => {
    const phase = sent.phase;
    sent.phase = 'test';
    try {
      await look();
    } finally {
      sent.phase = phase;
    }
  };
  const entry = entryFor(step);
  const opts = {
    ...(c.regions ? { regions: c.regions } : {}),
    ...(c.unreachable ? { unreachable: c.unreachable } : {}),
    ...(c.seed ? { seed: c.seed } : {}),
    onRequest: (service: string, operation: string, input?: unknown) => void (sent.phase !== 'test' && sent[sent.phase].push({ service, operation, input })),
  };
  const undoJournal: JournalEntry[] = [];
  await inSandbox(opts, async (ctx) => {
    sent.phase = 'read';
    const first = await checkStep(entry, ctx);
    expect(first.result.status, `status after the check:\n${explain(first)}`).toBe(c.expectStatus);
    for (const f of first.result.findings) {
      expect(f.message.trim(), 'every finding says something').not.toBe('');
      expect(f.resource, 'every finding names its resource').toBeTruthy();
      expect(f.region, 'every finding names its region (or global)').toBeTruthy();
    }
    if (c.expectFindings) expect(first.result.findings).toEqual(c.expectFindings.map((f) => expect.objectContaining(f)));
    for (const r of c.unreachable ?? [])
      expect(first.result.findings.filter((f) => f.region === r).map((f) => f.status), `findings of unreachable ${r}`).toEqual(['error']);

    const plan = await planStep(first, ctx, inputsFor(step, first, c.inputs));
    const ops = operations(plan, c.expectOperations);
    expect(ops, 'planned operations').toEqual(c.expectOperations ?? []);
    for (const a of plan.actions) {
      expect(a.summary, 'a one-line summary').toMatch(/^[^\n]+$/);
      expect(step.meta.permissions.fix, 'a planned operation is declared in meta.permissions.fix').toContain(iamActionFor(a.service, a.operation));
    }
    if (c.unreachable) expect(plan.actions.filter((a) => c.unreachable!.includes(a.region)), 'no action in an unreachable region').toEqual([]);
    if (c.expectPlan) await ownLook(() => c.expectPlan!(plan, ctx));

    expect(uncovered(step.meta, 'check', sent.read, SANDBOX_ACCOUNT_ID), 'what check and plan read is allowed by `policy --for check`').toEqual([]);

    if (plan.actions.length) {
      sent.phase = 'fix';
      const journal: JournalEntry[] = [];
      const applied = await applyPlan(step.meta.id, plan, ctx, (e) => {
        journal.push(e);
      });
      undoJournal.push(...journal);
      expect(applied.error ?? 'ok', 'applying the plan').toBe('ok');
      expect(journal.map((e) => e.result)).toEqual(plan.actions.map(() => 'ok'));
      expect(uncovered(step.meta, 'fix', sent.fix, SANDBOX_ACCOUNT_ID), 'what the fix sends is allowed by `policy --for fix`').toEqual([]);
      sent.phase = 'read';
      if (c.expectApplied) await ownLook(() => c.expectApplied!(ctx, journal));
    }

    const after = await checkStep(entry, ctx);
    expect(after.result.status, `status after the fix:\n${explain(after)}`).toBe(c.expectAfter ?? (ops.length ? 'pass' : c.expectStatus));
    if (c.expectFindingsAfter) expect(after.result.findings).toEqual(c.expectFindingsAfter.map((f) => expect.objectContaining(f)));
    const again = await planStep(after, ctx, inputsFor(step, after, c.inputs));
    expect(operations(again), 'a second plan after the fix is empty').toEqual([]);
    expect(uncovered(step.meta, 'check', sent.read, SANDBOX_ACCOUNT_ID), 'what the re-check and second plan read is allowed by `policy --for check`').toEqual([]);
    if (plan.actions.length && step.undo) {
      // Undo, as `secure-start undo` would with a person who says yes to everything: verdicts
      // read-only (within `policy --for check`), inverse actions within `policy --for fix`.
      const items = await undoVerdicts(ctx, [entry], undoableEntries(undoJournal, { steps: [step.meta.id] }));
      const why = items.map((i) => `${i.entry.operation}: ${i.kind}${i.kind === 'undo' ? '' : ` (${i.reason})`}`).join('\n');
      expect(items.map((i) => i.kind), `undo verdicts of the applied changes, newest first:\n${why}`).toEqual(c.expectUndo?.kinds ?? undoJournal.map(() => 'undo'));
      for (const i of items) if (i.kind !== 'undo') expect(i.reason.trim(), 'a change undo leaves says why').not.toBe('');
      expect(uncovered(step.meta, 'check', sent.read, SANDBOX_ACCOUNT_ID), 'what undo reads is allowed by `policy --for check`').toEqual([]);
      sent.phase = 'fix';
      const undone = await applyUndo(ctx, items, (e) => void undoJournal.push(e));
      expect(undone.error ?? 'ok', 'applying the undo').toBe('ok');
      expect(uncovered(step.meta, 'fix', sent.fix, SANDBOX_ACCOUNT_ID), 'what undo sends is allowed by `policy --for fix`').toEqual([]);
      sent.phase = 'read';
      ctx.invalidate();
      const reverted = await checkStep(entry, ctx);
      if (c.expectUndo?.findingsAfterUndo) expect(reverted.result.findings).toEqual(c.expectUndo.findingsAfterUndo.map((f) => expect.objectContaining(f)));
      else expect(findingsText(reverted), 'after the undo, the check reads as before the fix').toEqual(findingsText(first));
    }
    const tally = appliedBy.get(step.meta.id);
    if (tally) {
      tally.applied.push(...sent.fix);
      tally.done++;
    }
  });
}

/** Declares one vitest test per case (inside a `describe` named after the step). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function runStepCases(step: Step<any>, cases: StepCase[]): void {
  validateCases(step, cases);
  const tally = { cases: cases.length, done: 0, applied: [] as SentRequest[] };
  appliedBy.set(step.meta.id, tally);
  describe(`${step.meta.id}: check → plan → apply → re-check`, () => {
    for (const c of cases) it(c.name, () => runCase(step, c));
    // After the cases (vitest runs a file's tests in order): only meaningful when every case ran and passed.
    it('declares exactly the fix permissions its cases used (policy --for fix)', (t) => {
      if (tally.done < tally.cases) t.skip(`only ${tally.done} of ${tally.cases} cases ran to the end`);
      const { missing, extra } = fixDiff(step.meta, tally.applied, SANDBOX_ACCOUNT_ID);
      expect(missing, 'sent by the fix (implied actions included) but not in meta.permissions.fix').toEqual([]);
      const allowed = FIX_ALLOWANCES[step.meta.id] ?? {};
      expect(extra, `declared in meta.permissions.fix but never sent by these cases${Object.keys(allowed).length ? ' (allowances aside)' : ''}`).toEqual([]);
    });
  });
}

/** Whether a request moto recorded only reads: an RPC action name the factory counts as a read, or a REST GET/HEAD. */
export function isReadRequest(d: DescribedRequest): boolean {
  const rest = /^([A-Z]+) (\/\S*)$/.exec(d.action);
  if (!rest) return isReadOnlyOperation(d.action);
  // REST-JSON APIs such as Account name the operation in the path: POST /getAlternateContact.
  const named = /^\/([a-z]+[A-Z]\w*)$/.exec(rest[2]!);
  if (named) return isReadOnlyOperation(named[1]![0]!.toUpperCase() + named[1]!.slice(1));
  return rest[1] === 'GET' || rest[1] === 'HEAD';
}

export interface CheckAndPlanRecord {
  checked: CheckedStep;
  plan: Plan;
  /** `Service:Operation` of every request the factory let through, in order. */
  sent: string[];
  /** What moto received, in order. */
  recorded: DescribedRequest[];
}

/** Resets moto, seeds, then records what check and plan send, as the factory sees it and as moto receives it. */
export async function recordCheckAndPlan(
  step: AnyStep,
  opts: { seed?: (ctx: RunContext) => Promise<unknown>; inputs?: unknown; regions?: string[] } = {},
): Promise<CheckAndPlanRecord> {
  const sent: string[] = [];
  const { seed, regions } = opts;
  return inSandbox({ ...(seed ? { seed } : {}), ...(regions ? { regions } : {}), onRequest: (service, operation) => sent.push(`${service}:${operation}`) }, async (ctx) => {
    sent.length = 0;
    await startRecording();
    let checked: CheckedStep;
    let plan: Plan;
    try {
      checked = await checkStep(entryFor(step), ctx);
      plan = await planStep(checked, ctx, inputsFor(step, checked, opts.inputs));
    } finally {
      await stopRecording();
    }
    const recorded = (await downloadRecording()).map(describeRequest).filter((d) => !d.action.includes('/moto-api/'));
    return { checked, plan, sent, recorded };
  });
}
