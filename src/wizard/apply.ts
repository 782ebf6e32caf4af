/**
 * Applies a plan as a listr2 task list: one task per action, each journalled and saved to the
 * progress file as soon as it returns, stopping at the first failure (or after Ctrl-C).
 */
import type { RunContext } from '../engine/context.js';
import { applyAction } from '../engine/runner.js';
import type { Plan } from '../engine/types.js';
import type { ProgressStore } from '../progress/index.js';
import { runTaskList } from './tasks.js';

export interface ApplyOutcome {
  ok: boolean;
  /** Why it stopped, when it did. */
  error?: string;
  /** One-time secrets for the screen only; the caller shows them once and keeps them nowhere. */
  secrets: { label: string; value: string }[];
}

export async function applyWithTasks(
  stepId: string,
  plan: Plan,
  ctx: RunContext,
  progress: ProgressStore,
  opts: { renderer: 'default' | 'simple' | 'silent'; titlePrefix?: string; interrupted?: () => boolean },
): Promise<ApplyOutcome> {
  const secrets: ApplyOutcome['secrets'] = [];
  let failure: string | undefined;
  const outcome = await runTaskList(
    plan.actions.map((action) => ({
      title: `${opts.titlePrefix ?? ''}${action.summary}`,
      run: async () => {
        if (opts.interrupted?.()) throw new Error('Stopped by Ctrl-C before this change.');
        const { entry, outcome: out } = await applyAction(stepId, action, ctx);
        progress.recordAction(entry);
        await progress.save();
        if (out?.secrets) secrets.push(...out.secrets);
        if (entry.result === 'failed') {
          failure = entry.error;
          throw new Error(entry.error);
        }
      },
    })),
    { renderer: opts.renderer, exitOnError: true },
  );
  return outcome.ok ? { ok: true, secrets } : { ok: false, error: failure ?? outcome.error ?? 'unknown error', secrets };
}
