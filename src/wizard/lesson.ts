/**
 * Lessons: markdown files under lessons/, rendered for the terminal with marked-terminal and
 * wrapped by the one routine in engine/wrap.ts (never inside a word, a command continued with ` \`).
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, normalize, relative } from 'node:path';
import type { MarkedExtension, Tokens } from 'marked';
import { Marked } from 'marked';
import { markedTerminal } from 'marked-terminal';
import { lessonsDir } from '../paths.js';
import { displayWidth, looksLikeCommand, wrap, wrapCommand } from '../engine/wrap.js';
import { c, colorEnabled, padVisible, stripAnsi, style } from './theme.js';

const identity = (s: string) => s;
const STYLE_KEYS = ['code', 'blockquote', 'html', 'heading', 'firstHeading', 'hr', 'listitem', 'table', 'paragraph', 'strong', 'em', 'codespan', 'del', 'link', 'href', 'text'] as const;
/** marked-terminal's style options, all plain: used when colour is off. */
const PLAIN_STYLES = Object.fromEntries(STYLE_KEYS.map((k) => [k, identity]));
/**
 * Our own styles when colour is on, so the wizard's colour switch decides (marked-terminal's
 * chalk would otherwise decide on its own from the terminal).
 */
const COLOR_STYLES = {
  code: c.yellow,
  blockquote: (t: string) => style(['gray', 'italic'], t),
  html: c.gray,
  heading: (t: string) => style(['green', 'bold'], t),
  firstHeading: (t: string) => style(['magenta', 'underline', 'bold'], t),
  strong: c.bold,
  em: c.italic,
  codespan: c.yellow,
  del: (t: string) => style(['dim', 'gray'], t),
  link: c.blue,
  href: (t: string) => style(['blue', 'underline'], t),
};

/**
 * Lines marked to be left as they are by the final wrap: a code line (laid out as a command when it
 * is one) or a table line (already laid out to the width). Private-use characters, removed before
 * the text leaves this module.
 */
const CODE = '\uE000';
const KEEP = '\uE001';

// One private Marked instance per (width, colour): never the global `marked`, which other
// code (or marked-terminal users) may configure differently.
const instances = new Map<string, Marked>();
function markedFor(columns: number, color: boolean): Marked {
  const key = `${columns}:${color}`;
  let m = instances.get(key);
  if (!m) {
    m = new Marked();
    const ext = markedTerminal({
      width: columns,
      // marked-terminal's reflow breaks at hyphens ("day to / day"): every line is wrapped once,
      // by our own routine, after rendering.
      reflowText: false,
      emoji: false,
      tab: 2,
      // Without colour a heading needs its `#` to stand out from the text around it.
      showSectionPrefix: !color,
      ...(color ? COLOR_STYLES : PLAIN_STYLES),
    }) as unknown as MarkedExtension;
    m.use(ext);
    m.use({
      // A paragraph or list item comes out on one line (soft line breaks become spaces), so the
      // final wrap sees whole sentences.
      walkTokens(token: Tokens.Generic) {
        if (token.type === 'text' && typeof token.text === 'string' && !('tokens' in token && token.tokens?.length)) {
          token.text = token.text.replace(/\n/g, ' ');
        }
      },
      renderer: {
        // marked-terminal prints the inline tokens of a tight list item as raw markdown
        // (`**bold**`): render them with its own inline renderers instead.
        text(this: { parser: { parseInline(tokens: Tokens.Generic[]): string } }, token: Tokens.Text | Tokens.Escape) {
          if ('tokens' in token && token.tokens?.length) return this.parser.parseInline(token.tokens);
          return false;
        },
        code(token: Tokens.Code) {
          // A command continued by hand in the source is one command: laid out again to the width.
          const text = stripAnsi(token.text);
          const lines = looksLikeCommand(text) ? text.replace(/[ \t]*\\\n[ \t]*/g, ' ').split('\n') : text.split('\n');
          return lines.map((l) => `  ${CODE}${l}`).join('\n') + '\n\n';
        },
        hr() {
          return `${KEEP}${'─'.repeat(Math.min(columns, 40))}\n\n`;
        },
      },
    } as MarkedExtension);
    // cli-table3 boxes (marked-terminal's tables) grow past the terminal and break apart when a
    // cell is long: lay tables out as aligned columns instead, the last one wrapped to the width.
    m.use({
      renderer: {
        table(this: { parser: { parseInline(tokens: Tokens.Generic[]): string } }, token: Tokens.Table) {
          const cells = (row: Tokens.TableCell[]) => row.map((cell) => this.parser.parseInline(cell.tokens));
          const header = cells(token.header).map((h) => (color ? c.bold(h) : h));
          const table = layoutTable(header, token.rows.map(cells), columns);
          return table.split('\n').map((l) => KEEP + l).join('\n') + '\n\n';
        },
      },
    } as MarkedExtension);
    instances.set(key, m);
  }
  return m;
}

