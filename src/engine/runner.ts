/**
 * Runs steps: check (read-only, in parallel with bounded concurrency), plan (after a fresh check),
 * apply (action by action, journalled, stopping at the first failure) and re-check.
 */
import { describeError, errorKind } from '../aws/errors.js';
import type { RunContext } from './context.js';
import type { StepResult } from './result.js';
import { stepStatus } from './status.js';
import type { ActionIO, ActionOutcome, AnyStep, Finding, Plan, PlanAction, Status, StepEntry } from './types.js';
import { mapLimit } from './concurrency.js';

export { mapLimit };

export interface CheckedStep {
  entry: StepEntry;
  step: AnyStep;
  result: StepResult;
}

export function resultFor(entry: StepEntry, findings: Finding[], status?: Status, error?: string): StepResult {
  const m = entry.meta;
  return {
    step: m.id,
    area: m.area,
    title: m.title,
    severity: m.severity,
    status: status ?? stepStatus(findings),
    references: m.references,
    findings,
    ...(error ? { error } : {}),
  };
}

/**
 * A step's result when something it called threw: `unsupported` on the endpoint's own word that it
 * lacks the API, else `error`, with one line naming the cause (the refused operation and the
 * permission it needs, for AccessDenied). `findings` (what a check found before) are kept.
 */
export function errorResult(entry: StepEntry, err: unknown, opts: { permissions?: string[]; findings?: Finding[]; what?: string } = {}): StepResult {
  const status: Status = errorKind(err) === 'unsupported' ? 'unsupported' : 'error';
  const message = `${opts.what ? `${opts.what}: ` : ''}${describeError(err, { permissions: opts.permissions ?? entry.meta.permissions.check })}`;
  const finding: Finding = { status, resource: entry.meta.id, region: 'global', message };
  return resultFor(entry, [...(opts.findings ?? []), finding], status, message);
}

/**
 * Errors that end the whole run rather than one step: the person's own (a bad flag or answers
 * file), the progress file's (lost lock, a file that cannot be written), and Ctrl-C at a prompt.
 */
export function endsTheRun(err: unknown): boolean {
  const name = (err as { name?: string } | undefined)?.name ?? '';
  return ['UserError', 'ProgressError', 'SandboxError', 'ExitPromptError', 'AbortPromptError', 'QuitRequested'].includes(name);
}

/** Checks one step; an AWS error becomes an `error` or `unsupported` result, never a throw. */
export async function checkStep(entry: StepEntry, ctx: RunContext): Promise<CheckedStep> {
  const step = await entry.load();
  const wasReadOnly = ctx.factory.readOnly;
  ctx.factory.readOnly = true;
  try {
    const findings = await step.check(ctx);
    return { entry, step, result: resultFor(entry, findings) };
  } catch (err) {
    return { entry, step, result: errorResult(entry, err) };
  } finally {
    ctx.factory.readOnly = wasReadOnly;
  }
}

/**
 * Checks a step again after the person changed something (by hand, or through a fix): every shared
 * read is dropped first, so the check sees the account as it is now, not as the first check saw it.
 */
export async function recheckStep(entry: StepEntry, ctx: RunContext): Promise<CheckedStep> {
  ctx.accountChanged();
  return checkStep(entry, ctx);
}

/** Checks the entries, at most `concurrency` (default 4) at a time, in registry order. */
export async function checkAll(
  entries: readonly StepEntry[],
  ctx: RunContext,
  opts: { concurrency?: number; onDone?: (c: CheckedStep) => void } = {},
): Promise<CheckedStep[]> {
  return mapLimit(entries, opts.concurrency ?? 4, async (entry) => {
    const checked = await checkStep(entry, ctx);
    opts.onDone?.(checked);
    return checked;
  });
}

