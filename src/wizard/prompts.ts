/**
 * Every question the wizard asks goes through this module (so tests can script them).
 *
 * Each function takes an optional `context` ({ input, output, signal }) handed straight to
 * @inquirer/prompts; @inquirer/testing's `render` drives them through it. Ctrl-C makes inquirer
 * reject with ExitPromptError (an aborted `signal` with AbortPromptError): nothing here catches
 * it; the flow saves progress and exits cleanly. `isPromptExit()` recognises both.
 */
import { checkbox, confirm, input, number, select } from '@inquirer/prompts';
import { safeBlock, safeText } from '../engine/safe-text.js';
import type { Asker, Validator } from '../engine/types.js';
import type { Output } from './theme.js';
import { looksLikeCommand, wrap, wrapCommand } from '../engine/wrap.js';
import { displayWidth } from '../engine/wrap.js';
import { promptTheme, stdoutOutput, style } from './theme.js';

/** Room for a confirm's ` (y/N)` after its message. */
const CONFIRM_SUFFIX = 6;

/** What @inquirer/prompts accepts as its second argument. */
export interface PromptContext {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  signal?: AbortSignal;
  clearPromptOnDone?: boolean;
}

/** True for inquirer's Ctrl-C (ExitPromptError) and aborted-signal (AbortPromptError) errors. */
export function isPromptExit(err: unknown): boolean {
  return err instanceof Error && (err.name === 'ExitPromptError' || err.name === 'AbortPromptError');
}

// Inquirer's theme types are deep generics per prompt; ours is a plain partial that fits them all.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const theme = (): any => promptTheme();
/**
 * A prompt's message wrapped at spaces to the terminal: inquirer would otherwise break it wherever
 * the line ends, mid-word (`(account.pass` / `word-policy, HIGH)`). Room is left for `? `.
 */
export function wrapMessage(message: string, columns = process.stdout.columns || 80): string {
  return wrap(message, Math.max(20, columns - 3)).join('\n');
}

/**
 * Styles that keep inquirer's own lines from breaking mid-word: the answer echoed after the
 * message continues the message's last line (`offset` columns in) and wraps under it, and a
 * validation error wraps under its `> `. Colours as inquirer's own (cyan, red) when colour is on.
 */
export function wrappingStyles(offset: number, columns = process.stdout.columns || 80): { answer: (t: string) => string; error: (t: string) => string } {
  const width = Math.max(20, columns - 1);
  return {
    answer: (t: string) => {
      if (offset + displayWidth(t) <= width) return style('cyan', t);
      // Start at the message's end; continue on lines of their own, under a two-space indent.
      const lines = wrap(t, width, { first: ' '.repeat(Math.min(offset, width - 10)), rest: '  ' });
      return lines.map((l, i) => (i === 0 ? style('cyan', l.trimStart()) : `  ${style('cyan', l.slice(2))}`)).join('\n');
    },
    error: (t: string) => style('red', wrap(t, width, { first: '> ', rest: '  ' }).join('\n')),
  };
}

const withTheme = <T extends object>(config: T, suffix = 0): T => {
  const t = theme() as { style?: Record<string, unknown> } | undefined;
  const columns = process.stdout.columns || 80;
  const message = 'message' in config && typeof config.message === 'string' ? wrapMessage(config.message, columns - suffix) : undefined;
  // `? ` before the message, a space and any suffix (`(y/N)`) after its last line.
  const offset = message === undefined ? 2 : 2 + displayWidth(message.split('\n').at(-1)!) + 1 + suffix;
  const styles = wrappingStyles(offset, columns);
  return {
    ...config,
    ...(message !== undefined ? { message } : {}),
    theme: { ...(t ?? {}), style: { ...(t?.style ?? {}), ...styles } },
  };
};

/** A choice as shown: its name and description may hold account text (a VPC's Name tag, a user name). */
const safeChoice = <C extends { name: string; description?: string }>(choice: C): C => ({
  ...choice,
  name: safeText(choice.name),
  ...(choice.description !== undefined ? { description: safeText(choice.description) } : {}),
});

