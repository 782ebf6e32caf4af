/**
 * The unused-credentials step without AWS: the 45/90-day rules on synthetic report rows (moto
 * cannot back-date anything), matching report slots to key ids, the check over a stubbed report
 * (it calls nothing per user), the questions (by user and slot, calling nothing) and the plan,
 * which alone looks up key ids (a report older than the key list).
 */
import { ListAccessKeysCommand, NoSuchEntityException } from '@aws-sdk/client-iam';
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

  it('never guesses: two keys made in the same second match neither slot', () => {
    const t = new Date('2026-01-01T10:00:00Z');
    const m = matchKeySlots([{ slot: 1, createdOn: t }], listed(['AKIATWIN100000000000', new Date(t.getTime() + 100)], ['AKIATWIN200000000000', new Date(t.getTime() + 700)]));
    expect(m.size).toBe(0);
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
    createdOn: ago(120).toISOString(),
    reportCreatedOn: ago(120).toISOString(),
    lastUsed: null,
    unusedDays: 120,
    ageDays: 120,
  };

  it('says what triggered each finding, naming the user, the key by its slot, and the dates', () => {
    expect(keyMessage(base, NOW)).toBe(
      'Access key 1 of ci is active but has never been used since it was created on 2026-08-01 (120 days ago), and at 120 days old it is past the 90-day limit for keys.',
    );
    expect(keyMessage({ ...base, slot: 2, lastUsed: ago(60).toISOString(), unusedDays: 60, ageDays: null }, NOW)).toBe(
      'Access key 2 of ci is active but was last used on 2026-09-30 (60 days ago).',
    );
    expect(keyMessage({ ...base, lastUsed: ago(2).toISOString(), unusedDays: null }, NOW)).toBe(
      'Access key 1 of ci is active and 120 days old (created on 2026-08-01 (120 days ago)), past the 90-day limit for keys; it was last used on 2026-11-27 (2 days ago), so something still relies on it.',
    );
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
      return { rows, generatedAt: undefined };
    },
    client: () => iam,
  } as unknown as StepContext;
  return { ctx, listed };
}

