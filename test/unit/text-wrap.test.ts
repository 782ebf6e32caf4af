import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { displayWidth, ellipsize, plural, shellWords, wrap, wrapCommand } from '../../src/engine/wrap.js';
import { renderMarkdown } from '../../src/wizard/lesson.js';
import { setColor, stripAnsi } from '../../src/wizard/theme.js';
import { lessonsDir } from '../../src/paths.js';
import { layoutProblems } from '../helpers/text-layout.js';

const WIDTHS = [60, 80, 120];

describe('wrap', () => {
  it('breaks only at spaces, never inside a hyphenated word', () => {
    expect(wrap('the administrators you use day-to-day for everything', 30)).toEqual([
      'the administrators you use',
      'day-to-day for everything',
    ]);
  });

  it('puts a token longer than the line on a line of its own, whole', () => {
    const arn = 'arn:aws:iam::123456789012:policy/secure-start-deny-other-regions';
    expect(wrap(`see ${arn} now`, 30)).toEqual(['see', arn, 'now']);
  });

  it('hangs continuation lines under the text after a prefix', () => {
    expect(wrap('one two three four five', 12, { first: '  * ' })).toEqual(['  * one two', '    three', '    four', '    five']);
  });

  it('measures display width: escape codes count for nothing, wide characters for two', () => {
    expect(displayWidth('\u001b[1mab\u001b[22m')).toBe(2);
    expect(displayWidth('日本')).toBe(4);
    expect(wrap('日本 日本 日本', 10)).toEqual(['日本 日本', '日本']);
    expect(wrap('\u001b[1mbold\u001b[22m words here', 10).map(stripAnsi)).toEqual(['bold words', 'here']);
  });

  it('closes a style at a break and opens it again on the next line', () => {
    const lines = wrap('\u001b[4munder lined\u001b[24m x', 10, { first: '', rest: '  ' });
    expect(lines[0]).toBe('\u001b[4munder\u001b[0m');
    expect(lines[1]).toBe('  \u001b[4mlined\u001b[24m x');
  });

  it('keeps blank lines between paragraphs', () => {
    expect(wrap('a b\n\nc', 10)).toEqual(['a b', '', 'c']);
  });
});

describe('wrapCommand', () => {
  const cmd = 'aws iam enable-mfa-device --user-name dana --serial-number arn:aws:iam::123456789012:mfa/dana --authentication-code1 123456 --authentication-code2 654321';

  it('continues a long command with backslashes, keeping each option with its value', () => {
    const lines = wrapCommand(cmd, 60, '  ');
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines.slice(0, -1)) expect(l.endsWith(' \\')).toBe(true);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(60);
    expect(lines.some((l) => /--user-name dana/.test(l))).toBe(true);
    // The shell reads the same words.
    expect(lines.join('\n').replace(/ \\\n\s*/g, ' ').trim()).toBe(cmd);
  });

  it('never breaks inside a quoted argument', () => {
    const quoted = `aws sns publish --topic-arn arn:aws:sns:us-east-1:123456789012:alerts --message "a message with several words in it"`;
    expect(shellWords(quoted)).toContain('"a message with several words in it"');
    const lines = wrapCommand(quoted, 40);
    expect(lines.some((l) => l.includes('"a message with several words in it"'))).toBe(true);
  });

  it('leaves a command that fits alone', () => {
    expect(wrapCommand('aws s3 ls', 80, '  ')).toEqual(['  aws s3 ls']);
  });
});

describe('small words', () => {
  it('plural', () => {
    expect(plural(1, 'step')).toBe('1 step');
    expect(plural(2, 'step')).toBe('2 steps');
    expect(plural(0, 'policy', 'policies')).toBe('0 policies');
  });
  it('ellipsize counts display width', () => {
    expect(ellipsize('abcdefghij', 5)).toBe('ab…ij');
    expect(ellipsize('abc', 5)).toBe('abc');
  });
});

function lessonFiles(): string[] {
  const dir = lessonsDir();
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(dir, f))
    .sort();
}

describe('every lesson at 60, 80 and 120 columns', () => {
  beforeEach(() => setColor(false));
  const files = lessonFiles();
  it('finds the lessons', () => expect(files.length).toBeGreaterThan(20));

  for (const color of [false, true]) {
    it.each(files.map((f) => [f.slice(lessonsDir().length + 1), f]))(`%s keeps every word whole (colour ${color ? 'on' : 'off'})`, (_name, file) => {
      setColor(color);
      const md = readFileSync(file, 'utf8');
      const reference = renderMarkdown(md, 100_000);
      for (const width of WIDTHS) {
        const out = renderMarkdown(md, width);
        expect(layoutProblems(reference, out, width), `at ${width} columns`).toEqual([]);
      }
    });
  }
});
