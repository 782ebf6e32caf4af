import { afterEach, describe, expect, it } from 'vitest';
import { STATUSES } from '../../src/engine/types.js';
import { badge, bufferOutput, c, colorEnabled, detectColor, promptTheme, setColor, severityLabel, stripAnsi, widthOf } from '../../src/wizard/theme.js';

afterEach(() => setColor(false));

describe('colour', () => {
  it('is off with NO_COLOR, --no-color or FORCE_COLOR=0, and off when not a terminal', () => {
    expect(detectColor({ NO_COLOR: '1' }, [], true)).toBe(false);
    expect(detectColor({}, ['node', 'cli', '--no-color'], true)).toBe(false);
    expect(detectColor({ FORCE_COLOR: '0' }, [], true)).toBe(false);
    expect(detectColor({}, [], false)).toBe(false);
  });

  it('is on for a terminal, or when forced', () => {
    expect(detectColor({}, [], true)).toBe(true);
    expect(detectColor({ FORCE_COLOR: '1' }, [], false)).toBe(true);
    // An empty NO_COLOR does not count (no-color.org).
    expect(detectColor({ NO_COLOR: '' }, [], true)).toBe(true);
  });

  it('follows setColor', () => {
    setColor(true);
    expect(colorEnabled()).toBe(true);
    expect(c.red('x')).toBe('\u001b[31mx\u001b[39m');
    expect(promptTheme()).toBeUndefined();
    setColor(false);
    expect(c.red('x')).toBe('x');
    expect(promptTheme()).toBeDefined();
  });
});

describe('badges and labels', () => {
  it('are distinct words without colour', () => {
    setColor(false);
    const badges = STATUSES.map((s) => badge(s));
    expect(badges).toEqual(['[PASS]', '[FAIL]', '[MANUAL]', '[ERROR]', '[UNSUPPORTED]', '[SKIPPED]']);
    expect(badge('pass', { pad: true })).toBe('[PASS]       ');
    expect(severityLabel('critical')).toBe('CRITICAL');
  });

  it('keep their words with colour', () => {
    setColor(true);
    expect(badge('fail')).not.toBe('[FAIL]');
    expect(stripAnsi(badge('fail'))).toBe('[FAIL]');
    expect(stripAnsi(severityLabel('high'))).toBe('HIGH');
  });
});

describe('Output', () => {
  it('buffers and reports its width', () => {
    const out = bufferOutput(100);
    out.write('a');
    out.write('b');
    expect(out.text()).toBe('ab');
    expect(widthOf(out)).toBe(100);
    expect(widthOf({ write: () => {} })).toBe(80);
    expect(widthOf({ write: () => {}, columns: 10 })).toBe(40);
  });
});
