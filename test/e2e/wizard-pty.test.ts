/**
 * The built wizard in a pseudo-terminal, driven key by key as a person would: a full run in the
 * private sandbox (what a new user starts with), Ctrl-C and resume, "Save and quit", a paid fix
 * that names its cost and defaults to No, and the offer of the sandbox when no credentials are found. Run `npm run build` first: this launches
 * bin/secure-start.js, which loads dist/.
 *
 * The full run uses the private sandbox (`--sandbox`: its own moto, seeded with day-one, stopped
 * at the end). The resume tests use the suite's moto (`--sandbox=URL`), so the account keeps the
 * first run's fix for the second run; they name their two steps, so the resume point does not
 * move when steps are added to the guide.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { motoEndpoint, resetMoto, useManagedPolicies } from '../helpers/moto.js';
import { cleanEnv, runCli, tempStateDir } from './cli-helpers.js';
import type { PtyRun } from './pty.js';
import { wizardRuns } from './pty.js';

// The day-one scenario and the IAM steps attach AWS managed policies (ReadOnlyAccess, AdministratorAccess).
useManagedPolicies();

/**
 * Starting a private moto_server, seeding it and the first IAM call: about 10 s on a quiet machine,
 * several times that on a loaded one. A limit for a hung start, not a speed target (bench/ has those).
 */
const START = 90_000;
/** A whole walk that starts a private sandbox: START plus its steps. */
const PRIVATE_WALK = 180_000;
/** A prompt after a check, a plan or an apply against moto. */
const STEP = 15_000;

const ACCOUNT = '123456789012';
const TWO_STEPS = ['--step', 'account.password-policy', '--step', 'account.security-contacts'];

const pty = wizardRuns();
const wizard = (args: string[]) => pty.wizard(args);

/**
 * Resets the suite's moto and seeds day-one once, before the tests of the calling describe: they
 * share the account, in order (seeding takes tens of seconds on a busy machine).
 */
function seededSharedMoto(): void {
  beforeAll(async () => {
    await resetMoto();
    const r = await runCli(['sandbox', 'seed', '--scenario', 'day-one', '--endpoint-url', motoEndpoint()], cleanEnv({ SECURE_START_STATE_DIR: await tempStateDir() }));
    expect(r.stderr).toContain('Seeded scenario day-one');
    expect(r.code).toBe(0);
  });
}

interface ProgressFile {
  target: { accountId: string; sandbox: boolean };
  steps: Record<string, { status: string; reason?: string; inputs?: unknown }>;
  journal: { step: string; operation: string; result: string }[];
}

async function readProgress(file: string): Promise<ProgressFile> {
  return JSON.parse(await readFile(file, 'utf8')) as ProgressFile;
}

/** The message printed on Ctrl-C and on "Save and quit": one line, the file and the command. */
async function resumeMessage(run: PtyRun): Promise<{ file: string; command: string }> {
  const m = await run.waitFor(/Progress saved to (\S+\.json)\.\s+To resume, run: ([^\n]+)\n/, STEP);
  return { file: m[1]!, command: m[2]!.trim() };
}

/** Answers the area's lesson question and the step's with No, up to the step's menu. */
async function skipLessonsTo(run: PtyRun, stepId: string): Promise<void> {
  await run.waitFor(/━━ Area: account ━━\nIn this run \(\d+ steps?\): [^?]+\n\? Read the overview of the account area\?/, START);
  run.send('n', 'Enter');
  await run.waitFor(new RegExp(`Step \\d+ of \\d+ · ${stepId.replace('.', '\\.')}`), STEP);
  await run.waitFor(/\? Read the lesson on account\.[a-z-]+\?/, STEP);
  run.send('n', 'Enter');
}