/**
 * Rows as aligned columns two spaces apart: every column but the last as wide as its widest cell,
 * the last wrapped at spaces under itself (at least 20 columns wide).
 */
export function layoutTable(header: string[], rows: string[][], width: number): string {
  const all = [header, ...rows];
  const n = Math.max(...all.map((r) => r.length));
  const fixed = Array.from({ length: n - 1 }, (_, i) => Math.max(...all.map((r) => displayWidth(r[i] ?? ''))));
  const indent = fixed.reduce((a, b) => a + b + 2, 0);
  const lastWidth = Math.max(20, width - indent);
  const lines: string[] = [];
  let headerLines = 1;
  for (const row of all) {
    const lead = fixed.map((w, i) => padVisible(row[i] ?? '', w)).join('  ');
    const wrapped = wrap(row[n - 1] ?? '', lastWidth);
    lines.push(`${lead}${n > 1 ? '  ' : ''}${wrapped[0]}`.trimEnd(), ...wrapped.slice(1).map((w) => ' '.repeat(indent) + w));
    if (row === header) headerLines = lines.length;
  }
  // A rule under the header, as wide as the table: it reads as a header without colour too.
  lines.splice(headerLines, 0, '─'.repeat(Math.min(width, Math.max(...lines.map(displayWidth)))));
  return lines.join('\n');
}

/**
 * Markdown → terminal text wrapped to `columns`. Plain text (no escape codes) when colour is
 * off; raw control characters in the source never reach the terminal.
 */
export function renderMarkdown(md: string, columns = 80): string {
  const width = Math.max(20, Math.floor(columns) - 2);
  const color = colorEnabled();
  const text = markedFor(width, color).parse(md, { async: false });
  const out = color ? text : stripAnsi(text);
  return wrapLines(out, width, color).replace(/\s+$/, '');
}

// eslint-disable-next-line no-control-regex
const LEAD = /^((?:\u001b\[[0-9;]*m)*)( *)((?:\u001b\[[0-9;]*m)*)((?:[*•-]|\d+\.) )?/;

/**
 * Every line wrapped at spaces to `width` with a hanging indent under its text (after a bullet
 * or number); code lines that are commands continue with ` \`, other code and tables stay.
 */
function wrapLines(text: string, width: number, color: boolean): string {
  return text
    .split('\n')
    .flatMap((line) => {
      const code = line.indexOf(CODE);
      if (code >= 0) {
        const indent = ' '.repeat(displayWidth(line.slice(0, code)));
        const body = line.slice(code + 1);
        const own = /^ */.exec(body)![0];
        const lines = wrapCommand(body.slice(own.length), width, indent + own, looksLikeCommand(body) ? ' \\' : '');
        return color ? lines.map((l) => c.yellow(l)) : lines;
      }
      if (line.startsWith(KEEP)) return [line.slice(1)];
      if (displayWidth(line) <= width) return [line];
      const m = LEAD.exec(line)!;
      const spaces = m[2]!;
      const bullet = m[4] ?? '';
      return wrap(m[1]! + m[3]! + bullet + line.slice(m[0].length), width, { first: spaces, rest: ' '.repeat(spaces.length + bullet.length) });
    })
    .join('\n');
}

/**
 * Reads `lessons/<relPath>` (or `<dir>/<relPath>`). A path that leaves the lessons folder is
 * refused; a missing lesson is an error naming the file.
 */
export async function loadLesson(relPath: string, dir: string = lessonsDir()): Promise<string> {
  const full = join(dir, normalize(relPath));
  const rel = relative(dir, full);
  if (!relPath || isAbsolute(relPath) || rel.startsWith('..') || isAbsolute(rel)) {
    throw new Error(`Lesson path "${relPath}" is not inside the lessons folder.`);
  }
  try {
    return await readFile(full, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`Lesson not found: lessons/${rel} (looked for ${full}).`, { cause: err });
    }
    throw err;
  }
}

/** The first paragraph of a lesson (markdown, on one line): its short intro. Empty when none. */
export function lessonSummary(md: string): string {
  const tokens = new Marked().lexer(md);
  const para = tokens.find((t): t is Tokens.Paragraph => t.type === 'paragraph');
  return para ? para.text.replace(/\s*\n\s*/g, ' ').trim() : '';
}
