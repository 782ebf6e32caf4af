/**
 * The TLS-only rule of a bucket policy, as pure functions: whether a policy already refuses plain
 * HTTP for the bucket and all its objects, and the merge that adds one Deny statement while
 * leaving every existing statement exactly as it was.
 */
import type { PolicyDocument, Statement } from './policy.js';
import {
  BUCKET_POLICY_MAX_BYTES,
  asList,
  conditionEntries,
  globMatch,
  parsePolicy,
  policyBytes,
  principalIsEveryone,
  serializePolicy,
  statementsOf,
} from './policy.js';

export const TLS_SID = 'DenyInsecureTransport';

/** What the TLS rules in a policy cover. */
export interface TlsCoverage {
  /** Requests on the bucket itself (ListBucket, GetBucketPolicy…). */
  bucket: boolean;
  /** Requests on every object in it. */
  objects: boolean;
}

export const covered = (c: TlsCoverage) => c.bucket && c.objects;

/** `s3:*`, `*`, `s3*`: a pattern that covers every S3 action. */
function coversAllS3Actions(action: unknown): boolean {
  return typeof action === 'string' && action.endsWith('*') && globMatch(action, 's3:', { ignoreCase: true });
}

/** A condition of exactly `Bool` (or `BoolIfExists`) `aws:SecureTransport` = false and nothing else. */
function onlyInsecureTransport(condition: unknown): boolean {
  const entries = conditionEntries(condition);
  if (entries.length !== 1) return false;
  const [e] = entries;
  return (
    /^bool(ifexists)?$/i.test(e!.operator) &&
    e!.key.toLowerCase() === 'aws:securetransport' &&
    e!.values.length > 0 &&
    e!.values.every((v) => v === false || (typeof v === 'string' && v.toLowerCase() === 'false'))
  );
}

/** A statement that denies everyone every S3 action when the request does not use TLS. */
export function isInsecureTransportDeny(s: Statement): boolean {
  if (String(s.Effect ?? '').toLowerCase() !== 'deny') return false;
  if (s.NotPrincipal !== undefined || s.NotAction !== undefined || s.NotResource !== undefined) return false;
  if (!principalIsEveryone(s.Principal)) return false;
  if (!asList(s.Action).some(coversAllS3Actions)) return false;
  return onlyInsecureTransport(s.Condition);
}

/** What the policy's TLS-only statements cover for this bucket, all of them together. */
export function tlsCoverage(statements: readonly Statement[], bucketArn: string): TlsCoverage {
  const out: TlsCoverage = { bucket: false, objects: false };
  for (const s of statements) {
    if (!isInsecureTransportDeny(s)) continue;
    for (const r of asList(s.Resource)) {
      if (typeof r !== 'string') continue;
      if (globMatch(r, bucketArn)) out.bucket = true;
      // `…:::bucket/*`, `…:::bucket*`, `*`: a pattern that ends in `*` after the bucket's own prefix covers every key.
      if (r.endsWith('*') && globMatch(r, `${bucketArn}/`)) out.objects = true;
    }
  }
  return out;
}

/** The one statement the fix adds. */
export function insecureTransportDeny(bucketArn: string, sid: string = TLS_SID): Statement {
  return {
    Sid: sid,
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

/** `DenyInsecureTransport`, or `DenyInsecureTransport2`, 3… when a statement already uses the id. */
export function freeSid(statements: readonly Statement[]): string {
  const taken = new Set(statements.map((s) => s.Sid));
  if (!taken.has(TLS_SID)) return TLS_SID;
  let n = 2;
  while (taken.has(`${TLS_SID}${n}`)) n++;
  return `${TLS_SID}${n}`;
}

export type TlsMerge =
  | { ok: true; after: string; added: Statement; kept: number }
  | { ok: false; reason: string };

/**
 * The policy with the TLS-only statement added at the end. Every existing statement, the
 * `Version`, the `Id` and any other field stay as they were (a lone statement becomes the first of
 * a list); a bucket without a policy gets one with only the new statement. A policy that cannot be
 * parsed, or that would outgrow S3's size limit, is not merged: the reason comes back instead.
 */
export function mergeTlsDeny(before: string | null, bucketArn: string): TlsMerge {
  if (before === null) {
    const added = insecureTransportDeny(bucketArn);
    return { ok: true, after: serializePolicy({ Version: '2012-10-17', Statement: [added] }), added, kept: 0 };
  }
  const parsed = parsePolicy(before);
  if (!parsed.ok) return { ok: false, reason: `its policy cannot be parsed: ${parsed.reason}` };
  const existing = statementsOf(parsed.document);
  const added = insecureTransportDeny(bucketArn, freeSid(existing));
  const doc: PolicyDocument = { ...parsed.document, Statement: [...existing, added] };
  const after = serializePolicy(doc);
  const size = policyBytes(after);
  if (size > BUCKET_POLICY_MAX_BYTES)
    return { ok: false, reason: `with the TLS-only statement its policy would be ${size} bytes, over S3's limit of ${BUCKET_POLICY_MAX_BYTES}` };
  return { ok: true, after, added, kept: existing.length };
}
