/** The scoreboard's rows from an org check and progress files, and its table at a terminal's width. */
import { describe, expect, it } from 'vitest';
import type { OrgReport } from '../../src/engine/org-report.js';
import { buildScoreboard, renderScoreboardMarkdown, renderScoreboardTable } from '../../src/engine/scoreboard.js';

const result = (step: string, status: string) => ({ step, area: step.split('.')[0]!, title: step, severity: 'high', status, references: {}, findings: [] });

const report = {
  accounts: [
    { accountId: '111111111111', name: 'ben', status: 'fail', results: [result('account.a', 'pass'), result('account.b', 'fail'), result('data.c', 'unsupported'), result('data.d', 'fail')] },
    { accountId: '222222222222', name: 'ana', status: 'pass', results: [result('account.a', 'pass'), result('account.b', 'pass'), result('data.c', 'unsupported'), result('data.d', 'pass')] },
    { accountId: '333333333333', name: 'cy', status: 'error', error: 'Could not assume the role' },
  ],
} as unknown as OrgReport;
const stepIds = ['account.a', 'account.b', 'data.c', 'data.d'];
const now = new Date('2026-12-01T10:00:00Z');

describe('the scoreboard', () => {
  it('counts passes per area out of what can pass, takes the step from the progress file when there is one, else from the check', () => {
    const s = buildScoreboard({
      endpoint: 'http://127.0.0.1:5000',
      report,
      stepIds,
      now,
      progress: (id) =>
        id === '222222222222'
          ? {
              currentStep: 'data.d',
              hintsUsed: 3,
              challenge: { 'account.b': { hints: 1, timeMs: 240_400, solved: true }, 'data.d': { hints: 2, timeMs: 90_000, solved: false } },
              updatedAt: '2026-12-01T09:58:00Z',
            }
          : undefined,
    });
    expect(s.areas).toEqual(['account', 'data']);
    expect(s.learners.map((l) => l.name)).toEqual(['ana', 'ben', 'cy']);
    const [ana, ben, cy] = s.learners;
    expect(ana).toMatchObject({ areas: { account: { passed: 2, total: 2 }, data: { passed: 1, total: 1 } }, passed: 3, total: 3, currentStep: 'data.d', currentStepFrom: 'progress-file', hintsUsed: 3, secondsSinceLastChange: 120 });
    // Hints and time per challenge step, and the time in all.
    expect(ana!.challenge).toEqual({ 'account.b': { hints: 1, seconds: 240, solved: true }, 'data.d': { hints: 2, seconds: 90, solved: false } });
    expect(ana!.challengeSeconds).toBe(330);
    expect(renderScoreboardTable(s, 100)).toMatch(/^ana\s+2\/2\s+1\/1\s+3\/3\s+3\s+5m\s+2m\s+data\.d$/m);
    expect(ben).toMatchObject({ areas: { account: { passed: 1, total: 2 }, data: { passed: 0, total: 1 } }, passed: 1, total: 3, currentStep: 'account.b', currentStepFrom: 'check', hintsUsed: 0, challengeSeconds: 0, challenge: {}, lastChangeAt: null });
    expect(cy).toMatchObject({ error: 'Could not assume the role', passed: 0, total: 0, currentStep: null });
  });

  it('renders a table that fits the width (the step goes under the row when it would not) and markdown', () => {
    const s = buildScoreboard({ endpoint: 'http://127.0.0.1:5000', report, stepIds, now, progress: () => undefined });
    const wide = renderScoreboardTable(s, 100);
    expect(wide).toMatch(/^ben\s+1\/2\s+0\/1\s+1\/3\s+0\s+—\s+—\s+account\.b\*$/m);
    for (const width of [50, 60]) {
      const narrow = renderScoreboardTable(s, width);
      for (const line of narrow.split('\n')) expect(line.length).toBeLessThanOrEqual(width);
      expect(narrow).toContain('on step: account.b*');
    }
    expect(renderScoreboardMarkdown(s)).toContain('| ana | 2/2 | 1/1 | 3/3 | 0 | — | — | all done |');
  });
});
