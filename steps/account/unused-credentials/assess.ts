/**
 * The date rules of account.unused-credentials, as pure functions over credential-report rows so
 * that they can be tested with any dates (moto stamps everything with the current time).
 *
 * - A console password is stale when its last sign-in was 45 or more days ago, or, never used,
 *   when it was set 45 or more days ago (CIS 2.11, FSBP IAM.8).
 * - An active access key is stale when its last use was 45 or more days ago, or, never used, when
 *   it was created 45 or more days ago (CIS 2.11, FSBP IAM.8); and it is old when it was created
 *   more than 90 days ago (CIS 2.12 and FSBP IAM.3: rotate every 90 days or less). A key can be both.
 * - Inactive keys are left alone: they open nothing.
 */
import type { AccessKeyMetadata } from '@aws-sdk/client-iam';
import { daysBetween } from '../_shared/credentials-inputs.js';
import type { CredentialRow } from '../_shared/iam-data.js';

export const UNUSED_DAYS = 45;
export const MAX_KEY_AGE_DAYS = 90;

/** The clock of the check. Tests move it; nothing else should. */
export const clock = { now: (): Date => new Date() };

export interface PasswordIssue {
  kind: 'password';
  user: string;
  arn: string;
  /** Last sign-in; undefined: never. */
  lastUsed: Date | undefined;
  /** When the password was set (or, failing that, the user created). */
  setOn: Date | undefined;
  /** Days since the last sign-in, or since it was set when never used. */
  idleDays: number;
}

export interface KeyIssue {
  kind: 'key';
  user: string;
  arn: string;
  slot: 1 | 2;
  createdOn: Date | undefined;
  lastUsed: Date | undefined;
  /** Set when the key is unused for 45+ days: days since last use, or since creation when never used. */
  unusedDays: number | undefined;
  /** Set when the key is older than 90 days. */
  ageDays: number | undefined;
}

export type CredentialIssue = PasswordIssue | KeyIssue;

function passwordIssue(r: CredentialRow, now: Date): PasswordIssue | undefined {
  if (!r.passwordEnabled) return undefined;
  const setOn = r.passwordLastChanged ?? r.userCreationTime;
  const since = r.passwordLastUsed ?? setOn;
  // IAM gives no date at all: nothing to measure.
  if (!since) return undefined;
  const idleDays = daysBetween(since, now);
  if (idleDays < UNUSED_DAYS) return undefined;
  return { kind: 'password', user: r.user, arn: r.arn, lastUsed: r.passwordLastUsed, setOn, idleDays };
}

function keyIssues(r: CredentialRow, now: Date): KeyIssue[] {
  const out: KeyIssue[] = [];
  for (const k of r.accessKeys) {
    if (!k.active) continue;
    const since = k.lastUsed ?? k.lastRotated;
    const idle = since ? daysBetween(since, now) : undefined;
    const age = k.lastRotated ? daysBetween(k.lastRotated, now) : undefined;
    const unusedDays = idle !== undefined && idle >= UNUSED_DAYS ? idle : undefined;
    const ageDays = age !== undefined && age > MAX_KEY_AGE_DAYS ? age : undefined;
    if (unusedDays === undefined && ageDays === undefined) continue;
    out.push({ kind: 'key', user: r.user, arn: r.arn, slot: k.slot, createdOn: k.lastRotated, lastUsed: k.lastUsed, unusedDays, ageDays });
  }
  return out;
}

/** Every stale password and every stale or old active key in the report, users in report order. The root row is not an IAM user: root-access-keys covers it. */
export function assessCredentials(rows: readonly CredentialRow[], now: Date): CredentialIssue[] {
  return rows.filter((r) => !r.isRoot).flatMap((r) => [passwordIssue(r, now), ...keyIssues(r, now)].filter((i): i is CredentialIssue => i !== undefined));
}

export interface ResolvedKey {
  accessKeyId: string;
  status: string;
}

/**
 * Which listed key each report slot is. The report has no key ids; its `last_rotated` is the key's
 * creation time, to the second, so the key created in that second is the one. A slot that matches
 * no listed key is left out rather than guessed: deactivating the wrong key would break something
 * that works (the report can be hours older than the list). Only the plan calls this: the check
 * makes no per-user call.
 */
export function matchKeySlots(slots: readonly { slot: 1 | 2; createdOn: Date | undefined }[], listed: readonly AccessKeyMetadata[]): Map<1 | 2, ResolvedKey> {
  const keys = listed
    .filter((k) => k.AccessKeyId && k.CreateDate)
    .map((k) => ({ id: k.AccessKeyId!, status: k.Status ?? 'Unknown', created: k.CreateDate!.getTime() }));
  const out = new Map<1 | 2, ResolvedKey>();
  const taken = new Set<string>();
  for (const s of slots) {
    const at = s.createdOn?.getTime();
    if (at === undefined) continue;
    // The report truncates to the second: the key was created in [at, at + 1 s); allow a second either side.
    const near = keys.filter((k) => !taken.has(k.id) && k.created - at > -1000 && k.created - at < 2000);
    // Two keys made within that window (a script creating both at once): which is which is a guess, so neither.
    if (near.length > 1) continue;
    const [only] = near;
    if (only) {
      out.set(s.slot, { accessKeyId: only.id, status: only.status });
      taken.add(only.id);
    }
  }
  return out;
}
