/**
 * Drives the built CLI (bin/secure-start.js → dist/) in a pseudo-terminal, as a person at a
 * keyboard would: a 100x40 terminal, the screen output accumulated with ANSI sequences stripped,
 * `waitFor` a pattern before answering, `send` keys, and the exit code.
 *
 * `waitFor` searches only the output after the end of its previous match, so a prompt that comes
 * back (the lesson question at every step, inquirer re-rendering a prompt on each key) is waited
 * for afresh rather than matched in what was already answered.
 */
import { stripVTControlCharacters } from 'node:util';
import { spawn } from '@lydell/node-pty';
import type { IPty } from '@lydell/node-pty';
import { rm } from 'node:fs/promises';
import { afterEach, beforeEach } from 'vitest';
import { BIN, cleanEnv, tempStateDir } from './cli-helpers.js';

/** Named keys for `send`; anything else is sent as typed. */
export const KEYS = {
  Enter: '\r',
  Down: '\x1b[B',
  Up: '\x1b[A',
  CtrlC: '\x03',
  'Ctrl-C': '\x03',
  Backspace: '\x7f',
  y: 'y',
  n: 'n',
} as const;

export type KeyName = keyof typeof KEYS;

export interface PtyOptions {
  /** SECURE_START_STATE_DIR of the run: progress file and scorecard go there. */
  stateDir: string;
  /** More environment variables, on top of cleanEnv(). */
  env?: Record<string, string>;
  cols?: number;
  rows?: number;
}

/** Output as a person would read it: no colours or cursor moves, `\r\n` as `\n`. */
export function plain(raw: string): string {
  return stripVTControlCharacters(raw).replace(/\r+\n/g, '\n').replace(/\r/g, '');
}

export class PtyRun {
  private readonly pty: IPty;
  private raw = '';
  /** Where the next `waitFor` starts searching, in the plain output. */
  private cursor = 0;
  private exited: { code: number; signal?: number } | undefined;
  private readonly listeners = new Set<() => void>();
  /** The exit code of the CLI (a signal's number + 128 when it was killed by one). */
  readonly exit: Promise<number>;

  constructor(args: string[], opts: PtyOptions) {
    const env = { ...cleanEnv({ SECURE_START_STATE_DIR: opts.stateDir, ...opts.env }), TERM: 'xterm-256color' };
    this.pty = spawn(process.execPath, [BIN, ...args], {
      name: 'xterm-256color',
      cols: opts.cols ?? 100,
      rows: opts.rows ?? 40,
      cwd: process.cwd(),
      env,
    });
    this.pty.onData((d) => {
      this.raw += d;
      this.notify();
    });
    this.exit = new Promise((resolve) => {
      this.pty.onExit(({ exitCode, signal }) => {
        // node-pty can report the exit a moment before the last output is read: let it drain.
        setTimeout(() => {
          this.exited = { code: exitCode, ...(signal ? { signal } : {}) };
          this.notify();
          resolve(signal ? 128 + signal : exitCode);
        }, 100);
      });
    });
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  /** Everything printed so far, exactly as the terminal received it (colours and cursor moves included). */
  get rawOutput(): string {
    return this.raw;
  }

  /** Everything printed so far, ANSI stripped. */
  get output(): string {
    return plain(this.raw);
  }

  /** Everything printed since the end of the last `waitFor` match. */
  get pending(): string {
    return this.output.slice(this.cursor);
  }

  /** The last `n` characters of the output, for failure messages. */
  tail(n = 2000): string {
    return this.output.slice(-n);
  }

  /**
   * Waits until `pattern` appears in the output after the previous match, then moves past it.
   * Fails after `timeoutMs`, or when the CLI exits first, with the last 2000 characters printed.
   */
  waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<RegExpExecArray> {
    const re = new RegExp(pattern.source, pattern.flags.replace('g', ''));
    return new Promise((resolve, reject) => {
      const done = (fn: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(probe);
        fn();
      };
      const probe = () => {
        const text = this.output;
        const m = re.exec(text.slice(this.cursor));
        if (m) {
          this.cursor += m.index + m[0].length;
          done(() => resolve(m));
        } else if (this.exited) {
          done(() => reject(new Error(this.failure(`exited with ${this.exited!.code} before printing ${pattern}`))));
        }
      };
      const timer = setTimeout(() => done(() => reject(new Error(this.failure(`no ${pattern} after ${timeoutMs} ms`)))), timeoutMs);
      this.listeners.add(probe);
      probe();
    });
  }

  private failure(what: string): string {
    return `secure-start ${what}. Last output:\n----\n${this.tail(2000)}\n----`;
  }

  /** Sends keys: a named key (Enter, Down, Ctrl-C, y, n…) or literal text. */
  send(...keys: (KeyName | (string & {}))[]): void {
    for (const k of keys) this.pty.write(k in KEYS ? KEYS[k as KeyName] : k);
  }

  /** Types `text` and presses Enter. */
  type(text: string): void {
    this.send(text, 'Enter');
  }

  /** Stops the CLI if it still runs (test clean-up). */
  kill(): void {
    if (!this.exited) {
      try {
        this.pty.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

/** Starts `secure-start ARGS` in a pseudo-terminal. */
export function spawnCli(args: string[], opts: PtyOptions): PtyRun {
  return new PtyRun(args, opts);
}

/**
 * The wizard runs of a test file: each test gets a fresh state directory (`state`), and every run
 * it started is killed, and the directory removed, after it. Call once at the top of the file.
 */
export function wizardRuns(): { readonly state: string; wizard(args: string[], opts?: Omit<PtyOptions, 'stateDir'>): PtyRun } {
  let state = '';
  const runs: PtyRun[] = [];
  beforeEach(async () => {
    state = await tempStateDir();
  });
  afterEach(async () => {
    for (const run of runs.splice(0)) run.kill();
    await rm(state, { recursive: true, force: true });
  });
  return {
    get state() {
      return state;
    },
    wizard(args, opts = {}) {
      const run = spawnCli(args, { ...opts, stateDir: state });
      runs.push(run);
      return run;
    },
  };
}
