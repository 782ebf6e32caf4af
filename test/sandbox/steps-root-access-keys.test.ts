/**
 * account.root-access-keys against moto. moto has no root user (no root row in the credential
 * report, AccountAccessKeysPresent hard-coded to 0): a 0 that means "no root user here" must not
 * pass, so every case is `unsupported` with the reason. The root paths (keys present, deactivate,
 * confirm, delete) are covered by SDK stubs in test/unit/step-root-access-keys.test.ts.
 */
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context.js';
import { checkStep, planStep } from '../../src/engine/runner.js';
import step from '../../steps/account/root-access-keys/index.js';
import { inSandbox, isReadRequest, recordCheckAndPlan, runStepCases } from '../helpers/step-tester.js';

const ROOT = 'arn:aws:iam::123456789012:root';

/** IAM users with an active and an inactive key: keys in the account, none of them root's. */
async function usersWithKeys(ctx: RunContext): Promise<void> {
  const iam = ctx.client(IAMClient);
  await iam.send(new CreateUserCommand({ UserName: 'deploy' }));
  await iam.send(new CreateAccessKeyCommand({ UserName: 'deploy' }));
  const old = await iam.send(new CreateAccessKeyCommand({ UserName: 'deploy' }));
  await iam.send(new UpdateAccessKeyCommand({ UserName: 'deploy', AccessKeyId: old.AccessKey!.AccessKeyId!, Status: 'Inactive' }));
}

runStepCases(step, [
  {
    name: 'moto has no root user: unsupported, saying why, never a pass',
    expectStatus: 'unsupported',
    expectFindings: [
      {
        status: 'unsupported',
        resource: ROOT,
        region: 'global',
        message: expect.stringMatching(/no root user.*no <root_account> row.*AccountAccessKeysPresent = 0/),
      },
    ],
  },
  {
    name: 'IAM users with access keys are not mistaken for the root user',
    seed: usersWithKeys,
    expectStatus: 'unsupported',
    expectFindings: [{ status: 'unsupported', resource: ROOT }],
  },
]);

describe('account.root-access-keys in the sandbox', () => {
  it('plans no change for a caller who is not root, and shows the console steps', async () => {
    await inSandbox({}, async (ctx) => {
      const checked = await checkStep({ meta: step.meta, load: async () => step }, ctx);
      const plan = await planStep(checked, ctx, undefined);
      expect(plan.actions).toEqual([]);
      expect(plan.guidance).toMatch(/Security credentials[\s\S]*Deactivate[\s\S]*Delete/);
    });
  });

  it('check and plan only read', async () => {
    const { checked, sent, recorded } = await recordCheckAndPlan(step, { seed: usersWithKeys });
    expect(checked.result.status).toBe('unsupported');
    // GenerateCredentialReport is polled until the report is ready: compare the set of operations.
    expect([...new Set(sent)].sort()).toEqual(['IAM:GenerateCredentialReport', 'IAM:GetAccountSummary', 'IAM:GetCredentialReport']);
    expect(recorded.filter((r) => !isReadRequest(r))).toEqual([]);
  });

  it('has no seed: moto cannot give the root user a key', () => {
    expect(step.seed).toBeUndefined();
  });
});
