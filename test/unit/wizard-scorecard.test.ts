import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StepResult } from '../../src/engine/result.js';
import type { Target } from '../../src/engine/types.js';
import type { ScorecardInput } from '../../src/wizard/scorecard.js';
import { saveScorecard, scorecardMarkdown, scorecardPath, scorecardTerminal, shortTime } from '../../src/wizard/scorecard.js';
import { setColor } from '../../src/wizard/theme.js';

const target: Target = {
  accountId: '123456789012',
  principalArn: 'arn:aws:iam::123456789012:user/alice',
  isRoot: false,
  sandbox: false,
  partition: 'aws',
  homeRegion: 'us-east-1',
};

const result = (step: string, status: StepResult['status'], extra: Partial<StepResult> = {}): StepResult => ({
  step,
  area: 'account',
  title: `Title of ${step}`,
  severity: 'medium',
  status,
  references: {},
  findings: [],
  ...extra,
});

const input: ScorecardInput = {
  target,
  generatedAt: new Date('2026-11-29T10:05:00.000Z'),
  results: [
    result('account.password-policy', 'pass', { severity: 'high' }),
    result('account.security-contacts', 'fail', {
      title: 'Security contacts are set | all three',
      findings: [{ status: 'fail', resource: 'arn:aws:account::123456789012:account', region: 'global', message: 'No security contact is set.' }],
    }),
    result('account.root-mfa', 'fail', { severity: 'critical' }),
    result('account.regions', 'error', { severity: 'low', error: 'AccessDenied: account:ListRegions is not allowed' }),
    result('account.user-mfa', 'manual', { findings: [{ status: 'manual', resource: 'x', region: 'global', message: 'Look at the console.' }] }),
  ],
  decisions: {
    'account.password-policy': { status: 'fixed', at: '2026-11-29T10:00:03.120Z' },
    'account.root-mfa': { status: 'skipped', reason: 'The hardware key arrives next week', at: '2026-11-29T10:01:00.000Z' },
  },
};

beforeEach(() => setColor(false));

describe('scorecardMarkdown', () => {
  const md = scorecardMarkdown(input);

  it('names the regions and where the list came from, in markdown and on the screen', () => {
    const withRegions: ScorecardInput = { ...input, regions: { regions: ['eu-west-1', 'us-east-1'], source: 'progress-file', file: '/home/a/.local/state/secure-start/123456789012.json' } };
    const line = 'Regions: eu-west-1, us-east-1 (recorded in the progress file /home/a/.local/state/secure-start/123456789012.json, chosen in account.regions)';
    expect(scorecardMarkdown(withRegions)).toContain(`- ${line}`);
    expect(scorecardTerminal(withRegions, 200)).toContain(line);
    expect(scorecardTerminal({ ...input, regions: { regions: ['us-east-1'], source: 'enabled-regions' } }, 200)).toContain("Regions: us-east-1 (the account's enabled regions)");
  });

  it('has a heading, the target and the time', () => {
    expect(md.startsWith('# secure-start scorecard\n')).toBe(true);
    expect(md).toContain('AWS account 123456789012 (arn:aws:iam::123456789012:user/alice)');
    expect(md).toContain('2026-11-29T10:05:00.000Z');
  });

  it('has one table row per step with status and note', () => {
    expect(md).toContain('| Step | Title | Status | Note |');
    expect(md).toContain('| `account.password-policy` | Title of account.password-policy | PASS | Fixed 2026-11-29 10:00 UTC |');
    expect(md).toContain('| `account.root-mfa` | Title of account.root-mfa | SKIPPED | Accepted as is: The hardware key arrives next week (2026-11-29 10:01 UTC) |');
    expect(md).toContain('| `account.security-contacts` | Security contacts are set \\| all three | FAIL | No security contact is set. |');
    expect(md).toContain('| ERROR | AccessDenied: account:ListRegions is not allowed |');
  });

  it('counts the statuses, a skip decision counting as skipped', () => {
    expect(md).toContain('| pass | 1 |');
    expect(md).toContain('| fail | 1 |');
    expect(md).toContain('| skipped | 1 |');
    expect(md).toContain('| error | 1 |');
    expect(md).toContain('| manual | 1 |');
    expect(md).toContain('Steps: 5 (1 pass, 1 fail, 1 manual, 1 error, 1 skipped)');
  });

  it('lists next steps for what still needs work, not for skipped or passing steps', () => {
    const next = md.slice(md.indexOf('## Next steps'), md.indexOf('## Accepted risks'));
    expect(next).toContain('`account.security-contacts`');
    expect(next).toContain('secure-start --step account.security-contacts');
    expect(next).toContain('`account.regions`');
    expect(next).toContain('`account.user-mfa`');
    expect(next).not.toContain('account.root-mfa');
    expect(next).not.toContain('account.password-policy');
  });

  it('says when nothing is left', () => {
    const done = scorecardMarkdown({ ...input, results: [result('account.password-policy', 'pass')], decisions: {} });
    expect(done).toContain('Nothing is left to fix.');
  });

  it('names the sandbox as such', () => {
    const sb = scorecardMarkdown({ ...input, target: { ...target, sandbox: true, endpoint: 'http://127.0.0.1:5000' } });
    expect(sb).toContain('SANDBOX');
    expect(sb).toContain('http://127.0.0.1:5000');
    expect(sb).not.toContain('AWS account 123456789012');
  });

  it('in the sandbox, every command it suggests works on the sandbox again (--sandbox)', () => {
    const sandboxed = { ...input, target: { ...target, sandbox: true, endpoint: 'http://127.0.0.1:5000' } };
    for (const text of [scorecardMarkdown(sandboxed), scorecardTerminal(sandboxed, 200)]) {
      const commands = [...text.matchAll(/secure-start [^`\n]*?--step [\w.-]+[^`\n,.]*/g)].map((m) => m[0]);
      expect(commands.length).toBeGreaterThan(0);
      for (const cmd of commands) expect(cmd, cmd).toContain('--sandbox');
    }
    expect(scorecardMarkdown(input)).not.toContain('--sandbox');
  });
});

