import { beforeEach, describe, expect, it } from 'vitest';
import type { Finding, Plan, StepMeta, Target } from '../../src/engine/types.js';
import { REDACTED } from '../../src/engine/types.js';
import { costText, displayParams, ellipsize, explainView, fitLines, findingsTable, header, planView, rootWarning, secretsView, shortResource, wrapText } from '../../src/wizard/render.js';
import { planCost } from '../../src/engine/cost.js';
import { setColor, stripAnsi, visibleLength } from '../../src/wizard/theme.js';

const real: Target = {
  accountId: '123456789012',
  principalArn: 'arn:aws:iam::123456789012:user/alice',
  isRoot: false,
  sandbox: false,
  partition: 'aws',
  homeRegion: 'us-east-1',
};
const sandbox: Target = { ...real, accountId: '000000000000', principalArn: 'arn:aws:iam::000000000000:root', isRoot: true, sandbox: true, endpoint: 'http://127.0.0.1:4566' };

const meta: StepMeta = {
  id: 'account.password-policy',
  area: 'account',
  title: 'A strong IAM password policy is set',
  severity: 'high',
  scope: 'global',
  references: { cis: ['2.8'] },
  lesson: 'account/password-policy.md',
  permissions: { check: ['iam:GetAccountPasswordPolicy'], fix: ['iam:UpdateAccountPasswordPolicy'] },
  fix: { kind: 'auto', costScale: 'free', cost: 'free', risk: 'People must choose a longer password at their next change.', destructive: false, paid: false },
};

const noop = async () => {};

beforeEach(() => setColor(false));

describe('header', () => {
  it('says SANDBOX and names the endpoint in sandbox mode', () => {
    const h = header(sandbox, 'Step 1 of 3');
    expect(h).toContain('SANDBOX');
    expect(h).toContain('http://127.0.0.1:4566');
    expect(h).toContain('Step 1 of 3');
    expect(h).not.toContain('AWS account');
    expect(h).not.toContain('\n');
  });

  it('names the real account and principal otherwise, never SANDBOX', () => {
    const h = header(real);
    expect(h).toContain('AWS account 123456789012 (arn:aws:iam::123456789012:user/alice)');
    expect(h).not.toMatch(/sandbox/i);
    expect(h).not.toContain('\n');
  });

  it('flags a real root sign-in', () => {
    expect(header({ ...real, isRoot: true, principalArn: 'arn:aws:iam::123456789012:root' })).toContain('ROOT');
  });

  it('keeps SANDBOX prominent when colour is on', () => {
    setColor(true);
    const h = header(sandbox);
    expect(h).toContain('\u001b[');
    expect(stripAnsi(h)).toContain('SANDBOX');
  });

  it('has a root warning', () => {
    expect(rootWarning()).toContain('root user');
  });
});

describe('findingsTable', () => {
  const findings: Finding[] = [
    { status: 'pass', resource: 'arn:aws:s3:::logs-bucket', region: 'us-east-1', message: 'Default encryption is on.' },
    {
      status: 'fail',
      resource: 'arn:aws:iam::123456789012:account',
      region: 'global',
      message: 'No password policy is set: IAM users can choose any password, including short and reused ones.',
      data: { hidden: 'do-not-print' },
    },
  ];

  it('shows badges, region, a short resource and the message, failures first, without colour', () => {
    const t = findingsTable(findings, 80);
    expect(t).not.toContain('\u001b[');
    const lines = t.split('\n');
    expect(lines[0]).toMatch(/STATUS\s+REGION\s+RESOURCE\s+MESSAGE/);
    expect(lines[1]).toMatch(/^\[FAIL\]\s+global\s+iam account\s+No password policy/);
    expect(t).toMatch(/\[PASS\]\s+us-east-1\s+s3 logs-bucket\s+Default encryption is on\./);
    expect(t).not.toContain('do-not-print');
    for (const l of lines) expect(visibleLength(l)).toBeLessThanOrEqual(80);
  });

  it('wraps long messages to the width, aligned under the message column', () => {
    const lines = findingsTable(findings, 80).split('\n');
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    const col = lines[1]!.indexOf('No password');
    expect(lines[2]!.slice(0, col).trim()).toBe('');
  });

  it('stacks on a narrow terminal', () => {
    const t = findingsTable(findings, 40);
    for (const l of t.split('\n')) expect(l.length).toBeLessThanOrEqual(40);
    expect(t).toMatch(/^\[FAIL\] No password/);
    expect(t).toContain('\n    iam account');
  });

  it('limits rows and counts the rest', () => {
    const t = findingsTable(findings, 80, { max: 1 });
    expect(t).toContain('[FAIL]');
    expect(t).not.toContain('[PASS]');
    expect(t).toContain('… and 1 more (1 passing)');
  });

  it('says when there is nothing', () => {
    expect(findingsTable([], 80)).toBe('No findings.');
  });
});

