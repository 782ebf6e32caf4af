/**
 * account.root-mfa: signing in as the root user needs a second factor.
 *
 * Check: the live account summary (AccountMFAEnabled) decides; the credential report's root row
 * tells whether this endpoint has a root user at all (see root-user.ts). moto has none, so in the
 * sandbox the step is `unsupported` with the reason, never a pass and never a fail.
 *
 * Fix: only the root user can add MFA to itself.
 * - Caller is root: an interactive plan. Create a virtual MFA device, show its key and QR code once
 *   (io.secret), take two consecutive codes (io.asker), enable it. A device that could not be
 *   enabled is deleted again, so nothing half-made is left behind. AWS documents that root MFA is
 *   assigned in the console only (id_credentials_mfa_enable_cliapi): should EnableMFADevice be
 *   refused, the run stops with the console steps, which the plan also carries.
 * - Anyone else: no actions, the exact console steps as guidance; the wizard offers to check again.
 *
 * The seed exists only inside the first action's run: it goes to io.secret and nowhere else (not in
 * params, outputs, errors or the journal).
 */
import {
  CreateVirtualMFADeviceCommand,
  DeleteVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  GetUserCommand,
  IAMClient,
  InvalidAuthenticationCodeException,
  paginateListVirtualMFADevices,
} from '@aws-sdk/client-iam';
import type { Finding, Plan, PlanAction, Step, StepContext } from '../../../src/engine/step-kit.js';
import { REDACTED, describeError, invokedAs, irreversible } from '../../../src/engine/step-kit.js';
import meta from './meta.js';
import { askTwoCodes, otpauthUri } from './mfa-codes.js';
import { consoleUrl, readRootState, reportNote, rootArn, whyUnknown } from '../_shared/root-user.js';

/** How many times a person may type a fresh pair of codes after AWS refused one. */
const CODE_ATTEMPTS = 3;

/** The console steps, for anyone who is not root now, and as the fallback when the API route is refused. */
export function consoleSteps(ctx: StepContext): string {
  return [
    'Only the root user can add MFA to itself, in the AWS console:',
    '',
    `1. Open ${consoleUrl(ctx)}, choose **Root user**, and sign in with the account's email address and password.`,
    '2. Open the menu under your account name (top right) and choose **Security credentials**.',
    '3. In **Multi-factor authentication (MFA)**, choose **Assign MFA device**.',
    '4. Name the device, then choose **Passkey or security key** or **Hardware TOTP token** if you have one (preferred for root, CIS 2.6), ' +
      'or **Authenticator app**. Choose **Next**.',
    '5. For an app: choose **Show QR code** and scan it. Type the code the app shows into **MFA code 1**, wait for the next code, ' +
      'type it into **MFA code 2**, and choose **Add MFA**.',
    '6. Sign out and sign in as root once more: the console must now ask for a code.',
    '7. Come back here and check again.',
  ].join('\n');
}

/** Whether the root user's MFA is an app (virtual device) or something stronger; `undefined` when that cannot be read. */
async function rootDeviceKind(ctx: StepContext): Promise<'virtual' | 'hardware' | undefined> {
  const root = rootArn(ctx);
  try {
    for await (const page of paginateListVirtualMFADevices({ client: ctx.client(IAMClient) }, { AssignmentStatus: 'Assigned' }))
      if ((page.VirtualMFADevices ?? []).some((d) => d.User?.Arn === root)) return 'virtual';
    // Hardware tokens and passkeys are not virtual devices: MFA is on and none of the virtual ones is root's.
    return 'hardware';
  } catch {
    // Only a refinement of a pass (the summary already said MFA is on): without it the message is shorter.
    return undefined;
  }
}

function passMessage(kind: 'virtual' | 'hardware' | undefined): string {
  if (kind === 'virtual')
    return (
      'MFA is on for the root user, with an authenticator app. For root, CIS 2.6 and FSBP IAM.6 prefer a hardware device ' +
      '(a security key or hardware token) where you can have one.'
    );
  if (kind === 'hardware') return 'MFA is on for the root user, with a hardware device or passkey.';
  return 'MFA is on for the root user.';
}

async function check(ctx: StepContext): Promise<Finding[]> {
  const state = await readRootState(ctx);
  const base = { resource: rootArn(ctx), region: 'global' };
  if (state.mfaEnabled) return [{ ...base, status: 'pass', message: passMessage(await rootDeviceKind(ctx)), data: { mfa: true } }];
  // A 0 from an endpoint without a root user is a constant, not a reading: neither pass nor fail.
  const unknown = whyUnknown(ctx, state, 'AccountMFAEnabled');
  if (unknown) return [{ ...base, status: 'unsupported', message: unknown }];
  return [
    {
      ...base,
      status: 'fail',
      message:
        'The root user has no MFA: its email address and password alone open every part of the account, billing and closing it included.' +
        reportNote(state),
      data: { mfa: false },
    },
  ];
}

/** `root-mfa-20261129T100000`: unique, so a device left by an interrupted earlier try does not block this one. */
function deviceName(now = new Date()): string {
  return `root-mfa-${now.toISOString().replace(/[-:]/g, '').slice(0, 15)}`;
}

/** Adds what happened to the device to an error, keeping its type (the engine reads its kind). */
function withNote(err: unknown, note: string): unknown {
  if (err instanceof Error) {
    err.message = `${err.message} ${note}`;
    return err;
  }
  return new Error(`${String(err)} ${note}`);
}

