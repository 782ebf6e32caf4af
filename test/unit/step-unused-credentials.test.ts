/**
 * The unused-credentials step without AWS: the 45/90-day rules on synthetic report rows (moto
 * cannot back-date anything), matching report slots to key ids, the check over a stubbed IAM
 * client (a report older than the key list), the questions and the plan.
 */
import { ListAccessKeysCommand } from '@aws-sdk/client-iam';
import type { AccessKeyMetadata } from '@aws-sdk/client-iam';
import { afterEach, describe, expect, it } from 'vitest';
import type { Finding, StepContext } from '../../src/engine/types.js';
import type { CredentialRow } from '../../steps/account/_shared/iam-data.js';
import { assessCredentials, clock, matchKeySlots } from '../../steps/account/unused-credentials/assess.js';
import step, { keyMessage, passwordMessage, staleKeys } from '../../steps/account/unused-credentials/index.js';
import type { StaleKey } from '../../steps/account/unused-credentials/index.js';
import { ScriptedAsker } from '../helpers/step-tester.js';

const NOW = new Date('2026-11-29T12:00:00Z');
const ago = (days: number, extraMs = 0) => new Date(NOW.getTime() - days * 86_400_000 - extraMs);

type Key = CredentialRow['accessKeys'][number];
const key = (slot: 1 | 2, o: Partial<Key> = {}): Key => ({ slot, active: true, lastRotated: ago(10), lastUsed: undefined, ...o });

function row(user: string, o: Partial<CredentialRow> = {}): CredentialRow {
  return {
    user,
    arn: `arn:aws:iam::123456789012:user/${user}`,
    isRoot: false,
    userCreationTime: ago(400),
    passwordEnabled: false,
    passwordLastUsed: undefined,
    passwordLastChanged: undefined,
    mfaActive: false,
    accessKeys: [key(1, { active: false, lastRotated: undefined }), key(2, { active: false, lastRotated: undefined })],
    raw: {},
    ...o,
  };
}

describe('account.unused-credentials: the date rules', () => {
  it('flags a password at 45 days without use, not at 44', () => {
    const issues = assessCredentials(
      [
        row('used44', { passwordEnabled: true, passwordLastChanged: ago(300), passwordLastUsed: ago(44, 1000) }),
        row('used45', { passwordEnabled: true, passwordLastChanged: ago(300), passwordLastUsed: ago(45) }),
      ],
      NOW,
    );
    expect(issues).toEqual([{ kind: 'password', user: 'used45', arn: expect.any(String), lastUsed: ago(45), setOn: ago(300), idleDays: 45 }]);
  });

  it('measures a never-used password from when it was set, else from the user’s creation', () => {
    const issues = assessCredentials(
      [
        row('new', { passwordEnabled: true, passwordLastChanged: ago(10) }),
        row('stale', { passwordEnabled: true, passwordLastChanged: ago(46) }),
        row('nodate', { passwordEnabled: true, userCreationTime: ago(90) }),
        row('nothing', { passwordEnabled: true, userCreationTime: undefined }),
      ],
      NOW,
    );
    expect(issues.map((i) => [i.user, i.kind === 'password' && i.idleDays])).toEqual([
      ['stale', 46],
      ['nodate', 90],
    ]);
  });

  it('flags a key unused for 45 days, and a key older than 90 days even when used yesterday', () => {
    const issues = assessCredentials(
      [
        row('a', { accessKeys: [key(1, { lastRotated: ago(100), lastUsed: ago(50) }), key(2, { lastRotated: ago(20), lastUsed: ago(1) })] }),
        row('b', { accessKeys: [key(1, { lastRotated: ago(91), lastUsed: ago(1) }), key(2, { lastRotated: ago(90), lastUsed: ago(1) })] }),
        row('c', { accessKeys: [key(1, { lastRotated: ago(45) }), key(2, { lastRotated: ago(44) })] }),
      ],
      NOW,
    );
    expect(issues.map((i) => i.kind === 'key' && [i.user, i.slot, i.unusedDays, i.ageDays])).toEqual([
      ['a', 1, 50, 100],
      ['b', 1, undefined, 91],
      ['c', 1, 45, undefined],
    ]);
  });

  it('leaves inactive keys and the root row alone', () => {
    const issues = assessCredentials(
      [
        row('parked', { accessKeys: [key(1, { active: false, lastRotated: ago(500) }), key(2, { active: false })] }),
        row('<root_account>', { isRoot: true, passwordEnabled: true, passwordLastUsed: ago(300), accessKeys: [key(1, { lastRotated: ago(500) })] }),
      ],
      NOW,
    );
    expect(issues).toEqual([]);
  });
});

