/**
 * account.root-access-keys on the paths moto cannot reach: moto has no root user, so root keys and
 * a root caller are stubbed at the SDK level (aws-sdk-client-mock), as every test name says.
 */
import {
  DeleteAccessKeyCommand,
  GenerateCredentialReportCommand,
  GetAccessKeyLastUsedCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  IAMClient,
  ListAccessKeysCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import type { AccessKeyMetadata } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context.js';
import { checkStep, planStep } from '../../src/engine/runner.js';
import type { ActionIO, Plan } from '../../src/engine/types.js';
import { applyUndo, undoableEntries, undoVerdicts } from '../../src/engine/undo.js';
import step from '../../steps/account/root-access-keys/index.js';
import { applyWith as applyInteractively, CREDENTIAL_REPORT_HEADER, person, ROOT_ARN, stubContext } from '../helpers/stub-context.js';

const STUB = '(SDK stub: moto has no root user)';
const ROOT = ROOT_ARN;
const ACTIVE_KEY = 'AKIAROOTACTIVE000001';
const INACTIVE_KEY = 'AKIAROOTINACTIVE0002';

const HEADER = CREDENTIAL_REPORT_HEADER;

/** The root row: key 1 active and used, key 2 inactive and never used (or no keys). */
function rootRow(keys: boolean): string {
  const k1 = keys ? 'true,2024-01-02T10:00:00+00:00,2026-11-20T08:00:00+00:00,us-east-1,s3' : 'false,N/A,N/A,N/A,N/A';
  const k2 = keys ? 'false,2025-03-04T10:00:00+00:00,N/A,N/A,N/A' : 'false,N/A,N/A,N/A,N/A';
  return `<root_account>,${ROOT},2024-01-02T10:00:00+00:00,not_supported,2026-11-28T09:00:00+00:00,not_supported,not_supported,true,${k1},${k2},false,N/A,false,N/A`;
}

const iam = mockClient(IAMClient);
const entry = { meta: step.meta, load: async () => step };

const context = (opts: { isRoot?: boolean; keyInUse?: string } = {}) => stubContext({ isRoot: opts.isRoot ?? true, ...(opts.keyInUse ? { accessKeyId: opts.keyInUse } : {}) });

function account(opts: { summaryKeys: boolean; reportKeys?: boolean }): void {
  iam.on(GetAccountSummaryCommand).resolves({ SummaryMap: { AccountMFAEnabled: 1, AccountAccessKeysPresent: opts.summaryKeys ? 1 : 0 } });
  iam.on(GenerateCredentialReportCommand).resolves({ State: 'COMPLETE' });
  iam.on(GetCredentialReportCommand).resolves({ Content: new TextEncoder().encode(`${HEADER}\n${rootRow(opts.reportKeys ?? opts.summaryKeys)}`) });
}

/** The root user's keys as ListAccessKeys (without a user name, called as root) returns them. */
function rootKeys(keys: AccessKeyMetadata[] = [
  { AccessKeyId: ACTIVE_KEY, Status: 'Active', CreateDate: new Date('2024-01-02T10:00:00Z') },
  { AccessKeyId: INACTIVE_KEY, Status: 'Inactive', CreateDate: new Date('2025-03-04T10:00:00Z') },
]): void {
  iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: keys });
  iam.on(GetAccessKeyLastUsedCommand, { AccessKeyId: ACTIVE_KEY }).resolves({ AccessKeyLastUsed: { LastUsedDate: new Date('2026-11-20T08:00:00Z'), ServiceName: 's3', Region: 'us-east-1' } });
  iam.on(GetAccessKeyLastUsedCommand, { AccessKeyId: INACTIVE_KEY }).resolves({ AccessKeyLastUsed: { ServiceName: 'N/A', Region: 'N/A' } });
  iam.on(UpdateAccessKeyCommand).resolves({});
  iam.on(DeleteAccessKeyCommand).resolves({});
}


const applyWith = (ctx: RunContext, plan: Plan, io?: ActionIO) => applyInteractively(step.meta.id, ctx, plan, io);

async function checkAndPlan(ctx: RunContext) {
  const checked = await checkStep(entry, ctx);
  return { checked, plan: await planStep(checked, ctx, undefined) };
}

const ops = (plan: Plan) => plan.actions.map((a) => `${a.service}:${a.operation}`);

