/**
 * What account.user-mfa and account.unused-credentials share: the answers-file shape
 * `{ "deactivateKeys": ["AKIA…"], "removeConsoleAccess": ["user-name"] }` (keys may also be given
 * by user and slot, `"deactivateKeySlots": [{ "user": "ci", "slot": 1 }]`), the action that removes
 * a console password, the date wording of their findings, and the sandbox's aged users. Both lists
 * are empty by default: `fix --yes` without an answers entry changes nothing (switching off a
 * person's credentials is never implied by --yes alone).
 */
import { DeleteLoginProfileCommand, IAMClient, ListAccessKeysCommand, NoSuchEntityException } from '@aws-sdk/client-iam';
import { z } from 'zod';
import type { PlanAction, StepContext, UndoEntry, UndoVerdict } from '../../../src/engine/step-kit.js';
import { drifted, formatZodError, irreversible, nothingToUndo, recordedInverse, undoWith, validIamUserName, zodCheck } from '../../../src/engine/step-kit.js';
import type { CredentialRow } from './iam-data.js';

/** A key as the credential report names it: its user and its slot (access key 1 or 2). */
export interface KeySlot {
  user: string;
  slot: 1 | 2;
}

export interface CredentialsInputs {
  /** Access key ids to deactivate (account.unused-credentials only). */
  deactivateKeys: string[];
  /**
   * Keys to deactivate by user and report slot (account.unused-credentials only): what the wizard
   * records, since the check reads no key ids; the plan looks up each chosen key's id.
   */
  deactivateKeySlots?: KeySlot[];
  /** IAM user names whose console password is removed. */
  removeConsoleAccess: string[];
}

/** Access key ids: upper-case letters and digits (AKIA… for long-term keys), 16–128 characters. */
export const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;

const unique = <T>(xs: T[]) => [...new Set(xs)];

export const credentialsInputsSchema: z.ZodType<CredentialsInputs> = z.strictObject({
  deactivateKeys: z
    .array(z.string().trim().regex(ACCESS_KEY_ID, 'an access key id is 16–128 upper-case letters and digits, such as AKIAIOSFODNN7EXAMPLE'))
    .default([])
    .transform(unique),
  deactivateKeySlots: z
    .array(z.strictObject({ user: zodCheck(validIamUserName), slot: z.union([z.literal(1), z.literal(2)]) }))
    .optional()
    .transform((xs) => (xs ? [...new Map(xs.map((k) => [`${k.user}#${k.slot}`, k])).values()] : undefined)),
  removeConsoleAccess: z.array(zodCheck(validIamUserName)).default([]).transform(unique),
});

export function emptyCredentialsInputs(): CredentialsInputs {
  return { deactivateKeys: [], removeConsoleAccess: [] };
}

/** The inputs a plan receives (answers file, wizard, or defaults), validated; `undefined` means none given. */
export function parseCredentialsInputs(stepId: string, inputs: unknown): CredentialsInputs {
  const parsed = credentialsInputsSchema.safeParse(inputs ?? {});
  if (!parsed.success) throw new Error(`Invalid inputs for ${stepId}: ${formatZodError(parsed.error)}`);
  return parsed.data;
}

/** Why a removed console password cannot be undone (the plan says it before the fix, `undo` after). */
export const PASSWORD_IRREVERSIBLE =
  'IAM never reveals a password, so the removed one cannot be put back: console access returns only with a new password (CreateLoginProfile).';

/**
 * DeleteLoginProfile for one user. There is no undo: IAM never reveals a password, so the old one
 * cannot be put back; console access returns only with a new password (CreateLoginProfile).
 * A password already gone (removed by the other credentials step in the same run) counts as done.
 */
export function removeConsolePasswordAction(user: string, why: string): PlanAction {
  return {
    service: 'iam',
    operation: 'DeleteLoginProfile',
    region: 'global',
    params: { UserName: user },
    summary: `Remove the console password of ${user} (${why}); it cannot be restored, only replaced by a new one`,
    destructive: true,
    irreversible: PASSWORD_IRREVERSIBLE,
    async run(ctx: StepContext) {
      try {
        await ctx.client(IAMClient).send(new DeleteLoginProfileCommand({ UserName: user }));
      } catch (err) {
        if (err instanceof NoSuchEntityException) return { output: { alreadyRemoved: true } };
        throw err;
      }
      return undefined;
    },
  };
}

/**
 * The undo of a change made by account.unused-credentials or account.user-mfa: a removed console
 * password cannot come back; a deactivated key is reactivated while it is still inactive (someone
 * who switched it back on already leaves nothing to do; a key deleted since cannot come back).
 */
