/**
 * account.root-mfa against moto. moto has no root user (no root row in the credential report,
 * AccountMFAEnabled hard-coded to 0), so every case here is `unsupported` with the reason: the point
 * is that nothing in the emulator turns into a false pass or a false fail. The root paths (pass,
 * fail, the interactive fix) are covered by SDK stubs in test/unit/step-root-mfa.test.ts.
 */
import { CreateUserCommand, CreateVirtualMFADeviceCommand, EnableMFADeviceCommand, IAMClient } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context.js';
import { checkStep, planStep } from '../../src/engine/runner.js';
import accessKeysStep from '../../steps/account/root-access-keys/index.js';
import step from '../../steps/account/root-mfa/index.js';
import { resetMoto } from '../helpers/moto.js';
import { inSandbox, isReadRequest, recordCheckAndPlan, runStepCases } from '../helpers/step-tester.js';

const ROOT = 'arn:aws:iam::123456789012:root';

/** An IAM user with an enabled virtual MFA device: MFA in the account, but not the root user's. */
async function userWithMfa(ctx: RunContext): Promise<void> {
  const iam = ctx.client(IAMClient);
  await iam.send(new CreateUserCommand({ UserName: 'alice' }));
  const device = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'alice-phone' }));
  await iam.send(
    new EnableMFADeviceCommand({ UserName: 'alice', SerialNumber: device.VirtualMFADevice!.SerialNumber!, AuthenticationCode1: '123456', AuthenticationCode2: '654321' }),
  );
}

runStepCases(step, [
  {
    name: 'moto has no root user: unsupported, saying why, with no change planned',
    expectStatus: 'unsupported',
    expectFindings: [
      {
        status: 'unsupported',
        resource: ROOT,
        region: 'global',
        message: expect.stringMatching(/no root user.*no <root_account> row.*AccountMFAEnabled = 0/),
      },
    ],
  },
  {
    name: 'an IAM user with MFA does not make the root user pass',
    seed: userWithMfa,
    expectStatus: 'unsupported',
    expectFindings: [{ status: 'unsupported', resource: ROOT }],
  },
]);

describe('account.root-mfa in the sandbox', () => {
  it('plans no change for a caller who is not root, and shows the console steps', async () => {
    await inSandbox({}, async (ctx) => {
      const checked = await checkStep({ meta: step.meta, load: async () => step }, ctx);
      const plan = await planStep(checked, ctx, undefined);
      expect(plan.actions).toEqual([]);
      expect(plan.interactive).toBeFalsy();
      expect(plan.guidance).toMatch(/Root user.*\n(.*\n)*.*Security credentials.*\n(.*\n)*.*Assign MFA device/);
    });
  });

  it('check and plan only read: the account summary and the credential report', async () => {
    const { checked, plan, sent, recorded } = await recordCheckAndPlan(step);
    expect(checked.result.status).toBe('unsupported');
    expect(plan.actions).toEqual([]);
    // GenerateCredentialReport is polled until the report is ready: compare the set of operations.
    expect([...new Set(sent)].sort()).toEqual(['IAM:GenerateCredentialReport', 'IAM:GetAccountSummary', 'IAM:GetCredentialReport']);
    expect(recorded.filter((r) => !isReadRequest(r))).toEqual([]);
  });

  it('shares one account summary and one credential report with account.root-access-keys', async () => {
    await resetMoto();
    const sent: string[] = [];
    await inSandbox({ onRequest: (s, op) => sent.push(`${s}:${op}`), keep: true }, async (ctx) => {
      const results = await Promise.all(
        [step, accessKeysStep].map((s) => checkStep({ meta: s.meta, load: async () => s }, ctx).then((c) => c.result.status)),
      );
      expect(results).toEqual(['unsupported', 'unsupported']);
      expect(sent.filter((r) => r === 'IAM:GetAccountSummary')).toHaveLength(1);
      expect(sent.filter((r) => r === 'IAM:GetCredentialReport')).toHaveLength(1);
    });
  });

  it('has no seed: moto cannot express a root user without MFA', () => {
    expect(step.seed).toBeUndefined();
  });
});
