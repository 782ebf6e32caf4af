/**
 * The built CLI without a terminal, as CI jobs use it: check/plan/fix exit codes, the JSON report,
 * bad input, and the wizard's refusal without a terminal. Runs against the suite's moto.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { motoEndpoint, resetMoto, useManagedPolicies } from '../helpers/moto.js';
import { cleanEnv, runCli, tempStateDir } from './cli-helpers.js';

// The day-one scenario and the IAM steps attach AWS managed policies (ReadOnlyAccess, AdministratorAccess).
useManagedPolicies();

/** The two steps these tests are about, named so that they keep their meaning as the guide grows. */
const TWO = ['--step', 'account.password-policy', '--step', 'account.security-contacts'];

let state: string;
let env: NodeJS.ProcessEnv;
let sandbox: string;

// Each test gets its own state directory (progress file, answers). Only the tests that read the
// seeded account share one: see `seededAccount()`.
beforeEach(async () => {
  state = await tempStateDir();
  env = cleanEnv({ SECURE_START_STATE_DIR: state });
  sandbox = `--sandbox=${motoEndpoint()}`;
});

/**
 * Resets moto and seeds day-one before the tests of the calling describe, which share that account:
 * seeding takes tens of seconds, so tests that change nothing (or change a step no later test of the
 * group reads) run on one seed, in order, instead of each on its own.
 */
function seededAccount(): void {
  beforeAll(async () => {
    await resetMoto();
    const r = await runCli(['sandbox', 'seed', '--scenario', 'day-one', '--endpoint-url', motoEndpoint()], cleanEnv({ SECURE_START_STATE_DIR: await tempStateDir() }));
    expect(r.stderr).toContain('Seeded scenario day-one');
    expect(r.code).toBe(0);
  });
}