describe('scorecardTerminal', () => {
  it('shows badges, notes, the summary and next steps within the width', () => {
    const t = scorecardTerminal(input, 80);
    expect(t).toContain('[PASS]');
    expect(t).toContain('[SKIPPED]');
    expect(t).toContain('Summary: 1 pass, 1 fail, 1 manual, 1 error, 1 skipped');
    expect(t).toContain('Next steps');
    expect(t).not.toContain('\u001b[');
    for (const l of t.split('\n')) expect(l.length).toBeLessThanOrEqual(80);
  });
});

describe('scorecardPath and saveScorecard', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wizard-scorecard-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('puts the scorecard beside the progress file', () => {
    expect(scorecardPath('/state/secure-start/123456789012.json')).toBe('/state/secure-start/123456789012-scorecard.md');
    expect(scorecardPath('/state/secure-start/sandbox-000000000000.json')).toBe('/state/secure-start/sandbox-000000000000-scorecard.md');
    expect(scorecardPath('progress')).toBe('progress-scorecard.md');
  });

  it('writes atomically, replacing an older scorecard and leaving no temp file', async () => {
    const path = join(dir, 'nested', '123456789012-scorecard.md');
    await saveScorecard(path, 'old\n');
    await saveScorecard(path, scorecardMarkdown(input));
    expect(await readFile(path, 'utf8')).toBe(scorecardMarkdown(input));
    expect(await readdir(join(dir, 'nested'))).toEqual(['123456789012-scorecard.md']);
  });

  it('formats times short', () => {
    expect(shortTime('2026-11-29T10:00:03.120Z')).toBe('2026-11-29 10:00 UTC');
    expect(shortTime('not a time')).toBe('not a time');
  });
});

