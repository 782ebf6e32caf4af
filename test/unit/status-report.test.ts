import { describe, expect, it } from 'vitest';
import { buildReport, renderMarkdownReport, renderTable } from '../../src/engine/report.js';
import type { StepResult } from '../../src/engine/result.js';
import { exitCodeFor, stepStatus, summarize } from '../../src/engine/status.js';
import type { Finding, Status, Target } from '../../src/engine/types.js';
import { layoutProblems } from '../helpers/text-layout.js';
import type { RegionsSource } from '../../src/engine/context.js';

const f = (status: Status, message = `a ${status} finding`): Finding => ({ status, resource: 'arn:aws:iam::123456789012:account', region: 'global', message });
const result = (step: string, status: Status, findings: Finding[] = [f(status)]): StepResult => ({
  step,
  area: 'account',
  title: `Title of ${step}`,
  severity: 'high',
  status,
  references: { cis: ['2.8'], fsbp: ['IAM.7'], docs: ['https://docs.aws.amazon.com/'] },
  findings,
});
const target: Target = {
  accountId: '123456789012',
  principalArn: 'arn:aws:iam::123456789012:user/alice',
  isRoot: false,
  sandbox: true,
  endpoint: 'http://127.0.0.1:4566',
  partition: 'aws',
  homeRegion: 'us-east-1',
};

describe('step status from findings', () => {
  it.each<[Status[], Status]>([
    [[], 'pass'],
    [['pass', 'pass'], 'pass'],
    [['pass', 'fail'], 'fail'],
    [['error', 'fail'], 'fail'],
    [['manual', 'error'], 'error'],
    [['pass', 'manual'], 'manual'],
    [['unsupported', 'pass'], 'unsupported'],
    [['manual', 'unsupported'], 'manual'],
    [['skipped', 'skipped'], 'skipped'],
    [['skipped', 'pass'], 'pass'],
  ])('%j → %s', (statuses, expected) => {
    expect(stepStatus(statuses.map((s) => f(s)))).toBe(expected);
  });
});

describe('exit codes', () => {
  it('is 0 when nothing failed, even with manual, unsupported and skipped steps', () => {
    expect(exitCodeFor([result('a.a', 'pass'), result('a.b', 'manual'), result('a.c', 'unsupported'), result('a.d', 'skipped')])).toBe(0);
  });
  it('is 1 when a step fails, whatever else happened', () => {
    expect(exitCodeFor([result('a.a', 'error'), result('a.b', 'fail')])).toBe(1);
  });
  it('is 3 when nothing failed but a step could not be checked', () => {
    expect(exitCodeFor([result('a.a', 'pass'), result('a.b', 'error')])).toBe(3);
  });
  it('summarises every status, zeros included', () => {
    expect(summarize([result('a.a', 'pass'), result('a.b', 'fail'), result('a.c', 'fail')])).toEqual({
      pass: 1,
      fail: 2,
      manual: 0,
      error: 0,
      unsupported: 0,
      skipped: 0,
    });
  });
});

