/**
 * Keeps secrets out of anything stored: the progress file, the journal, logs.
 * Two nets: values under keys that name a secret, and strings that look like AWS secrets
 * wherever they appear. Access key ids (AKIA…/ASIA…) identify a key and are kept.
 */
import { REDACTED } from '../engine/types.js';

/**
 * Matched against the end of the key, lower-cased with separators removed, so that
 * `NewPassword`, `aws_secret_access_key`, `AuthenticationCode1` and `SessionToken` match while
 * `MinimumPasswordLength` or `PasswordResetRequired` (password-policy settings) do not.
 */
const SECRET_KEY =
  /(password|passwd|passphrase|secret|secretaccesskey|secretkey|secretstring|secretbinary|seed|qrcodepng|authenticationcode\d*|token|privatekey|credentials|apikey)$/;

/** Step ids (`account.unused-credentials`) key maps of steps; they name a step, not a secret. */
const STEP_ID = /^[a-z]+\.[a-z0-9-]+$/;

/** Session tokens: the known prefixes of STS tokens, or any long base64 run. */
const SESSION_TOKEN = /(?:IQoJb3JpZ2lu|FwoGZXIvYXdz|FQoGZXIvYXdz|AQoDYXdz)[A-Za-z0-9/+=]{16,}/g;
const LONG_BASE64 = /[A-Za-z0-9/+]{100,}={0,2}/g;
/** A secret access key: exactly 40 base64 characters, not part of a longer run. */
const SECRET_ACCESS_KEY = /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])/g;

/** Random base64 mixes upper case, lower case and digits; hex digests and words do not. */
function looksRandom(s: string): boolean {
  return /[A-Z]/.test(s) && /[a-z]/.test(s) && /[0-9]/.test(s);
}

export function isSecretKey(key: string): boolean {
  if (STEP_ID.test(key)) return false;
  return SECRET_KEY.test(key.toLowerCase().replace(/[^a-z0-9]/g, ''));
}

/** Replaces what looks like a secret access key or a session token inside a string. */
export function redactString(s: string): string {
  if (s.length < 40) return s;
  return s
    .replace(SESSION_TOKEN, REDACTED)
    .replace(LONG_BASE64, (m) => (looksRandom(m) ? REDACTED : m))
    .replace(SECRET_ACCESS_KEY, (m) => (looksRandom(m) ? REDACTED : m));
}

/** Values that cannot carry a secret, kept even under a secret-sounding key (`HasPassword: true`). */
function harmless(v: unknown): boolean {
  return v === null || v === undefined || typeof v === 'boolean';
}

/**
 * A deep copy of `value` as plain JSON-able data, with secrets replaced by `«redacted»`:
 * the value of every key that names a secret, strings that look like secret access keys or
 * session tokens, and binary data (it cannot be shown and may be key material).
 * Dates become ISO strings, Maps objects, Sets arrays; functions are dropped; cycles become
 * `[circular]`. The result has the shape of the input except at the replaced places.
 */
export function redactSecrets<T>(value: T): T {
  return copy(value, new Set()) as T;
}

function copy(v: unknown, path: Set<object>): unknown {
  switch (typeof v) {
    case 'string':
      return redactString(v);
    case 'bigint':
      return v.toString();
    case 'function':
    case 'symbol':
      return undefined;
    case 'object':
      break;
    default:
      return v;
  }
  if (v === null) return null;
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return REDACTED;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (path.has(v)) return '[circular]';
  path.add(v);
  try {
    if (Array.isArray(v)) return v.map((item) => copy(item, path) ?? null);
    if (v instanceof Set) return [...v].map((item) => copy(item, path) ?? null);
    if (v instanceof Map) return copyEntries([...v].map(([k, val]) => [String(k), val]), path);
    if (v instanceof Error) return copyEntries([['name', v.name], ['message', v.message]], path);
    const toJSON = (v as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return copy(toJSON.call(v), path);
    return copyEntries(Object.entries(v), path);
  } finally {
    path.delete(v);
  }
}

function copyEntries(entries: [string, unknown][], path: Set<object>): Record<string, unknown> {
  const out: [string, unknown][] = [];
  for (const [key, val] of entries) {
    const copied = isSecretKey(key) && !harmless(val) ? REDACTED : copy(val, path);
    if (copied !== undefined) out.push([key, copied]);
  }
  // fromEntries defines own properties, so a `__proto__` key stays data.
  return Object.fromEntries(out);
}