beforeEach(() => {
  iam.reset();
});
afterAll(() => {
  iam.restore();
});

describe('account.root-access-keys: check', () => {
  it(`fails when the root user has keys, listing them from the credential report ${STUB}`, async () => {
    account({ summaryKeys: true });
    const { result } = await checkStep(entry, context({ isRoot: false }));
    expect(result.status).toBe('fail');
    expect(result.findings).toEqual([
      expect.objectContaining({
        status: 'fail',
        resource: ROOT,
        region: 'global',
        message: expect.stringContaining(
          'The root user has access keys: key 1 active, created 2024-01-02, last used 2026-11-20; key 2 inactive, created 2025-03-04, never used.',
        ),
      }),
    ]);
  });

  it(`fails on the live summary even when the credential report is too old to show the keys ${STUB}`, async () => {
    account({ summaryKeys: true, reportKeys: false });
    const { result } = await checkStep(entry, context());
    expect(result.status).toBe('fail');
    expect(result.findings[0]!.message).toMatch(/does not list them yet/);
  });

  it(`passes when the root user has no keys, even if an older report still lists one ${STUB}`, async () => {
    account({ summaryKeys: false, reportKeys: true });
    const { result } = await checkStep(entry, context());
    expect(result.status).toBe('pass');
    expect(result.findings[0]).toMatchObject({ status: 'pass', resource: ROOT, message: 'The root user has no access keys.' });
  });
});

