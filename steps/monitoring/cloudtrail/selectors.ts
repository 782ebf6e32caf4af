/**
 * The event selectors the fix writes to a trail that does not log every management event, as pure
 * functions: the trail's selectors with management events (reads and writes) turned on, and every
 * data-event selector kept as it was. A trail uses either basic or advanced selectors, never both,
 * so the result keeps the kind the trail already uses.
 */
import type { AdvancedEventSelector, AdvancedFieldSelector, EventSelector } from '@aws-sdk/client-cloudtrail';

/** CloudTrail's limit of basic event selectors per trail. */
export const MAX_BASIC_SELECTORS = 5;

/** The selector the fix writes to a trail that has none: every management event, no data events. */
export const ALL_MANAGEMENT: EventSelector = { ReadWriteType: 'All', IncludeManagementEvents: true };

/** The advanced selector that logs every management event (reads and writes). */
export const MANAGEMENT_ADVANCED_NAME = 'Management events';
export const managementAdvanced = (name = MANAGEMENT_ADVANCED_NAME): AdvancedEventSelector => ({
  Name: name,
  FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }],
});

export type SelectorChange =
  | { kind: 'basic'; selectors: EventSelector[]; note: string }
  | { kind: 'advanced'; selectors: AdvancedEventSelector[]; note: string }
  | { kind: 'impossible'; reason: string };

const hasData = (s: EventSelector) => (s.DataResources ?? []).length > 0;

/**
 * Basic selectors with every management event. `ReadWriteType` applies to a selector's data events
 * too, so a data selector is never widened (that could add costly data events): the fix changes a
 * management-only selector when there is one, else turns management events on in a data selector
 * that already logs reads and writes, else adds a management selector beside the others.
 * An empty list (what emulators return for a new trail) becomes the one default selector.
 */
export function withManagementBasic(selectors: readonly EventSelector[]): SelectorChange {
  if (selectors.length === 0) return { kind: 'basic', selectors: [{ ...ALL_MANAGEMENT }], note: 'one selector for every management event' };
  const out = selectors.map((s) => ({ ...s }));
  const pure = out.findIndex((s) => !hasData(s));
  if (pure >= 0) {
    out[pure] = { ...out[pure], ReadWriteType: 'All', IncludeManagementEvents: true };
    return { kind: 'basic', selectors: out, note: `selector ${pure + 1} set to every management event, reads and writes` + keptNote(out, pure) };
  }
  const both = out.findIndex((s) => (s.ReadWriteType ?? 'All') === 'All');
  if (both >= 0) {
    out[both] = { ...out[both], IncludeManagementEvents: true };
    return { kind: 'basic', selectors: out, note: `management events turned on in selector ${both + 1}` + keptNote(out, both) };
  }
  if (out.length >= MAX_BASIC_SELECTORS)
    return {
      kind: 'impossible',
      reason:
        `the trail already has ${MAX_BASIC_SELECTORS} event selectors (the most CloudTrail allows), each for data events of only reads or only writes; ` +
        'turn on management events in one of them, or merge two, by hand',
    };
  out.push({ ...ALL_MANAGEMENT });
  return { kind: 'basic', selectors: out, note: 'a selector for every management event added' + keptNote(out, out.length - 1) };
}

function keptNote(out: readonly EventSelector[], changed: number): string {
  const data = out.filter((s, i) => i !== changed && hasData(s)).length;
  return data === 0 ? '' : data === 1 ? '; the data-event selector is kept as it is' : `; the ${data} data-event selectors are kept as they are`;
}

const field = (s: AdvancedEventSelector, name: string): AdvancedFieldSelector | undefined => (s.FieldSelectors ?? []).find((f) => f.Field === name);

/** An advanced selector on management events. */
export const isManagementAdvanced = (s: AdvancedEventSelector) => Boolean(field(s, 'eventCategory')?.Equals?.includes('Management'));

/** A management selector narrowed by `readOnly` to reads or to writes only. */
export function isReadOnlySplit(s: AdvancedEventSelector): boolean {
  if (!isManagementAdvanced(s)) return false;
  const ro = field(s, 'readOnly');
  if (!ro) return false;
  const equals = new Set(ro.Equals ?? []);
  return !(equals.has('true') && equals.has('false'));
}

/**
 * Advanced selectors with every management event: one plain management selector is added, and the
 * management selectors split by `readOnly` that it replaces are dropped. Data-event selectors (and
 * any other selector) are kept exactly as they were. The new selector's name is unique on the trail.
 */
export function withManagementAdvanced(selectors: readonly AdvancedEventSelector[]): SelectorChange {
  const dropped = selectors.filter(isReadOnlySplit);
  const kept = selectors.filter((s) => !isReadOnlySplit(s));
  const names = new Set(kept.map((s) => s.Name));
  let name = MANAGEMENT_ADVANCED_NAME;
  for (let i = 2; names.has(name); i++) name = `${MANAGEMENT_ADVANCED_NAME} (${i})`;
  const others = kept.length;
  const note =
    `a selector for every management event added` +
    (dropped.length ? `, replacing ${dropped.map((s) => `"${s.Name ?? 'unnamed'}"`).join(', ')} (only reads or only writes)` : '') +
    (others === 1 ? '; the other selector is kept as it is' : others > 1 ? `; the ${others} other selectors are kept as they are` : '');
  return { kind: 'advanced', selectors: [...kept, managementAdvanced(name)], note };
}

/** The selectors to write: the kind the trail already uses (advanced when it has any), with every management event. */
export function withManagementEvents(t: { eventSelectors: readonly EventSelector[]; advancedEventSelectors: readonly AdvancedEventSelector[] }): SelectorChange {
  return t.advancedEventSelectors.length > 0 ? withManagementAdvanced(t.advancedEventSelectors) : withManagementBasic(t.eventSelectors);
}
