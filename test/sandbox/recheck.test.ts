/**
 * A re-check sees what the person just did (issue 10, item 1). The wizard checks a step, the
 * person changes the account by hand (here: enrols dana's MFA with the calls the guidance prints),
 * and the re-check runs through the same RunContext: it must not answer from the first check's
 * shared reads. IAM renews its credential report at most every four hours, so the users the step
 * named are read one by one after a change; moto's report carries a fixed GeneratedTime in 2015,
 * which is "older than the change" too, so that path runs here against the real emulator.
 */
import {
  CreateLoginProfileCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  DeleteLoginProfileCommand,
  EnableMFADeviceCommand,
  GetCredentialReportCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { beforeEach, describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context.js';
import { checkStep, recheckStep } from '../../src/engine/runner.js';
import { SANDBOX_CREDENTIALS, SANDBOX_REGION } from '../../src/sandbox/constants.js';
import type { AnyStep } from '../../steps/index.js';
import identityCenter from '../../steps/account/identity-center/index.js';
import userMfa from '../../steps/account/user-mfa/index.js';
import { motoEndpoint, resetMoto } from '../helpers/moto.js';
import { makeSandboxContext } from '../helpers/step-tester.js';

const entry = (step: AnyStep) => ({ meta: step.meta, load: async () => step });

/** The person's own AWS CLI: another client, outside the wizard's context. */
function personsCli(): IAMClient {
  return new IAMClient({ region: SANDBOX_REGION, endpoint: motoEndpoint(), credentials: { ...SANDBOX_CREDENTIALS }, maxAttempts: 1 });
}

async function consoleUsers(names: string[]): Promise<void> {
  const iam = personsCli();
  for (const u of names) {
    await iam.send(new CreateUserCommand({ UserName: u }));
    await iam.send(new CreateLoginProfileCommand({ UserName: u, Password: 'Sandbox-Only-Pa55word!' }));
  }
  iam.destroy();
}

/** What the user-mfa guidance prints: aws iam create-virtual-mfa-device, then enable-mfa-device. */
async function enrolMfaByHand(user: string): Promise<void> {
  const iam = personsCli();
  const device = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: user }));
  await iam.send(
    new EnableMFADeviceCommand({
      UserName: user,
      SerialNumber: device.VirtualMFADevice!.SerialNumber!,
      AuthenticationCode1: '111111',
      AuthenticationCode2: '222222',
    }),
  );
  iam.destroy();
}

/**
 * Real IAM hands back the same credential report for up to four hours; moto writes a new one on
 * every read. This makes the context's IAM client serve the first report's content again (every
 * other call still goes to moto): the one case here that moto cannot express.
 */
function replayFirstReport(ctx: RunContext): { served: number } {
  const iam = ctx.client(IAMClient);
  const send = iam.send.bind(iam) as (c: unknown, o?: unknown) => Promise<unknown>;
  let first: unknown;
  const state = { served: 0 };
  (iam as { send: unknown }).send = async (cmd: unknown, o?: unknown) => {
    if (!(cmd instanceof GetCredentialReportCommand)) return send(cmd, o);
    state.served++;
    first ??= await send(cmd, o);
    return first;
  };
  return state;
}

function counting(ops: string[]): RunContext {
  return makeSandboxContext({ onRequest: (_s, op) => ops.push(op) });
}

beforeEach(async () => {
  await resetMoto();
});

describe('re-checking a step after a change by hand', () => {
  it('user-mfa: dana enrols MFA with the printed commands; the re-check through the same context passes', async () => {
    await consoleUsers(['dana']);
    const ops: string[] = [];
    const ctx = counting(ops);
    const first = await checkStep(entry(userMfa), ctx);
    expect(first.result.status).toBe('fail');
    expect(first.result.findings[0]!.message).toMatch(/^IAM user dana .*no MFA device/);

    await enrolMfaByHand('dana');

    ops.length = 0;
    const again = await recheckStep(entry(userMfa), ctx);
    expect(again.result.status).toBe('pass');
    expect(again.result.findings[0]!.message).toBe('All 1 IAM user with a console password has MFA.');
    // Read afresh, not from the first check's shared reads.
    expect(ops).toContain('GetCredentialReport');
    // In the sandbox the emulator's report is always current: no word about a four-hour lag.
    expect(again.result.findings[0]!.message).not.toMatch(/four hours/);
  });

  it('user-mfa, with IAM handing back the same report (stubbed: moto writes a fresh one on every read): the named users are read one by one', async () => {
    await consoleUsers(['dana', 'erin']);
    await enrolMfaByHand('erin');
    const ops: string[] = [];
    const ctx = counting(ops);
    const replay = replayFirstReport(ctx);
    expect((await checkStep(entry(userMfa), ctx)).result.status).toBe('fail');

    await enrolMfaByHand('dana');

    ops.length = 0;
    const again = await recheckStep(entry(userMfa), ctx);
    expect(replay.served).toBe(2);
    expect(again.result.status).toBe('pass');
    expect(again.result.findings[0]!.message).toBe('All 2 IAM users with a console password have MFA.');
    // dana, the one user the step named; erin (with MFA in the report) is not read again.
    expect(ops.filter((o) => o === 'ListMFADevices')).toHaveLength(1);
    expect(ops.filter((o) => o === 'GetLoginProfile')).toHaveLength(1);
  });

  it('user-mfa on a real account, with IAM handing back the same report (stubbed): the re-check says the report can lag by four hours', async () => {
    await consoleUsers(['dana']);
    const ctx = makeSandboxContext();
    (ctx.target as { sandbox: boolean }).sandbox = false;
    replayFirstReport(ctx);
    expect((await checkStep(entry(userMfa), ctx)).result.status).toBe('fail');
    await enrolMfaByHand('dana');
    const again = await recheckStep(entry(userMfa), ctx);
    expect(again.result.status).toBe('pass');
    expect(again.result.findings[0]!.message).toMatch(
      /credential report \(made 2015-02-02 20:02 UTC\) can lag by up to four hours after a change, so dana was read one by one instead\./,
    );
  });

  it('a report made after the last change is used as it is: no per-user reads', async () => {
    await consoleUsers(['dana']);
    const ops: string[] = [];
    const ctx = counting(ops);
    // moto dates every report 2015-02-02: a change recorded before that makes the report the newer.
    ctx.accountChanged(new Date('2015-01-01T00:00:00Z'));
    const r = await checkStep(entry(userMfa), ctx);
    expect(r.result.status).toBe('fail');
    expect(ops).not.toContain('ListMFADevices');
  });

  it('identity-center: a console password removed by hand no longer counts on the re-check', async () => {
    await consoleUsers(['dana']);
    const ctx = makeSandboxContext();
    const first = await checkStep(entry(identityCenter), ctx);
    expect(JSON.stringify(first.result.findings)).toContain('dana');
    const iam = personsCli();
    await iam.send(new DeleteLoginProfileCommand({ UserName: 'dana' }));
    iam.destroy();
    const again = await recheckStep(entry(identityCenter), ctx);
    expect(JSON.stringify(again.result.findings)).not.toContain('dana');
  });
});
