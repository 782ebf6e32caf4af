/**
 * account.user-mfa: an IAM user who can sign in to the console with a password also has an MFA
 * device. Read from the shared credential report (no per-user calls). The fix is guided: per user,
 * the person either removes the console password (DeleteLoginProfile, which cannot be undone) or
 * leaves it so that the user enrols a device, with the steps to do so.
 */
import { randomBytes } from 'node:crypto';
import {
  CreateLoginProfileCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  EntityAlreadyExistsException,
  IAMClient,
} from '@aws-sdk/client-iam';
import { z } from 'zod';
import type { Asker, Finding, Plan, Step, StepContext, StepInputs } from '../../../src/engine/step-kit.js';
import { sandboxOnly } from '../../../src/engine/step-kit.js';
import {
  accountResource,
  agedForSandbox,
  count,
  credentialsInputsSchema,
  dayAndAge,
  emptyCredentialsInputs,
  parseCredentialsInputs,
  removeConsolePasswordAction,
  sandboxAgeNote,
  undoCredentialChange,
} from '../_shared/credentials-inputs.js';
import type { CredentialsInputs } from '../_shared/credentials-inputs.js';
import { currentCredentials, reportLagNote } from '../_shared/iam-data.js';
import type { CredentialRow } from '../_shared/iam-data.js';
import meta from './meta.js';

export type UserMfaInputs = CredentialsInputs;

const KIND = 'console-password-without-mfa';

/** What a failing finding carries for the plan and the questions. */
const exposedSchema = z.object({
  kind: z.literal(KIND),
  user: z.string(),
  arn: z.string(),
  /** When the current password was set (the report's password_last_changed), ISO; null when IAM does not say. */
  passwordSince: z.string().nullable(),
  /** Last console sign-in with it, ISO; null: never (or not recorded). */
  passwordLastUsed: z.string().nullable(),
  /** The person running the tool is this user. */
  isCaller: z.boolean(),
});
export type ExposedUser = z.infer<typeof exposedSchema>;

export interface FindingOptions {
  now: Date;
  /** The account-wide resource of the passing finding. */
  accountResource: string;
  /** The caller's ARN, to say "you" where it is the caller's own user. */
  callerArn: string;
  /** Against the sandbox, seeded users may be aged (see agedForSandbox). */
  sandbox?: boolean;
}

function exposedMessage(e: ExposedUser, now: Date): string {
  const since = e.passwordSince ? `has had a console password since ${dayAndAge(new Date(e.passwordSince), now)}` : 'has a console password';
  const used = e.passwordLastUsed ? `last used ${dayAndAge(new Date(e.passwordLastUsed), now)}` : 'never used to sign in so far';
  return `IAM user ${e.user}${e.isCaller ? ' (you)' : ''} ${since} and no MFA device: a stolen or guessed password is enough to sign in (${used}).`;
}

/** The findings for a credential report: one failure per user with a password and no MFA, else one pass. Pure. */
export function userMfaFindings(rows: readonly CredentialRow[], opts: FindingOptions): Finding[] {
  const withPassword = agedForSandbox(rows, opts.sandbox ?? false).filter((r) => !r.isRoot && r.passwordEnabled);
  const exposed = withPassword.filter((r) => !r.mfaActive);
  if (!exposed.length) {
    const message = withPassword.length
      ? `All ${count(withPassword.length, 'IAM user')} with a console password ${withPassword.length === 1 ? 'has' : 'have'} MFA.`
      : 'No IAM user has a console password, so none needs MFA for the console.';
    return [{ status: 'pass', resource: opts.accountResource, region: 'global', message }];
  }
  return exposed.map((r): Finding => {
    const since = r.passwordLastChanged ?? r.userCreationTime;
    const data: ExposedUser = {
      kind: KIND,
      user: r.user,
      arn: r.arn,
      passwordSince: since ? since.toISOString() : null,
      passwordLastUsed: r.passwordLastUsed ? r.passwordLastUsed.toISOString() : null,
      isCaller: r.arn === opts.callerArn,
    };
    return { status: 'fail', resource: r.arn, region: 'global', message: exposedMessage(data, opts.now) + sandboxAgeNote(r.arn, opts.sandbox ?? false), data };
  });
}