describe('account.unused-credentials: which key is which', () => {
  const listed = (...keys: [string, Date, string?][]): AccessKeyMetadata[] =>
    keys.map(([id, created, status]) => ({ AccessKeyId: id, CreateDate: created, Status: (status ?? 'Active') as 'Active' }));

  it('matches each report slot to the key created in that second', () => {
    const t1 = new Date('2026-01-01T10:00:00Z');
    const t2 = new Date('2026-06-01T10:00:00Z');
    const m = matchKeySlots(
      [
        { slot: 1, createdOn: t1 },
        { slot: 2, createdOn: t2 },
      ],
      listed(['AKIASECOND0000000000', new Date(t2.getTime() + 420)], ['AKIAFIRST00000000000', new Date(t1.getTime() + 999)]),
    );
    expect(m.get(1)).toEqual({ accessKeyId: 'AKIAFIRST00000000000', status: 'Active' });
    expect(m.get(2)).toEqual({ accessKeyId: 'AKIASECOND0000000000', status: 'Active' });
  });

  it('never guesses: a slot whose key is gone stays unmatched', () => {
    const m = matchKeySlots([{ slot: 1, createdOn: new Date('2026-01-01T10:00:00Z') }], listed(['AKIANEWER00000000000', new Date('2026-05-01T00:00:00Z')]));
    expect(m.size).toBe(0);
  });
});

describe('account.unused-credentials: messages', () => {
  const base: StaleKey = {
    kind: 'stale-key',
    user: 'ci',
    arn: 'arn',
    slot: 1,
    accessKeyId: 'AKIAEXAMPLE000000000',
    createdOn: ago(120).toISOString(),
    lastUsed: null,
    unusedDays: 120,
    ageDays: 120,
  };

  it('says what triggered each finding, with its dates', () => {
    expect(keyMessage(base, NOW)).toBe(
      'Access key AKIAEXAMPLE000000000 of ci is active but has never been used since it was created on 2026-08-01 (120 days ago), and at 120 days old it is past the 90-day limit for keys.',
    );
    expect(keyMessage({ ...base, lastUsed: ago(60).toISOString(), unusedDays: 60, ageDays: null }, NOW)).toBe(
      'Access key AKIAEXAMPLE000000000 of ci is active but was last used on 2026-09-30 (60 days ago).',
    );
    expect(keyMessage({ ...base, lastUsed: ago(2).toISOString(), unusedDays: null }, NOW)).toBe(
      'Access key AKIAEXAMPLE000000000 of ci is active and 120 days old (created on 2026-08-01 (120 days ago)), past the 90-day limit for keys; it was last used on 2026-11-27 (2 days ago), so something still relies on it.',
    );
    expect(keyMessage({ ...base, accessKeyId: null }, NOW)).toMatch(/^Access key number 1 \(its id matches none/);
    expect(passwordMessage({ kind: 'unused-password', user: 'ann', arn: 'arn', lastUsed: ago(50).toISOString(), setOn: null, idleDays: 50 }, NOW)).toBe(
      'The console password of ann has not been used since 2026-10-10 (50 days ago).',
    );
  });
});

/** A context whose credential report is `rows` and whose IAM client lists `keys`, counting the calls. */
function stubContext(rows: CredentialRow[], keys: Record<string, AccessKeyMetadata[]>) {
  const listed: string[] = [];
  const iam = {
    async send(cmd: unknown) {
      if (!(cmd instanceof ListAccessKeysCommand)) throw new Error(`unexpected ${String(cmd)}`);
      listed.push(cmd.input.UserName!);
      return { AccessKeyMetadata: keys[cmd.input.UserName!] ?? [] };
    },
    destroy() {},
  };
  const ctx = {
    target: { accountId: '123456789012', partition: 'aws', sandbox: false, principalArn: 'arn:aws:iam::123456789012:user/admin' },
    shared: async (k: string) => {
      if (k !== 'iam:credential-report') throw new Error(`unexpected shared read ${k}`);
      return rows;
    },
    client: () => iam,
  } as unknown as StepContext;
  return { ctx, listed };
}

describe('account.unused-credentials: the check', () => {
  afterEach(() => {
    clock.now = () => new Date();
  });

  it('lists keys only for users with a flagged key, and trusts the list over an older report', async () => {
    clock.now = () => NOW;
    const created = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000);
    const rows = [
      row('fresh', { accessKeys: [key(1, { lastRotated: created(ago(5)) }), key(2, { active: false })] }),
      row('stale', { accessKeys: [key(1, { lastRotated: created(ago(200)) }), key(2, { lastRotated: created(ago(100)), lastUsed: ago(1) })] }),
      row('since', { accessKeys: [key(1, { lastRotated: created(ago(60)) }), key(2, { active: false })] }),
    ];
    const { ctx, listed } = stubContext(rows, {
      stale: [
        { AccessKeyId: 'AKIASTALE1AAAAAAAAAA', CreateDate: ago(200), Status: 'Active' },
        { AccessKeyId: 'AKIASTALE2AAAAAAAAAA', CreateDate: ago(100), Status: 'Active' },
      ],
      // Deactivated after IAM made the report: no longer a finding.
      since: [{ AccessKeyId: 'AKIASINCE1AAAAAAAAAA', CreateDate: ago(60), Status: 'Inactive' }],
    });
    const findings = await step.check(ctx);
    expect(listed.sort()).toEqual(['since', 'stale']);
    expect(staleKeys(findings).map((k) => [k.accessKeyId, k.unusedDays, k.ageDays])).toEqual([
      ['AKIASTALE1AAAAAAAAAA', 200, 200],
      ['AKIASTALE2AAAAAAAAAA', null, 100],
    ]);
  });

  it('passes with one account-wide finding', async () => {
    const { ctx, listed } = stubContext([row('fresh', { accessKeys: [key(1, { lastRotated: ago(3) })] })], {});
    expect(await step.check(ctx)).toEqual([
      {
        status: 'pass',
        resource: 'arn:aws:iam::123456789012:account',
        region: 'global',
        message: 'No console password or active access key has gone unused for 45 days or more, and no active access key is older than 90 days (1 IAM user checked).',
      },
    ]);
    expect(listed).toEqual([]);
  });
});

