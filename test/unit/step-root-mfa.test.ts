/**
 * account.root-mfa on the paths moto cannot reach: moto has no root user, so the root user's MFA
 * state and a root caller are stubbed at the SDK level (aws-sdk-client-mock), as every test name says.
 */
import {
  CreateVirtualMFADeviceCommand,
  DeleteVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  GenerateCredentialReportCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  GetUserCommand,
  IAMClient,
  InvalidAuthenticationCodeException,
  ListVirtualMFADevicesCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context.js';
import { checkStep, planStep } from '../../src/engine/runner.js';
import { REDACTED } from '../../src/engine/types.js';
import type { ActionIO, Plan } from '../../src/engine/types.js';
import { undoableEntries, undoVerdicts } from '../../src/engine/undo.js';
import step, { ROOT_MFA_STAYS } from '../../steps/account/root-mfa/index.js';
import { otpauthUri } from '../../steps/account/root-mfa/mfa-codes.js';
import { applyWith as applyInteractively, CREDENTIAL_REPORT_HEADER, person, ROOT_ARN, STUB_ACCOUNT, stubContext } from '../helpers/stub-context.js';

const STUB = '(SDK stub: moto has no root user)';
const ACCOUNT = STUB_ACCOUNT;
const ROOT = ROOT_ARN;
const SEED = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const SERIAL = `arn:aws:iam::${ACCOUNT}:mfa/root-mfa-test`;

const HEADER = CREDENTIAL_REPORT_HEADER;

function rootRow(mfa: boolean): string {
  return `<root_account>,${ROOT},2024-01-02T10:00:00+00:00,not_supported,2026-11-28T09:00:00+00:00,not_supported,not_supported,${mfa},false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`;
}

const iam = mockClient(IAMClient);
const entry = { meta: step.meta, load: async () => step };

/** A run context whose IAM client is the stub above (the caller is root unless said otherwise). */
const context = (opts: { isRoot?: boolean; sandbox?: boolean } = {}) => stubContext({ isRoot: true, ...opts });

/** The account as IAM reports it: the live summary flag and the credential report's root row (or none, or an error). */
function account(opts: { summaryMfa: boolean; reportMfa?: boolean | null; reportError?: Error }): void {
  iam.on(GetAccountSummaryCommand).resolves({ SummaryMap: { AccountMFAEnabled: opts.summaryMfa ? 1 : 0, AccountAccessKeysPresent: 0, Users: 1 } });
  if (opts.reportError) iam.on(GenerateCredentialReportCommand).rejects(opts.reportError);
  else iam.on(GenerateCredentialReportCommand).resolves({ State: 'COMPLETE' });
  const rows = opts.reportMfa === null ? [] : [rootRow(opts.reportMfa ?? opts.summaryMfa)];
  iam.on(GetCredentialReportCommand).resolves({ Content: new TextEncoder().encode([HEADER, ...rows].join('\n')) });
}

function enrolment(): void {
  iam.on(GetUserCommand).resolves({ User: { UserName: 'root', UserId: ACCOUNT, Arn: ROOT, Path: '/', CreateDate: new Date() } });
  iam.on(CreateVirtualMFADeviceCommand).resolves({ VirtualMFADevice: { SerialNumber: SERIAL, Base32StringSeed: new TextEncoder().encode(SEED) } });
  iam.on(DeleteVirtualMFADeviceCommand).resolves({});
}


const applyWith = (ctx: RunContext, plan: Plan, io?: ActionIO) => applyInteractively(step.meta.id, ctx, plan, io);

async function checkAndPlan(ctx: RunContext) {
  const checked = await checkStep(entry, ctx);
  return { checked, plan: await planStep(checked, ctx, undefined) };
}

beforeEach(() => {
  iam.reset();
});
afterAll(() => {
  iam.restore();
});

describe('account.root-mfa: check', () => {
  it(`fails when the root user has no MFA ${STUB}`, async () => {
    account({ summaryMfa: false });
    const { result } = await checkStep(entry, context());
    expect(result.status).toBe('fail');
    expect(result.findings).toEqual([
      expect.objectContaining({ status: 'fail', resource: ROOT, region: 'global', message: expect.stringContaining('The root user has no MFA') }),
    ]);
  });

  it(`passes when the root user has MFA, naming an app as the weaker kind ${STUB}`, async () => {
    account({ summaryMfa: true });
    iam.on(ListVirtualMFADevicesCommand).resolves({ VirtualMFADevices: [{ SerialNumber: SERIAL, User: { Arn: ROOT, UserName: 'root', UserId: ACCOUNT, Path: '/', CreateDate: new Date() } }] });
    const { result } = await checkStep(entry, context({ isRoot: false }));
    expect(result.status).toBe('pass');
    expect(result.findings[0]!.message).toMatch(/MFA is on for the root user, with an authenticator app.*CIS 2\.6/);
  });

  it(`passes with a hardware device when no virtual device is root's ${STUB}`, async () => {
    account({ summaryMfa: true });
    iam.on(ListVirtualMFADevicesCommand).resolves({ VirtualMFADevices: [] });
    const { result } = await checkStep(entry, context());
    expect(result.findings[0]!.message).toBe('MFA is on for the root user, with a hardware device or passkey.');
  });

  it(`trusts the live account summary over a credential report up to four hours old ${STUB}`, async () => {
    account({ summaryMfa: true, reportMfa: false });
    iam.on(ListVirtualMFADevicesCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    const { result } = await checkStep(entry, context());
    expect(result.status).toBe('pass');
    expect(result.findings[0]!.message).toBe('MFA is on for the root user.');
  });

  it(`against AWS, an unreadable credential report leaves the summary to answer ${STUB}`, async () => {
    account({ summaryMfa: false, reportError: Object.assign(new Error('User is not authorized'), { name: 'AccessDenied' }) });
    const { result } = await checkStep(entry, context());
    expect(result.status).toBe('fail');
    expect(result.findings[0]!.message).toMatch(/no MFA.*credential report could not be read: Access denied/);
  });

  it(`in the sandbox, an unreadable credential report is an error, not a verdict from the hard-coded summary ${STUB}`, async () => {
    account({ summaryMfa: false, reportError: Object.assign(new Error('User is not authorized'), { name: 'AccessDenied' }) });
    const { result } = await checkStep(entry, context({ isRoot: false, sandbox: true }));
    expect(result.status).toBe('error');
    expect(result.error).toMatch(/Access denied.*iam:GenerateCredentialReport/);
  });

  it(`an endpoint without a root row is unsupported, even when its summary says 0 ${STUB}`, async () => {
    account({ summaryMfa: false, reportMfa: null });
    const { result } = await checkStep(entry, context({ isRoot: false }));
    expect(result.status).toBe('unsupported');
  });
});

describe('account.root-mfa: the fix as root', () => {
  it(`is an interactive plan that creates a device, shows it once and enables it with two codes ${STUB}`, async () => {
    account({ summaryMfa: false });
    enrolment();
    iam.on(EnableMFADeviceCommand).resolves({});
    const ctx = context();
    const { plan } = await checkAndPlan(ctx);
    expect(plan.interactive).toBe(true);
    expect(plan.actions.map((a) => `${a.service}:${a.operation}`)).toEqual(['iam:CreateVirtualMFADevice', 'iam:EnableMFADevice']);
    expect(plan.actions[1]!.params).toMatchObject({ UserName: 'root', AuthenticationCode1: REDACTED, AuthenticationCode2: REDACTED });
    // Root MFA is never undone: the plan says so before the fix, and undo after it.
    expect(plan.actions.map((a) => [a.inverse, a.irreversible])).toEqual([
      [undefined, ROOT_MFA_STAYS],
      [undefined, ROOT_MFA_STAYS],
    ]);
    for (const op of plan.actions.map((a) => `${a.service}:${a.operation}`)) expect(step.meta.permissions.fix).toContain(op);

    const { io, asker, shown } = person([{ text: '123456' }, { text: '654 321' }]);
    const journal = await applyWith(ctx, plan, io);
    expect(journal.map((e) => e.result)).toEqual(['ok', 'ok']);
    expect(asker.remaining).toBe(0);

    // The seed is shown once, with the URI an app scans, and nowhere else.
    expect(shown).toEqual([{ label: expect.stringContaining('authenticator app'), value: SEED, qr: otpauthUri(SEED, `root@${ACCOUNT}`) }]);
    expect(shown[0]!.qr).toMatch(/^otpauth:\/\/totp\/Amazon%20Web%20Services:root%40111122223333\?secret=JBSWY3/);
    expect(JSON.stringify(journal)).not.toContain(SEED);
    expect(JSON.stringify(plan)).not.toContain(SEED);

    const enable = iam.commandCalls(EnableMFADeviceCommand);
    expect(enable).toHaveLength(1);
    expect(enable[0]!.args[0].input).toEqual({ UserName: 'root', SerialNumber: SERIAL, AuthenticationCode1: '123456', AuthenticationCode2: '654321' });
    expect(iam.commandCalls(DeleteVirtualMFADeviceCommand)).toHaveLength(0);

    const items = await undoVerdicts(ctx, [entry], undoableEntries(journal));
    expect(items.map((i) => [i.entry.operation, i.kind])).toEqual([
      ['EnableMFADevice', 'irreversible'],
      ['CreateVirtualMFADevice', 'irreversible'],
    ]);
    expect(items[0]).toMatchObject({ reason: expect.stringContaining('Undo does not take MFA off the root user') });
  });

  it(`codes that are not 6 digits, or the same code twice, are asked again ${STUB}`, async () => {
    account({ summaryMfa: false });
    enrolment();
    iam.on(EnableMFADeviceCommand).resolves({});
    const ctx = context();
    const { plan } = await checkAndPlan(ctx);
    const { io, asker } = person([{ text: '12345' }, { text: 'abcdef' }, { text: '111111' }, { text: '111 111' }, { text: '222222' }]);
    const journal = await applyWith(ctx, plan, io);
    expect(journal.map((e) => e.result)).toEqual(['ok', 'ok']);
    expect(asker.asked.map((q) => q.rejected.map((r) => r.answer))).toEqual([['12345', 'abcdef'], ['111 111']]);
    expect(asker.asked[1]!.rejected[0]!.message).toMatch(/same code/);
    expect(iam.commandCalls(EnableMFADeviceCommand)[0]!.args[0].input).toMatchObject({ AuthenticationCode1: '111111', AuthenticationCode2: '222222' });
  });

  it(`codes AWS refuses are asked again, fresh ${STUB}`, async () => {
    account({ summaryMfa: false });
    enrolment();
    iam
      .on(EnableMFADeviceCommand)
      .rejectsOnce(new InvalidAuthenticationCodeException({ message: 'Authentication code for device is not valid.', $metadata: {} }))
      .resolves({});
    const ctx = context();
    const { plan } = await checkAndPlan(ctx);
    const { io, asker } = person([{ text: '123456' }, { text: '654321' }, { text: '222333' }, { text: '444555' }]);
    const journal = await applyWith(ctx, plan, io);
    expect(journal.map((e) => e.result)).toEqual(['ok', 'ok']);
    expect(asker.notes.join(' ')).toMatch(/did not accept those two codes/);
    expect(iam.commandCalls(EnableMFADeviceCommand).map((c) => c.args[0].input.AuthenticationCode1)).toEqual(['123456', '222333']);
  });

  it(`when enabling fails, the unused device is deleted and the error says so ${STUB}`, async () => {
    account({ summaryMfa: false });
    enrolment();
    iam.on(EnableMFADeviceCommand).rejects(Object.assign(new Error('Root MFA cannot be enabled through the API'), { name: 'InvalidInput' }));
    const ctx = context();
    const { plan } = await checkAndPlan(ctx);
    const { io } = person([{ text: '123456' }, { text: '654321' }]);
    const journal = await applyWith(ctx, plan, io);
    expect(journal.map((e) => e.result)).toEqual(['ok', 'failed']);
    expect(journal[1]!.error).toMatch(/InvalidInput: Root MFA cannot be enabled.*unused virtual MFA device .* was deleted again.*console steps/);
    expect(iam.commandCalls(DeleteVirtualMFADeviceCommand).map((c) => c.args[0].input)).toEqual([{ SerialNumber: SERIAL }]);
    expect(JSON.stringify(journal)).not.toContain(SEED);
  });

  it(`after three refused pairs of codes it gives up and deletes the device ${STUB}`, async () => {
    account({ summaryMfa: false });
    enrolment();
    iam.on(EnableMFADeviceCommand).rejects(new InvalidAuthenticationCodeException({ message: 'not valid', $metadata: {} }));
    const ctx = context();
    const { plan } = await checkAndPlan(ctx);
    const { io } = person([{ text: '100000' }, { text: '100001' }, { text: '200000' }, { text: '200001' }, { text: '300000' }, { text: '300001' }]);
    const journal = await applyWith(ctx, plan, io);
    expect(journal[1]!.result).toBe('failed');
    expect(iam.commandCalls(EnableMFADeviceCommand)).toHaveLength(3);
    expect(iam.commandCalls(DeleteVirtualMFADeviceCommand)).toHaveLength(1);
  });

  it(`without a person (fix --yes) nothing is created ${STUB}`, async () => {
    account({ summaryMfa: false });
    enrolment();
    const ctx = context();
    const { plan } = await checkAndPlan(ctx);
    const journal = await applyWith(ctx, plan);
    expect(journal).toHaveLength(1);
    expect(journal[0]!.error).toMatch(/needs a person at the terminal/);
    expect(iam.commandCalls(CreateVirtualMFADeviceCommand)).toHaveLength(0);
  });

  it(`when IAM names no user for the root caller, only the console steps are offered ${STUB}`, async () => {
    account({ summaryMfa: false });
    iam.on(GetUserCommand).resolves({});
    const { plan } = await checkAndPlan(context());
    expect(plan.actions).toEqual([]);
    expect(plan.warnings?.[0]).toMatch(/no user name for the root caller/);
    expect(plan.guidance).toMatch(/Assign MFA device/);
  });
});

describe('account.root-mfa: the fix as anyone else', () => {
  it(`is guidance only: the console steps, no action, no call ${STUB}`, async () => {
    account({ summaryMfa: false });
    const { checked, plan } = await checkAndPlan(context({ isRoot: false }));
    expect(checked.result.status).toBe('fail');
    expect(plan.actions).toEqual([]);
    expect(plan.interactive).toBeFalsy();
    expect(plan.guidance).toMatch(/1\. Open https:\/\/console\.aws\.amazon\.com\/, choose \*\*Root user\*\*/);
    expect(plan.guidance).toMatch(/Security credentials[\s\S]*Assign MFA device[\s\S]*MFA code 1[\s\S]*check again/);
    expect(iam.commandCalls(GetUserCommand)).toHaveLength(0);
  });

  it(`a passing step plans nothing ${STUB}`, async () => {
    account({ summaryMfa: true });
    iam.on(ListVirtualMFADevicesCommand).resolves({});
    const { plan } = await checkAndPlan(context());
    expect(plan).toEqual({ actions: [] });
  });
});
