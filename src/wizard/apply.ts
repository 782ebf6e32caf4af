/**
 * Applies a plan as a listr2 task list: one task per action, each journalled and saved to the
 * progress file as soon as it returns, stopping at the first failure (or after Ctrl-C).
 */
import { errorKind } from '../aws/errors.js';
import type { RunContext } from '../engine/context.js';
import { applyAction } from '../engine/runner.js';
import { safeText } from '../engine/safe-text.js';
import type { Session } from '../engine/session.js';
import type { ActionIO, Plan } from '../engine/types.js';
import type { AnyStep } from '../engine/types.js';
import type { ProgressStore } from '../progress/index.js';
import { InquirerAsker } from './prompts.js';
import { secretsView } from './render.js';
import { runTaskList } from './tasks.js';

export interface ApplyOutcome {
  ok: boolean;
  /** Why it stopped, when it did. */
  error?: string;
  /** It stopped at a change the endpoint does not implement (errorKind `unsupported`). */
  unsupported?: boolean;
  /** The summaries of the changes made before it stopped (applyWithTasks). */
  made?: string[];
  /** One-time secrets for the screen only; the caller shows them once and keeps them nowhere. */
  secrets: { label: string; value: string }[];
}

/**
 * A plan that needs a person while it runs (ActionIO: codes from an MFA app, say) cannot sit inside
 * a live task list, which would redraw over its prompts: its actions run one after another in plain
 * lines, each secret shown once as it arrives and kept nowhere.
 */
export async function applyInteractive(
  stepId: string,
  plan: Plan,
  ctx: RunContext,
  progress: ProgressStore,
  write: (s: string) => void = (s) => process.stdout.write(s),
  asker: InquirerAsker = new InquirerAsker(),
): Promise<ApplyOutcome> {
  const io: ActionIO = {
    asker,
    secret: async (s) => {
      write(secretsView([{ label: s.label, value: s.value }]) + '\n');
      if (s.qr) write((await qrText(s.qr)) + '\n');
    },
  };
  const secrets: ApplyOutcome['secrets'] = [];
  for (const action of plan.actions) {
    write(`→ ${safeText(action.summary)}\n`);
    const { entry, outcome } = await applyAction(stepId, action, ctx, io);
    progress.recordAction(entry);
    await progress.save();
    if (outcome?.secrets) secrets.push(...outcome.secrets);
    if (entry.result === 'failed') return { ok: false, error: safeText(entry.error ?? 'unknown error'), secrets };
    write(`✔ ${safeText(action.summary)}\n`);
  }
  return { ok: true, secrets };
}

/** A QR code drawn with half-height blocks so it fits a terminal; qrcode loads only when needed. */
export async function qrText(text: string): Promise<string> {
  try {
    const { default: qrcode } = await import('qrcode');
    return await qrcode.toString(text, { type: 'terminal', small: true });
  } catch {
    return '(QR code unavailable here: type the key above into your app instead)';
  }
}

/** Saves what a fixed step decided for the rest of the run (the regions chosen in account.regions). */
export async function rememberDecisions(step: AnyStep, inputs: unknown, session: Session, progress: ProgressStore): Promise<string[] | undefined> {
  const decided = step.remember?.(inputs);
  if (!decided?.regions?.length) return undefined;
  progress.setRegions(decided.regions);
  await progress.save();
  session.recordedRegions = [...decided.regions];
  session.recordedIn = progress.file;
  session.ctx.setRegions(decided.regions, progress.file);
  return decided.regions;
}

export async function applyWithTasks(
  stepId: string,
  plan: Plan,
  ctx: RunContext,
  progress: ProgressStore,
  opts: { renderer: 'default' | 'simple' | 'silent'; titlePrefix?: string; interrupted?: () => boolean },
): Promise<ApplyOutcome> {
  const secrets: ApplyOutcome['secrets'] = [];
  const made: string[] = [];
  let failure: string | undefined;
  let unsupported = false;
  const outcome = await runTaskList(
    plan.actions.map((action) => ({
      // The task list writes titles and errors straight to the terminal: account text made safe first.
      title: safeText(`${opts.titlePrefix ?? ''}${action.summary}`),
      run: async () => {
        if (opts.interrupted?.()) throw new Error('Stopped by Ctrl-C before this change.');
        const { entry, outcome: out, error } = await applyAction(stepId, action, ctx);
        progress.recordAction(entry);
        await progress.save();
        if (out?.secrets) secrets.push(...out.secrets);
        if (entry.result === 'failed') {
          failure = safeText(entry.error ?? 'unknown error');
          unsupported = errorKind(error) === 'unsupported';
          throw new Error(failure);
        }
        made.push(safeText(action.summary));
      },
    })),
    { renderer: opts.renderer, exitOnError: true },
  );
  return outcome.ok
    ? { ok: true, secrets, made }
    : { ok: false, error: failure ?? safeText(outcome.error ?? 'unknown error'), ...(unsupported ? { unsupported } : {}), made, secrets };
}
