/**
 * Checks that text laid out for a terminal keeps every word whole: the words of a layout at
 * `width` must be the words of the same text laid out with no width limit, and no line may be
 * wider than `width` unless it holds a single word too long for any line.
 */
import stringWidth from 'string-width';
import { stripVTControlCharacters } from 'node:util';

/** Words of a rendering: escape codes, line continuations and rules do not count. */
export function words(text: string): string[] {
  return stripVTControlCharacters(text)
    .split(/\s+/)
    .filter((w) => w && w !== '\\' && !/^[─-]+$/.test(w))
    .sort();
}

/** Problems found: words that appear only broken, and lines wider than `width`. Empty when none. */
export function layoutProblems(reference: string, laidOut: string, width: number): string[] {
  const problems: string[] = [];
  const want = new Map<string, number>();
  for (const w of words(reference)) want.set(w, (want.get(w) ?? 0) + 1);
  const got = new Map<string, number>();
  for (const w of words(laidOut)) got.set(w, (got.get(w) ?? 0) + 1);
  for (const [w, n] of got) if ((want.get(w) ?? 0) < n) problems.push(`word not in the source: "${w}"`);
  for (const [w, n] of want) if ((got.get(w) ?? 0) < n) problems.push(`word missing or broken: "${w}"`);
  for (const line of stripVTControlCharacters(laidOut).split('\n')) {
    if (stringWidth(line) <= width) continue;
    // Allowed only for one unbreakable token (a quoted argument is one), after its indent, bullet or number.
    const body = line.trim().replace(/^([*•-]|\d+\.|!)\s+/, '').replace(/\s+\\$/, '');
    const shellWords = body.match(/(?:[^\s'"]+|'[^']*'|"[^"]*")+/g) ?? [];
    if (shellWords.length > 1) problems.push(`line wider than ${width}: "${line}"`);
  }
  return problems;
}
