/**
 * account.unused-credentials: no console password or active access key sits unused for 45 days or
 * more, and no active access key is older than 90 days. The check reads the shared credential
 * report and nothing else: it makes no call per user, and names each key by its slot in the report
 * ("access key 1"/"access key 2") with the dates that triggered the finding. Key ids, which the
 * report lacks, are looked up only by the plan, with ListAccessKeys for the users whose keys were
 * chosen (or, when the answers file lists key ids, for the users with a flagged key). The fix
 * deactivates keys (undo: reactivate) and removes passwords (no undo), each only when chosen one
 * by one in the wizard or listed in the answers file.
 */
import { randomBytes } from 'node:crypto';
import {
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  EntityAlreadyExistsException,
  IAMClient,
  ListAccessKeysCommand,
  NoSuchEntityException,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import type { AccessKeyMetadata } from '@aws-sdk/client-iam';
import { z } from 'zod';
import type { Asker, Finding, Plan, PlanAction, Step, StepContext, StepInputs } from '../../../src/engine/step-kit.js';
import { sandboxOnly } from '../../../src/engine/step-kit.js';
import {
  SANDBOX_AGE_PATH,
  accountResource,
  agedForSandbox,
  count,
  credentialsInputsSchema,
  dayAndAge,
  emptyCredentialsInputs,
  parseCredentialsInputs,
  removeConsolePasswordAction,
  sandboxAgeNote,
} from '../_shared/credentials-inputs.js';
import type { CredentialsInputs } from '../_shared/credentials-inputs.js';
import { credentialReport, currentCredentials, reportLagNote } from '../_shared/iam-data.js';
import type { CredentialRow } from '../_shared/iam-data.js';
import { MAX_KEY_AGE_DAYS, UNUSED_DAYS, assessCredentials, clock, matchKeySlots } from './assess.js';
import type { KeyIssue, PasswordIssue } from './assess.js';
import meta from './meta.js';

export type UnusedCredentialsInputs = CredentialsInputs;

const iso = z.string().nullable();

const passwordSchema = z.object({
  kind: z.literal('unused-password'),
  user: z.string(),
  arn: z.string(),
  lastUsed: iso,
  setOn: iso,
  idleDays: z.number(),
});
const keySchema = z.object({
  kind: z.literal('stale-key'),
  user: z.string(),
  arn: z.string(),
  slot: z.union([z.literal(1), z.literal(2)]),
  /** Created (the report's last_rotated), as shown: moved back on the sandbox's aged users. */
  createdOn: iso,
  /** Created as IAM wrote it in the report: what the plan matches the listed keys on. */
  reportCreatedOn: iso,
  lastUsed: iso,
  unusedDays: z.number().nullable(),
  ageDays: z.number().nullable(),
});
export type StalePassword = z.infer<typeof passwordSchema>;
export type StaleKey = z.infer<typeof keySchema>;

const isoOf = (d: Date | undefined) => (d ? d.toISOString() : null);
const dateOf = (s: string | null) => (s ? new Date(s) : undefined);

export function passwordMessage(p: StalePassword, now: Date): string {
  const lastUsed = dateOf(p.lastUsed);
  const setOn = dateOf(p.setOn);
  if (lastUsed) return `The console password of ${p.user} has not been used since ${dayAndAge(lastUsed, now)}.`;
  return `The console password of ${p.user} has never been used since it was set${setOn ? ` on ${dayAndAge(setOn, now)}` : `, ${p.idleDays} days ago`}.`;
}

export function keyMessage(k: StaleKey, now: Date): string {
  const created = dateOf(k.createdOn);
  const lastUsed = dateOf(k.lastUsed);
  const head = `Access key ${k.slot} of ${k.user} is active`;
  const createdOn = created ? ` on ${dayAndAge(created, now)}` : '';
  const tooOld = `past the ${MAX_KEY_AGE_DAYS}-day limit for keys`;
  if (k.unusedDays === null) {
    const used = lastUsed ? `; it was last used on ${dayAndAge(lastUsed, now)}, so something still relies on it` : '';
    return `${head} and ${k.ageDays} days old (created${createdOn || ' long ago'}), ${tooOld}${used}.`;
  }
  const idle = lastUsed ? `was last used on ${dayAndAge(lastUsed, now)}` : `has never been used since it was created${createdOn}`;
  const old = k.ageDays !== null ? `, and at ${k.ageDays} days old it is ${tooOld}` : '';
  return `${head} but ${idle}${old}.`;
}

/** A key issue as finding data; `reportCreatedOn` is the slot's creation time as IAM wrote it (not aged). */
function staleKey(issue: KeyIssue, reportCreatedOn: Date | undefined): StaleKey {
  return {
    kind: 'stale-key',
    user: issue.user,
    arn: issue.arn,
    slot: issue.slot,
    createdOn: isoOf(issue.createdOn),
    reportCreatedOn: isoOf(reportCreatedOn),
    lastUsed: isoOf(issue.lastUsed),
    unusedDays: issue.unusedDays ?? null,
    ageDays: issue.ageDays ?? null,
  };
}

function stalePassword(issue: PasswordIssue): StalePassword {
  return { kind: 'unused-password', user: issue.user, arn: issue.arn, lastUsed: isoOf(issue.lastUsed), setOn: isoOf(issue.setOn), idleDays: issue.idleDays };
}

/** Runs `fn` over `items`, at most `limit` at a time. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** The user's keys now; `undefined` when the user no longer exists. A user has at most two keys: one page. */
async function listKeys(ctx: StepContext, user: string): Promise<AccessKeyMetadata[] | undefined> {
  try {
    return (await ctx.client(IAMClient).send(new ListAccessKeysCommand({ UserName: user }))).AccessKeyMetadata ?? [];
  } catch (err) {
    if (err instanceof NoSuchEntityException) return undefined;
    throw err;
  }
}

export function stalePasswords(findings: readonly Finding[]): StalePassword[] {
  return findings.filter((f) => f.status === 'fail' && f.data?.kind === 'unused-password').map((f) => passwordSchema.parse(f.data));
}

export function staleKeys(findings: readonly Finding[]): StaleKey[] {
  return findings.filter((f) => f.status === 'fail' && f.data?.kind === 'stale-key').map((f) => keySchema.parse(f.data));
}

/** A key that was used recently: deactivating it breaks whatever uses it. */
function inUse(k: StaleKey): boolean {
  return k.unusedDays === null && k.lastUsed !== null;
}

const slotKey = (k: { user: string; slot: 1 | 2 }) => `${k.user}#${k.slot}`;

/** `access key 1 of ci`, with its id once the plan has looked it up. */
function keyName(k: StaleKey, id?: string): string {
  return `access key ${k.slot}${id ? ` (${id})` : ''} of ${k.user}`;
}

function shortKey(k: StaleKey): string {
  const bits: string[] = [];
  if (k.createdOn) bits.push(`created ${k.createdOn.slice(0, 10)}`);
  if (k.unusedDays !== null) bits.push(k.lastUsed ? `unused ${k.unusedDays} days` : 'never used');
  if (k.ageDays !== null) bits.push(`${k.ageDays} days old`);
  if (inUse(k)) bits.push(`last used ${k.lastUsed!.slice(0, 10)}`);
  return bits.join(', ');
}

function deactivateAction(k: StaleKey, accessKeyId: string): PlanAction {
  const params = { UserName: k.user, AccessKeyId: accessKeyId };
  return {
    service: 'iam',
    operation: 'UpdateAccessKey',
    region: 'global',
    params: { ...params, Status: 'Inactive' },
    summary: `Deactivate access key ${accessKeyId} of ${k.user} (access key ${k.slot}: ${shortKey(k)})`,
    destructive: true,
    inverse: {
      service: 'iam',
      operation: 'UpdateAccessKey',
      region: 'global',
      params: { ...params, Status: 'Active' },
      summary: `Reactivate access key ${accessKeyId} of ${k.user}`,
    },
    async run(ctx) {
      await ctx.client(IAMClient).send(new UpdateAccessKeyCommand({ ...params, Status: 'Inactive' }));
    },
  };
}

function listNames(names: readonly string[], max = 15): string {
  const shown = names.slice(0, max).map((n) => `\`${n}\``);
  return names.length > max ? `${shown.join(', ')} and ${names.length - max} more` : shown.join(', ');
}

/** A flagged key left as it is, with its id when the plan looked it up. */
export interface LeftKey {
  key: StaleKey;
  accessKeyId?: string;
}

/** What remains to do by hand, for the keys and passwords left as they are. */
export function remainingGuidance(keys: readonly LeftKey[], passwords: readonly StalePassword[]): string {
  const out: string[] = [];
  const name = (l: LeftKey) => l.accessKeyId ?? `${l.key.user} key ${l.key.slot}, created ${l.key.createdOn?.slice(0, 10) ?? 'on an unknown date'}`;
  const idle = keys.filter((l) => !inUse(l.key));
  const rotate = keys.filter((l) => inUse(l.key));
  if (idle.length) {
    out.push(
      `**Keys nobody uses** (${listNames(idle.map(name))}): deactivate them (IAM → Users → the user → ` +
        '**Security credentials** → **Actions** → **Deactivate**), wait a few weeks in case something complains, then delete them. ' +
        'A deactivated key can be switched back on; a deleted one cannot.',
      '',
    );
  }
  if (rotate.length) {
    out.push(
      `**Old keys still in use** (${listNames(rotate.map(name))}): replace rather than switch off. ` +
        'Create a second key for the user, move the program that uses the old one to the new one, watch the old key\'s ' +
        '"last used" date stop moving, then deactivate it and later delete it. Better still, give the program a role ' +
        '(an instance profile, a Lambda execution role, OIDC from your CI) so that it needs no long-lived key at all.',
      '',
      '```',
      'aws iam list-access-keys --user-name USER',
      'aws iam create-access-key --user-name USER',
      'aws iam update-access-key --user-name USER --access-key-id OLD_KEY_ID --status Inactive',
      'aws iam delete-access-key --user-name USER --access-key-id OLD_KEY_ID',
      '```',
      '',
    );
  }
  if (passwords.length) {
    out.push(
      `**Console passwords nobody uses** (${listNames(passwords.map((p) => p.user))}): remove them (IAM → Users → the user → ` +
        '**Security credentials** → **Console sign-in** → **Disable console access**, or `aws iam delete-login-profile --user-name USER`). ' +
        'Someone who needs the console again gets a new password, with MFA.',
      '',
    );
  }
  out.push(
    `To let this tool do it: choose *fix* and answer yes for each key or user, or list them in the answers file under \`${meta.id}\` ` +
      '(`deactivateKeys`: key ids, or `deactivateKeySlots`: `{ "user": …, "slot": 1 }` as the findings name them; `removeConsoleAccess`: user names).',
  );
  return out.join('\n');
}

const inputs: StepInputs<UnusedCredentialsInputs> = {
  schema: credentialsInputsSchema,
  // The defaults change nothing: `fix --yes` without an entry deactivates no key and removes no password.
  requiredInAnswers: false,
  defaults: () => emptyCredentialsInputs(),

  /**
   * The findings name keys by user and slot, not by id (the check reads no key ids), and asking
   * calls no AWS API: a chosen key is recorded under deactivateKeySlots, and the plan looks up
   * its id (and drops it, saying so, if it was deactivated or replaced in the meantime).
   */
  async ask(asker: Asker, initial: UnusedCredentialsInputs, findings: Finding[]): Promise<UnusedCredentialsInputs> {
    const keys = staleKeys(findings);
    const passwords = stalePasswords(findings);
    const out: UnusedCredentialsInputs = { ...emptyCredentialsInputs(), deactivateKeySlots: [] };
    if (!keys.length && !passwords.length) return out;
    asker.note(
      `One question per credential; Enter keeps it as it is. ${count(keys.length, 'access key')} and ${count(passwords.length, 'console password')} to decide.`,
    );
    if (initial?.deactivateKeys?.length)
      asker.note(
        `The answers file lists ${count(initial.deactivateKeys.length, 'key id')} under deactivateKeys; the keys are named by user and slot below, ` +
          'and the plan shows the id of each one you choose.',
      );
    const listedSlots = new Set((initial?.deactivateKeySlots ?? []).map(slotKey));
    const listedUsers = new Set(initial?.removeConsoleAccess ?? []);
    for (const k of keys) {
      if (listedSlots.has(slotKey(k))) asker.note(`Access key ${k.slot} of ${k.user} is listed under deactivateKeySlots in the answers file.`);
      const message = inUse(k)
        ? `Deactivate ${keyName(k)}? It is ${k.ageDays} days old but was used on ${k.lastUsed!.slice(0, 10)}: ` +
          'whatever uses it stops working. Replacing it first is safer.'
        : `Deactivate ${keyName(k)} (${shortKey(k)})? It can be reactivated later.`;
      if (await asker.confirm({ message, default: false })) out.deactivateKeySlots!.push({ user: k.user, slot: k.slot });
    }
    for (const p of passwords) {
      if (listedUsers.has(p.user)) asker.note(`${p.user} is listed under removeConsoleAccess in the answers file.`);
      const used = p.lastUsed ? `last used ${p.lastUsed.slice(0, 10)}` : 'never used';
      const yes = await asker.confirm({ message: `Remove the console password of ${p.user} (${used})? It cannot be restored, only replaced.`, default: false });
      if (yes) out.removeConsoleAccess.push(p.user);
    }
    return out;
  },
};

/** What the plan learnt about one flagged key from the user's live key list. */
type Lookup =
  | { state: 'not-looked-up' }
  | { state: 'user-gone' }
  | { state: 'unmatched' }
  | { state: 'inactive'; accessKeyId: string }
  | { state: 'active'; accessKeyId: string };

/**
 * Looks up the ids of the flagged keys of `users` (ListAccessKeys, at most two keys: one page per
 * user). Each report slot is matched to the listed key created in the same second, never guessed.
 */
async function lookUpKeys(ctx: StepContext, keys: readonly StaleKey[], users: ReadonlySet<string>): Promise<Map<string, Lookup>> {
  const out = new Map<string, Lookup>(keys.map((k) => [slotKey(k), { state: 'not-looked-up' }]));
  const listed = await mapLimit([...users], 8, async (u) => [u, await listKeys(ctx, u)] as const);
  for (const [user, list] of listed) {
    const mine = keys.filter((k) => k.user === user);
    if (list === undefined) {
      for (const k of mine) out.set(slotKey(k), { state: 'user-gone' });
      continue;
    }
    const matched = matchKeySlots(mine.map((k) => ({ slot: k.slot, createdOn: dateOf(k.reportCreatedOn) })), list);
    for (const k of mine) {
      const m = matched.get(k.slot);
      out.set(slotKey(k), !m ? { state: 'unmatched' } : { state: m.status === 'Active' ? 'active' : 'inactive', accessKeyId: m.accessKeyId });
    }
  }
  return out;
}

const step: Step<UnusedCredentialsInputs> = {
  meta,
  inputs,

  async check(ctx) {
    const now = clock.now();
    const sandbox = ctx.target.sandbox;
    // After a change in this run, the users the report would name are read one by one (it may predate the change).
    const named = new Set(assessCredentials(agedForSandbox(await credentialReport(ctx), sandbox), now).map((i) => i.user));
    const current = await currentCredentials(ctx, (r) => named.has(r.user));
    const report = current.rows;
    const rows = agedForSandbox(report, sandbox);
    const issues = assessCredentials(rows, now);
    const lag = reportLagNote(ctx, current);
    // The plan matches keys on the dates IAM wrote, never on the sandbox's aged ones.
    const byUser = new Map<string, CredentialRow>(report.map((r) => [r.user, r]));
    const findings: Finding[] = [];
    for (const issue of issues) {
      const note = sandboxAgeNote(issue.arn, sandbox) + lag;
      if (issue.kind === 'password') {
        const data = stalePassword(issue);
        findings.push({ status: 'fail', resource: issue.arn, region: 'global', message: passwordMessage(data, now) + note, data });
        continue;
      }
      const reported = byUser.get(issue.user)?.accessKeys.find((k) => k.slot === issue.slot)?.lastRotated;
      const data = staleKey(issue, reported);
      findings.push({ status: 'fail', resource: issue.arn, region: 'global', message: keyMessage(data, now) + note, data });
    }
    if (findings.length) return findings;
    const users = rows.filter((r) => !r.isRoot).length;
    return [
      {
        status: 'pass',
        resource: accountResource(ctx),
        region: 'global',
        message:
          `No console password or active access key has gone unused for ${UNUSED_DAYS} days or more, and no active access key is ` +
          `older than ${MAX_KEY_AGE_DAYS} days (${count(users, 'IAM user')} checked).`,
      },
    ];
  },

  async plan(ctx, findings, given): Promise<Plan> {
    const wanted = parseCredentialsInputs(meta.id, given);
    const keys = staleKeys(findings);
    const passwords = stalePasswords(findings);
    const chosenIds = new Set(wanted.deactivateKeys);
    const chosenSlots = new Set((wanted.deactivateKeySlots ?? []).map(slotKey));
    // Key ids are looked up only when some key is chosen: for ids, every user with a flagged key
    // (an id names no user); for slots, the users chosen. Nothing chosen, nothing is called.
    const users = new Set(keys.filter((k) => chosenIds.size > 0 || chosenSlots.has(slotKey(k))).map((k) => k.user));
    const lookups = users.size ? await lookUpKeys(ctx, keys, users) : new Map<string, Lookup>();
    const lookupOf = (k: StaleKey): Lookup => lookups.get(slotKey(k)) ?? { state: 'not-looked-up' };
    const idOf = (k: StaleKey) => {
      const l = lookupOf(k);
      return l.state === 'active' || l.state === 'inactive' ? l.accessKeyId : undefined;
    };
    const chosen = (k: StaleKey) => chosenSlots.has(slotKey(k)) || (idOf(k) !== undefined && chosenIds.has(idOf(k)!));

    const warnings: string[] = [];
    const deactivating: { key: StaleKey; accessKeyId: string }[] = [];
    const left: LeftKey[] = [];
    const gone: string[] = [];
    const unmatched: string[] = [];
    for (const k of keys) {
      const l = lookupOf(k);
      if (l.state === 'inactive') {
        // The report can be hours old (IAM makes a new one at most every four hours); ListAccessKeys is current.
        gone.push(`${keyName(k, l.accessKeyId)} (already inactive)`);
        continue;
      }
      if (l.state === 'user-gone') {
        gone.push(`${keyName(k)} (the user no longer exists)`);
        continue;
      }
      if (l.state === 'active' && chosen(k)) deactivating.push({ key: k, accessKeyId: l.accessKeyId });
      else {
        if (l.state === 'unmatched' && chosenSlots.has(slotKey(k))) unmatched.push(keyName(k));
        left.push({ key: k, ...(l.state === 'active' ? { accessKeyId: l.accessKeyId } : {}) });
      }
    }
    const chosenUsers = new Set(wanted.removeConsoleAccess);
    const removing = passwords.filter((p) => chosenUsers.has(p.user));
    const leftPasswords = passwords.filter((p) => !removing.includes(p));

    if (gone.length)
      warnings.push(
        `Changed since the credential report was made, so not planned: ${gone.join(', ')}. The key list IAM gives now is what counts; the next check's report catches up.`,
      );
    if (unmatched.length)
      warnings.push(
        `Not changed, as no key of the user now has the creation time the report gives (deleted or replaced since the report was made?), and the tool does not guess: ${unmatched.join(', ')}.`,
      );
    const knownIds = new Set(keys.map(idOf).filter((id): id is string => id !== undefined));
    const unknownKeys = wanted.deactivateKeys.filter((id) => !knownIds.has(id));
    if (unknownKeys.length) warnings.push(`Not changed, as the check found nothing wrong with these keys: ${unknownKeys.join(', ')} (listed under deactivateKeys).`);
    const flaggedSlots = new Set(keys.map(slotKey));
    const unknownSlots = (wanted.deactivateKeySlots ?? []).filter((s) => !flaggedSlots.has(slotKey(s)));
    if (unknownSlots.length)
      warnings.push(
        `Not changed, as the check found nothing wrong with these keys: ${unknownSlots.map((s) => `access key ${s.slot} of ${s.user}`).join(', ')} (listed under deactivateKeySlots).`,
      );
    const withPasswords = new Set(passwords.map((p) => p.user));
    const unknownUsers = wanted.removeConsoleAccess.filter((u) => !withPasswords.has(u));
    if (unknownUsers.length)
      warnings.push(`Not changed, as the check found no stale console password for them: ${unknownUsers.join(', ')} (listed under removeConsoleAccess).`);
    const busy = deactivating.filter((d) => inUse(d.key));
    if (busy.length)
      warnings.push(
        `Still in use: ${busy.map((d) => `${d.accessKeyId} (${d.key.user}, last used ${d.key.lastUsed!.slice(0, 10)})`).join(', ')}. ` +
          'Whatever uses them fails as soon as they are deactivated.',
      );
    if (deactivating.length) warnings.push('Deactivated keys stay in IAM and can be reactivated (the undo); delete them by hand once you are sure nothing needs them.');
    if (removing.length) warnings.push('A removed console password cannot be restored, only replaced with a new one.');

    const actions: PlanAction[] = [
      ...deactivating.map((d) => deactivateAction(d.key, d.accessKeyId)),
      ...removing.map((p) => removeConsolePasswordAction(p.user, p.lastUsed ? `unused for ${p.idleDays} days` : `never used in ${p.idleDays} days`)),
    ];
    return {
      actions,
      ...(left.length || leftPasswords.length ? { guidance: remainingGuidance(left, leftPasswords) } : {}),
      ...(warnings.length ? { warnings } : {}),
    };
  },

  /**
   * day-one scenario: a build user whose key was never used (120 days, so also too old), a former
   * intern whose console password was never used (60 days), and a reporting job whose 30-day-old
   * key is fine. moto cannot back-date, so their IAM paths carry their age (see agedForSandbox).
   */
  async seed(ctx: StepContext) {
    sandboxOnly(ctx);
    const iam = ctx.client(IAMClient);
    const created = async (user: string, days: number) => {
      try {
        await iam.send(new CreateUserCommand({ UserName: user, Path: SANDBOX_AGE_PATH(days) }));
        return true;
      } catch (err) {
        if (err instanceof EntityAlreadyExistsException) return false;
        throw err;
      }
    };
    if (await created(SEED_IDLE_KEY, 120)) await iam.send(new CreateAccessKeyCommand({ UserName: SEED_IDLE_KEY }));
    if (await created(SEED_IDLE_PASSWORD, 60))
      await iam.send(new CreateLoginProfileCommand({ UserName: SEED_IDLE_PASSWORD, Password: `Sandbox-${randomBytes(12).toString('base64url')}-9a!` }));
    if (await created(SEED_FRESH_KEY, 30)) await iam.send(new CreateAccessKeyCommand({ UserName: SEED_FRESH_KEY }));
  },
};

/** The day-one users of this step. */
export const SEED_IDLE_KEY = 'build-bot';
export const SEED_IDLE_PASSWORD = 'former.intern';
export const SEED_FRESH_KEY = 'reporting-job';

export default step;