describe('accepted risks and the cost of the fixes', () => {
  const allDone: ScorecardInput = {
    target,
    generatedAt: new Date('2026-11-29T10:05:00.000Z'),
    results: [
      result('account.password-policy', 'pass', { severity: 'high' }),
      result('account.groups-only', 'fail', { severity: 'medium', findings: [{ status: 'fail', resource: 'x', region: 'global', message: 'taylor.dev has own policies.' }] }),
      result('monitoring.guardduty', 'pass'),
    ],
    decisions: {
      'account.password-policy': { status: 'fixed', at: '2026-11-29T10:00:03.120Z' },
      'account.groups-only': { status: 'skipped', reason: 'Legacy CI user, removed next sprint', at: '2026-11-29T10:01:00.000Z' },
      'monitoring.guardduty': { status: 'fixed', at: '2026-11-29T10:02:00.000Z' },
    },
    costs: {
      'account.password-policy': { scale: 'free', detail: 'IAM password policies are free' },
      'monitoring.guardduty': { scale: 'dollars', detail: 'GuardDuty in 1 region: about USD 4 a month after the 30-day trial' },
    },
  };

  it('never says nothing is left to fix while a skipped step leaves a risk open; lists it with its reason', () => {
    for (const text of [scorecardMarkdown(allDone), scorecardTerminal(allDone, 100)]) {
      expect(text).not.toContain('Nothing is left to fix');
      expect(text).toMatch(/Nothing else is left to fix, but the risk you accepted above stays open\./);
      expect(text).toMatch(/Accepted risks/);
      expect(text).toMatch(/account\.groups-only[\s\S]*Accepted as is \(2026-11-29 10:01 UTC\): Legacy CI user, removed next sprint\./);
      expect(text).toMatch(/secure-start --redo --step account\.groups-only/);
    }
  });

  it('totals the monthly cost the applied fixes added, naming the paid ones and their prices', () => {
    const md = scorecardMarkdown(allDone);
    expect(md).toContain('## Monthly cost of the fixes applied');
    expect(md).toContain('The fixes applied add dollars a month (order of magnitude) to the bill, in all:');
    expect(md).toContain('- monitoring.guardduty (dollars): GuardDuty in 1 region: about USD 4 a month after the 30-day trial.');
    expect(md).toContain('- One other fix is free.');
    const t = scorecardTerminal(allDone, 100);
    expect(t).toMatch(/Monthly cost\n {2}The fixes applied add dollars a month/);
    expect(t).toContain('monitoring.guardduty (dollars): GuardDuty in 1 region');
  });

  it('free fixes only: says they add nothing; no fixes applied: no cost section', () => {
    const free = { ...allDone, costs: { 'account.password-policy': { scale: 'free' as const, detail: 'free' } } };
    expect(scorecardMarkdown(free)).toContain('The fix applied adds nothing to the monthly bill.');
    const none = { ...allDone, costs: {} };
    expect(scorecardMarkdown(none)).not.toContain('Monthly cost');
  });

  it('without accepted risks and failures it still says nothing is left', () => {
    const clean = { ...allDone, results: [result('account.password-policy', 'pass')], decisions: {} };
    expect(scorecardTerminal(clean, 100)).toContain('Nothing is left to fix.');
  });
});

describe('scorecard words (issue 10 item 9)', () => {
  const advice = result('account.security-contacts', 'manual', {
    findings: [{ status: 'manual', advice: true, resource: 'arn:aws:account::123456789012:alternate-contact/billing', region: 'global', message: 'No billing contact. Recommended.' }],
  });
  const card: ScorecardInput = { target, generatedAt: new Date(), results: [advice, result('account.root-mfa', 'fail')], decisions: {} };
  const saved = process.env.npm_lifecycle_event;
  afterEach(() => {
    if (saved === undefined) delete process.env.npm_lifecycle_event;
    else process.env.npm_lifecycle_event = saved;
  });

  it('calls a contact that is only recommended a recommendation, not a check by hand', () => {
    setColor(false);
    const md = scorecardMarkdown(card);
    expect(md).toContain('Recommended: No billing contact');
    expect(md).toMatch(/Recommended, not required/);
    expect(md).not.toMatch(/security-contacts.*Check it by hand/);
  });

  it('names the command as it was run: npm start -- from a checkout', () => {
    process.env.npm_lifecycle_event = 'start';
    expect(scorecardMarkdown(card)).toContain('`npm start -- --step account.root-mfa`');
    expect(scorecardMarkdown(card)).not.toContain('secure-start --step');
    delete process.env.npm_lifecycle_event;
    expect(scorecardMarkdown(card)).toContain('`secure-start --step account.root-mfa`');
  });
});

describe('the challenge on the scorecard', () => {
  const withChallenge: ScorecardInput = {
    ...input,
    challenge: {
      'account.password-policy': { hints: 2, timeMs: 245_000, solvedAt: '2026-11-29T10:00:00.000Z' },
      'account.security-contacts': { hints: 0, timeMs: 30_000, since: '2026-11-29T10:04:00.000Z' },
    },
  };

  it('lists hints and time per step, the visit still open counted up to the card, and the totals', () => {
    const md = scorecardMarkdown(withChallenge);
    expect(md).toContain('## Challenge');
    expect(md).toContain('| `account.password-policy` | yes | 2 of 3 | 4 min |');
    // 30 s recorded + 60 s of the open visit (10:04 to 10:05).
    expect(md).toContain('| `account.security-contacts` | not yet | 0 of 3 | 1 min |');
    expect(md).toContain('1 of 2 solved by hand, 2 hints used, 5 min in all.');
    const term = scorecardTerminal(withChallenge, 100);
    expect(term).toMatch(/^solved\s+account\.password-policy\s+2 of 3 hints · 4 min$/m);
    expect(term).toMatch(/^not yet\s+account\.security-contacts\s+0 of 3 hints · 1 min$/m);
  });

  it('has no challenge section when no step was taken as one', () => {
    expect(scorecardMarkdown(input)).not.toContain('Challenge');
    expect(scorecardTerminal(input, 100)).not.toContain('Challenge');
  });
});
