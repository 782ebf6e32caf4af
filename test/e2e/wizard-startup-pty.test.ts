/**
 * The wizard's start in a pseudo-terminal (issue 10, items 14 and 15): a spinner says what is
 * happening from the first moment (finding or starting the emulator, seeding it), Ctrl-C during
 * that start ends the run at once with 130 and no welcome, and the resume hint of a private
 * sandbox says that its practice account is thrown away, offering the long-lived one instead.
 * Run `npm run build` first: this launches bin/secure-start.js, which loads dist/.
 */
import { describe, expect, it } from 'vitest';
import { motoEndpoint, resetMoto, useManagedPolicies } from '../helpers/moto.js';
import { cleanEnv, runCli } from './cli-helpers.js';
import { wizardRuns } from './pty.js';

// The day-one scenario attaches AWS managed policies (ReadOnlyAccess, AdministratorAccess).
useManagedPolicies();

/** Starting a private moto_server and seeding it take seconds, more on a busy machine. */
const START = 60_000;
const STEP = 15_000;
const ONE_STEP = ['--step', 'account.password-policy'];

const pty = wizardRuns();
const wizard = (args: string[]) => pty.wizard(args);

const THROWN_AWAY = /This practice account was a private sandbox, and it is thrown away now/;

describe('the start of the wizard in a terminal', () => {
  it('shows a spinner while it starts the private emulator and while it seeds it, before either is reported', async () => {
    const run = wizard(['--sandbox', ...ONE_STEP]);
    await run.waitFor(/Starting a private moto emulator for this run…/, START);
    // The spinner names the start before the line that reports it (the old start showed nothing).
    await run.waitFor(/Sandbox: a private moto emulator at http:\/\/127\.0\.0\.1:\d+, stopped when this run ends\./, START);
    await run.waitFor(/Seeding the day-one practice account/, START);
    await run.waitFor(/Seeded the day-one scenario/, START);
    await run.waitFor(/Progress file: /, START);
    await run.waitFor(/\? Read the overview of the account area\?/, START);
    run.send('Ctrl-C');
    expect(await run.exit).toBe(130);
  }, 120_000);

  it('Ctrl-C while the emulator starts exits at once with 130, without the welcome', async () => {
    const run = wizard(['--sandbox', ...ONE_STEP]);
    await run.waitFor(/Starting a private moto emulator for this run…/, START);
    const sent = Date.now();
    run.send('Ctrl-C');
    const code = await run.exit;
    const took = Date.now() - sent;
    expect(code).toBe(130);
    // At once: not after the emulator has started and the scenario is seeded (seconds).
    expect(took).toBeLessThan(5_000);
    expect(run.output).toContain('Stopped before anything started; nothing was changed.');
    expect(run.output).not.toMatch(/Welcome|Progress file:|Seeded the day-one/);
    expect(run.output).not.toMatch(/\n\s+at .*\.js:\d+/);
  }, 120_000);

  it('after Ctrl-C in a private sandbox, the resume hint says the practice account starts fresh and offers `sandbox start`', async () => {
    const run = wizard(['--sandbox', ...ONE_STEP]);
    await run.waitFor(/\? Read the overview of the account area\?/, START);
    run.send('Ctrl-C');
    await run.waitFor(/Progress saved to \S+\.json\.\s+To resume, run: secure-start --sandbox --step account\.password-policy\n/, STEP);
    await run.waitFor(THROWN_AWAY, STEP);
    await run.waitFor(/run starts on a fresh day-one account/, STEP);
    await run.waitFor(/long-lived sandbox first: secure-start sandbox start\n/, STEP);
    expect(await run.exit).toBe(130);
  }, 120_000);

  it('the resume hint of a sandbox that outlives the run says nothing of throwing it away', async () => {
    await resetMoto();
    expect((await runCli(['sandbox', 'seed', '--endpoint-url', motoEndpoint()], cleanEnv({ SECURE_START_STATE_DIR: pty.state }))).code).toBe(0);
    const run = wizard([`--sandbox=${motoEndpoint()}`, ...ONE_STEP]);
    await run.waitFor(/\? Read the overview of the account area\?/, START);
    run.send('Ctrl-C');
    await run.waitFor(/Progress saved to \S+\.json\.\s+To resume, run: [^\n]+\n/, STEP);
    expect(await run.exit).toBe(130);
    expect(run.output).not.toMatch(THROWN_AWAY);
  }, 120_000);
});
