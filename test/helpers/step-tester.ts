/**
 * StepTester: one table of cases per step, in the spirit of ESLint's RuleTester. Each case runs
 * against the shared moto_server (reset first): seed → check → plan → apply → re-check → a second
 * plan, which must be empty. The table itself is checked before any case runs: unique names, a
 * failing case states the operations its plan makes, a passing case plans nothing, inputs pass the
 * step's schema.
 *
 * Also here: `makeSandboxContext()` for other sandbox tests, `recordCheckAndPlan()` to see which
 * requests check and plan really send, and `ScriptedAsker` to drive a step's questions in unit tests.
 */
import { describe, expect, it } from 'vitest';
import { iamActionFor } from '../../src/aws/actions.js';
import { ClientFactory, isReadOnlyOperation } from '../../src/aws/factory.js';
import { RunContext } from '../../src/engine/context.js';
import { formatZodError, resolveInputs } from '../../src/engine/inputs.js';
import { applyPlan, checkStep, planStep } from '../../src/engine/runner.js';
import type { CheckedStep, JournalEntry } from '../../src/engine/runner.js';
import { STATUSES } from '../../src/engine/types.js';
import type { Asker, Finding, Plan, Status, Step, Target, Validator } from '../../src/engine/types.js';
import { SANDBOX_CREDENTIALS, SANDBOX_REGION } from '../../src/sandbox/constants.js';
import type { AnyStep, StepEntry } from '../../steps/index.js';
import { describeRequest, downloadRecording, motoEndpoint, resetMoto, startRecording, stopRecording } from './moto.js';
import type { DescribedRequest } from './moto.js';
import { fixDiff, FIX_ALLOWANCES, uncovered } from './permissions.js';
import type { SentRequest } from './permissions.js';

/** The account moto answers for. */
export const SANDBOX_ACCOUNT_ID = '123456789012';

export interface SandboxContextOptions {
  /** Defaults to the suite's moto (this worker's, from test/helpers/moto.ts). */
  endpoint?: string;
  /** Called by the factory for every request it lets through, with the command's input. */
  onRequest?: (service: string, operation: string, input?: unknown) => void;
  /** The run's regions for regional steps; default: the sandbox's home region only. */
  regions?: string[];
}

/** A fresh client factory and run context for the sandbox account, read-only until something says otherwise. */
export function makeSandboxContext(opts: SandboxContextOptions = {}): RunContext {
  const endpoint = opts.endpoint ?? motoEndpoint();
  const factory = new ClientFactory({
    region: SANDBOX_REGION,
    endpoint,
    credentials: { ...SANDBOX_CREDENTIALS },
    maxAttempts: 1,
    userAgent: 'secure-start-test',
    ...(opts.onRequest ? { onRequest: opts.onRequest } : {}),
  });
  const target: Target = {
    accountId: SANDBOX_ACCOUNT_ID,
    principalArn: `arn:aws:iam::${SANDBOX_ACCOUNT_ID}:user/moto`,
    isRoot: false,
    sandbox: true,
    endpoint,
    partition: 'aws',
    homeRegion: SANDBOX_REGION,
  };
  const regions = opts.regions ?? [SANDBOX_REGION];
  return new RunContext(target, factory, async () => [...regions]);
}

export interface StepCase {
  /** Unique in the table. */
  name: string;
  /** The run's regions (regional steps); default: the sandbox's home region only. */
  regions?: string[];
  /** Makes the account this case starts from (mutations allowed). Often the step's own `seed`. */
  seed?: (ctx: RunContext) => Promise<void>;
  /** The answers-file entry for the step; omitted: what `fix --yes` would use without one. */
  inputs?: unknown;
  expectStatus: Status;
  /** Matched in order, one per finding, each with `expect.objectContaining`. */
  expectFindings?: Partial<Finding>[];
  /** `service:Operation` of each planned action, in order. Required when the step fails. */
  expectOperations?: string[];
  /** Status after applying the plan: default `pass` when something was applied, else `expectStatus`. */
  expectAfter?: Status;
  /** Findings of the re-check, matched like `expectFindings`: what the fix left behind. */
  expectFindingsAfter?: Partial<Finding>[];
}

/** Refuses a table that cannot be a meaningful test, before any case runs (as RuleTester does). */
/**
 * A fresh emulator with `seed` applied (writes allowed only while seeding), then the step's check
 * on it: the starting point of tests that look past the case table at one plan.
 */
