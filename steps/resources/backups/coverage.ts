/**
 * Which databases an AWS Backup selection covers: pure, so that every rule is unit-tested.
 *
 * A selection (BackupSelection, as GetBackupSelection returns it) names resources four ways:
 * - `Resources`: ARNs or ARN patterns (`*` stands for any run of characters; `"*"` alone is every
 *   resource); any one matching is enough (OR). None given: every resource.
 * - `NotResources`: ARNs or patterns taken out again, whatever else matches.
 * - `ListOfTags`: STRINGEQUALS tag conditions; any one matching is enough (OR).
 * - `Conditions`: StringEquals, StringNotEquals, StringLike, StringNotLike on `aws:ResourceTag/<key>`;
 *   all must hold (AND). Case sensitive.
 * A selection that names nothing at all selects every supported, opted-in resource.
 *
 * AWS documents OR inside `Resources` and inside `ListOfTags`, AND inside `Conditions`, and
 * `Resources` AND `Conditions` (resource types first, then tags). How `ListOfTags` combines with
 * `Resources` is not stated plainly, so this takes the narrower reading (AND): the check may then
 * call a database unprotected that AWS Backup does back up, never the reverse. For the same reason a
 * negated condition (StringNotEquals, StringNotLike) does not hold for a database without that tag.
 */

export interface TagCondition {
  key: string;
  value: string;
}

/** One selection of one plan, as the check read it. */
export interface SelectionRule {
  planName: string;
  selectionName: string;
  resources: string[];
  notResources: string[];
  listOfTags: TagCondition[];
  stringEquals: TagCondition[];
  stringNotEquals: TagCondition[];
  stringLike: TagCondition[];
  stringNotLike: TagCondition[];
}

/** A database as the matcher needs it: its ARN and its tags. */
export interface Protectable {
  arn: string;
  tags: Readonly<Record<string, string>>;
}

/** Why a selection covers a database, for the finding's message. */
export type Cover =
  | { by: 'arn'; arn: string }
  | { by: 'pattern'; pattern: string }
  | { by: 'everything' }
  | { by: 'tag'; tag: TagCondition; pattern?: string };

const TAG_PREFIX = 'aws:ResourceTag/';

/** `aws:ResourceTag/backup` and `backup` name the same tag key (ListOfTags takes either form). */
export const tagKeyOf = (conditionKey: string): string => (conditionKey.startsWith(TAG_PREFIX) ? conditionKey.slice(TAG_PREFIX.length) : conditionKey);

/** A pattern with `*` for any run of characters (none included), matched against the whole text. */
export function wildcardMatch(pattern: string, text: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
  return re.test(text);
}

const has = (db: Protectable, c: TagCondition): string | undefined => db.tags[tagKeyOf(c.key)];

/** Whether every entry of `Conditions` holds for the database (AND). */
function conditionsHold(sel: SelectionRule, db: Protectable): TagCondition | true | false {
  for (const c of sel.stringEquals) if (has(db, c) !== c.value) return false;
  for (const c of sel.stringLike) {
    const v = has(db, c);
    if (v === undefined || !wildcardMatch(c.value, v)) return false;
  }
  for (const c of sel.stringNotEquals) {
    const v = has(db, c);
    if (v === undefined || v === c.value) return false;
  }
  for (const c of sel.stringNotLike) {
    const v = has(db, c);
    if (v === undefined || wildcardMatch(c.value, v)) return false;
  }
  return sel.stringEquals[0] ?? sel.stringLike[0] ?? true;
}

/** How `sel` covers `db`, or undefined when it does not. */
export function covers(sel: SelectionRule, db: Protectable): Cover | undefined {
  if (sel.notResources.some((p) => wildcardMatch(p, db.arn))) return undefined;
  let byResource: Cover | undefined;
  if (sel.resources.length) {
    const hit = sel.resources.find((p) => p === db.arn) ?? sel.resources.find((p) => wildcardMatch(p, db.arn));
    if (hit === undefined) return undefined;
    byResource = hit === db.arn ? { by: 'arn', arn: hit } : hit === '*' ? { by: 'everything' } : { by: 'pattern', pattern: hit };
  }
  let byTag: TagCondition | undefined;
  if (sel.listOfTags.length) {
    byTag = sel.listOfTags.find((c) => has(db, c) === c.value);
    if (!byTag) return undefined;
  }
  const held = conditionsHold(sel, db);
  if (held === false) return undefined;
  const tag = byTag ?? (held === true ? undefined : held);
  if (tag) return { by: 'tag', tag: { key: tagKeyOf(tag.key), value: tag.value }, ...(byResource?.by === 'pattern' ? { pattern: byResource.pattern } : {}) };
  return byResource ?? { by: 'everything' };
}

/** The first selection that covers the database, with how. */
export function coverOf(rules: readonly SelectionRule[], db: Protectable): { rule: SelectionRule; cover: Cover } | undefined {
  for (const rule of rules) {
    const cover = covers(rule, db);
    if (cover) return { rule, cover };
  }
  return undefined;
}

/** `by tag backup=secure-start`, `by its ARN`… for a finding. */
export function coverText(c: Cover): string {
  switch (c.by) {
    case 'arn':
      return 'by its ARN';
    case 'pattern':
      return `by the ARN pattern ${c.pattern}`;
    case 'everything':
      return 'which selects every resource';
    case 'tag':
      return `by tag ${c.tag.key}=${c.tag.value}${c.pattern ? ` among ${c.pattern}` : ''}`;
  }
}
