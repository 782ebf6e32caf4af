/**
 * Small helpers for a step's `undo(ctx, entry)` (types.ts, UndoVerdict), exported by the step kit.
 * A step reads the current state, compares it with what its fix wrote, and answers with one of
 * these verdicts.
 */
import { callOperation } from '../aws/call.js';
import type { PlanAction, UndoEntry, UndoVerdict } from './types.js';

/** Deep equality of JSON-like values, object keys in any order (arrays in order). */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

/** A JSON text with object keys sorted, for comparing and for showing a difference. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0)))
      : x,
  );
}

/**
 * The inverse the plan recorded before the fix, as an action that sends it as recorded. Use it
 * when the recorded params are the SDK input exactly; `summary` overrides the recorded one.
 */
export function recordedInverse(entry: UndoEntry, opts: { summary?: string; destructive?: boolean } = {}): PlanAction {
  const inv = entry.inverse;
  if (!inv) throw new Error(`The journal entry ${entry.index} (${entry.service}:${entry.operation}) recorded no inverse.`);
  return {
    service: inv.service,
    operation: inv.operation,
    region: inv.region,
    params: inv.params,
    summary: opts.summary ?? inv.summary,
    ...(opts.destructive ? { destructive: true } : {}),
    async run(ctx) {
      await callOperation(ctx, inv);
    },
  };
}

/** Undo with these actions. */
export function undoWith(...actions: PlanAction[]): UndoVerdict {
  return { kind: 'undo', actions };
}

/** The resource changed since the fix: `what` names it, `now` and `wrote` are shown side by side when given. */
export function drifted(what: string, detail?: { now: unknown; wrote: unknown }): UndoVerdict {
  const diff = detail ? ` Now: ${short(detail.now)}; the fix wrote: ${short(detail.wrote)}.` : '';
  return { kind: 'drifted', reason: `${what} changed after the fix, so undo leaves it alone rather than overwrite the newer change.${diff}` };
}

export function irreversible(reason: string): UndoVerdict {
  return { kind: 'irreversible', reason };
}

export function nothingToUndo(reason: string): UndoVerdict {
  return { kind: 'nothing', reason };
}

function short(v: unknown): string {
  const text = typeof v === 'string' ? v : canonical(v) ?? 'nothing';
  return text.length > 200 ? `${text.slice(0, 197)}…` : text;
}
