/** Small text helpers for the infrastructure steps' messages and plans. Pure. */

/** `a`, `a and b`, `a, b and c`. */
export function listText(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** The verb or pronoun for a count: `pick(1, 'it loses', 'they lose')`. */
export const pick = (n: number, one: string, many: string): string => (n === 1 ? one : many);
