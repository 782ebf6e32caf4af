/**
 * The scorecard's monthly cost counts what was really applied (issue 14, scorecard bug): a paid fix
 * that stopped part-way, or whose re-check could not confirm it, still made changes that cost; a paid
 * fix that stopped before any change adds nothing, and the scorecard says it was planned but not
 * applied, never "adds nothing to the monthly bill" as if all were settled. From the progress file's
 * records and journal (src/wizard/resume.ts appliedCosts) to the card (src/wizard/scorecard.ts).
 */
import { describe, expect, it } from 'vitest';
import type { StepResult } from '../../src/engine/result.js';
import type { Target } from '../../src/engine/types.js';
import type { JournalEntry, StepStatus } from '../../src/progress/index.js';
import { appliedCosts } from '../../src/wizard/resume.js';
import { scorecardMarkdown, scorecardTerminal } from '../../src/wizard/scorecard.js';
import { registry } from '../../steps/index.js';

const target: Target = { accountId: '123456789012', principalArn: 'arn:aws:iam::123456789012:user/alice', isRoot: false, sandbox: true, partition: 'aws', homeRegion: 'us-east-1' };
const at = '2026-12-05T07:00:00.000Z';
const meta = (id: string) => registry.find((e) => e.meta.id === id)!.meta;

const entry = (step: string, operation: string, result: 'ok' | 'failed', error?: string): JournalEntry => ({
  step,
  service: operation.startsWith('Create') && operation.includes('Backup') ? 'backup' : 'ec2',
  operation,
  region: 'us-east-1',
  params: {},
  result,
  ...(error ? { error } : {}),
  at,
});

const UNSUPPORTED = 'The endpoint does not implement this API (HTTP 500, not an AWS answer).';

function card(steps: Record<string, { status: StepStatus; cost?: { scale: 'free' | 'cents' | 'dollars'; detail: string } }>, journal: JournalEntry[]) {
  const results: StepResult[] = Object.entries(steps).map(([id, s]) => ({
    step: id,
    area: meta(id).area,
    title: meta(id).title,
    severity: meta(id).severity,
    status: s.status === 'fixed' ? 'pass' : s.status,
    references: {},
    findings: [],
  }));
  const decisions = Object.fromEntries(Object.entries(steps).map(([id, s]) => [id, { status: s.status, at }]));
  const input = { target, results, decisions, generatedAt: at, costs: appliedCosts(registry, steps, journal) };
  // The terminal wraps long lines: compared with the wrapping undone.
  return { md: scorecardMarkdown(input), term: scorecardTerminal(input, 100).replace(/\n +/g, ' '), costs: input.costs };
}

describe('the scorecard counts the cost of what was applied', () => {
  it('a paid fix applied in full whose re-check is unsupported still counts; a free fix beside it does not make the run "add nothing"', () => {
    const { md, term } = card(
      { 'resources.ebs-encryption': { status: 'fixed' }, 'resources.backups': { status: 'unsupported' } },
      [
        entry('resources.ebs-encryption', 'EnableEbsEncryptionByDefault', 'ok'),
        entry('resources.backups', 'CreateBackupVault', 'ok'),
        entry('resources.backups', 'CreateBackupPlan', 'ok'),
      ],
    );
    for (const text of [md, term]) {
      expect(text).not.toMatch(/adds? nothing to the monthly bill/);
      expect(text).toMatch(/add cents a month \(order of magnitude\) to the bill/);
      expect(text).toMatch(/resources\.backups \(cents/);
    }
  });

  it('a paid fix that stopped part-way counts, and says where it stopped', () => {
    const { md, costs } = card({ 'resources.backups': { status: 'unsupported' } }, [
      entry('resources.backups', 'CreateBackupVault', 'ok'),
      entry('resources.backups', 'CreateBackupPlan', 'ok'),
      entry('resources.backups', 'CreateBackupSelection', 'failed', UNSUPPORTED),
    ]);
    expect(costs['resources.backups']).toMatchObject({ scale: 'cents', applied: 'part' });
    expect(md).toMatch(/- resources\.backups \(cents\): .* Partly applied: it stopped at CreateBackupSelection: The endpoint does not implement this API \(HTTP 500, not an AWS answer\)\.\n/);
  });

  it('a paid fix that stopped before any change is not counted, and the card says it was planned but not applied', () => {
    const { md, term } = card(
      { 'resources.ebs-encryption': { status: 'fixed' }, 'resources.backups': { status: 'fail' } },
      [entry('resources.ebs-encryption', 'EnableEbsEncryptionByDefault', 'ok'), entry('resources.backups', 'CreateBackupVault', 'failed', 'AccessDenied: not allowed')],
    );
    for (const text of [md, term]) {
      expect(text).toMatch(/The fix applied adds nothing to the monthly bill\./);
      expect(text).toMatch(/Planned but not applied, so not counted:/);
      expect(text).toMatch(/resources\.backups \(cents\): it stopped at its first change, CreateBackupVault: AccessDenied: not allowed/);
    }
  });

  it('only a paid fix that was not applied: the card still has the cost section, and says nothing was added', () => {
    const { md } = card({ 'resources.backups': { status: 'fail' } }, [entry('resources.backups', 'CreateBackupVault', 'failed', 'AccessDenied: not allowed')]);
    expect(md).toContain('## Monthly cost of the fixes applied');
    expect(md).toMatch(/No fix applied adds to the monthly bill\./);
    expect(md).toMatch(/Planned but not applied, so not counted:/);
  });

  it('a free fix that failed, and steps never fixed, say nothing about cost', () => {
    const { md } = card({ 'resources.ebs-encryption': { status: 'fail' }, 'resources.backups': { status: 'fail' } }, [
      entry('resources.ebs-encryption', 'EnableEbsEncryptionByDefault', 'failed', 'AccessDenied: no'),
    ]);
    expect(md).not.toContain('Monthly cost');
  });

  it('a step recorded fixed keeps the cost its plan named', () => {
    const { costs } = card({ 'monitoring.guardduty': { status: 'fixed', cost: { scale: 'dollars', detail: 'GuardDuty in 2 regions' } } }, []);
    expect(costs).toEqual({ 'monitoring.guardduty': { scale: 'dollars', detail: 'GuardDuty in 2 regions', applied: 'all' } });
  });
});