describe('planView', () => {
  const plan: Plan = {
    actions: [
      {
        summary: 'Set the account password policy',
        service: 'iam',
        operation: 'UpdateAccountPasswordPolicy',
        region: 'global',
        params: { MinimumPasswordLength: 14, PasswordReusePrevention: 24 },
        inverse: { summary: 'Remove the password policy', service: 'iam', operation: 'DeleteAccountPasswordPolicy', region: 'global', params: {} },
        run: noop,
      },
      {
        summary: 'Turn on EBS encryption by default',
        service: 'ec2',
        operation: 'EnableEbsEncryptionByDefault',
        region: 'eu-west-1',
        params: {},
        run: noop,
      },
    ],
    warnings: ['People with a shorter password must change it at their next sign-in.'],
    guidance: '## Afterwards\n\nSign in as **alice** to see the new rules.',
  };

  it('numbers every action with its operation, params and undo', () => {
    const v = planView(meta, plan);
    expect(v).toContain('1. Set the account password policy');
    expect(v).toContain('iam:UpdateAccountPasswordPolicy (global)');
    expect(v).toContain('"MinimumPasswordLength": 14');
    expect(v).toContain('undo: Remove the password policy');
    expect(v).toContain('iam:DeleteAccountPasswordPolicy');
    expect(v).toContain('2. Turn on EBS encryption by default');
    expect(v).toContain('ec2:EnableEbsEncryptionByDefault (eu-west-1)');
    expect(v).toContain('undo: secure-start undo reverses it');
  });

  it('shows warnings, guidance as text, cost and risk', () => {
    const v = planView(meta, plan);
    expect(v).toContain('People with a shorter password must change it');
    expect(v).toContain('Afterwards');
    expect(v).toContain('Sign in as alice to see the new rules.');
    expect(v).not.toContain('**alice**');
    expect(v).toContain('Cost: free');
    expect(v).toContain('Risk: People must choose a longer password');
  });

  it('says a destructive or paid fix defaults to No', () => {
    const v = planView({ ...meta, fix: { ...meta.fix, destructive: true, paid: true } }, { actions: [{ ...plan.actions[0]!, destructive: true }] });
    expect(v).toContain('[DESTRUCTIVE]');
    expect(v).toContain('defaults to No');
  });

  it('a fix that is safe in general says so when one of its actions removes something (destructiveWhen)', () => {
    const v = planView(meta, { actions: [{ ...plan.actions[0]!, destructive: true }] });
    expect(v).toContain('This fix removes or disables something: the confirmation defaults to No.');
  });

  it('an advice plan (guidance, nothing to apply) names its cost but no confirmation, since none is asked', () => {
    const v = planView({ ...meta, fix: { ...meta.fix, kind: 'advice', costScale: 'dollars', paid: true } }, { actions: [], guidance: 'Deploy a firewall by hand.', cost: { scale: 'dollars', detail: 'About $288 a month.' } });
    expect(v).toContain('Cost: dollars a month (order of magnitude). About $288 a month.');
    expect(v).not.toContain('defaults to No');
  });

  it('names the plan’s own cost order of magnitude when it has one, and a paid plan defaults to No', () => {
    const cheap = planView(meta, { ...plan, cost: { scale: 'cents', detail: 'An alarm at $0.10 a month.' } });
    expect(cheap).toContain('Cost: cents a month (order of magnitude). An alarm at $0.10 a month.');
    expect(cheap).toContain('adds a running cost');
    expect(planCost(meta, plan)).toEqual({ scale: 'free', detail: 'free', paid: false });
    expect(planCost({ ...meta, fix: { ...meta.fix, costScale: 'dollars', paid: true } }, { ...plan, cost: { scale: 'free', detail: 'SSE-S3.' } }).paid).toBe(false);
  });

  it('shows a policy given as a JSON string as a document, not one escaped line', () => {
    const policy = { Version: '2012-10-17', Statement: [{ Sid: 'DenyInsecureTransport', Effect: 'Deny' }] };
    const v = planView(meta, {
      actions: [{ ...plan.actions[0]!, service: 's3', operation: 'PutBucketPolicy', params: { Bucket: 'logs', Policy: JSON.stringify(policy), Other: '{"a":1}' } }],
    });
    expect(v).toContain('"Sid": "DenyInsecureTransport"');
    expect(v).not.toContain('\\"Sid\\"');
    expect(v).toContain('"Other": "{\\"a\\":1}"');
    expect(displayParams({ EventPattern: '{"source":["aws.guardduty"]}', Policy: 'not json' })).toEqual({ EventPattern: { source: ['aws.guardduty'] }, Policy: 'not json' });
  });

  it('never shows a secret whose param is redacted', () => {
    const secret = 'S3cr3t-Passw0rd!-9f8e7d';
    const withSecret: Plan = {
      actions: [
        {
          summary: 'Give alice a console password',
          service: 'iam',
          operation: 'CreateLoginProfile',
          region: 'global',
          params: { UserName: 'alice', Password: REDACTED, PasswordResetRequired: true },
          inverse: { summary: 'Remove the console password', service: 'iam', operation: 'DeleteLoginProfile', region: 'global', params: { UserName: 'alice' } },
          // The secret lives only in the closure that makes the call.
          run: async () => {
            void secret;
          },
        },
      ],
    };
    const v = planView(meta, withSecret);
    expect(v).not.toContain(secret);
    expect(v).toContain(`"Password": "${REDACTED}"`);
    expect(v).toContain('"PasswordResetRequired": true');
  });

  it('masks a secret-looking string a step forgot to redact', () => {
    const leaky: Plan = {
      actions: [{ summary: 'x', service: 'iam', operation: 'CreateLoginProfile', region: 'global', params: { UserName: 'bob', Password: 'hunter2', Nested: { SecretAccessKey: 'abc' } }, run: noop }],
    };
    const v = planView(meta, leaky);
    expect(v).not.toContain('hunter2');
    expect(v).not.toContain('"abc"');
    expect(v).toContain('"UserName": "bob"');
  });

  it('explains an empty plan with guidance only', () => {
    const v = planView(meta, { actions: [], guidance: 'Open the **console**.' });
    expect(v).toContain('No change through the API');
    expect(v).toContain('Open the console.');
  });
});