describe('secure-start without a terminal', () => {
  // One seed: the runs that change nothing first, then the one fix that applies password-policy only.
  describe('on a seeded day-one account', () => {
    seededAccount();

    it('check --format json reports the seeded account and exits 1 while a step fails', async () => {
      const r = await runCli(['check', sandbox, '--format', 'json', ...TWO], env);
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout);
      expect(report.tool.name).toBe('secure-start');
      expect(report.target).toMatchObject({ accountId: '123456789012', sandbox: true, endpoint: motoEndpoint() });
      const byStep = Object.fromEntries(report.results.map((x: { step: string; status: string }) => [x.step, x.status]));
      expect(byStep['account.password-policy']).toBe('fail');
      expect(byStep['account.security-contacts']).toBe('fail');
      expect(report.summary.fail).toBe(2);
      expect(report.results[0].findings[0]).toHaveProperty('resource');
    });

    it('plan shows each operation with its parameters and changes nothing', async () => {
      const r = await runCli(['plan', sandbox, '--format', 'json', ...TWO], env);
      expect(r.code).toBe(0);
      const plan = JSON.parse(r.stdout);
      const pp = plan.steps.find((s: { step: string }) => s.step === 'account.password-policy');
      expect(pp.actions[0]).toMatchObject({ service: 'iam', operation: 'UpdateAccountPasswordPolicy' });
      expect(pp.actions[0].params.MinimumPasswordLength).toBeGreaterThanOrEqual(14);
      const again = await runCli(['check', sandbox, '--format', 'json', ...TWO], env);
      expect(JSON.parse(again.stdout).summary.fail).toBe(2);
    });

    it('an invalid email in the answers file stops the run before any change, says which input, and exits 2', async () => {
      const answers = join(state, 'answers.json');
      await writeFile(
        answers,
        JSON.stringify({ 'account.security-contacts': { security: { name: 'Sam', title: 'Lead', email: 'sam.at.example', phone: '+1 555 0100' } } }),
      );
      const fix = await runCli(['fix', '--yes', '--answers', answers, sandbox, ...TWO], env);
      expect(fix.code).toBe(2);
      expect(fix.stderr).toMatch(/account\.security-contacts › security\.email: .*email/);
      // Checked before anything changed: the other step was not fixed either.
      expect(fix.stderr).not.toMatch(/FIXED/);
      const check = await runCli(['check', sandbox, '--format', 'json', '--step', 'account.password-policy'], env);
      expect(JSON.parse(check.stdout).summary.fail).toBe(1);
    });

    it('a damaged progress file stops the run with its name, and is left as it was', async () => {
      const file = join(state, 'sandbox-123456789012.json');
      await writeFile(file, '{"schemaVersion": 1, "steps": ');
      const r = await runCli(['fix', '--yes', sandbox, ...TWO], env);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(file);
      expect(await readFile(file, 'utf8')).toBe('{"schemaVersion": 1, "steps": ');
    });

    it('fix --yes without the answers a step needs leaves that step failing and exits 1', async () => {
      const fix = await runCli(['fix', '--yes', sandbox, ...TWO], env);
      expect(fix.code).toBe(1);
      expect(fix.stderr).toMatch(/account\.security-contacts.*needs inputs/);
    });
  });

  // Its own seed: it needs both steps failing, which the fix without answers above does not leave.
  describe('on a freshly seeded day-one account', () => {
    seededAccount();

    it('fix --yes --answers applies both steps, then check passes and exits 0', async () => {
      const answers = join(state, 'answers.json');
      await writeFile(
        answers,
        JSON.stringify({
          'account.security-contacts': {
            security: { name: 'Sam Secure', title: 'Security lead', email: 'security@example.com', phone: '+1 555 0100' },
            operations: { name: 'Olu Ops', title: 'Operations', email: 'ops@example.com', phone: '+1 555 0101' },
          },
        }),
      );
      const fix = await runCli(['fix', '--yes', '--answers', answers, sandbox, ...TWO], env);
      expect(fix.stderr).toContain('Progress file:');
      expect(fix.code).toBe(0);
      const check = await runCli(['check', sandbox, '--format', 'json', ...TWO], env);
      expect(check.code).toBe(0);
      expect(JSON.parse(check.stdout).summary.fail).toBe(0);
    });
  });

  it('the wizard refuses to run without a terminal and says what to use instead', async () => {
    const r = await runCli([sandbox], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs a terminal/);
    expect(r.stderr).toMatch(/secure-start check/);
  });

  it('bad input gets a short message and exit 2, never a stack trace', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['check', '--step', 'account.nope', sandbox], /Unknown step "account.nope"/],
      [['check', '--bogus'], /unknown option '--bogus'/],
      [['chek'], /Unknown command "chek"[\s\S]*Did you mean check/],
      [['check', '--regions', 'us-east-1,moon-1', sandbox], /Not a region name: moon-1/],
      [['check', '--area', 'spaceships', sandbox], /Unknown area/],
      [['fix', '--yes', '--answers', '/nonexistent.json', sandbox], /Cannot read the answers file/],
      [['check', '--endpoint-url', 'http://127.0.0.1:9'], /Cannot reach the endpoint|No AWS credentials/],
      [['check', '--sandbox=https://iam.amazonaws.com'], /AWS|not an emulator|refuse/i],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args, env);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
    }
  });

  it('without credentials, check explains and points to the sandbox', async () => {
    const r = await runCli(['check'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/No AWS credentials/);
    expect(r.stderr).toMatch(/--sandbox/);
  });

  it('an expired SSO sign-in says to run aws sso login for that profile', async () => {
    const home = await tempStateDir();
    await mkdir(join(home, '.aws', 'sso', 'cache'), { recursive: true });
    await writeFile(
      join(home, '.aws', 'config'),
      '[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Admin\nregion = eu-west-1\n\n' +
        '[sso-session corp]\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\n',
    );
    // The SDK names the token cache after the SHA-1 of the session name; this token expired long ago.
    const name = createHash('sha1').update('corp').digest('hex');
    await writeFile(
      join(home, '.aws', 'sso', 'cache', `${name}.json`),
      JSON.stringify({ accessToken: 'expired', expiresAt: '2020-01-01T00:00:00Z', region: 'us-east-1', startUrl: 'https://example.awsapps.com/start' }),
    );
    const r = await runCli(['check', '--profile', 'dev'], { ...env, HOME: home, AWS_CONFIG_FILE: join(home, '.aws', 'config') });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/SSO sign-in has expired/);
    expect(r.stderr).toContain('aws sso login --profile dev');
  });

  it('a malformed answers file is refused with exit 2', async () => {
    const bad = join(state, 'bad.json');
    await writeFile(bad, '{ not json');
    const r = await runCli(['fix', '--yes', '--answers', bad, sandbox], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not valid JSON/);
  });

  it('works offline: --help, lessons, policy and answers --template', async () => {
    const help = await runCli(['--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: secure-start/);
    const lessons = await runCli(['lessons'], env);
    expect(lessons.stdout).toContain('account.password-policy');
    const lesson = await runCli(['lessons', 'account.password-policy'], env);
    expect(lesson.code).toBe(0);
    expect(lesson.stdout.length).toBeGreaterThan(200);
    const policy = JSON.parse((await runCli(['policy', '--for', 'check'], env)).stdout);
    const actions: string[] = policy.Statement[0].Action;
    expect(actions).toContain('iam:GetAccountPasswordPolicy');
    expect(actions.some((a) => /:(Put|Update|Create|Delete)/.test(a))).toBe(false);
    const fixPolicy = JSON.parse((await runCli(['policy', '--for', 'fix'], env)).stdout);
    expect(fixPolicy.Statement[0].Action).toContain('iam:UpdateAccountPasswordPolicy');
    const template = JSON.parse((await runCli(['answers', '--template'], env)).stdout);
    expect(template['account.password-policy']).toMatchObject({ minimumLength: 14, reusePrevention: 24 });
    expect(template['account.security-contacts']).toHaveProperty('security');
  });
});
