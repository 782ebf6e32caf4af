/**
 * account.unused-credentials, plan: looks up the ids of the chosen keys (ListAccessKeys, matched on
 * the report's creation time), then deactivates keys and removes passwords as chosen, and says what
 * is left to do by hand.
 */
import { IAMClient, ListAccessKeysCommand, NoSuchEntityException, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import type { AccessKeyMetadata } from '@aws-sdk/client-iam';
import type { Finding, Plan, PlanAction, StepContext } from '../../../src/engine/step-kit.js';
import { parseCredentialsInputs, removeConsolePasswordAction } from '../_shared/credentials-inputs.js';
import { matchKeySlots } from './assess.js';
import meta from './meta.js';
import type { StaleKey, StalePassword } from './findings.js';
import { dateOf, staleKeys, stalePasswords } from './findings.js';

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

/** A key that was used recently: deactivating it breaks whatever uses it. */
export function inUse(k: StaleKey): boolean {
  return k.unusedDays === null && k.lastUsed !== null;
}

export const slotKey = (k: { user: string; slot: 1 | 2 }) => `${k.user}#${k.slot}`;

/** `access key 1 of ci`, with its id once the plan has looked it up. */
export function keyName(k: StaleKey, id?: string): string {
  return `access key ${k.slot}${id ? ` (${id})` : ''} of ${k.user}`;
}

export function shortKey(k: StaleKey): string {
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

/** The plan of the step for the choices `given` (answers file or questions). */
export async function planCredentials(ctx: StepContext, findings: Finding[], given: unknown): Promise<Plan> {
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
}
