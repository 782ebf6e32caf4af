import { describe, expect, it } from 'vitest';
import type { PagerIO } from '../../src/wizard/pager.js';
import { keyAction, pageHeight, showPaged, splitPages } from '../../src/wizard/pager.js';

const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`).join('\n');

function fakeIO(opts: Partial<PagerIO> & { keys?: string[] } = {}): PagerIO & { out: string; pagerRuns: string[] } {
  const keys = [...(opts.keys ?? [])];
  const io = {
    out: '',
    pagerRuns: [] as string[],
    isTTY: true,
    rows: 11,
    env: {},
    write(s: string) {
      io.out += s;
    },
    readKey: async () => keys.shift() ?? 'q',
    runPager(command: string, text: string) {
      io.pagerRuns.push(`${command}:${text.length}`);
      return true;
    },
    ...opts,
  };
  return io;
}

describe('splitPages', () => {
  it('cuts the text into pages of the given height', () => {
    expect(splitPages(lines(25), 10).map((p) => p.split('\n').length)).toEqual([10, 10, 5]);
    expect(splitPages('one', 10)).toEqual(['one']);
  });
  it('keeps a line for the prompt, and never pages below five lines', () => {
    expect(pageHeight(40)).toBe(39);
    expect(pageHeight(3)).toBe(5);
    expect(pageHeight(undefined)).toBe(23);
  });
  it('reads space and Enter as more, q and Escape as stop, Ctrl-C as an interrupt', () => {
    expect(keyAction(' ')).toBe('next');
    expect(keyAction('\r')).toBe('next');
    expect(keyAction('q')).toBe('quit');
    expect(keyAction('\u001b')).toBe('quit');
    expect(keyAction('\u0003')).toBe('interrupt');
  });
});

describe('showPaged', () => {
  it('shows a page, waits for space, and stops at q', async () => {
    const io = fakeIO({ keys: [' ', 'q'] });
    await showPaged(lines(35), io);
    expect(io.out).toContain('line 10\n-- more');
    expect(io.out).toContain('line 20\n');
    expect(io.out).not.toContain('line 21');
  });
  it('shows everything at once when stdout is not a terminal', async () => {
    const io = fakeIO({ isTTY: false });
    await showPaged(lines(35), io);
    expect(io.out).toBe(lines(35) + '\n');
  });
  it('shows a text that fits without a prompt', async () => {
    const io = fakeIO();
    await showPaged(lines(5), io);
    expect(io.out).toBe(lines(5) + '\n');
  });
  it('hands a long text to $PAGER when it is set', async () => {
    const io = fakeIO({ env: { PAGER: 'less -R' } });
    await showPaged(lines(35), io);
    expect(io.pagerRuns).toEqual([`less -R:${lines(35).length + 1}`]);
    expect(io.out).toBe('');
  });
  it('falls back to its own pages when $PAGER cannot run', async () => {
    const io = fakeIO({ env: { PAGER: 'no-such-pager' }, keys: ['q'], runPager: () => false });
    await showPaged(lines(35), io);
    expect(io.out).toContain('-- more');
  });
});
