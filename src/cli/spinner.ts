/**
 * A light spinner on stderr for the start of a run (finding or starting the emulator, seeding),
 * before the wizard's own screens begin. On a terminal it redraws one line in place; elsewhere
 * (pipes, CI) it prints nothing but the lines given to `log`. While it spins nothing else may
 * write to the terminal: print through `log`, or `stop()` first (a prompt needs it stopped).
 */
const FRAMES = ['-', '\\', '|', '/'];
const INTERVAL_MS = 80;

export interface Spinner {
  /** Changes the text beside the spinner (and starts spinning again after `stop`). */
  update(text: string): void;
  /** Prints a line above the spinner, which goes on spinning. */
  log(line: string): void;
  /** Clears the spinner's line; nothing is left of it on the screen. Safe to call more than once. */
  stop(): void;
}

export interface SpinnerOptions {
  stream?: NodeJS.WriteStream;
  /** Default: the stream is a terminal and CI is not set. */
  animate?: boolean;
}

/** Control characters of text shown beside the spinner become spaces: one line, no escapes. */
const oneLine = (text: string) =>
  [...text]
    .map((c) => {
      const n = c.codePointAt(0)!;
      return n < 0x20 || (n >= 0x7f && n < 0xa0) ? ' ' : c;
    })
    .join('');

export function startSpinner(text: string, opts: SpinnerOptions = {}): Spinner {
  const stream = opts.stream ?? process.stderr;
  const animate = opts.animate ?? (Boolean(stream.isTTY) && !process.env.CI);
  let current = oneLine(text);
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;
  let drawn = false;

  const clear = () => {
    if (drawn) stream.write('\r\x1b[2K');
    drawn = false;
  };
  const draw = () => {
    const width = Math.max(10, (stream.columns || 80) - 3);
    const shown = current.length > width ? current.slice(0, width - 1) + '…' : current;
    stream.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${shown}`);
    drawn = true;
  };
  const spin = () => {
    if (!animate || timer) return;
    draw();
    timer = setInterval(draw, INTERVAL_MS);
  };
  spin();

  return {
    update(next) {
      current = oneLine(next);
      if (timer) draw();
      else spin();
    },
    log(line) {
      clear();
      stream.write(line + '\n');
      if (timer) draw();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      clear();
    },
  };
}