/** The users the check found exposed, from its findings. */
export function exposedUsers(findings: readonly Finding[]): ExposedUser[] {
  return findings.filter((f) => f.status === 'fail' && f.data?.kind === KIND).map((f) => exposedSchema.parse(f.data));
}

function listNames(names: readonly string[], max = 15): string {
  const shown = names.slice(0, max).map((n) => `\`${n}\``);
  return names.length > max ? `${shown.join(', ')} and ${names.length - max} more` : shown.join(', ');
}

/** What to do by hand for the users who keep their password: enrol an MFA device. */
export function enrolGuidance(left: readonly ExposedUser[], partition: string, accountId: string): string {
  const example = left[0]?.user ?? 'USER';
  return [
    `${left.length === 1 ? 'This user keeps a console password and still needs' : 'These users keep a console password and still need'} an MFA device: ${listNames(left.map((e) => e.user))}.`,
    '',
    'Best done by each user, so that only they ever see the secret behind the QR code:',
    '',
    '1. Sign in to the console as that user, open the account menu (top right) and choose **Security credentials**.',
    '',
    '2. Under **Multi-factor authentication (MFA)** choose **Assign MFA device**, give it a name, and pick a passkey or security key, ' +
      'or an **authenticator app**.',
    '',
    '3. For an app: scan the QR code with it (any TOTP app works), then type two codes in a row, waiting for the second one to appear.',
    '',
    'Users can do this themselves only if a policy lets them manage their own MFA device: AWS documents one ' +
      '("allows MFA-authenticated IAM users to manage their own MFA device") that you can attach to a group they are in. ' +
      'Otherwise an administrator opens IAM → **Users** → the user → **Security credentials** → **Assign MFA device** while the user holds the phone.',
    '',
    `From the CLI, an administrator enrolling \`${example}\` (the PNG holds the secret: give it only to that user, then delete it):`,
    '',
    '```',
    `aws iam create-virtual-mfa-device --virtual-mfa-device-name ${example} \\`,
    `  --outfile ${example}-mfa.png --bootstrap-method QRCodePNG`,
    `aws iam enable-mfa-device --user-name ${example} \\`,
    `  --serial-number arn:${partition}:iam::${accountId}:mfa/${example} \\`,
    '  --authentication-code1 111111 --authentication-code2 222222',
    '```',
    '',
    'Then choose re-check: the step passes once every remaining user has a device.',
  ].join('\n');
}

const inputs: StepInputs<UserMfaInputs> = {
  schema: credentialsInputsSchema,
  // The defaults change nothing, so `fix --yes` may run without an entry: it simply removes no password.
  requiredInAnswers: false,
  defaults: () => emptyCredentialsInputs(),

  async ask(asker: Asker, initial: UserMfaInputs, findings: Finding[]): Promise<UserMfaInputs> {
    const exposed = exposedUsers(findings);
    if (!exposed.length) return { deactivateKeys: [], removeConsoleAccess: [] };
    asker.note(
      `${count(exposed.length, 'user')} can sign in with a password alone. For each, choose: remove the console password ` +
        '(they lose console access at once; the password cannot be restored, only replaced), or keep it so that they enrol an MFA device ' +
        '(the steps follow after the plan).',
    );
    const listed = new Set(initial?.removeConsoleAccess ?? []);
    const remove: string[] = [];
    for (const e of exposed) {
      if (listed.has(e.user)) asker.note(`${e.user} is listed under removeConsoleAccess in the answers file.`);
      const used = e.passwordLastUsed ? `last used ${e.passwordLastUsed.slice(0, 10)}` : 'never used';
      const yes = await asker.confirm({
        message: e.isCaller
          ? `Remove YOUR OWN console password (${e.user}, ${used})? You would sign in to the console another way from then on.`
          : `Remove the console password of ${e.user} (${used})? No keeps it so that ${e.user} enrols MFA.`,
        default: false,
      });
      if (yes) remove.push(e.user);
    }
    return { deactivateKeys: [], removeConsoleAccess: remove };
  },
};

