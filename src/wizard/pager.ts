/**
 * Long text a page at a time, so a lesson does not scroll past a projector's screen: `$PAGER`
 * when it is set, else a page, then "space for more, q to stop". Never pages when stdout is not
 * a terminal, or when the text fits.
 */
import { spawnSync } from 'node:child_process';

/** Lines per page: the terminal's rows less one for the prompt (at least 5). */
export function pageHeight(rows: number | undefined): number {
  return Math.max(5, (rows && rows > 0 ? rows : 24) - 1);
}

/** The text cut into pages of `height` lines. Pure. */
export function splitPages(text: string, height: number): string[] {
  const lines = text.split('\n');
  const h = Math.max(1, height);
  const pages: string[] = [];
  for (let i = 0; i < lines.length; i += h) pages.push(lines.slice(i, i + h).join('\n'));
  return pages.length ? pages : [''];
}

/** What a key pressed at the "more" prompt means. Pure. */
export function keyAction(key: string): 'next' | 'quit' | 'interrupt' {
  if (key === '\u0003') return 'interrupt';
  if (/^[qQ]$/.test(key) || key === '\u001b') return 'quit';
  return 'next';
}

export interface PagerIO {
  write(s: string): void;
  /** stdout is a terminal. */
  isTTY: boolean;
  rows: number | undefined;
  /** Resolves with the next key pressed. */
  readKey(): Promise<string>;
  env: NodeJS.ProcessEnv;
  /** Runs `$PAGER` with the text on its stdin; false when it could not run. */
  runPager(command: string, text: string): boolean;
}

const PROMPT = '-- more: space for the next page, q to stop --';

/** Shows `text` (a trailing newline is added), a page at a time when it is longer than the screen. */
export async function showPaged(text: string, io: PagerIO = stdio()): Promise<void> {
  const height = pageHeight(io.rows);
  const pages = splitPages(text, height);
  if (!io.isTTY || pages.length <= 1) {
    io.write(text + '\n');
    return;
  }
  const pager = io.env.PAGER?.trim();
  if (pager && io.runPager(pager, text + '\n')) return;
  for (const [i, page] of pages.entries()) {
    io.write(page + '\n');
    if (i === pages.length - 1) return;
    io.write(PROMPT);
    const action = keyAction(await io.readKey());
    io.write('\r\u001b[2K');
    if (action === 'interrupt') {
      // Raw mode swallowed Ctrl-C: hand it to the process's own handler.
      process.kill(process.pid, 'SIGINT');
      return;
    }
    if (action === 'quit') return;
  }
}

/** The real terminal. */
export function stdio(): PagerIO {
  return {
    write: (s) => {
      process.stdout.write(s);
    },
    isTTY: Boolean(process.stdout.isTTY && process.stdin.isTTY),
    rows: process.stdout.rows,
    env: process.env,
    readKey: () =>
      new Promise((resolve) => {
        const input = process.stdin;
        const wasRaw = input.isRaw;
        input.setRawMode(true);
        input.resume();
        input.once('data', (d: Buffer) => {
          input.setRawMode(wasRaw);
          input.pause();
          resolve(d.toString('utf8'));
        });
      }),
    runPager: (command, text) => {
      const r = spawnSync(command, { shell: true, input: text, stdio: ['pipe', 'inherit', 'inherit'] });
      return !r.error && r.status === 0;
    },
  };
}
