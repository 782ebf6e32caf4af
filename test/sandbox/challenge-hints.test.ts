/**
 * Challenge mode's hints are commands a learner can run: on the day-one scenario, for each step
 * below, the hint's AWS CLI commands (level 2) are run with the real AWS CLI against the sandbox,
 * as printed (through a shell), and the step's check then passes. The AWS CLI is a Python program
 * that may not be installed: without it this file is skipped, and says so.
 *
 * A few steps, one per kind of call (a global IAM setting, EC2 rules in a region, KMS, GuardDuty,
 * S3 with nested parameters): each AWS CLI call costs a second. HINT_STEPS=id,id (or `all`) runs
 * others; measured on moto 5 with AWS CLI 1.45 (2026-12-05), every step with an automatic fix
 * works this way except: S3 Control (s3-account-public-access: the CLI puts the account id in the
 * host name, which does not resolve for a local emulator), Backup selections (moto answers 500),
 * and the judgement steps, whose hint names their calls rather than a plan.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkStep } from '../../src/engine/runner.js';
import { seedScenario } from '../../src/engine/scenario.js';
import { SANDBOX_CREDENTIALS, SANDBOX_REGION } from '../../src/sandbox/constants.js';
import { awsCliCommand, hintInputs } from '../../src/wizard/challenge.js';
import { registry } from '../../steps/index.js';
import { motoEndpoint, resetMoto, useManagedPolicies } from '../helpers/moto.js';
import { makeSandboxContext, seedWith } from '../helpers/sandbox.js';

useManagedPolicies();
const run = promisify(execFile);

const awsCli = await run('aws', ['--version']).then(
  () => true,
  () => false,
);
if (!awsCli) console.warn('challenge-hints: skipped, the AWS CLI (aws) is not installed here.');

const STEPS = (process.env.HINT_STEPS ?? 'account.password-policy,infrastructure.admin-ports,data.kms-rotation,data.s3-encryption,monitoring.guardduty').split(',').filter(Boolean);
const ALL = STEPS.includes('all');

describe.skipIf(!awsCli)('hint commands, run with the AWS CLI as printed', () => {
  const ctx = makeSandboxContext();
  beforeAll(async () => {
    await resetMoto();
    // Only the fixtures of the steps under test: seeding the whole scenario takes far longer.
    await seedWith(ctx, (c) => seedScenario('day-one', c, ALL ? registry : registry.filter((e) => STEPS.includes(e.meta.id))));
  }, 300_000);

  const entries = registry.filter((e) => e.meta.fix.kind === 'auto' && (ALL || STEPS.includes(e.meta.id)));
  it.each(entries.map((e) => [e.meta.id, e] as const))('%s', async (_, entry) => {
    const before = await checkStep(entry, ctx);
    // The scenario makes every one of these steps fail; a hint is only ever given for one that does.
    expect(before.result.status).toBe('fail');
    const spec = before.step.inputs;
    const plansSomething = async (i: unknown) => (await before.step.plan(ctx, before.result.findings, i)).actions.length > 0;
    const inputs = spec ? await hintInputs(spec, before.result.findings, plansSomething) : { ok: true as const, value: undefined };
    if (!inputs.ok) throw new Error(`${entry.meta.id} needs ${inputs.unanswered.join('; ')}`);
    const plan = await before.step.plan(ctx, before.result.findings, inputs.value);
    const env = { ...process.env, AWS_ENDPOINT_URL: motoEndpoint(), AWS_ACCESS_KEY_ID: SANDBOX_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: SANDBOX_CREDENTIALS.secretAccessKey, AWS_DEFAULT_REGION: SANDBOX_REGION, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
    const errors: string[] = [];
    for (const a of plan.actions) {
      const cmd = awsCliCommand(a, { endpoint: motoEndpoint() });
      await run('sh', ['-c', cmd], { env }).catch((err: { stderr?: string }) => errors.push(`${a.operation}: ${err.stderr?.trim()}`));
    }
    ctx.invalidate();
    const after = await checkStep(entry, ctx);
    expect(plan.actions.length).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    expect(after.result.findings.filter((f) => f.status !== 'pass').map((f) => f.message)).toEqual([]);
    expect(after.result.status).toBe('pass');
  }, 120_000);
});