/**
 * The Asker steps use for their inputs, on @inquirer/prompts. Steps put account text in messages,
 * choices, defaults and notes: all of it is made safe here (src/engine/safe-text.ts) before it
 * reaches the terminal. A default read from the account is offered as shown.
 */
export class InquirerAsker implements Asker {
  private readonly context: PromptContext | undefined;
  private readonly out: Output;

  constructor(opts: { context?: PromptContext; output?: Output } = {}) {
    this.context = opts.context;
    this.out = opts.output ?? stdoutOutput;
  }

  /**
   * A line of text, trimmed. The validator sees the trimmed value; its message is shown under
   * the prompt and the person tries again. `required` refuses an empty (or blank) answer.
   */
  text(q: { message: string; default?: string; validate?: Validator; required?: boolean }): Promise<string> {
    const validate = (raw: string): true | string => {
      const v = raw.trim();
      if (q.required && !v) return 'An answer is required.';
      const verdict = q.validate ? q.validate(v) : true;
      return verdict === true ? true : safeText(verdict);
    };
    const message = safeText(q.message);
    return input(withTheme({ message, ...(q.default !== undefined ? { default: safeText(q.default) } : {}), validate }), this.context).then(
      (v) => v.trim(),
    );
  }

  /** A whole number within [min, max]; Enter takes the default. */
  number(q: { message: string; default?: number; min?: number; max?: number }): Promise<number> {
    return number(
      withTheme({
        message: safeText(q.message),
        required: true as const,
        ...(q.default !== undefined ? { default: q.default } : {}),
        ...(q.min !== undefined ? { min: q.min } : {}),
        ...(q.max !== undefined ? { max: q.max } : {}),
      }),
      this.context,
    );
  }

  confirm(q: { message: string; default: boolean }): Promise<boolean> {
    return confirm(withTheme({ message: safeText(q.message), default: q.default }, CONFIRM_SUFFIX), this.context);
  }

  select<T extends string>(q: { message: string; choices: { value: T; name: string; description?: string }[]; default?: T }): Promise<T> {
    const choices = q.choices.map(safeChoice);
    return select<T>(withTheme({ message: safeText(q.message), choices, ...(q.default !== undefined ? { default: q.default } : {}) }), this.context);
  }

  checkbox<T extends string>(q: { message: string; choices: { value: T; name: string; checked?: boolean }[]; required?: boolean }): Promise<T[]> {
    return checkbox<T>(withTheme({ message: safeText(q.message), choices: q.choices.map(safeChoice), required: q.required ?? false }), this.context);
  }

  note(text: string): void {
    // Wrapped at spaces (each paragraph under its own indent, a command continued with ` \\`): a
    // terminal would otherwise break the note mid-word. Account text in it is made safe first.
    const width = (this.out.columns ?? 80) - 1;
    const lines = safeBlock(text)
      .split('\n')
      .flatMap((l) => {
        const indent = /^ */.exec(l)![0];
        return looksLikeCommand(l) ? wrapCommand(l.trimStart(), width, indent) : wrap(l.trimStart(), width, { first: indent });
      });
    this.out.write(lines.join('\n') + '\n');
  }
}

export type StepChoice = 'fix' | 'plan' | 'explain' | 'skip' | 'quit' | 'recheck';

export interface StepChoiceOptions {
  /** The step has a fix to apply (auto or guided); otherwise "Fix it" is not offered. */
  canFix: boolean;
  /** A plan can be shown before fixing. */
  hasPlan: boolean;
  /** Offer "Re-check now" (after a change by hand, or to see a step as it is now). Default false. */
  canRecheck?: boolean;
}

