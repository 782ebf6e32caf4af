/**
 * Colour, badges and the output seam of the wizard.
 *
 * Colour is one module-level switch: on by default only on a terminal, off with `NO_COLOR`
 * (any non-empty value, https://no-color.org), `--no-color` or `FORCE_COLOR=0`. The CLI calls
 * `setColor()` once after parsing flags; every renderer asks `colorEnabled()` when it runs, so
 * nothing is captured at import time. Every badge and label carries its meaning in words, so
 * the screen reads the same without colour.
 */
import { stripVTControlCharacters } from 'node:util';
import type { Severity, Status } from '../engine/types.js';
import { displayWidth } from '../engine/wrap.js';

/** Where the wizard writes. `columns` is the terminal width when known. */
export interface Output {
  write(s: string): void;
  columns?: number;
}

/** process.stdout as an Output; `columns` is read live so a resized terminal is honoured. */
export const stdoutOutput: Output = {
  write: (s) => {
    process.stdout.write(s);
  },
  get columns() {
    return process.stdout.columns;
  },
};

/** An Output that keeps what is written, for tests and for composing screens. */
export function bufferOutput(columns = 80): Output & { text(): string; clear(): void } {
  let buf = '';
  return {
    columns,
    write: (s) => {
      buf += s;
    },
    text: () => buf,
    clear: () => {
      buf = '';
    },
  };
}

/** The width to lay out for: the output's columns, else 80, never below 40. */
export function widthOf(out: Output | undefined, fallback = 80): number {
  const c = out?.columns;
  return Math.max(40, c && c > 0 ? c : fallback);
}

/** The default for colour from the environment, the arguments and whether stdout is a terminal. */
export function detectColor(
  env: NodeJS.ProcessEnv = process.env,
  argv: readonly string[] = process.argv,
  isTTY: boolean = Boolean(process.stdout.isTTY),
): boolean {
  if (argv.includes('--no-color')) return false;
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return isTTY;
}

let enabled: boolean | undefined;

/** Turns colour on or off for everything the wizard renders from now on. */
export function setColor(on: boolean): void {
  enabled = on;
}

export function colorEnabled(): boolean {
  enabled ??= detectColor();
  return enabled;
}

const SGR = {
  bold: [1, 22],
  dim: [2, 22],
  italic: [3, 23],
  underline: [4, 24],
  inverse: [7, 27],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  gray: [90, 39],
} as const;
export type Style = keyof typeof SGR;

/** Applies styles when colour is on; returns the text unchanged when it is off. */
export function style(styles: Style | readonly Style[], text: string): string {
  if (!colorEnabled() || text === '') return text;
  const list: readonly Style[] = typeof styles === 'string' ? [styles] : styles;
  let out = text;
  for (const s of list) {
    const [open, close] = SGR[s];
    out = `\u001b[${open}m${out}\u001b[${close}m`;
  }
  return out;
}

/** Shorthands: `c.red('x')`. */
export const c = Object.fromEntries((Object.keys(SGR) as Style[]).map((s) => [s, (t: string) => style(s, t)])) as Record<
  Style,
  (text: string) => string
>;

export const stripAnsi = (s: string): string => stripVTControlCharacters(s);
/** Width on screen: escape codes count for nothing, wide characters for two. */
export const visibleLength = (s: string): number => displayWidth(s);
/** Pads to a visible width (escape codes do not count). */
export const padVisible = (s: string, width: number): string => s + ' '.repeat(Math.max(0, width - visibleLength(s)));

const STATUS_STYLE: Record<Status, readonly Style[]> = {
  pass: ['green', 'bold'],
  fail: ['red', 'bold'],
  manual: ['yellow', 'bold'],
  error: ['magenta', 'bold'],
  unsupported: ['gray'],
  skipped: ['cyan'],
};

/** `[PASS]`, `[FAIL]`…: the word is the meaning, colour only helps. */
export function statusText(status: Status): string {
  return `[${status.toUpperCase()}]`;
}
/** The widest badge, for aligning columns. */
export const BADGE_WIDTH = '[UNSUPPORTED]'.length;

/** `[ADVICE]` stands for a manual finding that is only a recommendation (`Finding.advice`). */
export function badge(status: Status, opts: { pad?: boolean; advice?: boolean } = {}): string {
  const word = opts.advice && status === 'manual' ? '[ADVICE]' : statusText(status);
  const text = opts.pad ? word.padEnd(BADGE_WIDTH) : word;
  return style(opts.advice && status === 'manual' ? ['cyan'] : STATUS_STYLE[status], text);
}

const SEVERITY_STYLE: Record<Severity, readonly Style[]> = {
  critical: ['red', 'bold', 'inverse'],
  high: ['red', 'bold'],
  medium: ['yellow'],
  low: ['blue'],
  info: ['gray'],
};

/** `CRITICAL`, `HIGH`… severity, styled when colour is on. */
export function severityLabel(severity: Severity): string {
  return style(SEVERITY_STYLE[severity], severity.toUpperCase());
}

/**
 * A theme for @inquirer/prompts: empty (inquirer's own colours) when colour is on, plain text
 * when it is off. Inquirer's default colours follow NO_COLOR but not `--no-color`.
 */
export function promptTheme(): Record<string, unknown> | undefined {
  if (colorEnabled()) return undefined;
  const id = (t: string) => t;
  return {
    prefix: { idle: '?', done: '✔' },
    spinner: { interval: 80, frames: ['-', '\\', '|', '/'] },
    style: {
      answer: id,
      message: id,
      error: (t: string) => `> ${t}`,
      defaultAnswer: (t: string) => `(${t})`,
      help: id,
      highlight: id,
      key: (t: string) => `<${t}>`,
      description: id,
      disabled: id,
    },
  };
}