function keyFinding(id: string, o: Partial<StaleKey> = {}): Finding {
  const data: StaleKey = {
    kind: 'stale-key',
    user: `user-of-${id}`,
    arn: 'arn',
    slot: 1,
    accessKeyId: id,
    createdOn: ago(100).toISOString(),
    lastUsed: null,
    unusedDays: 100,
    ageDays: 100,
    ...o,
  };
  return { status: 'fail', resource: 'arn', region: 'global', message: '…', data };
}
const pwFinding = (user: string): Finding => ({
  status: 'fail',
  resource: 'arn',
  region: 'global',
  message: '…',
  data: { kind: 'unused-password', user, arn: 'arn', lastUsed: null, setOn: ago(50).toISOString(), idleDays: 50 },
});

const findings = [
  keyFinding('AKIAIDLE000000000000'),
  keyFinding('AKIABUSY000000000000', { lastUsed: ago(1).toISOString(), unusedDays: null }),
  keyFinding('AKIAUNMATCHED0000000', { accessKeyId: null }),
  pwFinding('ann'),
];

describe('account.unused-credentials: questions', () => {
  it('asks key by key and user by user, each defaulting to No, and warns about keys in use', async () => {
    const asker = new ScriptedAsker([{ confirm: true }, { confirm: null }, { confirm: true }]);
    const result = await step.inputs!.ask(asker, step.inputs!.defaults(findings), findings);
    expect(result).toEqual({ deactivateKeys: ['AKIAIDLE000000000000'], removeConsoleAccess: ['ann'] });
    expect(asker.asked.every((q) => q.kind === 'confirm' && q.default === false)).toBe(true);
    expect(asker.asked[0]!.message).toBe('Deactivate access key AKIAIDLE000000000000 of user-of-AKIAIDLE000000000000 (never used, 100 days old)? It can be reactivated later.');
    expect(asker.asked[1]!.message).toMatch(/^Deactivate access key AKIABUSY000000000000 .* was used on \d{4}-\d\d-\d\d: whatever uses it stops working/);
    expect(asker.remaining).toBe(0);
  });
});

describe('account.unused-credentials: plan', () => {
  const ctx = {} as StepContext;

  it('changes nothing by default, and guides instead', async () => {
    const plan = await step.plan(ctx, findings, step.inputs!.defaults(findings));
    expect(plan.actions).toEqual([]);
    expect(plan.guidance).toContain('**Keys nobody uses** (`AKIAIDLE000000000000`, `user-of-AKIAUNMATCHED0000000 #1`)');
    expect(plan.guidance).toContain('**Old keys still in use** (`AKIABUSY000000000000`)');
    expect(plan.guidance).toContain('**Console passwords nobody uses** (`ann`)');
  });

  it('deactivates listed keys with an undo, removes listed passwords without one, ignores the rest with a warning', async () => {
    const plan = await step.plan(ctx, findings, { deactivateKeys: ['AKIABUSY000000000000', 'AKIANOTFLAGGED000000'], removeConsoleAccess: ['ann', 'bob'] });
    expect(plan.actions.map((a) => [a.operation, a.params, a.destructive, a.inverse?.params])).toEqual([
      [
        'UpdateAccessKey',
        { UserName: 'user-of-AKIABUSY000000000000', AccessKeyId: 'AKIABUSY000000000000', Status: 'Inactive' },
        true,
        { UserName: 'user-of-AKIABUSY000000000000', AccessKeyId: 'AKIABUSY000000000000', Status: 'Active' },
      ],
      ['DeleteLoginProfile', { UserName: 'ann' }, true, undefined],
    ]);
    expect(plan.warnings).toEqual([
      expect.stringContaining('nothing wrong with these keys: AKIANOTFLAGGED000000'),
      expect.stringContaining('no stale console password for them: bob'),
      expect.stringContaining('Still in use: AKIABUSY000000000000'),
      expect.stringContaining('can be reactivated'),
      expect.stringContaining('cannot be restored'),
    ]);
  });

  it('refuses inputs that do not fit the shape', async () => {
    await expect(step.plan(ctx, findings, { deactivateKeys: 'all' } as never)).rejects.toThrow(/Invalid inputs for account.unused-credentials: deactivateKeys/);
  });
});