describe('account.root-access-keys: the fix as root', () => {
  it(`deactivates the active key, then deletes both after one confirmation ${STUB}`, async () => {
    account({ summaryKeys: true });
    rootKeys();
    const ctx = context();
    const { plan } = await checkAndPlan(ctx);
    expect(plan.interactive).toBe(true);
    expect(ops(plan)).toEqual(['iam:UpdateAccessKey', 'iam:DeleteAccessKey', 'iam:DeleteAccessKey']);
    expect(plan.actions[0]).toMatchObject({
      params: { AccessKeyId: ACTIVE_KEY, Status: 'Inactive' },
      summary: `Deactivate root access key ${ACTIVE_KEY} (created 2024-01-02, last used 2026-11-20 (s3, us-east-1))`,
      inverse: { operation: 'UpdateAccessKey', params: { AccessKeyId: ACTIVE_KEY, Status: 'Active' } },
    });
    expect(plan.actions.slice(1).every((a) => a.destructive && !a.inverse)).toBe(true);
    expect(plan.warnings?.join(' ')).toMatch(/fails as soon as they are deactivated/);
    for (const op of ops(plan)) expect(step.meta.permissions.fix).toContain(op);

    const { io, asker } = person([{ confirm: true }]);
    const journal = await applyWith(ctx, plan, io);
    expect(journal.map((e) => e.result)).toEqual(['ok', 'ok', 'ok']);
    expect(asker.asked).toHaveLength(1);
    expect(asker.asked[0]).toMatchObject({ kind: 'confirm', default: false, message: expect.stringMatching(/inactive now.*delete them for good/) });
    expect(iam.commandCalls(UpdateAccessKeyCommand).map((c) => c.args[0].input)).toEqual([{ AccessKeyId: ACTIVE_KEY, Status: 'Inactive' }]);
    expect(iam.commandCalls(DeleteAccessKeyCommand).map((c) => c.args[0].input)).toEqual([{ AccessKeyId: ACTIVE_KEY }, { AccessKeyId: INACTIVE_KEY }]);
  });

  it(`a No at the confirmation deletes nothing and leaves the keys inactive ${STUB}`, async () => {
    account({ summaryKeys: true });
    rootKeys();
    const ctx = context();
    const { plan } = await checkAndPlan(ctx);
    const journal = await applyWith(ctx, plan, person([{ confirm: false }]).io);
    expect(journal.map((e) => e.result)).toEqual(['ok', 'failed']);
    expect(journal[1]!.error).toMatch(/Not deleted: .* stay inactive/);
    expect(iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(1);
    expect(iam.commandCalls(DeleteAccessKeyCommand)).toHaveLength(0);
  });

  it(`leaves alone the key this run signs with, and says how to remove it ${STUB}`, async () => {
    account({ summaryKeys: true });
    rootKeys();
    const { plan } = await checkAndPlan(context({ keyInUse: ACTIVE_KEY }));
    expect(plan.actions.map((a) => a.params.AccessKeyId)).toEqual([INACTIVE_KEY]);
    expect(plan.warnings?.join(' ')).toMatch(new RegExp(`signs its requests with root access key ${ACTIVE_KEY}`));
    expect(plan.guidance).toContain(`for each key (${ACTIVE_KEY})`);
  });

  it(`without a person (fix --yes) deactivates but never deletes ${STUB}`, async () => {
    account({ summaryKeys: true });
    rootKeys();
    const ctx = context();
    const { plan } = await checkAndPlan(ctx);
    const journal = await applyWith(ctx, plan);
    expect(journal.map((e) => e.result)).toEqual(['ok', 'failed']);
    expect(journal[1]!.error).toMatch(/needs a person to confirm/);
    expect(iam.commandCalls(DeleteAccessKeyCommand)).toHaveLength(0);
  });
});

describe('account.root-access-keys: undo', () => {
  const verdicts = async (ctx: RunContext, journal: Awaited<ReturnType<typeof applyWith>>) => undoVerdicts(ctx, [entry], undoableEntries(journal));

  it(`says before the fix and in undo that a deleted root key cannot come back ${STUB}`, async () => {
    account({ summaryKeys: true });
    rootKeys();
    const ctx = context();
    const { plan } = await checkAndPlan(ctx);
    expect(plan.actions.map((a) => [a.operation, a.irreversible !== undefined])).toEqual([
      ['UpdateAccessKey', false],
      ['DeleteAccessKey', true],
      ['DeleteAccessKey', true],
    ]);
    const journal = await applyWith(ctx, plan, person([{ confirm: true }]).io);
    iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [] });
    const items = await verdicts(ctx, journal);
    expect(items.map((i) => [i.entry.operation, i.kind])).toEqual([
      ['DeleteAccessKey', 'irreversible'],
      ['DeleteAccessKey', 'irreversible'],
      ['UpdateAccessKey', 'irreversible'],
    ]);
    expect(items[2]).toMatchObject({ reason: expect.stringContaining(`${ACTIVE_KEY} has been deleted since it was deactivated`) });
  });

  it(`switches a key the fix only deactivated back on, as root ${STUB}`, async () => {
    account({ summaryKeys: true });
    rootKeys();
    const ctx = context();
    const { plan } = await checkAndPlan(ctx);
    const journal = await applyWith(ctx, plan, person([{ confirm: false }]).io);
    iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: ACTIVE_KEY, Status: 'Inactive' }] });
    const items = await verdicts(ctx, journal);
    expect(items.map((i) => i.kind)).toEqual(['undo']);
    iam.resetHistory();
    const undone = await applyUndo(ctx, items, (e) => void journal.push(e));
    expect(undone.ok).toBe(true);
    expect(iam.commandCalls(UpdateAccessKeyCommand).map((c) => c.args[0].input)).toEqual([{ AccessKeyId: ACTIVE_KEY, Status: 'Active' }]);
    expect(journal.at(-1)).toMatchObject({ operation: 'UpdateAccessKey', undoes: 0 });
  });

  it(`leaves a key someone switched back on since: nothing to undo ${STUB}`, async () => {
    account({ summaryKeys: true });
    rootKeys();
    const ctx = context();
    const { plan } = await checkAndPlan(ctx);
    const journal = await applyWith(ctx, plan, person([{ confirm: false }]).io);
    iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: ACTIVE_KEY, Status: 'Active' }] });
    expect((await verdicts(ctx, journal)).map((i) => i.kind)).toEqual(['nothing']);
  });
});

describe('account.root-access-keys: the fix as anyone else', () => {
  it(`is guidance only: the console steps, no action, and the root's keys are not even listed ${STUB}`, async () => {
    account({ summaryKeys: true });
    const { checked, plan } = await checkAndPlan(context({ isRoot: false }));
    expect(checked.result.status).toBe('fail');
    expect(plan.actions).toEqual([]);
    expect(plan.guidance).toMatch(/choose \*\*Root user\*\*[\s\S]*Security credentials[\s\S]*Deactivate[\s\S]*Delete[\s\S]*check again/);
    expect(iam.commandCalls(ListAccessKeysCommand)).toHaveLength(0);
  });
});
