/**
 * Policy documents (S3 bucket policies, key policies) as plain data: parsing without trusting the
 * text, the helpers that read statements (principals, actions, resources, conditions) and wildcard
 * matching as IAM does it. Pure: no AWS SDK, no I/O. Other data steps import these; keep the
 * exported names and shapes stable.
 */

/** One statement as written: every field optional, and anything else kept as it is. */
export interface Statement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
  [key: string]: unknown;
}

/** A policy document as written; `Statement` may be one object or a list. */
export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: Statement | Statement[];
  [key: string]: unknown;
}

export type ParsedPolicy = { ok: true; document: PolicyDocument; statements: Statement[] } | { ok: false; reason: string };

/** S3 accepts bucket policies of at most 20 KB. */
export const BUCKET_POLICY_MAX_BYTES = 20 * 1024;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads a policy's text. It is `ok` only when it is JSON with a `Statement` that is an object or a
 * list of objects; anything else comes back with the reason, so no caller mistakes an unreadable
 * policy for an empty one.
 */
export function parsePolicy(text: string): ParsedPolicy {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `it is not valid JSON (${(err as Error).message})` };
  }
  if (!isObject(doc)) return { ok: false, reason: 'it is not a JSON object' };
  if (!('Statement' in doc)) return { ok: false, reason: 'it has no "Statement"' };
  const raw = doc.Statement;
  const list = Array.isArray(raw) ? raw : [raw];
  const bad = list.findIndex((s) => !isObject(s));
  if (bad >= 0) return { ok: false, reason: `statement ${bad + 1} is not a JSON object` };
  return { ok: true, document: doc as PolicyDocument, statements: list as Statement[] };
}

/** The statements of a document, always as a list. */
export function statementsOf(doc: PolicyDocument): Statement[] {
  return Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
}

/** A policy field that may be one value or a list, as a list. */
export function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** The policy as S3 stores it: compact JSON. */
export function serializePolicy(doc: PolicyDocument): string {
  return JSON.stringify(doc);
}

/** Size as S3 counts it, in bytes. */
export function policyBytes(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** Whether a value uses IAM wildcards (`*`, `?`) or a policy variable (`${…}`): it is not a fixed value. */
export function isWildcardOrVariable(value: string): boolean {
  return /[*?]/.test(value) || value.includes('${');
}

/** IAM-style wildcard match: `*` any run of characters, `?` one character. */
export function globMatch(pattern: string, value: string, opts: { ignoreCase?: boolean } = {}): boolean {
  const source = pattern
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, opts.ignoreCase ? 'is' : 's').test(value);
}

/**
 * The principals a `Principal` (or `NotPrincipal`) element names, as `type:value` strings:
 * `"*"` is `*:*`, `{"AWS": ["a", "b"]}` is `AWS:a`, `AWS:b`.
 */
export function principalsOf(principal: unknown): string[] {
  if (principal === undefined || principal === null) return [];
  if (typeof principal === 'string') return [`*:${principal}`];
  if (!isObject(principal)) return [`?:${JSON.stringify(principal)}`];
  return Object.entries(principal).flatMap(([type, v]) => asList(v).map((x) => `${type}:${String(x)}`));
}

/**
 * Whether a `Principal` element names everyone: `"*"`, or a principal whose value is or contains a
 * wildcard (`{"AWS": "*"}`, `{"AWS": ["*"]}`, `{"AWS": "arn:aws:iam::*:root"}`), as S3 counts it.
 */
export function principalIsEveryone(principal: unknown): boolean {
  return principalsOf(principal).some((p) => p.slice(p.indexOf(':') + 1).includes('*'));
}

/** Whether an `Action` element covers `action` (`s3:*` and `*` cover `s3:GetObject`; case-insensitive as IAM). */
export function actionsCover(actions: unknown, action: string): boolean {
  return asList(actions).some((a) => typeof a === 'string' && globMatch(a, action, { ignoreCase: true }));
}

export interface ConditionEntry {
  /** As written, e.g. `StringEquals`, `ForAnyValue:StringLike`, `BoolIfExists`. */
  operator: string;
  /** As written, e.g. `aws:SourceIp`. */
  key: string;
  values: unknown[];
}

/** A `Condition` block as a flat list of operator, key and values. Malformed blocks give an empty list. */
export function conditionEntries(condition: unknown): ConditionEntry[] {
  if (!isObject(condition)) return [];
  const out: ConditionEntry[] = [];
  for (const [operator, block] of Object.entries(condition)) {
    if (!isObject(block)) continue;
    for (const [key, v] of Object.entries(block)) out.push({ operator, key, values: asList(v) });
  }
  return out;
}

/** A short text for a list of principals or actions in a finding: `"*"`, `s3:GetObject, s3:ListBucket`. */
export function describeList(value: unknown): string {
  const items = asList(value).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  return items.length ? items.join(', ') : '(none)';
}
