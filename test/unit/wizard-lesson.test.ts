import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lessonSummary, loadLesson, renderMarkdown } from '../../src/wizard/lesson.js';
import { setColor, stripAnsi, visibleLength } from '../../src/wizard/theme.js';

const md = `# Password policy

A strong password policy makes **guessing** harder.
It applies to every IAM user who signs in to the console.

## Why it matters

- Short passwords fall to guessing.
- Reused passwords fall to \`credential stuffing\`.
`;

beforeEach(() => setColor(false));

describe('renderMarkdown', () => {
  it('renders headings, text and lists as plain text when colour is off', () => {
    const out = renderMarkdown(md, 80);
    expect(out).toContain('Password policy');
    expect(out).toContain('Why it matters');
    expect(out).toContain('A strong password policy makes guessing harder.');
    expect(out).toContain('Short passwords fall to guessing.');
    expect(out).not.toContain('**');
    expect(out).not.toContain('\u001b[');
  });

  it('reflows to the width', () => {
    const long = 'word '.repeat(60);
    for (const l of renderMarkdown(long, 40).split('\n')) expect(l.length).toBeLessThanOrEqual(40);
  });

  it('styles with colour when it is on', () => {
    setColor(true);
    const out = renderMarkdown(md, 80);
    expect(out).toContain('\u001b[');
    expect(stripAnsi(out)).toContain('Why it matters');
  });

  it('drops control characters from the source', () => {
    expect(renderMarkdown('Hello \u001b]0;pwned\u0007 world', 80)).not.toContain('\u001b');
  });
});

describe('loadLesson', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wizard-lessons-'));
    await mkdir(join(dir, 'account'));
    await writeFile(join(dir, 'account', 'password-policy.md'), md);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a lesson below the lessons folder', async () => {
    await expect(loadLesson('account/password-policy.md', dir)).resolves.toBe(md);
  });

  it('says which lesson is missing', async () => {
    await expect(loadLesson('account/nope.md', dir)).rejects.toThrow(/Lesson not found: lessons\/account\/nope\.md/);
  });

  it('refuses a path outside the lessons folder', async () => {
    await expect(loadLesson('../etc/passwd', dir)).rejects.toThrow(/not inside the lessons folder/);
    await expect(loadLesson('/etc/passwd', dir)).rejects.toThrow(/not inside the lessons folder/);
  });

  it('defaults to the package lessons folder', async () => {
    await expect(loadLesson('no-such-area/no-such-lesson.md')).rejects.toThrow(/Lesson not found/);
  });
});

describe('lessonSummary', () => {
  it('is the first paragraph on one line', () => {
    expect(lessonSummary(md)).toBe('A strong password policy makes **guessing** harder. It applies to every IAM user who signs in to the console.');
  });

  it('is empty without a paragraph', () => {
    expect(lessonSummary('# Only a heading\n')).toBe('');
  });
});

describe('lists in lessons', () => {
  it('render inline formatting in tight list items and wrap long items under their text', async () => {
    setColor(false);
    const out = renderMarkdown('- one **bold** and `code` and a long line that should wrap around the width for sure, yes indeed\n- two *it*\n', 50);
    expect(out).not.toMatch(/\*\*|`/);
    const lines = out.split('\n');
    expect(lines.every((l) => l.length <= 48)).toBe(true);
    expect(lines[0]).toMatch(/^\s*\* one bold and code/);
    // The continuation hangs under the item's text, not under the bullet.
    const bulletAt = lines[0]!.indexOf('*');
    expect(lines[1]!.length - lines[1]!.trimStart().length).toBe(bulletAt + 2);
  });
});

describe('tables in lessons', () => {
  it('lay out as aligned columns within the width, the last column wrapped under itself', () => {
    setColor(false);
    const md = '| step | what |\n|---|---|\n| `monitoring.cloudtrail` | every API call in every region is kept in a trail whose files can be proven untouched |\n| `a.b` | short |';
    const lines = renderMarkdown(md, 60).split('\n');
    for (const l of lines) expect(visibleLength(l)).toBeLessThanOrEqual(58);
    expect(lines[0]).toMatch(/^step +what$/);
    expect(lines[1]).toMatch(/^─+$/);
    expect(lines[2]).toMatch(/^monitoring\.cloudtrail {2}every API call/);
    const col = lines[2]!.indexOf('every');
    expect(lines[3]!.slice(0, col).trim()).toBe('');
    expect(lines.some((l) => l.startsWith('a.b') && l.indexOf('short') === col)).toBe(true);
    expect(lines.join('\n')).not.toMatch(/[│┌└]/);
  });
});

describe('area overviews (issue 10 item 9)', () => {
  it('count no areas: neither "Area 5" nor "the first four areas" while areas are missing', async () => {
    const { registry } = await import('../../steps/index.js');
    const { readFile } = await import('node:fs/promises');
    const { lessonsDir } = await import('../../src/paths.js');
    const present = [...new Set(registry.map((e) => e.meta.area))];
    for (const area of present) {
      const md = await readFile(join(lessonsDir(), area, 'README.md'), 'utf8');
      expect(md, area).not.toMatch(/^#\s*Area \d/m);
      expect(md, area).not.toMatch(/\b(first|last|all) (two|three|four|five|six) areas\b/i);
    }
  });
});