export async function undoCredentialChange(ctx: StepContext, entry: UndoEntry): Promise<UndoVerdict> {
  if (entry.operation === 'DeleteLoginProfile') return irreversible(`The console password of ${String(entry.params.UserName)} was removed. ${PASSWORD_IRREVERSIBLE}`);
  if (entry.operation !== 'UpdateAccessKey' || entry.params.Status !== 'Inactive' || !entry.inverse)
    return irreversible(`This version of ${entry.step} does not know how to undo ${entry.operation}.`);
  const user = String(entry.params.UserName);
  const id = String(entry.params.AccessKeyId);
  let keys;
  try {
    keys = (await ctx.client(IAMClient).send(new ListAccessKeysCommand({ UserName: user }))).AccessKeyMetadata ?? [];
  } catch (err) {
    if (err instanceof NoSuchEntityException) return irreversible(`The user ${user} was deleted after the fix, with access key ${id}: a deleted key cannot come back.`);
    throw err;
  }
  const key = keys.find((k) => k.AccessKeyId === id);
  if (!key) return irreversible(`Access key ${id} of ${user} was deleted after the fix: a deleted key cannot come back.`);
  if (key.Status === 'Active') return nothingToUndo(`Access key ${id} of ${user} is already active again, as before the fix.`);
  if (key.Status !== 'Inactive') return drifted(`Access key ${id} of ${user}`, { now: key.Status ?? 'unknown', wrote: 'Inactive' });
  return undoWith(recordedInverse(entry));
}

const DAY_MS = 86_400_000;

/** Whole days from `from` to `to` (never negative). */
export function daysBetween(from: Date, to: Date): number {
  return Math.max(0, Math.floor((to.getTime() - from.getTime()) / DAY_MS));
}

/** `2026-11-29` */
export function day(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** `2026-11-29 (45 days ago)` */
export function dayAndAge(d: Date, now: Date): string {
  const n = daysBetween(d, now);
  return `${day(d)} (${n === 0 ? 'today' : n === 1 ? '1 day ago' : `${n} days ago`})`;
}

/** `arn:aws:iam::123456789012:account`, the resource of an account-wide finding. */
export function accountResource(ctx: StepContext): string {
  return `arn:${ctx.target.partition}:iam::${ctx.target.accountId}:account`;
}

/** `a`, `a and b`, `a, b and c` */
export function joinWords(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

/** `1 user`, `2 users` */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * The sandbox cannot age credentials: moto stamps every password and key with the current time and
 * offers no way to back-date them. Seeded users that should look old carry their age in their IAM
 * path, `/secure-start-sandbox/aged-<days>-days/`, and in the sandbox only, the credential steps
 * move that user's report dates back by as many days (its last use too, unless the path goes on
 * with `in-use/`). Against a real account this never applies.
 */
export const SANDBOX_AGE_PATH = (days: number, opts: { inUse?: boolean } = {}) => `/secure-start-sandbox/aged-${days}-days/${opts.inUse ? 'in-use/' : ''}`;
const SANDBOX_AGE = /:user\/secure-start-sandbox\/aged-(\d+)-days\//;
/** A user in daily use (year-one's deploy key): only its creation dates move back, its last use stays as IAM says. */
const SANDBOX_IN_USE = /:user\/secure-start-sandbox\/aged-\d+-days\/in-use\//;

/** Days to move a row's dates back by (0 unless its ARN carries the sandbox age path). */
export function sandboxAgeDays(arn: string): number {
  const m = SANDBOX_AGE.exec(arn);
  return m ? Number(m[1]) : 0;
}

/** The report rows as the credential steps see them: in the sandbox, seeded users aged as their path says. */
export function agedForSandbox(rows: readonly CredentialRow[], sandbox: boolean): CredentialRow[] {
  if (!sandbox) return [...rows];
  return rows.map((r) => {
    const days = sandboxAgeDays(r.arn);
    if (!days) return r;
    const back = (d: Date | undefined) => (d ? new Date(d.getTime() - days * DAY_MS) : undefined);
    const used = SANDBOX_IN_USE.test(r.arn) ? (d: Date | undefined) => d : back;
    return {
      ...r,
      userCreationTime: back(r.userCreationTime),
      passwordLastUsed: used(r.passwordLastUsed),
      passwordLastChanged: back(r.passwordLastChanged),
      accessKeys: r.accessKeys.map((k) => ({ ...k, lastRotated: back(k.lastRotated), lastUsed: used(k.lastUsed) })),
    };
  });
}

/** What a finding on an aged sandbox user adds, so that nobody mistakes the dates for moto's. */
export function sandboxAgeNote(arn: string, sandbox: boolean): string {
  const days = sandbox ? sandboxAgeDays(arn) : 0;
  return days ? ` [sandbox: dates moved back ${days} days by the user's path, as moto cannot back-date credentials]` : '';
}
