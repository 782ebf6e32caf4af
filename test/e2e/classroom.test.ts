/**
 * A class through the built CLI (issue 16): `sandbox start --learners 3`, two learners fixing
 * different steps with their join lines, the scoreboard showing exactly those differences,
 * `check --org` reporting each learner's account, and `sandbox reset --learner` making one account
 * afresh while another learner's fix survives.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, runCli, tempStateDir } from './cli-helpers.js';

interface Row {
  name: string;
  accountId: string;
  areas: Record<string, { passed: number; total: number }>;
  currentStep: string | null;
  currentStepFrom: string | null;
  lastChangeAt: string | null;
  hintsUsed: number;
}

const STEPS = ['--step', 'account.password-policy', '--step', 'data.s3-encryption'];

describe('a workshop of three learners', { timeout: 900_000 }, async () => {
  const state = await tempStateDir();
  const env = cleanEnv({ SECURE_START_STATE_DIR: state });
  afterAll(async () => {
    await runCli(['sandbox', 'stop'], env);
  });

  it('refuses a learners file with a bad name, naming the line, before anything starts', async () => {
    const file = join(state, 'names.txt');
    await writeFile(file, 'ana\nben\nno spaces please\n');
    const r = await runCli(['sandbox', 'start', '--learners', file], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}, line 3: "no spaces please" is not a learner name.`);
    expect((await runCli(['sandbox', 'status'], env)).stdout).toContain('No sandbox is running');
  });

  it('start, join, fix, scoreboard, check --org, reset one learner', async () => {
    const start = await runCli(['sandbox', 'start', '--learners', '3', '--provider', 'moto'], env);
    expect(start.stderr).toContain('Class ready: 3 learners');
    expect(start.code).toBe(0);
    const joins = [...start.stdout.matchAll(/^secure-start --sandbox (http:\/\/127\.0\.0\.1:\d+) --learner (learner-0\d)$/gm)];
    expect(joins.map((m) => m[2])).toEqual(['learner-01', 'learner-02', 'learner-03']);
    const url = joins[0]![1]!;
    expect(start.stdout).toContain('[profile classroom-learner-02]');
    expect(start.stdout).toMatch(/role_arn = arn:aws:iam::\d{12}:role\/OrganizationAccountAccessRole/);

    // Each learner fixes a different step through their join line.
    const fixAs = (learner: string, step: string) => runCli(['fix', '--yes', '--step', step, '--sandbox', url, '--learner', learner], env);
    const f1 = await fixAs('learner-01', 'account.password-policy');
    expect(f1.code, f1.stderr).toBe(0);
    const f2 = await fixAs('learner-02', 'data.s3-encryption');
    expect(f2.code, f2.stderr).toBe(0);

    const scoreboard = async () => {
      const r = await runCli(['sandbox', 'scoreboard', '--format', 'json', ...STEPS], env);
      expect(r.code, r.stderr).toBe(0);
      return new Map((JSON.parse(r.stdout) as { learners: Row[] }).learners.map((l) => [l.name, l]));
    };
    const board = await scoreboard();
    expect([...board.keys()]).toEqual(['learner-01', 'learner-02', 'learner-03']);
    const cells = (name: string) => ({ account: board.get(name)!.areas.account, data: board.get(name)!.areas.data });
    expect(cells('learner-01')).toEqual({ account: { passed: 1, total: 1 }, data: { passed: 0, total: 1 } });
    expect(cells('learner-02')).toEqual({ account: { passed: 0, total: 1 }, data: { passed: 1, total: 1 } });
    expect(cells('learner-03')).toEqual({ account: { passed: 0, total: 1 }, data: { passed: 0, total: 1 } });
    // Learners who ran the tool here have a progress file: their step and last change come from it.
    expect(board.get('learner-01')).toMatchObject({ currentStep: 'data.s3-encryption', currentStepFrom: 'progress-file', hintsUsed: 0 });
    expect(board.get('learner-01')!.lastChangeAt).not.toBeNull();
    expect(board.get('learner-03')).toMatchObject({ currentStep: 'account.password-policy', currentStepFrom: 'check', lastChangeAt: null });

    // The same accounts through check --org: one report, a section per account, the worst sets the exit code.
    const ids = ['learner-01', 'learner-02', 'learner-03'].map((n) => board.get(n)!.accountId);
    const org = await runCli(['check', '--org', '--sandbox', url, '--accounts', ids.join(','), '--format', 'json', '--step', 'account.password-policy'], env);
    expect(org.code).toBe(1);
    const report = JSON.parse(org.stdout) as { accounts: Array<{ accountId: string; name: string; status: string; results: Array<{ status: string }> }> };
    expect(report.accounts.map((a) => [a.name, a.status, a.results.map((r) => r.status)])).toEqual([
      ['learner-01', 'pass', ['pass']],
      ['learner-02', 'fail', ['fail']],
      ['learner-03', 'fail', ['fail']],
    ]);
    const table = await runCli(['check', '--org', '--sandbox', url, '--accounts', ids.join(','), '--step', 'account.password-policy'], env);
    for (const [i, id] of ids.entries()) expect(table.stdout).toContain(`Account learner-0${i + 1} (${id}): `);

    // Reset learner-01 only: their fix is gone (a fresh account), learner-02's survives.
    const reset = await runCli(['sandbox', 'reset', '--learner', 'learner-01'], env);
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stderr).toContain('the other learners are untouched');
    const after = await scoreboard();
    expect(after.get('learner-01')!.accountId).not.toBe(board.get('learner-01')!.accountId);
    expect(after.get('learner-01')!.areas.account).toEqual({ passed: 0, total: 1 });
    expect(after.get('learner-01')!.currentStepFrom).toBe('check');
    expect(after.get('learner-02')!.areas.data).toEqual({ passed: 1, total: 1 });
    expect(after.get('learner-02')!.accountId).toBe(board.get('learner-02')!.accountId);
    // Resetting the whole emulator would take every learner's account with it: refused while a class runs.
    const whole = await runCli(['sandbox', 'reset'], env);
    expect(whole.code).toBe(2);
    expect(whole.stderr).toContain('This sandbox holds a class of 3');
    // The join line still works: it names the learner, not the account.
    const again = await runCli(['check', '--sandbox', url, '--learner', 'learner-01', '--format', 'json', '--step', 'account.password-policy'], env);
    expect(JSON.parse(again.stdout).target.accountId).toBe(after.get('learner-01')!.accountId);
  });
});
