/**
 * Lessons: markdown files under lessons/, rendered for the terminal with marked-terminal.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, normalize, relative } from 'node:path';
import type { MarkedExtension, Tokens } from 'marked';
import { Marked } from 'marked';
import { markedTerminal } from 'marked-terminal';
import { lessonsDir } from '../paths.js';
import { c, colorEnabled, padVisible, stripAnsi, style, visibleLength } from './theme.js';

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
      reflowText: true,
      emoji: false,
      tab: 2,
      // Without colour a heading needs its `#` to stand out from the text around it.
      showSectionPrefix: !color,
      ...(color ? COLOR_STYLES : PLAIN_STYLES),
    }) as unknown as MarkedExtension;
    m.use(ext);
    // marked-terminal prints the inline tokens of a tight list item as raw markdown (`**bold**`):
    // render them with its own inline renderers instead.
    m.use({
      renderer: {
        text(this: { parser: { parseInline(tokens: Tokens.Generic[]): string } }, token: Tokens.Text | Tokens.Escape) {
          if ('tokens' in token && token.tokens?.length) return this.parser.parseInline(token.tokens);
          return false;
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
          return layoutTable(header, token.rows.map(cells), columns) + '\n\n';
        },
      },
    } as MarkedExtension);
    instances.set(key, m);
  }
  return m;
}

/**
 * Rows as aligned columns two spaces apart: every column but the last as wide as its widest cell,
 * the last wrapped at word boundaries under itself (at least 20 columns wide).
 */
export function layoutTable(header: string[], rows: string[][], width: number): string {
  const all = [header, ...rows];
  const n = Math.max(...all.map((r) => r.length));
  const fixed = Array.from({ length: n - 1 }, (_, i) => Math.max(...all.map((r) => visibleLength(r[i] ?? ''))));
  const indent = fixed.reduce((a, b) => a + b + 2, 0);
  const lastWidth = Math.max(20, width - indent);
  const lines: string[] = [];
  let headerLines = 1;
  for (const row of all) {
    const lead = fixed.map((w, i) => padVisible(row[i] ?? '', w)).join('  ');
    const words = (row[n - 1] ?? '').split(' ');
    const wrapped: string[] = [];
    let current = '';
    for (const word of words) {
      if (current && visibleLength(current) + 1 + visibleLength(word) > lastWidth) {
        wrapped.push(current);
        current = word;
      } else current = current ? `${current} ${word}` : word;
    }
    wrapped.push(current);
    lines.push(`${lead}${n > 1 ? '  ' : ''}${wrapped[0]}`.trimEnd(), ...wrapped.slice(1).map((w) => ' '.repeat(indent) + w));
    if (row === header) headerLines = lines.length;
  }
  // A rule under the header, as wide as the table: it reads as a header without colour too.
  lines.splice(headerLines, 0, '─'.repeat(Math.min(width, Math.max(...lines.map(visibleLength)))));
  return lines.join('\n');
}

/**
 * Markdown → terminal text reflowed to `columns`. Plain text (no escape codes) when colour is
 * off; raw control characters in the source never reach the terminal.
 */
export function renderMarkdown(md: string, columns = 80): string {
  const width = Math.max(20, Math.floor(columns) - 2);
  const color = colorEnabled();
  const text = markedFor(width, color).parse(md, { async: false });
  const out = color ? text : stripAnsi(text);
  return wrapLong(out, width).replace(/\s+$/, '');
}

/**
 * marked-terminal reflows paragraphs but not list items: wrap any longer line at a space, with a
 * hanging indent under its text (after a bullet or number), counting visible characters only.
 */
function wrapLong(text: string, width: number): string {
  return text
    .split('\n')
    .flatMap((line) => {
      if (visibleLength(line) <= width) return [line];
      const plain = stripAnsi(line);
      const lead = /^(\s*)([*•-]|\d+\.)?\s*/.exec(plain)?.[0].length ?? 0;
      const indent = ' '.repeat(Math.min(lead, Math.floor(width / 2)));
      const out: string[] = [];
      const leading = /^ */.exec(line)![0];
      let current = leading;
      for (const word of line.slice(leading.length).split(' ')) {
        const next = current.trim() ? `${current} ${word}` : current + word;
        if (current.trim() && visibleLength(next) > width) {
          out.push(current);
          current = indent + word;
        } else current = next;
      }
      if (current) out.push(current);
      return out;
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
