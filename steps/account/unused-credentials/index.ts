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
import { CreateAccessKeyCommand, CreateLoginProfileCommand, CreateUserCommand, EntityAlreadyExistsException, IAMClient } from '@aws-sdk/client-iam';
import type { Asker, Finding, Plan, Step, StepContext, StepInputs } from '../../../src/engine/step-kit.js';
import { sandboxOnly } from '../../../src/engine/step-kit.js';
import { SANDBOX_AGE_PATH, count, credentialsInputsSchema, emptyCredentialsInputs, undoCredentialChange } from '../_shared/credentials-inputs.js';
import type { CredentialsInputs } from '../_shared/credentials-inputs.js';
import meta from './meta.js';
import { checkCredentials, staleKeys, stalePasswords } from './findings.js';
import { inUse, keyName, planCredentials, shortKey, slotKey } from './plan.js';

export { keyMessage, passwordMessage, staleKeys, stalePasswords } from './findings.js';
export type { StaleKey, StalePassword } from './findings.js';
export { remainingGuidance } from './plan.js';
export type { LeftKey } from './plan.js';

export type UnusedCredentialsInputs = CredentialsInputs;

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

const step: Step<UnusedCredentialsInputs> = {
  meta,
  inputs,

  check(ctx) {
    return checkCredentials(ctx);
  },

  plan(ctx, findings, given): Promise<Plan> {
    return planCredentials(ctx, findings, given);
  },

  /** Reactivates a key the fix deactivated while it is still inactive; a removed console password cannot come back. */
  undo: undoCredentialChange,

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