export async function checkedWith(step: AnyStep, seed: (ctx: RunContext) => Promise<void>): Promise<{ ctx: RunContext; checked: CheckedStep }> {
  await resetMoto();
  const ctx = makeSandboxContext();
  ctx.factory.readOnly = false;
  await seed(ctx);
  ctx.factory.readOnly = true;
  ctx.invalidate();
  const checked = await checkStep({ meta: step.meta, load: async () => step }, ctx);
  return { ctx, checked };
}

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
    if (c.expectStatus === 'pass' && ops?.length) problems.push(`${label} expects a pass, and a passing step must plan nothing`);
    if (ops?.some((o) => !/^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$/.test(o))) problems.push(`${label}: expectOperations are written service:Operation`);
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

function operations(plan: Plan): string[] {
  return plan.actions.map((a) => `${a.service}:${a.operation}`);
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

async function seedWith(ctx: RunContext, seed: (ctx: RunContext) => Promise<void>): Promise<void> {
  ctx.factory.readOnly = false;
  try {
    await seed(ctx);
  } finally {
    ctx.factory.readOnly = true;
    ctx.invalidate();
  }
}

/** What each step's cases sent while applying, for the both-ways diff of its fix permissions. */
const appliedBy = new Map<string, { cases: number; done: number; applied: SentRequest[] }>();

async function runCase(step: AnyStep, c: StepCase): Promise<void> {
  await resetMoto();
  // Every request after the seed, by phase: reads (check, plan, re-check, second plan) and the fix.
  const sent = { read: [] as SentRequest[], fix: [] as SentRequest[], phase: 'seed' as 'seed' | 'read' | 'fix' };
  const ctx = makeSandboxContext({
    ...(c.regions ? { regions: c.regions } : {}),
    onRequest: (service, operation, input) => void (sent.phase !== 'seed' && sent[sent.phase].push({ service, operation, input })),
  });
  const entry = entryFor(step);
  try {
    if (c.seed) await seedWith(ctx, c.seed);

    sent.phase = 'read';
    const first = await checkStep(entry, ctx);
    expect(first.result.status, `status after the check:\n${explain(first)}`).toBe(c.expectStatus);
    for (const f of first.result.findings) {
      expect(f.message.trim(), 'every finding says something').not.toBe('');
      expect(f.resource, 'every finding names its resource').toBeTruthy();
      expect(f.region, 'every finding names its region (or global)').toBeTruthy();
    }
    if (c.expectFindings) expect(first.result.findings).toEqual(c.expectFindings.map((f) => expect.objectContaining(f)));

    const plan = await planStep(first, ctx, inputsFor(step, first, c.inputs));
    const ops = operations(plan);
    expect(ops, 'planned operations').toEqual(c.expectOperations ?? []);
    for (const a of plan.actions) {
      expect(a.summary, 'a one-line summary').toMatch(/^[^\n]+$/);
      expect(step.meta.permissions.fix, 'a planned operation is declared in meta.permissions.fix').toContain(iamActionFor(a.service, a.operation));
    }

    expect(uncovered(step.meta, 'check', sent.read, SANDBOX_ACCOUNT_ID), 'what check and plan read is allowed by `policy --for check`').toEqual([]);

    if (plan.actions.length) {
      sent.phase = 'fix';
      const journal: JournalEntry[] = [];
      const applied = await applyPlan(step.meta.id, plan, ctx, (e) => {
        journal.push(e);
      });
      expect(applied.error ?? 'ok', 'applying the plan').toBe('ok');
      expect(journal.map((e) => e.result)).toEqual(plan.actions.map(() => 'ok'));
      expect(uncovered(step.meta, 'fix', sent.fix, SANDBOX_ACCOUNT_ID), 'what the fix sends is allowed by `policy --for fix`').toEqual([]);
      sent.phase = 'read';
    }

    const after = await checkStep(entry, ctx);
    expect(after.result.status, `status after the fix:\n${explain(after)}`).toBe(c.expectAfter ?? (ops.length ? 'pass' : c.expectStatus));
    if (c.expectFindingsAfter) expect(after.result.findings).toEqual(c.expectFindingsAfter.map((f) => expect.objectContaining(f)));
    const again = await planStep(after, ctx, inputsFor(step, after, c.inputs));
    expect(operations(again), 'a second plan after the fix is empty').toEqual([]);
    expect(uncovered(step.meta, 'check', sent.read, SANDBOX_ACCOUNT_ID), 'what the re-check and second plan read is allowed by `policy --for check`').toEqual([]);
    const tally = appliedBy.get(step.meta.id);
    if (tally) {
      tally.applied.push(...sent.fix);
      tally.done++;
    }
  } finally {
    ctx.factory.destroy();
  }
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
  opts: { seed?: (ctx: RunContext) => Promise<void>; inputs?: unknown } = {},
): Promise<CheckAndPlanRecord> {
  await resetMoto();
  const sent: string[] = [];
  const ctx = makeSandboxContext({ onRequest: (service, operation) => sent.push(`${service}:${operation}`) });
  try {
    if (opts.seed) await seedWith(ctx, opts.seed);
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
  } finally {
    ctx.factory.destroy();
  }
}

/** One scripted answer; `null` (or '' for text) presses Enter and takes the prompt's default. */
export type ScriptedAnswer =
  | { text: string }
  | { number: number | null }
  | { confirm: boolean | null }
  | { select: string | null }
  | { checkbox: string[] };

type Kind = 'text' | 'number' | 'confirm' | 'select' | 'checkbox';

export interface AskedQuestion {
  kind: Kind;
  message: string;
  default?: unknown;
  /** The names shown for a select or checkbox, in order. */
  choices?: string[];
  /** Answers the prompt's validation refused, with its messages, before the accepted one. */
  rejected: { answer: unknown; message: string }[];
  answer: unknown;
}

/**
 * An Asker that plays a script, as a person at the keyboard would: Enter takes the default, an
 * answer the validation refuses is shown its message and the next scripted answer is typed.
 * It throws when asked something the script did not expect, so a test states every question.
 */
export class ScriptedAsker implements Asker {
  readonly asked: AskedQuestion[] = [];
  readonly notes: string[] = [];
  private readonly script: ScriptedAnswer[];

  constructor(script: ScriptedAnswer[]) {
    this.script = [...script];
  }

  /** Answers not used yet: a finished dialogue leaves none. */
  get remaining(): number {
    return this.script.length;
  }

  private next<K extends Kind>(kind: K, message: string): Extract<ScriptedAnswer, Record<K, unknown>>[K] {
    const s = this.script.shift();
    if (!s) throw new Error(`Unscripted question (${kind}): ${message}`);
    if (!(kind in s)) throw new Error(`Asked ${kind} "${message}", but the script answers ${Object.keys(s)[0]}`);
    return (s as unknown as Record<K, Extract<ScriptedAnswer, Record<K, unknown>>[K]>)[kind];
  }

  private ask<T>(kind: Kind, message: string, dflt: unknown, take: () => T, check: (v: T) => true | string, choices?: { name: string }[]): T {
    const rejected: AskedQuestion['rejected'] = [];
    for (;;) {
      const answer = take();
      const verdict = check(answer);
      if (verdict === true) {
        this.asked.push({
          kind,
          message,
          ...(dflt !== undefined ? { default: dflt } : {}),
          ...(choices ? { choices: choices.map((c) => c.name) } : {}),
          rejected,
          answer,
        });
        return answer;
      }
      rejected.push({ answer, message: verdict });
    }
  }

  async text(q: { message: string; default?: string; validate?: Validator; required?: boolean }): Promise<string> {
    return this.ask(
      'text',
      q.message,
      q.default,
      () => {
        const typed = this.next('text', q.message);
        return typed === '' ? (q.default ?? '') : typed;
      },
      (v) => (q.required && !v ? 'A value is required.' : q.validate ? q.validate(v) : true),
    );
  }

  async number(q: { message: string; default?: number; min?: number; max?: number }): Promise<number> {
    return this.ask(
      'number',
      q.message,
      q.default,
      () => this.next('number', q.message) ?? q.default ?? Number.NaN,
      (v) =>
        Number.isNaN(v)
          ? 'Enter a number.'
          : q.min !== undefined && v < q.min
            ? `At least ${q.min}.`
            : q.max !== undefined && v > q.max
              ? `At most ${q.max}.`
              : true,
    );
  }

  async confirm(q: { message: string; default: boolean }): Promise<boolean> {
    return this.ask('confirm', q.message, q.default, () => this.next('confirm', q.message) ?? q.default, () => true);
  }

  async select<T extends string>(q: { message: string; choices: { value: T; name: string }[]; default?: T }): Promise<T> {
    const picked = this.next('select', q.message) ?? q.default ?? q.choices[0]?.value;
    const choice = q.choices.find((c) => c.value === picked);
    if (!choice) throw new Error(`"${picked}" is not a choice of "${q.message}": ${q.choices.map((c) => c.value).join(', ')}`);
    return this.ask('select', q.message, q.default, () => choice.value, () => true, q.choices);
  }

  async checkbox<T extends string>(q: { message: string; choices: { value: T; name: string; checked?: boolean }[]; required?: boolean }): Promise<T[]> {
    const picked = this.next('checkbox', q.message);
    const values = q.choices.map((c) => c.value);
    const unknown = picked.filter((p) => !values.includes(p as T));
    if (unknown.length) throw new Error(`Not choices of "${q.message}": ${unknown.join(', ')}`);
    return this.ask('checkbox', q.message, undefined, () => picked as T[], (v) => (q.required && !v.length ? 'Choose at least one.' : true), q.choices);
  }

  note(text: string): void {
    this.notes.push(text);
  }
}