describe('reports', () => {
  const report = buildReport({
    version: '0.1.0',
    target,
    regions: { regions: ['us-east-1', 'eu-west-1'], source: 'flag' },
    startedAt: new Date('2026-11-29T10:00:00Z'),
    finishedAt: new Date('2026-11-29T10:00:03.120Z'),
    results: [
      result('account.password-policy', 'fail', [{ ...f('fail', 'No password policy | weak'), data: { secretish: 'x' } }]),
      result('account.security-contacts', 'pass'),
    ],
  });

  it('JSON follows the contract of ARCHITECTURE.md', () => {
    expect(report).toEqual({
      tool: { name: 'secure-start', version: '0.1.0' },
      target: { accountId: '123456789012', principalArn: target.principalArn, sandbox: true, endpoint: 'http://127.0.0.1:4566', regions: ['us-east-1', 'eu-west-1'], regionsSource: 'flag' },
      startedAt: '2026-11-29T10:00:00.000Z',
      finishedAt: '2026-11-29T10:00:03.120Z',
      results: [
        {
          step: 'account.password-policy',
          area: 'account',
          title: 'Title of account.password-policy',
          severity: 'high',
          status: 'fail',
          references: { cis: ['2.8'], fsbp: ['IAM.7'] },
          findings: [{ status: 'fail', resource: 'arn:aws:iam::123456789012:account', region: 'global', message: 'No password policy | weak' }],
        },
        expect.objectContaining({ step: 'account.security-contacts', status: 'pass' }),
      ],
      summary: { pass: 1, fail: 1, manual: 0, error: 0, unsupported: 0, skipped: 0 },
    });
  });

  it('the table names the target, every step and the failing findings', () => {
    const text = renderTable(report, 80);
    expect(text).toMatch(/^SANDBOX http:\/\/127\.0\.0\.1:4566/);
    expect(text).toMatch(/FAIL\s+account\.password-policy/);
    expect(text).toMatch(/PASS\s+account\.security-contacts/);
    expect(text).toContain('No password policy');
    expect(text).toContain('2 steps: 1 pass, 1 fail');
    expect(text.split('\n').every((l) => l.length <= 80)).toBe(true);
  });

  it('wraps titles and messages at spaces, never inside a name, and counts one step as one', () => {
    const long = result('data.s3-tls-only', 'fail', [
      { status: 'fail', resource: 'arn:aws:s3:::day-one-trail-logs-123456789012', region: 'us-east-1', message: 'The bucket day-one-trail-logs-123456789012 accepts plain HTTP: its policy has no statement that denies aws:SecureTransport false, see arn:aws:iam::123456789012:policy/secure-start-deny-other-regions' },
    ]);
    long.title = 'Every S3 bucket refuses requests that do not use TLS, so data never crosses the network in the clear';
    const one = buildReport({ version: '0.1.0', target, regions: { regions: ['us-east-1'], source: 'flag' }, startedAt: new Date(), finishedAt: new Date(), results: [long] });
    const reference = renderTable(one, 100_000);
    for (const width of [60, 80, 120]) expect(layoutProblems(reference, renderTable(one, width), width), `at ${width}`).toEqual([]);
    expect(renderTable(one, 80)).toContain('1 step: 1 fail');
  });

  it('the table and the markdown say which regions were checked and where the list came from', () => {
    expect(renderTable(report).split('\n')[1]).toBe('Regions: us-east-1, eu-west-1 (from --regions)');
    expect(renderMarkdownReport(report)).toContain('- Regions: us-east-1, eu-west-1 (from --regions)');
    const from = (source: RegionsSource, error?: string) =>
      renderTable(buildReport({ version: '0', target, regions: { regions: error ? [] : ['eu-west-1'], source, ...(error ? { error } : {}) }, startedAt: new Date(), finishedAt: new Date(), results: [] }));
    expect(from('progress-file')).toContain('Regions: eu-west-1 (recorded in the progress file, chosen in account.regions)');
    expect(from('enabled-regions')).toContain("Regions: eu-west-1 (the account's enabled regions)");
    expect(from('sandbox')).toContain("Regions: eu-west-1 (the sandbox's home region)");
    expect(from('enabled-regions', 'Access denied')).toContain('Regions: none could be listed (Access denied)');
  });

  it('a real account is named as such, never as a sandbox', () => {
    const real = buildReport({ version: '0.1.0', target: { ...target, sandbox: false, endpoint: undefined } as Target, regions: { regions: ['us-east-1'], source: 'home-region' }, startedAt: new Date(), finishedAt: new Date(), results: [] });
    expect(renderTable(real)).toMatch(/^AWS account 123456789012/);
    expect(renderTable(real)).not.toContain('SANDBOX');
  });

  it('markdown escapes table pipes and lists findings of failing steps', () => {
    const md = renderMarkdownReport(report);
    expect(md).toContain('| FAIL | `account.password-policy` |');
    expect(md).toContain('CIS 2.8, IAM.7');
    expect(md).toContain('No password policy \\| weak');
    expect(md).toContain('### account.password-policy — FAIL');
    expect(md).not.toContain('### account.security-contacts');
  });
});
