/** The user-mfa step without AWS: findings from report rows, its questions (scripted) and its plan from given findings. */
import { describe, expect, it } from 'vitest';
import type { Finding, StepContext } from '../../src/engine/types.js';
import type { CredentialRow } from '../../steps/account/_shared/iam-data.js';
import step, { exposedUsers, userMfaFindings } from '../../steps/account/user-mfa/index.js';
import { ScriptedAsker } from '../helpers/step-tester.js';

const NOW = new Date('2026-11-29T12:00:00Z');
const ACCOUNT = 'arn:aws:iam::123456789012:account';
const CALLER = 'arn:aws:iam::123456789012:user/admin';

function row(user: string, o: Partial<CredentialRow> = {}): CredentialRow {
  return {
    user,
    arn: `arn:aws:iam::123456789012:user/${user}`,
    isRoot: false,
    userCreationTime: new Date('2026-01-01T00:00:00Z'),
    passwordEnabled: true,
    passwordLastUsed: undefined,
    passwordLastChanged: new Date('2026-03-01T00:00:00Z'),
    mfaActive: false,
    accessKeys: [],
    raw: {},
    ...o,
  };
}

const opts = { now: NOW, accountResource: ACCOUNT, callerArn: CALLER };
const ctx = { target: { partition: 'aws', accountId: '123456789012', principalArn: CALLER, sandbox: false } } as unknown as StepContext;

describe('account.user-mfa: findings from the credential report', () => {
  it('fails each user with a password and no MFA, naming since when and the last use', () => {
    const findings = userMfaFindings(
      [row('ana', { passwordLastUsed: new Date('2026-11-28T08:00:00Z') }), row('ben', { mfaActive: true }), row('cy', { passwordEnabled: false })],
      opts,
    );
    expect(findings).toEqual([
      {
        status: 'fail',
        resource: 'arn:aws:iam::123456789012:user/ana',
        region: 'global',
        message:
          'IAM user ana has had a console password since 2026-03-01 (273 days ago) and no MFA device: a stolen or guessed password is enough to sign in (last used 2026-11-28 (1 day ago)).',
        data: expect.objectContaining({ user: 'ana', passwordSince: '2026-03-01T00:00:00.000Z', passwordLastUsed: '2026-11-28T08:00:00.000Z', isCaller: false }),
      },
    ]);
  });

  it('falls back to the user’s creation date, says "never used", and marks the caller', () => {
    const [f] = userMfaFindings([row('admin', { passwordLastChanged: undefined })], opts);
    expect(f!.message).toBe(
      'IAM user admin (you) has had a console password since 2026-01-01 (332 days ago) and no MFA device: a stolen or guessed password is enough to sign in (never used to sign in so far).',
    );
  });

  it('passes with one account-wide finding, and ignores the root row', () => {
    expect(userMfaFindings([row('ben', { mfaActive: true }), row('<root_account>', { isRoot: true })], opts)).toEqual([
      { status: 'pass', resource: ACCOUNT, region: 'global', message: 'All 1 IAM user with a console password has MFA.' },
    ]);
    expect(userMfaFindings([], opts)[0]!.message).toBe('No IAM user has a console password, so none needs MFA for the console.');
  });

  it('in the sandbox, ages a user whose path asks for it, and says so', () => {
    const aged = row('old', { arn: 'arn:aws:iam::123456789012:user/secure-start-sandbox/aged-60-days/old', passwordLastChanged: NOW });
    const [f] = userMfaFindings([aged], { ...opts, sandbox: true });
    expect(f!.message).toContain('since 2026-09-30 (60 days ago)');
    expect(f!.message).toContain('[sandbox: dates moved back 60 days');
    const [real] = userMfaFindings([aged], opts);
    expect(real!.message).toContain('since 2026-11-29 (today)');
  });
});

const exposed = userMfaFindings([row('ana'), row('ben'), row('admin')], opts);