/** Builds the plan for a step's failing findings. Read-only: the factory refuses any mutation meanwhile. */
export async function planStep(checked: CheckedStep, ctx: RunContext, inputs: unknown): Promise<Plan> {
  const wasReadOnly = ctx.factory.readOnly;
  ctx.factory.readOnly = true;
  try {
    return await checked.step.plan(ctx, checked.result.findings, inputs);
  } finally {
    ctx.factory.readOnly = wasReadOnly;
  }
}

/** What `tryPlanStep` gives: the plan, or the step's `error` result naming what could not be read. */
export type PlanOutcome = { ok: true; plan: Plan } | { ok: false; result: StepResult; error: unknown };

/** The message a step gets when its plan cannot be built. */
export const PLAN_FAILED = 'Could not plan the fix';

/** planStep, with an AWS error turned into the step's result (as checkStep does): the run goes on. */
export async function tryPlanStep(checked: CheckedStep, ctx: RunContext, inputs: unknown): Promise<PlanOutcome> {
  try {
    return { ok: true, plan: await planStep(checked, ctx, inputs) };
  } catch (err) {
    if (endsTheRun(err)) throw err;
    return { ok: false, error: err, result: errorResult(checked.entry, err, { findings: checked.result.findings, what: PLAN_FAILED }) };
  }
}

export interface JournalEntry {
  step: string;
  service: string;
  operation: string;
  region: string;
  params: Record<string, unknown>;
  result: 'ok' | 'failed';
  error?: string;
  output?: Record<string, unknown>;
  at: string;
  inverse?: { summary: string; service: string; operation: string; region: string; params: Record<string, unknown> };
  /** This entry undid the applied entry at that position of the journal. */
  undoes?: number;
}

export interface ApplyResult {
  ok: boolean;
  applied: number;
  error?: string;
  /** The change it stopped at failed because the endpoint does not implement that API (its own word, as errorKind reads it). */
  unsupported?: boolean;
  /** One-time secrets to show the person once; never stored. */
  secrets: { label: string; value: string }[];
}

/** Applies one action with mutations allowed only for its duration; returns the journal entry. */
export async function applyAction(
  stepId: string,
  action: PlanAction,
  ctx: RunContext,
  io?: ActionIO,
): Promise<{ entry: JournalEntry; outcome?: ActionOutcome; error?: unknown }> {
  const base = {
    step: stepId,
    service: action.service,
    operation: action.operation,
    region: action.region,
    params: action.params,
    at: new Date().toISOString(),
    ...(action.inverse ? { inverse: { summary: action.inverse.summary, service: action.inverse.service, operation: action.inverse.operation, region: action.inverse.region, params: action.inverse.params } } : {}),
  };
  ctx.factory.readOnly = false;
  try {
    const outcome = (await action.run(ctx, io)) ?? undefined;
    return { entry: { ...base, result: 'ok', ...(outcome?.output ? { output: outcome.output } : {}) }, ...(outcome ? { outcome } : {}) };
  } catch (err) {
    return { entry: { ...base, result: 'failed', error: describeError(err) }, error: err };
  } finally {
    ctx.factory.readOnly = true;
    ctx.accountChanged();
  }
}

/** Applies a plan in order, journalling each action, stopping at the first failure. */
export async function applyPlan(
  stepId: string,
  plan: Plan,
  ctx: RunContext,
  journal: (e: JournalEntry) => Promise<void> | void,
  shouldStop: () => boolean = () => false,
): Promise<ApplyResult> {
  const secrets: ApplyResult['secrets'] = [];
  let applied = 0;
  for (const action of plan.actions) {
    if (shouldStop()) return { ok: false, applied, error: 'Stopped before all changes were made.', secrets };
    const { entry, outcome, error } = await applyAction(stepId, action, ctx);
    await journal(entry);
    if (entry.result === 'failed')
      return { ok: false, applied, error: `${action.summary}: ${entry.error}`, ...(errorKind(error) === 'unsupported' ? { unsupported: true } : {}), secrets };
    applied++;
    if (outcome?.secrets) secrets.push(...outcome.secrets);
  }
  return { ok: true, applied, secrets };
}
