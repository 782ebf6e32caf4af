/**
 * Undo through the built CLI, against the suite's moto (`--sandbox=URL`, so the account outlives
 * each run): the wizard in a pseudo-terminal fixes account.password-policy, picks "Undo this fix",
 * and the re-check fails again; and in a script, `fix --yes` then `undo --yes` then `check` fails
 * again, and a second `undo --yes` finds nothing to undo.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { motoEndpoint, resetMoto, useManagedPolicies } from '../helpers/moto.js';
import { cleanEnv, runCli } from './cli-helpers.js';
import { wizardRuns } from './pty.js';

// The day-one scenario attaches AWS managed policies (ReadOnlyAccess, AdministratorAccess).
useManagedPolicies();

const START = 30_000;
const STEP = 15_000;
const PP = ['--step', 'account.password-policy'];

const pty = wizardRuns();

async function seedDayOne(env: NodeJS.ProcessEnv): Promise<void> {
  await resetMoto();
  const r = await runCli(['sandbox', 'seed', '--scenario', 'day-one', '--endpoint-url', motoEndpoint()], env);
  expect(r.code).toBe(0);
}

interface Journal {
  journal: { step: string; operation: string; result: string; undoes?: number }[];
  steps: Record<string, { status: string }>;
}
const progressOf = async (state: string) => JSON.parse(await readFile(join(state, 'sandbox-123456789012.json'), 'utf8')) as Journal;

describe('undo', () => {
  it('the wizard: fix the password policy, "Undo this fix", and the step fails again and stays on the list', async () => {
    await seedDayOne(cleanEnv({ SECURE_START_STATE_DIR: pty.state }));
    const run = pty.wizard([`--sandbox=${motoEndpoint()}`, '--no-lessons', ...PP]);
    await run.waitFor(/\[FAIL\][^\n]*The password policy is weaker than recommended/, START);
    await run.waitFor(/\? What would you like to do\?\n❯ Fix it/, STEP);
    run.send('Enter');
    await run.waitFor(/\? Which password policy should IAM enforce\?/, STEP);
    run.send('Enter');
    // The plan says, before the fix, how undo would reverse it.
    await run.waitFor(/undo: Restore the previous password policy: length ≥ 6/, STEP);
    await run.waitFor(/\? Apply these changes\? \(Y\/n\)/, STEP);
    run.send('y', 'Enter');
    await run.waitFor(/✓ Fixed: IAM user passwords follow a strong policy/, STEP);
    await run.waitFor(/\? What next\?\n❯ Continue\n {2}Undo this fix/, STEP);
    run.send('Down', 'Enter');
    const plan = await run.waitFor(/Undo plan:[\s\S]*?\? Undo 1 change\? \(Y\/n\)/, STEP);
    expect(plan[0]).toContain('Undo account.password-policy: iam:UpdateAccountPasswordPolicy (#0,');
    expect(plan[0]).toContain('"MinimumPasswordLength": 6');
    expect(plan[0]).toMatch(/Cost: /);
    expect(plan[0]).toMatch(/Risk: /);
    run.send('y', 'Enter');
    await run.waitFor(/✔ account\.password-policy: Restore the previous password policy/, STEP);
    await run.waitFor(/account\.password-policy fails again: it is back on the wizard's list\./, STEP);
    // The re-check, and the step's menu again: the learner can fix it once more.
    await run.waitFor(/\[FAIL\][^\n]*The password policy is weaker than recommended: minimum length\s+is 6/, STEP);
    await run.waitFor(/\? What would you like to do\?\n❯ Fix it/, STEP);
    const progress = await progressOf(pty.state);
    expect(progress.steps['account.password-policy']?.status).toBe('fail');
    expect(progress.journal.map((e) => [e.operation, e.result, e.undoes])).toEqual([
      ['UpdateAccountPasswordPolicy', 'ok', undefined],
      ['UpdateAccountPasswordPolicy', 'ok', 0],
    ]);
    run.send('Up', 'Enter'); // Save and quit, the last choice.
    expect(await run.exit).toBe(0);
  }, 120_000);

  it('the wizard: a fix the endpoint cannot confirm in full (moto lacks the IMDS account default) shows what it read, then still offers "Undo this fix"', async () => {
    await seedDayOne(cleanEnv({ SECURE_START_STATE_DIR: pty.state }));
    const run = pty.wizard([`--sandbox=${motoEndpoint()}`, '--no-lessons', '--step', 'resources.ec2-imdsv2']);
    await run.waitFor(/\[FAIL\][^\n]*\n?[^\n]*day-one-legacy-app/, START);
    await run.waitFor(/\? What would you like to do\?\n❯ Fix it/, STEP);
    run.send('Enter');
    await run.waitFor(/\? Require IMDSv2 on the instances that made no IMDSv1 call/, STEP);
    run.send('Enter');
    await run.waitFor(/\? Apply these changes\? \(Y\/n\)/, STEP);
    run.send('y', 'Enter');
    // What the re-check read comes first ("below" the message), then the choice.
    await run.waitFor(/Applied\. Part of this step cannot be read on this endpoint \(below\)[\s\S]*\[UNSUPPORTED\][\s\S]*\? What next\?\n❯ Continue\n {2}Undo this fix/, STEP);
    run.send('Down', 'Enter');
    await run.waitFor(/Undo plan:[\s\S]*?"HttpTokens": "optional"[\s\S]*?\? Undo 1 change\? \(Y\/n\)/, STEP);
    run.send('y', 'Enter');
    await run.waitFor(/resources\.ec2-imdsv2 fails again: it is back on the wizard's list\./, STEP);
    await run.waitFor(/\? What would you like to do\?\n❯ Fix it/, STEP);
    const progress = await progressOf(pty.state);
    expect(progress.journal.map((e) => [e.operation, e.result, e.undoes])).toEqual([
      ['ModifyInstanceMetadataOptions', 'ok', undefined],
      ['ModifyInstanceMetadataOptions', 'ok', 0],
    ]);
    run.send('Up', 'Enter'); // Save and quit, the last choice.
    expect(await run.exit).toBe(0);
  }, 120_000);

  it('a script: fix --yes, undo --yes, check fails again (exit 1), and undo again has nothing to do (exit 0)', async () => {
    const env = cleanEnv({ SECURE_START_STATE_DIR: pty.state });
    await seedDayOne(env);
    const sandbox = `--sandbox=${motoEndpoint()}`;
    const fix = await runCli(['fix', '--yes', sandbox, ...PP], env);
    expect(fix.stderr).toMatch(/FIXED\s+account\.password-policy/);
    expect(fix.code).toBe(0);

    const undo = await runCli(['undo', '--yes', sandbox], env);
    expect(undo.stdout).toMatch(/#0 +\S+ \S+ UTC +account\.password-policy +can be undone\n +iam:UpdateAccountPasswordPolicy\n/);
    expect(undo.stdout).toContain('Undo plan:');
    expect(undo.stdout).toContain("account.password-policy fails again: it is back on the wizard's list.");
    expect(undo.stdout).toContain('Undone: 1 applied change.');
    expect(undo.code).toBe(0);
    expect((await progressOf(pty.state)).steps['account.password-policy']?.status).toBe('fail');

    const check = await runCli(['check', sandbox, ...PP, '--format', 'json'], env);
    expect(check.code).toBe(1);
    expect(JSON.parse(check.stdout).results[0].status).toBe('fail');

    const again = await runCli(['undo', '--yes', sandbox], env);
    expect(again.stderr).toContain('Nothing to undo: every change in the journal is undone already');
    expect(again.code).toBe(0);
  }, 120_000);

  it('undo --yes takes the fixes one by one, newest first: a change left with "nothing to undo" does not hide the fix before it', async () => {
    const env = cleanEnv({ SECURE_START_STATE_DIR: pty.state });
    await seedDayOne(env);
    const sandbox = `--sandbox=${motoEndpoint()}`;
    const answers = join(pty.state, 'answers.json');
    await writeFile(answers, JSON.stringify({ 'monitoring.cloudtrail': { apply: true }, 'monitoring.alerts': { email: 'ops@example.com', apply: true } }));
    const both = ['--step', 'monitoring.cloudtrail', '--step', 'monitoring.alerts'];
    const fix = await runCli(['fix', '--yes', '--answers', answers, sandbox, ...both], env);
    expect(fix.stderr).toMatch(/FIXED\s+monitoring\.alerts/);
    expect(fix.code).toBe(0);

    // The last fix: the alerts. Their topic policy went with the topic: "nothing to undo", left open.
    const first = await runCli(['undo', '--yes', sandbox], env);
    expect(first.stdout).toContain("monitoring.alerts fails again: it is back on the wizard's list.");
    expect(first.stdout).not.toMatch(/Undo monitoring\.cloudtrail/);
    expect(first.code).toBe(0);

    // The fix before it: the trail, now that nothing of the alerts uses it.
    const second = await runCli(['undo', '--yes', sandbox], env);
    expect(second.stdout).toContain('Undo monitoring.cloudtrail: cloudtrail:CreateTrail');
    expect(second.stdout).toContain("monitoring.cloudtrail fails again: it is back on the wizard's list.");
    expect(second.code).toBe(0);
    const check = await runCli(['check', sandbox, '--step', 'monitoring.cloudtrail', '--format', 'json'], env);
    expect(JSON.parse(check.stdout).results[0].status).toBe('fail');
  }, 120_000);

  it('refuses without a terminal and without --yes, and a bad --since is exit 2 before anything runs', async () => {
    const env = cleanEnv({ SECURE_START_STATE_DIR: pty.state });
    const plain = await runCli(['undo', `--sandbox=${motoEndpoint()}`], env);
    expect(plain.stderr).toContain('undo needs a terminal to ask before it changes anything, or --yes.');
    expect(plain.code).toBe(2);
    const since = await runCli(['undo', '--yes', '--since', '5th December', `--sandbox=${motoEndpoint()}`], env);
    expect(since.stderr).toContain('--since "5th December" is not an ISO-8601 date.');
    expect(since.stderr).not.toMatch(/\n\s+at /);
    expect(since.code).toBe(2);
  }, 60_000);
});