describe('secretsView', () => {
  it('boxes the secret with the shown-once notice and keeps the value whole', () => {
    const value = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYwJalrXUtnFEMI/K7MDENG';
    const v = secretsView([{ label: 'Secret access key', value }], 50);
    expect(v).toContain('Shown once, not saved anywhere — copy it now.');
    expect(v).toContain('Secret access key:');
    expect(v.split('\n').some((l) => l.trim() === value)).toBe(true);
  });

  it('is empty without secrets', () => {
    expect(secretsView([])).toBe('');
  });
});

describe('text helpers', () => {
  it('wraps at spaces, keeping a word longer than a line whole on its own line', () => {
    expect(wrapText('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
    expect(wrapText('x abcdefghij y', 4)).toEqual(['x', 'abcdefghij', 'y']);
  });

  it('says a free cost once', () => {
    expect(costText('free', 'free')).toBe('free');
    expect(costText('free', 'free (IAM costs nothing)')).toBe('free (IAM costs nothing)');
    expect(costText('cents', '$0.10 a month')).toBe('cents a month (order of magnitude). $0.10 a month');
  });

  it('stacks findings whose names do not fit a column, and never cuts a name', () => {
    const f = (resource: string, message: string) => ({ status: 'fail' as const, resource, region: 'us-east-1', message });
    const findings = [
      f('arn:aws:s3:::day-one-trail-logs-123456789012', 'The bucket day-one-trail-logs-123456789012 has no policy that refuses plain HTTP requests.'),
      f('arn:aws:iam::123456789012:policy/secure-start-deny-other-regions', 'Not attached.'),
    ];
    const t = stripAnsi(findingsTable(findings, 80));
    expect(t).toContain('s3 day-one-trail-logs-123456789012');
    expect(t).toContain('iam policy/secure-start-deny-other-regions');
    expect(t).not.toContain('…');
    expect(t).not.toContain('MESSAGE');
    for (const l of t.split('\n')) expect(l.length).toBeLessThanOrEqual(80);
    // The status stays on the line of its message; the resource and region follow, whole.
    expect(t.split('\n')[0]).toMatch(/^\[FAIL\] The bucket day-one-trail-logs-123456789012 has no/);
    expect(t).toMatch(/\n {4}s3 day-one-trail-logs-123456789012 · us-east-1\n/);
  });

  it('shortens in the middle and reads ARNs', () => {
    expect(ellipsize('abcdefghij', 5)).toBe('ab…ij');
    expect(ellipsize('abc', 5)).toBe('abc');
    expect(shortResource('arn:aws:iam::123456789012:user/alice')).toBe('iam user/alice');
    expect(shortResource('arn:aws:s3:::my-bucket')).toBe('s3 my-bucket');
    expect(shortResource('arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-1')).toBe('ec2 vpc/vpc-1');
    expect(shortResource('account.regions')).toBe('account.regions');
  });
});

describe('explainView (issue 10 item 9)', () => {
  const lesson = '# Password policy\n\nLonger is better.\n\n## References\n\n- CIS AWS Foundations Benchmark v7.0: 2.8\n- AWS Foundational Security Best Practices: IAM.7\n';

  it('says the references once when the lesson lists them', () => {
    const v = stripAnsi(explainView({ ...meta, references: { cis: ['2.8'], fsbp: ['IAM.7'] } }, lesson, 80));
    expect(v.match(/References/g)).toHaveLength(1);
    expect(v).toContain('cost: free · risk:');
    expect(v).not.toMatch(/free, free|free\. free/);
  });

  it('adds them when the lesson has none', () => {
    const v = stripAnsi(explainView({ ...meta, references: { cis: ['2.8'] } }, '# T\n\nText.\n', 80));
    expect(v).toContain('References: CIS AWS Foundations 2.8');
  });

  it('shows a recommended-only finding as [ADVICE], not [MANUAL]', () => {
    const t = stripAnsi(findingsTable([{ status: 'manual', advice: true, resource: 'arn:aws:account::123456789012:alternate-contact/billing', region: 'global', message: 'No billing contact. Recommended.' }], 100));
    expect(t).toContain('[ADVICE]');
    expect(t).not.toContain('[MANUAL]');
  });
});

describe('fitLines', () => {
  it('wraps only the lines wider than the terminal, under their indent', () => {
    const table = 'STATUS  REGION     RESOURCE\n[FAIL]  us-east-1  s3 bucket';
    expect(fitLines(table, 80)).toBe(table);
    expect(fitLines('  Step 1 of 20 · account.password-policy · high', 30)).toBe('  Step 1 of 20 ·\n  account.password-policy ·\n  high');
  });
});
