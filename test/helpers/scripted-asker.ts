/**
 * ScriptedAsker: an Asker that plays a script of answers, to drive a step's questions in unit and
 * sandbox tests as a person at the keyboard would.
 */
import type { Asker, Validator } from '../../src/engine/types.js';

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
