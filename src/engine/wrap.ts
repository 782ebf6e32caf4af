/**
 * The one wrapping routine for everything the tool prints: it measures display width (escape
 * codes count for nothing, wide characters for two) and breaks only at spaces. A word, an
 * identifier, an ARN or a URL is never split: one longer than the line goes on a line of its own,
 * whole. Copy-paste commands are continued with ` \` instead. Pure.
 */
import stringWidth from 'string-width';

/** Columns a string takes on screen. */
export const displayWidth = (s: string): number => stringWidth(s);

// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[([0-9;]*)m/g;
/** Which opening SGR codes a closing code ends. */
const CLOSES: Record<number, (open: number) => boolean> = {
  22: (o) => o === 1 || o === 2,
  23: (o) => o === 3,
  24: (o) => o === 4,
  27: (o) => o === 7,
  29: (o) => o === 9,
  39: (o) => (o >= 30 && o <= 38) || (o >= 90 && o <= 97),
  49: (o) => (o >= 40 && o <= 48) || (o >= 100 && o <= 107),
};

/** The styles still open after `s`, given the ones open before it. */
function openStyles(s: string, before: number[]): number[] {
  let open = [...before];
  for (const m of s.matchAll(SGR)) {
    for (const code of (m[1] || '0').split(';').map(Number)) {
      if (code === 0) open = [];
      else if (CLOSES[code]) open = open.filter((o) => !CLOSES[code]!(o));
      else open.push(code);
    }
  }
  return open;
}

export interface WrapOptions {
  /** Written before the first line (its width counts). Default ''. */
  first?: string;
  /** Written before every further line. Default: as many spaces as `first` is wide. */
  rest?: string;
}

/**
 * Wraps one paragraph (or several, split at `\n`; blank lines kept) to `width` columns, breaking
 * only at spaces. A token wider than the line stands alone on its line, unbroken. A style open
 * at a break is closed at the end of the line and opened again on the next, so the indent is
 * never underlined or inverted.
 */
export function wrap(text: string, width: number, opts: WrapOptions = {}): string[] {
  const first = opts.first ?? '';
  const rest = opts.rest ?? ' '.repeat(displayWidth(first));
  const out: string[] = [];
  let styles: number[] = [];
  for (const para of text.split('\n')) {
    let prefix = out.length === 0 ? first : rest;
    // `lead` reopens the styles a break closed; `line` is the text of this line.
    let lead = styles.length ? `\u001b[${styles.join(';')}m` : '';
    let line = '';
    let lineW = 0;
    const push = () => {
      const after = openStyles(line, styles);
      out.push(prefix + lead + line + (after.length ? '\u001b[0m' : ''));
      styles = after;
    };
    const avail = () => Math.max(1, width - displayWidth(prefix));
    for (const word of para.split(' ').filter((w) => w !== '')) {
      const w = displayWidth(word);
      if (lineW > 0 && lineW + 1 + w > avail()) {
        push();
        prefix = rest;
        lead = styles.length ? `\u001b[${styles.join(';')}m` : '';
        line = '';
        lineW = 0;
      }
      line += (lineW > 0 ? ' ' : '') + word;
      lineW += (lineW > 0 ? 1 : 0) + w;
    }
    if (lineW > 0) push();
    else out.push(prefix.trimEnd());
  }
  return out;
}

/** Splits a shell command into words, keeping quoted strings (and what follows them) whole. */
export function shellWords(cmd: string): string[] {
  const words: string[] = [];
  let cur = '';
  let quote: string | undefined;
  for (const ch of cmd) {
    if (quote) {
      cur += ch;
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      cur += ch;
    } else if (ch === ' ' || ch === '\t') {
      if (cur) words.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur) words.push(cur);
  return words;
}

/**
 * A copy-paste command laid out to `width`: continued with ` \\` and a deeper indent, breaking
 * between words only (never inside quotes), an option kept with its value when they fit. What a
 * shell runs is the same command. With `continuation: ''` it lays out code that is not a shell
 * command (JSON, say) the same way, without the backslashes.
 */
export function wrapCommand(cmd: string, width: number, indent = '', continuation = ' \\'): string[] {
  if (displayWidth(indent + cmd) <= width) return [indent + cmd];
  const words = shellWords(cmd);
  const cont = indent + '  ';
  const room = width - displayWidth(cont) - continuation.length;
  // Units: an option and the value after it stay together, when the two fit on a line.
  const isOption = (w: string | undefined) => w !== undefined && /^--?[A-Za-z]/.test(w);
  const units: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const next = words[i + 1];
    if (isOption(w) && next !== undefined && !isOption(next) && displayWidth(`${w} ${next}`) <= room) {
      units.push(`${w} ${next}`);
      i++;
    } else units.push(w);
  }
  const out: string[] = [];
  let line = indent;
  let empty = true;
  for (const u of units) {
    // Room for the continuation that ends every line but the last.
    if (!empty && displayWidth(line) + 1 + displayWidth(u) + continuation.length > width) {
      out.push(line + continuation);
      line = cont;
      empty = true;
    }
    line += (empty ? '' : ' ') + u;
    empty = false;
  }
  out.push(line);
  return out;
}

/** True when a line of text looks like a shell command someone will paste. */
export const looksLikeCommand = (line: string): boolean => /^\s*(\$ )?(aws|secure-start|npm|npx|node|curl|pip|docker)\s/.test(line);

/** Shortens to `max` columns with an ellipsis in the middle, keeping both ends readable. */
export function ellipsize(s: string, max: number): string {
  if (displayWidth(s) <= max) return s;
  if (max <= 1) return s.slice(0, max);
  const chars = [...s];
  const keepEnd = Math.ceil((max - 1) / 2);
  const keepStart = max - 1 - keepEnd;
  return chars.slice(0, keepStart).join('') + '…' + chars.slice(chars.length - keepEnd).join('');
}

/** `1 step`, `2 steps`; `irregular` for the plural when it is not `noun + s`. */
export function plural(n: number, noun: string, irregular?: string): string {
  return `${n} ${n === 1 ? noun : (irregular ?? `${noun}s`)}`;
}
