/**
 * Challenge mode in a pseudo-terminal, as a learner meets it: no fix and no plan on the menu; hints
 * one level at a time (counted); "Check my work" before any change says "not yet"; the learner's own
 * change (made here through the SDK, as the AWS CLI would) then solves the step; the scorecard and
 * the progress file count the hints and the time. A second run resumes with the hints already used.
 * Run `npm run build` first: this launches bin/secure-start.js.
 *
 * An empty moto account has no password policy, so account.password-policy fails with no seeding.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { IAMClient, UpdateAccountPasswordPolicyCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS, SANDBOX_REGION } from '../../src/sandbox/constants.js';
import { motoEndpoint, resetMoto } from '../helpers/moto.js';
import { wizardRuns } from './pty.js';

/** The first IAM call of a run, or a check, against moto. */
const STEP = 20_000;
const ACCOUNT = '123456789012';
const pty = wizardRuns();

interface ChallengeProgress {
  steps: Record<string, { status: string; challenge?: { hints: number; timeMs: number; since?: string; solvedAt?: string } }>;
  journal: unknown[];
}
const progressOf = async (): Promise<ChallengeProgress> => JSON.parse(await readFile(join(pty.state, `sandbox-${ACCOUNT}.json`), 'utf8')) as ChallengeProgress;

describe('the wizard with --challenge', () => {
  it('hides the fix, gives hints level by level, checks the learner’s own change and counts hints and time', async () => {
    await resetMoto();
    const endpoint = motoEndpoint();
    const args = [`--sandbox=${endpoint}`, '--challenge', '--no-lessons', '--step', 'account.password-policy'];
    const run = pty.wizard(args);
    await run.waitFor(/Challenge mode: each step gives a short lesson and a read-only check/, STEP);
    // How to reach this account with the AWS CLI, with the emulator's address.
    await run.waitFor(new RegExp(`export AWS_ENDPOINT_URL=${endpoint.replace(/[.:/]/g, '\\$&')} AWS_ACCESS_KEY_ID=sandbox`), STEP);
    await run.waitFor(/\[FAIL\][^\n]*password policy/, STEP);
    const menu = await run.waitFor(/\? Your turn: make the change, then check your work\.\n❯ Check my work\n\s+Hint 1 of 3: where to look\n\s+Explain more\n\s+Skip \(accept as is\)\n\s+Save and quit/, STEP);
    expect(menu[0]).not.toMatch(/Fix it|Show the plan/);

    run.send('Down', 'Enter');
    await run.waitFor(/Hint 1 of 3: where to look\n[^\n]*\n\s+iam:UpdateAccountPasswordPolicy \(global\)/, STEP);
    await run.waitFor(/❯ Check my work\n\s+Hint 2 of 3: with what parameters/, STEP);
    expect((await progressOf()).steps['account.password-policy']?.challenge?.hints).toBe(1);

    run.send('Down', 'Enter');
    await run.waitFor(new RegExp(`aws iam update-account-password-policy --endpoint-url ${endpoint.replace(/[.:/]/g, '\\$&')} --cli-input-json '\\{`), STEP);
    await run.waitFor(/"MinimumPasswordLength": 14,/, STEP);
    await run.waitFor(/❯ Check my work\n\s+Hint 3 of 3: the whole plan/, STEP);

    // Checking before any change: not yet.
    run.send('Enter');
    await run.waitFor(/Not yet: the check finds the same as before\./, STEP);
    await run.waitFor(/❯ Check my work/, STEP);

    // The learner's own change, outside the wizard.
    const iam = new IAMClient({ endpoint, region: SANDBOX_REGION, credentials: { ...SANDBOX_CREDENTIALS } });
    await iam.send(
      new UpdateAccountPasswordPolicyCommand({
        MinimumPasswordLength: 14,
        RequireUppercaseCharacters: true,
        RequireLowercaseCharacters: true,
        RequireNumbers: true,
        RequireSymbols: true,
        AllowUsersToChangePassword: true,
        PasswordReusePrevention: 24,
      }),
    );
    iam.destroy();
    run.send('Enter');
    await run.waitFor(/\[PASS\][^\n]*The password policy is strong/, STEP);
    await run.waitFor(/✓ Solved in \d+ (s|min) with 2 hints: IAM user passwords follow a strong policy/, STEP);
    await run.waitFor(/Challenge\n\s*solved\s+account\.password-policy\s+2 of 3 hints · \d+ (s|min)/, STEP);
    expect(await run.exit).toBe(0);

    const step = (await progressOf()).steps['account.password-policy']!;
    expect(step.status).toBe('pass');
    expect(step.challenge).toMatchObject({ hints: 2, solvedAt: expect.any(String) });
    expect(step.challenge!.timeMs).toBeGreaterThan(0);
    expect(step.challenge!.since).toBeUndefined();
    // Nothing was applied by the tool: the change was the learner's.
    expect((await progressOf()).journal).toEqual([]);
    const card = await readFile(join(pty.state, `sandbox-${ACCOUNT}-scorecard.md`), 'utf8');
    expect(card).toMatch(/\| `account\.password-policy` \| yes \| 2 of 3 \| \d+ (s|min) \|/);
  });

  it('keeps the hints used and the time across a save and quit', async () => {
    await resetMoto();
    const args = [`--sandbox=${motoEndpoint()}`, '--challenge', '--no-lessons', '--step', 'account.password-policy'];
    const first = pty.wizard(args);
    await first.waitFor(/❯ Check my work\n\s+Hint 1 of 3/, STEP);
    first.send('Down', 'Enter');
    await first.waitFor(/❯ Check my work\n\s+Hint 2 of 3/, STEP);
    first.send('Up', 'Enter');
    await first.waitFor(/Progress saved to/, STEP);
    expect(await first.exit).toBe(0);
    const saved = (await progressOf()).steps['account.password-policy']!;
    expect(saved).toMatchObject({ status: 'fail', challenge: { hints: 1 } });
    expect(saved.challenge!.timeMs).toBeGreaterThan(0);
    expect(saved.challenge!.since).toBeUndefined();

    const second = pty.wizard(args);
    // The next hint is the second: the first was used in the earlier run.
    await second.waitFor(/❯ Check my work\n\s+Hint 2 of 3: with what parameters/, STEP);
    second.send('Up', 'Enter');
    expect(await second.exit).toBe(0);
    expect((await progressOf()).steps['account.password-policy']!.challenge!.timeMs).toBeGreaterThan(saved.challenge!.timeMs);
  });
});