/** Why root MFA is not undone (the plan says it before the fix, `undo` after). */
export const ROOT_MFA_STAYS =
  'Undo does not take MFA off the root user: that would put back the very risk this step removes, and only root can do it, in the console ' +
  '(Security credentials → Multi-factor authentication → Remove), if the device is lost or replaced.';

/** The interactive plan for a root caller: create the device and show it, then enable it with two codes. */
function rootPlan(ctx: StepContext, userName: string): PlanAction[] {
  const { partition, accountId } = ctx.target;
  const name = deviceName();
  const plannedSerial = `arn:${partition}:iam::${accountId}:mfa/${name}`;
  // Handed from the first action to the second while the plan is applied; never stored.
  let serial: string | undefined;

  const deleteDevice = async (iam: IAMClient, sn: string): Promise<string> => {
    try {
      await iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: sn }));
      return `The unused virtual MFA device ${sn} was deleted again; remove its entry from your authenticator app.`;
    } catch (cleanup) {
      return `The unused virtual MFA device ${sn} could not be deleted (${describeError(cleanup)}); delete it in the IAM console.`;
    }
  };

  const create: PlanAction = {
    service: 'iam',
    operation: 'CreateVirtualMFADevice',
    region: 'global',
    params: { VirtualMFADeviceName: name },
    summary: `Create the virtual MFA device ${name} and show its key and QR code once, for your authenticator app`,
    irreversible: ROOT_MFA_STAYS,
    async run(runCtx, io) {
      if (!io) throw new Error(`Adding MFA needs a person at the terminal to scan the QR code: run the wizard (${invokedAs()} --step account.root-mfa).`);
      const iam = runCtx.client(IAMClient);
      const out = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: name }));
      const device = out.VirtualMFADevice;
      const sn = device?.SerialNumber;
      if (!sn) throw new Error('IAM created the virtual MFA device but returned no serial number; check the IAM console for an unassigned device.');
      try {
        const seed = device.Base32StringSeed ? new TextDecoder().decode(device.Base32StringSeed) : '';
        if (!seed) throw new Error('IAM returned no key for the new virtual MFA device.');
        await io.secret({
          label: 'Secret key for your authenticator app (scan the QR code, or type this key)',
          value: seed,
          qr: otpauthUri(seed, `root@${accountId}`),
        });
      } catch (err) {
        throw withNote(err, await deleteDevice(iam, sn));
      }
      serial = sn;
      return { output: { SerialNumber: sn } };
    },
  };

  const enable: PlanAction = {
    service: 'iam',
    operation: 'EnableMFADevice',
    region: 'global',
    params: { UserName: userName, SerialNumber: plannedSerial, AuthenticationCode1: REDACTED, AuthenticationCode2: REDACTED },
    summary: 'Turn MFA on for the root user with two consecutive codes from your app',
    irreversible: ROOT_MFA_STAYS,
    async run(runCtx, io) {
      const sn = serial;
      if (!sn) throw new Error('No virtual MFA device was created in this run: apply the whole plan again.');
      const iam = runCtx.client(IAMClient);
      try {
        if (!io) throw new Error('Enabling MFA needs two codes from a person at the terminal: run the wizard.');
        for (let attempt = 1; ; attempt++) {
          const [code1, code2] = await askTwoCodes(io.asker);
          try {
            await iam.send(new EnableMFADeviceCommand({ UserName: userName, SerialNumber: sn, AuthenticationCode1: code1, AuthenticationCode2: code2 }));
            serial = undefined;
            return { output: { SerialNumber: sn } };
          } catch (err) {
            if (!(err instanceof InvalidAuthenticationCodeException) || attempt >= CODE_ATTEMPTS) throw err;
            io.asker.note(
              'AWS did not accept those two codes. Check that the app shows the device you just scanned and that this computer’s clock is right, ' +
                'then type two fresh codes.',
            );
          }
        }
      } catch (err) {
        serial = undefined;
        throw withNote(err, `${await deleteDevice(iam, sn)} Use the console steps of this plan instead.`);
      }
    },
  };

  return [create, enable];
}

const step: Step<undefined> = {
  meta,
  check,

  async plan(ctx, findings): Promise<Plan> {
    if (findings.every((f) => f.status === 'pass')) return { actions: [] };
    const guidance = consoleSteps(ctx);
    if (!findings.some((f) => f.status === 'fail') || !ctx.target.isRoot) return { actions: [], guidance };
    // The API names the user to enable MFA for; ask IAM what it calls the caller (read-only).
    const me = await ctx.client(IAMClient).send(new GetUserCommand({}));
    const userName = me.User?.UserName;
    if (!userName)
      return {
        actions: [],
        guidance,
        warnings: ['IAM gave no user name for the root caller, so MFA cannot be enabled through the API: use the console steps below.'],
      };
    return {
      actions: rootPlan(ctx, userName),
      interactive: true,
      guidance: `If AWS refuses to enable the device through the API, the unused device is deleted again and nothing changes. Then:\n\n${guidance}`,
      warnings: [
        'Keep your phone (or the app’s backup) safe: from now on the root user cannot sign in without it.',
        'AWS documents that MFA for the root user is assigned in the console; if it refuses the API call, follow the console steps below.',
      ],
    };
  },
  /** Root MFA stays: every change of this step is irreversible, and says why. */
  async undo() {
    return irreversible(ROOT_MFA_STAYS);
  },
  // No seed: moto has no root user, so there is no insecure root to make (see root-user.ts).
};

export default step;
