/**
 * The answers file through the built CLI on the seeded day-one account (issue 9 item 6, issue 10
 * item 6): it is checked whole before anything changes, entries for steps outside the selection are
 * ignored, an unedited `answers --template` decides nothing a person should decide (no guessed
 * regions, no paid or destructive fix without `"apply": true`), and a skip recorded in the progress
 * file is honoured by `fix --yes` unless the step is named with --step.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { motoEndpoint, resetMoto, useManagedPolicies } from '../helpers/moto.js';
import { cleanEnv, runCli, tempStateDir } from './cli-helpers.js';
import { spawnCli } from './pty.js';

// The day-one scenario attaches AWS managed policies (ReadOnlyAccess, AdministratorAccess).
useManagedPolicies();

type Report = { results: Array<{ step: string; status: string; findings: Array<{ status: string; message: string }> }> };

let state: string;
let env: NodeJS.ProcessEnv;
let sandbox: string;

// Each test gets its own state directory (progress file, answers files).
beforeEach(async () => {
  state = await tempStateDir();
  env = cleanEnv({ SECURE_START_STATE_DIR: state });
  sandbox = `--sandbox=${motoEndpoint()}`;
});

/**
 * Resets moto and seeds day-one once for the tests of the calling describe. Seeding takes tens of
 * seconds, so the tests share one account where each changes only steps no later test of the
 * group reads (vitest runs a file's tests in order); each describe says which steps its tests touch.
 */
function seededAccount(): void {
  beforeAll(async () => {
    await resetMoto();
    const seeded = await runCli(['sandbox', 'seed', '--scenario', 'day-one', '--endpoint-url', motoEndpoint()], cleanEnv({ SECURE_START_STATE_DIR: await tempStateDir() }));
    expect(seeded.code, seeded.stderr).toBe(0);
  });
}

const steps = (...ids: string[]) => ids.flatMap((id) => ['--step', id]);

async function statuses(...ids: string[]): Promise<Record<string, string>> {
  const r = await runCli(['check', sandbox, '--format', 'json', ...steps(...ids)], env);
  return Object.fromEntries((JSON.parse(r.stdout) as Report).results.map((x) => [x.step, x.status]));
}

async function answersFile(data: unknown, name = 'answers.json'): Promise<string> {
  const file = join(state, name);
  await writeFile(file, typeof data === 'string' ? data : JSON.stringify(data, null, 2));
  return file;
}

const progressFile = () => join(state, 'sandbox-123456789012.json');