/** From a failing password policy's menu to "Fixed": Fix it → recommended policy → Yes. */
async function fixPasswordPolicy(run: PtyRun): Promise<void> {
  await run.waitFor(/\[FAIL\][^\n]*The password policy is weaker than recommended/, STEP);
  await run.waitFor(/\? What would you like to do\?\n❯ Fix it/, STEP);
  run.send('Enter');
  await run.waitFor(/\? Which password policy should IAM enforce\?\n❯ Apply the recommended policy \(length 14, remember 24/, STEP);
  run.send('Enter');
  await run.waitFor(/iam:UpdateAccountPasswordPolicy \(global\)/, STEP);
  await run.waitFor(/"MinimumPasswordLength": 14,/, STEP);
  await run.waitFor(/Cost: free/, STEP);
  await run.waitFor(/\? Apply these changes\? \(Y\/n\)/, STEP);
  run.send('y', 'Enter');
  await run.waitFor(/✔ Set the IAM password policy: length ≥ 14/, STEP);
  // The re-check after the apply.
  await run.waitFor(/\[PASS\][^\n]*The password policy is strong: length ≥ 14, remember 24/, STEP);
  await run.waitFor(/✓ Fixed: IAM user passwords follow a strong policy/, STEP);
  await goOnAfterFix(run);
}

/** Of TWO_STEPS: fixes the password policy, then Ctrl-C at the second step's lesson question; the resume message. */
async function fixThenInterrupt(run: PtyRun): Promise<{ file: string; command: string }> {
  await skipLessonsTo(run, 'account.password-policy');
  await fixPasswordPolicy(run);
  await run.waitFor(/Step 2 of 2 · account\.security-contacts/, STEP);
  await run.waitFor(/\? Read the lesson on account\.[a-z-]+\?/, STEP);
  run.send('Ctrl-C');
  return resumeMessage(run);
}

/**
 * After a fix that passes, a step with undo offers "Undo this fix" beside "Continue" (the
 * default): Continue. A step without undo goes straight on (the match is then empty).
 */
async function goOnAfterFix(run: PtyRun): Promise<void> {
  const m = await run.waitFor(/\? What next\?\n❯ Continue|(?=\n+(?:\[SANDBOX\] Step |━━ Area|Scorecard\n))/, STEP);
  if (m[0]) run.send('Enter');
}

/** Answers one text prompt of the contact form. */
async function answer(run: PtyRun, question: RegExp, text: string): Promise<void> {
  await run.waitFor(question, STEP);
  run.type(text);
}

describe('the wizard in a terminal', () => {
  it('a new user fixes both steps in the private sandbox, and the scorecard is saved beside the progress file', async () => {
    // The two steps by name, so that this walk stays the same as steps are added to the guide.
    const run = wizard(['--sandbox', ...TWO_STEPS]);

    const sandbox = await run.waitFor(/Sandbox: a private moto emulator at (http:\/\/127\.0\.0\.1:\d+), stopped when this run ends\./, START);
    const endpoint = sandbox[1]!;
    await run.waitFor(/Seeded the day-one scenario/, START);
    const progressFile = (await run.waitFor(/Progress file: (\S+\.json) \(new\)/, START))[1]!;
    expect(progressFile).toBe(join(pty.state, `sandbox-${ACCOUNT}.json`));
    await run.waitFor(new RegExp(`\\[SANDBOX\\] practice emulator at ${endpoint}, account ${ACCOUNT}, nothing real changes`), START);
    // Which regions regional steps work on, and who chose them.
    await run.waitFor(/Regions: us-east-1 \(the sandbox's home region\)/, START);

    // The area's lesson, read.
    await run.waitFor(/━━ Area: account ━━\nIn this run \(\d+ steps?\): [^?]+\n\? Read the overview of the account area\? \(Y\/n\)/, START);
    run.send('y', 'Enter');
    await run.waitFor(/# The account/, STEP);
    await run.waitFor(/account\.password-policy/, STEP);

    // Step 1: the password policy, with the recommended values.
    await run.waitFor(/\[SANDBOX\] Step 1 of \d+ · account\.password-policy · high/, STEP);
    await run.waitFor(/\? Read the lesson on account\.[a-z-]+\?/, STEP);
    run.send('n', 'Enter');
    await fixPasswordPolicy(run);

    // Step 2: the contacts. A bad email is refused with a message and asked again.
    await run.waitFor(/\[SANDBOX\] Step 2 of \d+ · account\.security-contacts · medium/, STEP);
    await run.waitFor(/\? Read the lesson on account\.[a-z-]+\?/, STEP);
    run.send('n', 'Enter');
    await run.waitFor(/\[FAIL\][^\n]*No security contact/, STEP);
    await run.waitFor(/\? What would you like to do\?\n❯ Fix it/, STEP);
    run.send('Enter');
    await run.waitFor(/Security contact now: not set/, STEP);
    await answer(run, /\? Security contact, name/, 'Sam Secure');
    await answer(run, /\? Security contact, job title or role/, 'Security lead');
    await answer(run, /\? Security contact, email/, 'sam.at.example');
    await run.waitFor(/> "sam\.at\.example" is not an email address AWS accepts: use the form name@example\.com\./, STEP);
    run.send(...Array<string>('sam.at.example'.length).fill('Backspace'));
    run.type('security@example.com');
    await run.waitFor(/✔ Security contact, email security@example\.com/, STEP);
    await answer(run, /\? Security contact, phone \(with country code\)/, '+1 206 555 0199');

    // Billing is set by day-one and kept as it is (the default is No).
    await run.waitFor(/Billing contact now: Accounts Payable \(Finance team\) <billing@example\.com>/, STEP);
    await run.waitFor(/\? Change the billing contact\? \(y\/N\)/, STEP);
    run.send('Enter');
    await run.waitFor(/Operations contact now: not set/, STEP);
    await run.waitFor(/\? Set an operations contact\? \(Y\/n\)/, STEP);
    run.send('y', 'Enter');
    await answer(run, /\? Operations contact, name/, 'Olu Ops');
    await answer(run, /\? Operations contact, job title or role/, 'Operations');
    await answer(run, /\? Operations contact, email/, 'ops@example.com');
    await answer(run, /\? Operations contact, phone \(with country code\)/, '+1 206 555 0101');

    // The plan: the security and operations contacts, not the kept billing one.
    const plan = await run.waitFor(/2 changes, applied in this order[\s\S]*?\? Apply these changes\? \(Y\/n\)/, STEP);
    expect(plan[0]).toContain('Set the security contact to Sam Secure (Security lead) <security@example.com>, +1 206 555 0199');
    expect(plan[0]).toContain('Set the operations contact to Olu Ops (Operations) <ops@example.com>, +1 206 555 0101');
    expect(plan[0]).not.toMatch(/Set the billing contact/);
    run.send('y', 'Enter');
    await run.waitFor(/\[PASS\][^\n]*The security contact is Sam Secure/, STEP);
    await run.waitFor(/✓ Fixed: AWS can reach a named security contact/, STEP);
    await goOnAfterFix(run);

    // The scorecard, on screen and as markdown beside the progress file.
    await run.waitFor(/Scorecard\n\[SANDBOX\]/, STEP);
    await run.waitFor(/\[PASS\]\s+account\.password-policy/, STEP);
    await run.waitFor(/\[PASS\]\s+account\.security-contacts/, STEP);
    await run.waitFor(/Summary: 2 pass/, STEP);
    const saved = (await run.waitFor(/Scorecard saved to (\S+\.md)/, STEP))[1]!;
    expect(await run.exit).toBe(0);

    expect(dirname(saved)).toBe(dirname(progressFile));
    expect(existsSync(saved)).toBe(true);
    const md = await readFile(saved, 'utf8');
    expect(md).toMatch(/^# secure-start scorecard/);
    expect(md).toContain('SANDBOX');
    expect(md).toContain("- Regions: us-east-1 (the sandbox's home region)");
    expect(md).toMatch(/\| `account\.password-policy` \|[^\n]*\| PASS \| Fixed /);
    expect(md).toMatch(/\| `account\.security-contacts` \|[^\n]*\| PASS \| Fixed /);

    const progress = await readProgress(progressFile);
    expect(progress.target).toMatchObject({ accountId: ACCOUNT, sandbox: true });
    expect(progress.steps['account.password-policy']?.status).toBe('fixed');
    expect(progress.steps['account.security-contacts']?.status).toBe('fixed');
    expect(progress.journal.map((j) => `${j.step} ${j.operation} ${j.result}`)).toEqual([
      'account.password-policy UpdateAccountPasswordPolicy ok',
      'account.security-contacts PutAlternateContact ok',
      'account.security-contacts PutAlternateContact ok',
    ]);

    // The private emulator does not outlive the run.
    await expect(fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
  }, PRIVATE_WALK);

  it('resuming in a new private sandbox checks the finished steps again and puts a lost fix back on the list', async () => {
    const args = ['--sandbox', ...TWO_STEPS];
    const first = wizard(args);
    const { command } = await fixThenInterrupt(first);
    expect(await first.exit).toBe(130);

    // A new private sandbox is seeded with day-one again: the earlier fix is not in it.
    const second = wizard(command.split(' ').slice(1));
    await second.waitFor(/account\.password-policy was fixed on \d{4}-\d\d-\d\d but fails now: it is back on the list\./, START);
    await second.waitFor(/A private sandbox starts from the day-one scenario every time/, STEP);
    // The area's overview was offered in the first run: not again.
    await second.waitFor(/Step 1 of 2 · account\.password-policy/, STEP);
    await second.waitFor(/\? Read the lesson on account\.[a-z-]+\?/, STEP);
    second.send('n', 'Enter');
    await second.waitFor(/\[FAIL\][^\n]*The password policy is weaker than recommended/, STEP);
    second.send('Ctrl-C');
    await resumeMessage(second);
    expect(await second.exit).toBe(130);
    expect(second.output).not.toMatch(/Resuming at/);
    expect(second.output).not.toMatch(/Read the overview of the account area/);
  }, 2 * PRIVATE_WALK);

  // One seeded account for these three, in this order: "Save and quit" and the paid fix change
  // nothing (each asserts an empty journal), and the Ctrl-C test, last, fixes password-policy.
  describe("on the suite's moto, seeded once", () => {
    seededSharedMoto();

    it('"Save and quit" from the step menu exits 0 with the resume message', async () => {
      const args = [`--sandbox=${motoEndpoint()}`, ...TWO_STEPS];
      const run = wizard(args);
      await skipLessonsTo(run, 'account.password-policy');
      await run.waitFor(/\? What would you like to do\?\n❯ Fix it/, STEP);
      run.send('Down', 'Down', 'Down', 'Down', 'Down');
      await run.waitFor(/❯ Save and quit\n\nResume later where you left off/, STEP);
      run.send('Enter');
      await run.waitFor(/✔ What would you like to do\? Save and quit/, STEP);
      const { file, command } = await resumeMessage(run);
      expect(await run.exit).toBe(0);
      expect(file).toBe(join(pty.state, `sandbox-${ACCOUNT}.json`));
      expect(command).toBe(`secure-start ${args.join(' ')}`);
      const progress = await readProgress(file);
      expect(progress.steps['account.password-policy']).toBeUndefined();
      expect(progress.journal).toEqual([]);
    }, 60_000);

    it('a paid fix names its monthly cost before the confirmation, which defaults to No; Enter changes nothing', async () => {
      const run = wizard([`--sandbox=${motoEndpoint()}`, '--step', 'monitoring.guardduty']);
      await run.waitFor(/━━ Area: monitoring ━━\nIn this run \(1 step\): guardduty\.\n\? Read the overview of the monitoring area\?/, START);
      run.send('n', 'Enter');
      await run.waitFor(/\? Read the lesson on monitoring\.guardduty\?/, STEP);
      run.send('n', 'Enter');
      await run.waitFor(/\[FAIL\][^\n]*GuardDuty is suspended in us-east-1/, STEP);
      await run.waitFor(/\? What would you like to do\?\n❯ Fix it/, STEP);
      run.send('Enter');
      await run.waitFor(/guardduty:UpdateDetector \(us-east-1\)/, STEP);
      const cost = await run.waitFor(/Cost: (\w+) a month \(order of magnitude\)\. GuardDuty in 1 region/, STEP);
      expect(cost[1]).toBe('dollars');
      await run.waitFor(/This fix adds a running cost: the confirmation defaults to No\./, STEP);
      await run.waitFor(/\? Apply these changes\? \(y\/N\)/, STEP);
      // The cost line comes before the question, never after it.
      expect(run.output.indexOf('Cost: dollars a month')).toBeLessThan(run.output.lastIndexOf('Apply these changes?'));
      run.send('Enter');
      await run.waitFor(/✔ Apply these changes\? No/, STEP);
      await run.waitFor(/Nothing was changed\./, STEP);
      await run.waitFor(/\? What would you like to do\?/, STEP);
      run.send('Down', 'Down', 'Down', 'Down', 'Down');
      await run.waitFor(/❯ Save and quit/, STEP);
      run.send('Enter');
      const { file } = await resumeMessage(run);
      expect(await run.exit).toBe(0);
      expect((await readProgress(file)).journal).toEqual([]);
    }, 90_000);

    it('Ctrl-C at a prompt saves progress and exits 130; the printed command resumes at the next step', async () => {
      const args = [`--sandbox=${motoEndpoint()}`, ...TWO_STEPS];
      const first = wizard(args);
      const { file, command } = await fixThenInterrupt(first);
      expect(await first.exit).toBe(130);
      expect(first.output).not.toMatch(/\n\s+at .*\.js:\d+/);
      expect(file).toBe(join(pty.state, `sandbox-${ACCOUNT}.json`));
      expect(command).toBe(`secure-start ${args.join(' ')}`);

      const progress = await readProgress(file);
      expect(progress.steps['account.password-policy']?.status).toBe('fixed');
      expect(progress.steps['account.security-contacts']).toBeUndefined();

      // The same command again, as printed.
      const second = wizard(command.split(' ').slice(1));
      await second.waitFor(/Resuming at account\.security-contacts: 1 of 2 steps is already done/, START);
      // The overview was offered in the first run; the area offers to revisit the finished step, Enter goes on.
      await second.waitFor(/\? Where to in the account area\?\n❯ Go on with the next open step: account\.security-contacts\n {2}Revisit account\.password-policy \(fixed\)/, STEP);
      second.send('Enter');
      await second.waitFor(/Step 2 of 2 · account\.security-contacts/, STEP);
      await second.waitFor(/\? Read the lesson on account\.[a-z-]+\?/, STEP);
      second.send('n', 'Enter');
      await second.waitFor(/\? What would you like to do\?/, STEP);
      second.send('Ctrl-C');
      await resumeMessage(second);
      expect(await second.exit).toBe(130);
      expect(second.output).not.toMatch(/Step 1 of 2 · account\.password-policy/);
    }, 60_000);
  });

  it('without credentials it offers the sandbox; No exits 2 and says how to sign in', async () => {
    const run = wizard([]);
    await run.waitFor(/No AWS credentials were found/, START);
    await run.waitFor(/practise first on a local AWS emulator/, STEP);
    await run.waitFor(/\? Start the practice sandbox now\? \(Y\/n\)/, STEP);
    run.send('n', 'Enter');
    await run.waitFor(/✔ Start the practice sandbox now\? No/, STEP);
    await run.waitFor(/Not started: there are no AWS credentials/, STEP);
    await run.waitFor(/secure-start --sandbox/, STEP);
    expect(await run.exit).toBe(2);
    expect(run.output).not.toMatch(/\n\s+at .*\.js:\d+/);
    expect(run.output).not.toMatch(/Sandbox:|Progress file:/);
    expect(existsSync(join(pty.state, `sandbox-${ACCOUNT}.json`))).toBe(false);
  }, 30_000);
});