/** What to do with a step that does not pass. "Fix it" first when offered, so Enter fixes. */
export function askStepChoice(ctx?: PromptContext, opts: StepChoiceOptions = { canFix: true, hasPlan: true }): Promise<StepChoice> {
  const choices: { value: StepChoice; name: string; description?: string }[] = [];
  if (opts.canFix) choices.push({ value: 'fix', name: 'Fix it', description: 'See the plan, confirm, then apply it' });
  if (opts.hasPlan)
    choices.push(
      opts.canFix
        ? { value: 'plan', name: 'Show the plan first', description: 'Every change with its API call; nothing changes' }
        : { value: 'plan', name: 'Show what to do', description: 'The steps to take by hand; nothing changes' },
    );
  if (opts.canRecheck) choices.push({ value: 'recheck', name: 'Re-check now', description: 'Read the account again, after a change made by hand' });
  choices.push(
    { value: 'explain', name: 'Explain more', description: 'The lesson, references and what the fix costs' },
    { value: 'skip', name: 'Skip (accept as is)', description: 'Record why, and move on' },
    { value: 'quit', name: 'Save and quit', description: 'Resume later where you left off' },
  );
  return select<StepChoice>(withTheme({ message: 'What would you like to do?', choices }), ctx);
}

export type ChallengeChoice = 'check' | 'hint' | 'explain' | 'skip' | 'quit';

/**
 * Challenge mode's menu for a step that does not pass: no fix and no plan; "Check my work" first,
 * so Enter checks. The hint choice names what the next hint reveals (`hintsUsed` of `levels` so far).
 */
export function askChallengeChoice(ctx: PromptContext | undefined, opts: { hintsUsed: number; levels: number; names: readonly string[] }): Promise<ChallengeChoice> {
  const next = Math.min(opts.hintsUsed + 1, opts.levels);
  const hint =
    opts.hintsUsed >= opts.levels
      ? { value: 'hint' as const, name: 'Show the whole plan again', description: 'All hints are used; this one is not counted again' }
      : { value: 'hint' as const, name: `Hint ${next} of ${opts.levels}: ${opts.names[next - 1]}`, description: 'Hints are counted on your scorecard' };
  const choices: { value: ChallengeChoice; name: string; description?: string }[] = [
    { value: 'check', name: 'Check my work', description: 'Read the account again, after your change' },
    hint,
    { value: 'explain', name: 'Explain more', description: 'The lesson, references and what the fix costs' },
    { value: 'skip', name: 'Skip (accept as is)', description: 'Record why, and move on' },
    { value: 'quit', name: 'Save and quit', description: 'Resume later where you left off' },
  ];
  return select<ChallengeChoice>(withTheme({ message: 'Your turn: make the change, then check your work.', choices }), ctx);
}

export const SKIP_REASON_MAX = 200;

/** Why the person accepts a step as is: required, at most 200 characters, trimmed. */
export function askSkipReason(ctx?: PromptContext): Promise<string> {
  return input(
    withTheme({
      message: 'Why accept this as is? (kept with your progress and on the scorecard)',
      validate: (raw: string) => {
        const v = raw.trim();
        if (!v) return 'Please give a short reason, for example "handled by our SSO setup".';
        if (v.length > SKIP_REASON_MAX) return `Keep it under ${SKIP_REASON_MAX} characters (this one has ${v.length}).`;
        return true;
      },
    }),
    ctx,
  ).then((v) => v.trim());
}

/**
 * The last question before a change. The default (Enter) is No when the fix removes or
 * disables something or adds a running cost, Yes otherwise.
 */
export function confirmPlan(opts: { destructive: boolean; paid: boolean }, ctx?: PromptContext): Promise<boolean> {
  // Why the default is No is said once, at the end of the plan just above (planView).
  const message = 'Apply these changes?';
  return confirm(withTheme({ message, default: !(opts.destructive || opts.paid) }, CONFIRM_SUFFIX), ctx);
}

/** Whether to show the lesson now (default Yes). */
export function askReadLesson(ctx?: PromptContext, message = 'Read the lesson first?'): Promise<boolean> {
  return confirm(withTheme({ message, default: true }, CONFIRM_SUFFIX), ctx);
}