describe('account.user-mfa: questions', () => {
  it('asks about each user on its own, defaulting to No', async () => {
    const asker = new ScriptedAsker([{ confirm: true }, { confirm: null }, { confirm: false }]);
    const result = await step.inputs!.ask(asker, step.inputs!.defaults(exposed), exposed);
    expect(result).toEqual({ deactivateKeys: [], removeConsoleAccess: ['ana'] });
    expect(asker.asked.map((q) => [q.kind, q.default])).toEqual([
      ['confirm', false],
      ['confirm', false],
      ['confirm', false],
    ]);
    expect(asker.asked[0]!.message).toBe('Remove the console password of ana (never used)? No keeps it so that ana enrols MFA.');
    expect(asker.asked[2]!.message).toMatch(/^Remove YOUR OWN console password \(admin/);
    expect(asker.remaining).toBe(0);
  });

  it('notes users the answers file lists, but still defaults to No', async () => {
    const asker = new ScriptedAsker([{ confirm: null }, { confirm: null }, { confirm: null }]);
    const result = await step.inputs!.ask(asker, { deactivateKeys: [], removeConsoleAccess: ['ben'] }, exposed);
    expect(result.removeConsoleAccess).toEqual([]);
    expect(asker.notes).toContain('ben is listed under removeConsoleAccess in the answers file.');
  });

  it('asks nothing when nobody is exposed', async () => {
    const asker = new ScriptedAsker([]);
    expect(await step.inputs!.ask(asker, step.inputs!.defaults([]), [])).toEqual({ deactivateKeys: [], removeConsoleAccess: [] });
  });
});

describe('account.user-mfa: inputs and plan', () => {
  it('defaults to changing nothing, and fix --yes may use the defaults', () => {
    expect(step.inputs!.requiredInAnswers).toBe(false);
    expect(step.inputs!.defaults(exposed)).toEqual({ deactivateKeys: [], removeConsoleAccess: [] });
  });

  it('accepts the shared shape, with missing lists as empty, and refuses bad names', () => {
    const schema = step.inputs!.schema;
    expect(schema.parse({})).toEqual({ deactivateKeys: [], removeConsoleAccess: [] });
    expect(schema.parse({ removeConsoleAccess: ['a', 'a'] })).toEqual({ deactivateKeys: [], removeConsoleAccess: ['a'] });
    expect(schema.safeParse({ removeConsoleAccess: ['has space'] }).success).toBe(false);
    expect(schema.safeParse({ deactivateKeys: ['akia-lower'] }).success).toBe(false);
    expect(schema.safeParse({ other: 1 }).success).toBe(false);
  });

  it('removes only chosen passwords, destructively and without an undo; guides the rest', async () => {
    const plan = await step.plan(ctx, exposed, { deactivateKeys: [], removeConsoleAccess: ['ben'] });
    expect(plan.actions.map((a) => [a.operation, a.params, a.destructive, a.inverse])).toEqual([
      ['DeleteLoginProfile', { UserName: 'ben' }, true, undefined],
    ]);
    expect(plan.actions[0]!.summary).toBe('Remove the console password of ben (it has no MFA); it cannot be restored, only replaced by a new one');
    expect(plan.guidance).toContain('`ana`, `admin`');
    expect(plan.warnings).toEqual([expect.stringContaining('A removed password is gone for good')]);
  });

  it('warns when the caller removes their own password', async () => {
    const plan = await step.plan(ctx, exposed, { deactivateKeys: [], removeConsoleAccess: ['admin', 'ana', 'ben'] });
    expect(plan.guidance).toBeUndefined();
    expect(plan.warnings?.[0]).toMatch(/^You are removing your own console password/);
  });

  it('plans nothing for a passing check', async () => {
    const pass: Finding[] = userMfaFindings([], opts);
    expect(exposedUsers(pass)).toEqual([]);
    expect(await step.plan(ctx, pass, { deactivateKeys: [], removeConsoleAccess: ['ana'] })).toMatchObject({ actions: [] });
  });
});