function warningsFor(given: UserMfaInputs, exposed: readonly ExposedUser[], removing: readonly ExposedUser[]): string[] {
  const out: string[] = [];
  const names = new Set(exposed.map((e) => e.user));
  const unknown = given.removeConsoleAccess.filter((u) => !names.has(u));
  if (unknown.length)
    out.push(`Not changed, as the check found no password without MFA for them: ${unknown.join(', ')} (listed under removeConsoleAccess).`);
  if (given.deactivateKeys.length)
    out.push(`deactivateKeys does not apply to ${meta.id} (access keys are the business of account.unused-credentials); ignored here.`);
  if (removing.some((e) => e.isCaller)) out.push('You are removing your own console password: keep another way in (access keys, or another administrator).');
  if (removing.length)
    out.push(
      'A removed password is gone for good: IAM never shows passwords, so none can be put back. To give console access again, set a new one ' +
        '(IAM → Users → Security credentials → Enable console access, or aws iam create-login-profile) and have MFA enrolled first thing.',
    );
  return out;
}

const step: Step<UserMfaInputs> = {
  meta,
  inputs,

  async check(ctx) {
    // After a change in this run, the users it would name are read one by one: the report may predate it.
    const current = await currentCredentials(ctx, (r) => r.passwordEnabled && !r.mfaActive);
    const findings = userMfaFindings(current.rows, {
      now: new Date(),
      accountResource: accountResource(ctx),
      callerArn: ctx.target.principalArn,
      sandbox: ctx.target.sandbox,
    });
    const note = reportLagNote(ctx, current);
    return note ? findings.map((f) => ({ ...f, message: f.message + note })) : findings;
  },

  async plan(ctx, findings, given): Promise<Plan> {
    const wanted = parseCredentialsInputs(meta.id, given);
    const exposed = exposedUsers(findings);
    const chosen = new Set(wanted.removeConsoleAccess);
    const removing = exposed.filter((e) => chosen.has(e.user));
    const left = exposed.filter((e) => !chosen.has(e.user));
    const warnings = warningsFor(wanted, exposed, removing);
    return {
      actions: removing.map((e) => removeConsolePasswordAction(e.user, 'it has no MFA')),
      ...(left.length ? { guidance: enrolGuidance(left, ctx.target.partition, ctx.target.accountId) } : {}),
      ...(warnings.length ? { warnings } : {}),
    };
  },

  /** A removed console password cannot be put back: every change of this step is irreversible, and says why. */
  undo: undoCredentialChange,

  /** day-one scenario: one console user without MFA (to fix), one with a virtual MFA device (fine as is). */
  async seed(ctx: StepContext) {
    sandboxOnly(ctx);
    const iam = ctx.client(IAMClient);
    const once = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (err) {
        if (!(err instanceof EntityAlreadyExistsException)) throw err;
      }
    };
    // Throw-away passwords that satisfy any password policy; nobody signs in to the sandbox's console.
    const password = () => `Sandbox-${randomBytes(12).toString('base64url')}-9a!`;
    for (const user of [SEED_WITHOUT_MFA, SEED_WITH_MFA]) {
      await once(iam.send(new CreateUserCommand({ UserName: user })));
      await once(iam.send(new CreateLoginProfileCommand({ UserName: user, Password: password() })));
    }
    try {
      const device = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: SEED_WITH_MFA }));
      // moto does not check the codes; a real account would need two from the app.
      await iam.send(
        new EnableMFADeviceCommand({
          UserName: SEED_WITH_MFA,
          SerialNumber: device.VirtualMFADevice!.SerialNumber!,
          AuthenticationCode1: '123456',
          AuthenticationCode2: '654321',
        }),
      );
    } catch (err) {
      if (!(err instanceof EntityAlreadyExistsException)) throw err;
    }
  },
};

/** The day-one users of this step. */
export const SEED_WITHOUT_MFA = 'morgan.console';
export const SEED_WITH_MFA = 'casey.mfa';

export default step;