async function journal(): Promise<unknown[]> {
  try {
    return (JSON.parse(await readFile(progressFile(), 'utf8')) as { journal: unknown[] }).journal;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

// One account for the next two groups: the first two tests change nothing, the third fixes only
// account.password-policy, and the skip test only monitoring.flow-logs and monitoring.guardduty
// (plus whatever other monitoring step fix --yes may apply unanswered). The consent tests read
// password-policy and guardduty as the seed left them, so they have their own account.
describe('on one seeded account', () => {
  seededAccount();

  describe('the answers file is checked before anything changes', () => {
    it('one bad entry stops fix --yes before the first change: exit 2, nothing applied', async () => {
      const answers = await answersFile({ 'monitoring.alerts': { email: 'a@b' } });
      const fix = await runCli(['fix', '--yes', '--answers', answers, sandbox, ...steps('account.password-policy', 'monitoring.alerts')], env);
      expect(fix.code, fix.stderr).toBe(2);
      expect(fix.stderr).toMatch(/monitoring\.alerts.*email/);
      expect(fix.stderr).not.toMatch(/FIXED/);
      expect(fix.stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
      expect(await journal()).toEqual([]);
      expect(await statuses('account.password-policy')).toEqual({ 'account.password-policy': 'fail' });
    });

    it('every problem is listed at once, with step id and field path, by fix, plan and the wizard', async () => {
      const answers = await answersFile({
        'account.password-policy': { minimumLength: 3 },
        'account.admin-identity': { userName: 'ada lovelace' },
        'monitoring.alerts': { email: 'a@b', phone: '+1 555 0100' },
        'monitoring.guardduty': { apply: 'yes' },
      });
      const selection = steps('account.password-policy', 'account.admin-identity', 'monitoring.alerts', 'monitoring.guardduty');
      const expectAll = (out: string) => {
        expect(out).toMatch(/account\.password-policy.*minimumLength.*at least 6/);
        expect(out).toMatch(/account\.admin-identity.*userName.*no spaces/);
        expect(out).toMatch(/monitoring\.alerts.*email/);
        expect(out).toMatch(/monitoring\.alerts.*phone/);
        expect(out).toMatch(/monitoring\.guardduty.*apply.*true or false/);
      };
      const fix = await runCli(['fix', '--yes', '--answers', answers, sandbox, ...selection], env);
      expect(fix.code, fix.stderr).toBe(2);
      expectAll(fix.stderr);
      expect(await journal()).toEqual([]);

      const plan = await runCli(['plan', '--answers', answers, sandbox, ...selection], env);
      expect(plan.code, plan.stderr).toBe(2);
      expectAll(plan.stderr);

      // The wizard's pre-fill: refused before the first question.
      const wizard = spawnCli([sandbox, '--answers', answers, ...selection], { stateDir: state });
      try {
        const code = await Promise.race([wizard.exit, new Promise<string>((r) => setTimeout(() => r('still running'), 30_000))]);
        expect(code, wizard.tail()).toBe(2);
        expectAll(wizard.output.replace(/\n\s*/g, ' '));
      } finally {
        wizard.kill();
      }
      expect(await statuses('account.password-policy')).toEqual({ 'account.password-policy': 'fail' });
    }, 120_000);

    it('entries for steps outside the selection are ignored; only ids no area has are unknown', async () => {
      const template = await runCli(['answers', '--template'], env);
      expect(template.code).toBe(0);
      const file = await answersFile(template.stdout, 'template.json');

      const plan = await runCli(['plan', '--answers', file, sandbox, '--area', 'data'], env);
      expect(plan.stderr).not.toMatch(/unknown steps/);
      expect(plan.code, plan.stderr).toBe(0);

      const fix = await runCli(['fix', '--yes', '--answers', file, sandbox, '--step', 'account.password-policy'], env);
      expect(fix.stderr).toMatch(/FIXED\s+account\.password-policy/);
      expect(fix.code, fix.stderr).toBe(0);

      const typo = await answersFile({ 'account.pasword-policy': {}, 'data.nothing-here': {} }, 'typo.json');
      const bad = await runCli(['fix', '--yes', '--answers', typo, sandbox, '--step', 'account.password-policy'], env);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/unknown step.*account\.pasword-policy.*data\.nothing-here/);
      expect(bad.stderr).toMatch(/Did you mean account\.password-policy/);
    }, 120_000);
  });

  describe('a recorded skip', () => {
    it('a skip recorded in the progress file is honoured by fix --yes unless the step is named', async () => {
      const at = new Date().toISOString();
      await writeFile(
        progressFile(),
        JSON.stringify({
          schemaVersion: 1,
          tool: { name: 'secure-start', version: '0.1.0' },
          target: { accountId: '123456789012', sandbox: true },
          createdAt: at,
          updatedAt: at,
          steps: { 'monitoring.flow-logs': { status: 'skipped', at, reason: 'Accepted as is' } },
          journal: [],
        }),
      );
      const answers = await answersFile({ 'monitoring.flow-logs': { apply: true }, 'monitoring.guardduty': { apply: true } });
      const byArea = await runCli(['fix', '--yes', '--answers', answers, sandbox, '--area', 'monitoring'], env);
      expect(byArea.stderr).toMatch(/SKIPPED\s+monitoring\.flow-logs.*Accepted as is/);
      expect(byArea.stderr).toMatch(/FIXED\s+monitoring\.guardduty/);
      // Not fixed: check of the same progress file shows the decision (skipped), with the failing finding under it.
      expect(await statuses('monitoring.flow-logs')).toEqual({ 'monitoring.flow-logs': 'skipped' });
      const report = JSON.parse((await runCli(['check', sandbox, '--format', 'json', '--step', 'monitoring.flow-logs'], env)).stdout) as {
        results: Array<{ findings: Array<{ status: string; message: string }> }>;
      };
      const [first, ...below] = report.results[0]!.findings.map((f) => f.status);
      expect(first).toBe('skipped');
      expect(below.length && below.every((s) => s === 'fail')).toBe(true);
      expect(report.results[0]!.findings[0]!.message).toMatch(/^Accepted as is on \d{4}-\d{2}-\d{2} \(Accepted as is\)/);
      const recorded = JSON.parse(await readFile(progressFile(), 'utf8')) as { steps: Record<string, { status: string; reason?: string }> };
      expect(recorded.steps['monitoring.flow-logs']).toMatchObject({ status: 'skipped', reason: 'Accepted as is' });

      const named = await runCli(['fix', '--yes', '--answers', answers, sandbox, '--step', 'monitoring.flow-logs'], env);
      expect(named.code, named.stderr).toBe(0);
      expect(await statuses('monitoring.flow-logs')).toEqual({ 'monitoring.flow-logs': 'pass' });
    }, 180_000);
  });
});

describe('consent under --yes', () => {
  // Its own account: the template test needs account.password-policy failing (the groups above fix
  // it) and must find guardduty failing afterwards; the next test then fixes guardduty.
  seededAccount();

  it('an unedited template guesses no regions and turns on nothing paid or destructive', async () => {
    const template = await runCli(['answers', '--template'], env);
    const parsed = JSON.parse(template.stdout) as Record<string, Record<string, unknown>>;
    expect(parsed['account.regions']?.allowed ?? []).toEqual([]);
    for (const id of ['account.regions', 'monitoring.guardduty', 'monitoring.flow-logs', 'monitoring.cloudtrail', 'monitoring.config-recorder'])
      expect(parsed[id], id).toMatchObject({ apply: false });
    const file = await answersFile(template.stdout, 'template.json');

    const chosen = ['account.password-policy', 'account.regions', 'monitoring.cloudtrail', 'monitoring.flow-logs', 'monitoring.guardduty', 'monitoring.config-recorder'];
    const fix = await runCli(['fix', '--yes', '--answers', file, sandbox, ...steps(...chosen)], env);
    expect(fix.code, fix.stderr).toBe(1);
    expect(fix.stderr).toMatch(/account\.regions: Not applied: .*allowed/);
    expect(fix.stderr).toMatch(/monitoring\.guardduty: Not applied: .*"apply": true/);
    expect(await statuses(...chosen)).toEqual({
      'account.password-policy': 'pass',
      'account.regions': 'fail',
      'monitoring.cloudtrail': 'fail',
      'monitoring.flow-logs': 'fail',
      'monitoring.guardduty': 'fail',
      'monitoring.config-recorder': 'fail',
    });
  }, 180_000);

  it('no answer at all turns on no paid service; "apply": true does', async () => {
    const plan = await runCli(['plan', sandbox, '--step', 'monitoring.guardduty', '--format', 'json'], env);
    const planned = (JSON.parse(plan.stdout) as { steps: Array<{ step: string; note?: string; actions: unknown[] }> }).steps[0]!;
    expect(planned.actions.length).toBeGreaterThan(0);
    expect(planned.note).toMatch(/fix --yes will not apply this: .*"apply": true/);
    const fix = await runCli(['fix', '--yes', sandbox, '--step', 'monitoring.guardduty'], env);
    expect(fix.code, fix.stderr).toBe(1);
    expect(fix.stderr).toMatch(/monitoring\.guardduty: Not applied: .*running cost.*"apply": true/);
    expect(await statuses('monitoring.guardduty')).toEqual({ 'monitoring.guardduty': 'fail' });

    const answers = await answersFile({ 'monitoring.guardduty': { apply: true } });
    const yes = await runCli(['fix', '--yes', '--answers', answers, sandbox, '--step', 'monitoring.guardduty'], env);
    expect(yes.code, yes.stderr).toBe(0);
    expect(await statuses('monitoring.guardduty')).toEqual({ 'monitoring.guardduty': 'pass' });
  }, 120_000);

});