describe('account.unused-credentials: the check', () => {
  afterEach(() => {
    clock.now = () => new Date();
  });

  it('builds its findings from the report alone: no call per user, each key named by user, slot and dates', async () => {
    clock.now = () => NOW;
    const rows = [
      row('fresh', { accessKeys: [key(1, { lastRotated: ago(5) }), key(2, { active: false })] }),
      row('stale', { accessKeys: [key(1, { lastRotated: ago(200) }), key(2, { lastRotated: ago(100), lastUsed: ago(1) })] }),
    ];
    const { ctx, listed } = stubContext(rows, {});
    const findings = await step.check(ctx);
    expect(listed).toEqual([]);
    expect(staleKeys(findings).map((k) => [k.user, k.slot, k.createdOn, k.reportCreatedOn, k.unusedDays, k.ageDays])).toEqual([
      ['stale', 1, ago(200).toISOString(), ago(200).toISOString(), 200, 200],
      ['stale', 2, ago(100).toISOString(), ago(100).toISOString(), null, 100],
    ]);
    expect(findings.map((f) => f.message)).toEqual([
      expect.stringMatching(/^Access key 1 of stale is active but has never been used since it was created on 2026-05-13 \(200 days ago\)/),
      expect.stringMatching(/^Access key 2 of stale is active and 100 days old \(created on 2026-08-21 \(100 days ago\)\).*last used on 2026-11-28/),
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

/** The report truncates creation times to the second; IAM lists them to the millisecond. */
const REPORTED = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString();

function keyFinding(user: string, slot: 1 | 2, o: Partial<StaleKey> = {}): Finding {
  const data: StaleKey = {
    kind: 'stale-key',
    user,
    arn: 'arn',
    slot,
    createdOn: REPORTED(ago(100 + slot)),
    reportCreatedOn: REPORTED(ago(100 + slot)),
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
  keyFinding('idle', 1),
  keyFinding('busy', 1, { lastUsed: ago(1).toISOString(), unusedDays: null }),
  keyFinding('replaced', 2),
  pwFinding('ann'),
];

/** What IAM lists now: idle's and busy's keys as the report says; replaced's key 2 is a newer one. */
const LIVE: Record<string, AccessKeyMetadata[]> = {
  idle: [{ AccessKeyId: 'AKIAIDLE000000000000', CreateDate: new Date(new Date(REPORTED(ago(101))).getTime() + 300), Status: 'Active' }],
  busy: [{ AccessKeyId: 'AKIABUSY000000000000', CreateDate: new Date(REPORTED(ago(101))), Status: 'Active' }],
  replaced: [{ AccessKeyId: 'AKIANEWER00000000000', CreateDate: ago(3), Status: 'Active' }],
};

describe('account.unused-credentials: questions', () => {
  it('asks key by key (by user and slot, calling nothing) and user by user, each defaulting to No, and warns about keys in use', async () => {
    const asker = new ScriptedAsker([{ confirm: true }, { confirm: null }, { confirm: false }, { confirm: true }]);
    const result = await step.inputs!.ask(asker, step.inputs!.defaults(findings), findings);
    expect(result).toEqual({ deactivateKeys: [], deactivateKeySlots: [{ user: 'idle', slot: 1 }], removeConsoleAccess: ['ann'] });
    expect(step.inputs!.schema.safeParse(result).success).toBe(true);
    expect(asker.asked.every((q) => q.kind === 'confirm' && q.default === false)).toBe(true);
    expect(asker.asked[0]!.message).toBe(`Deactivate access key 1 of idle (created ${REPORTED(ago(101)).slice(0, 10)}, never used, 100 days old)? It can be reactivated later.`);
    expect(asker.asked[1]!.message).toMatch(/^Deactivate access key 1 of busy\? .* was used on \d{4}-\d\d-\d\d: whatever uses it stops working/);
    expect(asker.remaining).toBe(0);
  });
});

describe('account.unused-credentials: plan', () => {
  it('changes nothing by default, calls nothing, and guides instead', async () => {
    const { ctx, listed } = stubContext([], LIVE);
    const plan = await step.plan(ctx, findings, step.inputs!.defaults(findings));
    expect(plan.actions).toEqual([]);
    expect(listed).toEqual([]);
    expect(plan.guidance).toContain(`**Keys nobody uses** (\`idle key 1, created ${REPORTED(ago(101)).slice(0, 10)}\`, \`replaced key 2, created`);
    expect(plan.guidance).toContain('**Old keys still in use** (`busy key 1, created');
    expect(plan.guidance).toContain('**Console passwords nobody uses** (`ann`)');
  });

  it('key ids from the answers file: looks up the keys of flagged users only, deactivates with an undo, ignores the rest with a warning', async () => {
    const { ctx, listed } = stubContext([], LIVE);
    const plan = await step.plan(ctx, findings, { deactivateKeys: ['AKIABUSY000000000000', 'AKIANOTFLAGGED000000'], removeConsoleAccess: ['ann', 'bob'] });
    expect(listed.sort()).toEqual(['busy', 'idle', 'replaced']);
    expect(plan.actions.map((a) => [a.operation, a.params, a.destructive, a.inverse?.params])).toEqual([
      [
        'UpdateAccessKey',
        { UserName: 'busy', AccessKeyId: 'AKIABUSY000000000000', Status: 'Inactive' },
        true,
        { UserName: 'busy', AccessKeyId: 'AKIABUSY000000000000', Status: 'Active' },
      ],
      ['DeleteLoginProfile', { UserName: 'ann' }, true, undefined],
    ]);
    expect(plan.actions[0]!.summary).toMatch(/^Deactivate access key AKIABUSY000000000000 of busy \(access key 1: created /);
    expect(plan.warnings).toEqual([
      expect.stringContaining('nothing wrong with these keys: AKIANOTFLAGGED000000'),
      expect.stringContaining('no stale console password for them: bob'),
      expect.stringContaining('Still in use: AKIABUSY000000000000'),
      expect.stringContaining('can be reactivated'),
      expect.stringContaining('cannot be restored'),
    ]);
    // Ids looked up for the plan name the keys left as they are.
    expect(plan.guidance).toContain('**Keys nobody uses** (`AKIAIDLE000000000000`, `replaced key 2, created');
  });

  it('keys chosen by user and slot: looks up those users only, and never guesses a key the report cannot name', async () => {
    const { ctx, listed } = stubContext([], LIVE);
    const plan = await step.plan(ctx, findings, {
      deactivateKeys: [],
      deactivateKeySlots: [
        { user: 'idle', slot: 1 },
        { user: 'replaced', slot: 2 },
        { user: 'nobody', slot: 1 },
      ],
      removeConsoleAccess: [],
    });
    expect(listed.sort()).toEqual(['idle', 'replaced']);
    expect(plan.actions.map((a) => a.params)).toEqual([{ UserName: 'idle', AccessKeyId: 'AKIAIDLE000000000000', Status: 'Inactive' }]);
    expect(plan.warnings).toEqual([
      expect.stringMatching(/no key of the user now has the creation time the report gives .*: access key 2 of replaced\.$/),
      expect.stringContaining('nothing wrong with these keys: access key 1 of nobody (listed under deactivateKeySlots)'),
      expect.stringContaining('can be reactivated'),
    ]);
  });

  it('a key deactivated after the report was made is not planned again, and the plan says so', async () => {
    const { ctx } = stubContext([], { ...LIVE, idle: [{ ...LIVE.idle![0]!, Status: 'Inactive' }] });
    const plan = await step.plan(ctx, findings, { deactivateKeys: ['AKIAIDLE000000000000'], deactivateKeySlots: [{ user: 'idle', slot: 1 }], removeConsoleAccess: [] });
    expect(plan.actions).toEqual([]);
    expect(plan.warnings).toEqual([expect.stringMatching(/^Changed since the credential report was made, so not planned: access key 1 \(AKIAIDLE000000000000\) of idle \(already inactive\)/)]);
    expect(plan.guidance).not.toContain('idle');
  });

  it('a user deleted since the report: nothing planned for their keys', async () => {
    const { ctx } = stubContext([], LIVE);
    const gone = { ...(ctx as unknown as Record<string, unknown>) };
    const iam = {
      async send() {
        throw new NoSuchEntityException({ message: 'The user with name idle cannot be found.', $metadata: {} });
      },
    };
    const plan = await step.plan({ ...gone, client: () => iam } as unknown as StepContext, [keyFinding('idle', 1)], {
      deactivateKeys: [],
      deactivateKeySlots: [{ user: 'idle', slot: 1 }],
      removeConsoleAccess: [],
    });
    expect(plan.actions).toEqual([]);
    expect(plan.warnings).toEqual([expect.stringContaining('access key 1 of idle (the user no longer exists)')]);
  });

  it('refuses inputs that do not fit the shape', async () => {
    const { ctx } = stubContext([], LIVE);
    await expect(step.plan(ctx, findings, { deactivateKeys: 'all' } as never)).rejects.toThrow(/Invalid inputs for account.unused-credentials: deactivateKeys/);
    await expect(step.plan(ctx, findings, { deactivateKeySlots: [{ user: 'idle', slot: 3 }] } as never)).rejects.toThrow(/Invalid inputs for account.unused-credentials: deactivateKeySlots/);
  });
});
