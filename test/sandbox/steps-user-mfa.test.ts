import {
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context.js';
import { resolveInputs } from '../../src/engine/inputs.js';
import { checkStep, planStep } from '../../src/engine/runner.js';
import step, { SEED_WITHOUT_MFA, SEED_WITH_MFA } from '../../steps/account/user-mfa/index.js';
import { inSandbox, isReadRequest, recordCheckAndPlan, runStepCases } from '../helpers/step-tester.js';

const ARN = (user: string) => `arn:aws:iam::123456789012:user/${user}`;
const DELETE = 'iam:DeleteLoginProfile';

/** Users with a console password (and, for `keysOnly`, with an access key and no password). */
function users(withPassword: string[], keysOnly: string[] = []) {
  return async (ctx: RunContext) => {
    const iam = ctx.client(IAMClient);
    for (const u of withPassword) {
      await iam.send(new CreateUserCommand({ UserName: u }));
      await iam.send(new CreateLoginProfileCommand({ UserName: u, Password: 'Sandbox-Only-Pa55word!' }));
    }
    for (const u of keysOnly) {
      await iam.send(new CreateUserCommand({ UserName: u }));
      await iam.send(new CreateAccessKeyCommand({ UserName: u }));
    }
  };
}

runStepCases(step, [
  {
    name: 'no IAM users: nothing needs MFA',
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', resource: 'arn:aws:iam::123456789012:account', message: expect.stringContaining('No IAM user has a console password') }],
  },
  {
    name: 'the day-one seed: the user without MFA loses the console password listed in the answers',
    seed: (ctx) => step.seed!(ctx),
    inputs: { removeConsoleAccess: [SEED_WITHOUT_MFA] },
    expectStatus: 'fail',
    expectFindings: [
      {
        status: 'fail',
        resource: ARN(SEED_WITHOUT_MFA),
        region: 'global',
        message: expect.stringMatching(new RegExp(`^IAM user ${SEED_WITHOUT_MFA} has had a console password since \\d{4}-\\d\\d-\\d\\d .*no MFA device.*never used`)),
      },
    ],
    expectOperations: [DELETE],
    expectFindingsAfter: [{ status: 'pass', message: 'All 1 IAM user with a console password has MFA.' }],
    // IAM never reveals a password: the removed one cannot be put back.
    expectUndo: { kinds: ['irreversible'], findingsAfterUndo: [{ status: 'pass', message: 'All 1 IAM user with a console password has MFA.' }] },
  },
  {
    name: 'a console user with an MFA device passes',
    seed: async (ctx) => {
      await users(['fay'])(ctx);
      const iam = ctx.client(IAMClient);
      const device = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'fay' }));
      await iam.send(
        new EnableMFADeviceCommand({ UserName: 'fay', SerialNumber: device.VirtualMFADevice!.SerialNumber!, AuthenticationCode1: '123456', AuthenticationCode2: '654321' }),
      );
    },
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', message: 'All 1 IAM user with a console password has MFA.' }],
  },
  {
    name: 'two users without MFA, one chosen: the other stays, and the step still fails',
    seed: users(['ana', 'ben']),
    inputs: { removeConsoleAccess: ['ben'], deactivateKeys: [] },
    expectStatus: 'fail',
    expectFindings: [
      { status: 'fail', resource: ARN('ana') },
      { status: 'fail', resource: ARN('ben') },
    ],
    expectOperations: [DELETE],
    expectAfter: 'fail',
    expectFindingsAfter: [{ status: 'fail', resource: ARN('ana') }],
    expectUndo: { kinds: ['irreversible'], findingsAfterUndo: [{ status: 'fail', resource: ARN('ana') }] },
  },
  {
    name: 'users with access keys and no password are not console users',
    seed: users([], ['ci-robot']),
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', message: expect.stringContaining('No IAM user has a console password') }],
  },
]);

describe('account.user-mfa: nothing is implied by --yes', () => {
  it('without an answers entry the plan is empty and guides each user through enrolment', async () => {
    await inSandbox({ seed: (ctx) => users(['dora', 'eli'])(ctx) }, async (ctx) => {
      const checked = await checkStep({ meta: step.meta, load: async () => step }, ctx);
      expect(checked.result.status).toBe('fail');
      const resolved = resolveInputs(step, checked.result.findings, undefined);
      expect(resolved).toEqual({ ok: true, inputs: { deactivateKeys: [], removeConsoleAccess: [] }, fromAnswers: false });
      const plan = await planStep(checked, ctx, resolved.ok ? resolved.inputs : undefined);
      expect(plan.actions).toEqual([]);
      expect(plan.guidance).toContain('`dora`, `eli`');
      expect(plan.guidance).toContain('Assign MFA device');
      expect(plan.guidance).toContain('arn:aws:iam::123456789012:mfa/dora');
    });
  });

  it('a user listed in the answers who already has MFA is left alone, with a warning', async () => {
    await inSandbox({ seed: (ctx) => step.seed!(ctx) }, async (ctx) => {
      const checked = await checkStep({ meta: step.meta, load: async () => step }, ctx);
      const plan = await planStep(checked, ctx, { removeConsoleAccess: [SEED_WITH_MFA], deactivateKeys: ['AKIAIOSFODNN7EXAMPLE'] });
      expect(plan.actions).toEqual([]);
      expect(plan.warnings).toEqual([
        expect.stringContaining(`found no password without MFA for them: ${SEED_WITH_MFA}`),
        expect.stringContaining('deactivateKeys does not apply'),
      ]);
    });
  });
});

describe('account.user-mfa: check and plan change nothing', () => {
  it('reads only the credential report, whatever the number of users', async () => {
    const { checked, sent, recorded } = await recordCheckAndPlan(step, { seed: users(['u1', 'u2', 'u3', 'u4', 'u5'], ['k1', 'k2']) });
    expect(checked.result.findings).toHaveLength(5);
    expect(new Set(sent)).toEqual(new Set(['IAM:GenerateCredentialReport', 'IAM:GetCredentialReport']));
    expect(sent.filter((s) => s === 'IAM:GetCredentialReport')).toHaveLength(1);
    expect(recorded.filter((r) => !isReadRequest(r))).toEqual([]);
    for (const op of sent) expect(step.meta.permissions.check).toContain(`iam:${op.split(':')[1]}`);
  });
});

describe('account.user-mfa: seed', () => {

  it('can run twice on the same sandbox', async () => {
    await inSandbox({}, async (ctx) => {
      ctx.factory.readOnly = false;
      await step.seed!(ctx);
      await step.seed!(ctx);
    });
  });
});
