/** The password-policy step without AWS: its questions (scripted), its inputs schema and its plan from given findings. */
import { describe, expect, it } from 'vitest';
import type { StepContext } from '../../src/engine/types.js';
import type { Finding } from '../../src/engine/types.js';
import step from '../../steps/account/password-policy/index.js';
import type { PasswordPolicyInputs } from '../../steps/account/password-policy/index.js';
import { ScriptedAsker } from '../helpers/step-tester.js';

const spec = step.inputs!;
const RECOMMENDED = { minimumLength: 14, reusePrevention: 24, maxAgeDays: null };

/** A finding as the check makes it, holding the policy it read (`null`: none). */
function found(policy: Record<string, unknown> | null): Finding[] {
  return [{ status: 'fail', resource: 'arn:aws:iam::123456789012:account', region: 'global', message: '…', data: { policy } }];
}

const WEAK = {
  MinimumPasswordLength: 8,
  RequireUppercaseCharacters: true,
  RequireLowercaseCharacters: true,
  RequireNumbers: false,
  RequireSymbols: false,
  AllowUsersToChangePassword: false,
  HardExpiry: false,
};
const STRONGER = { ...WEAK, MinimumPasswordLength: 20, PasswordReusePrevention: 24, MaxPasswordAge: 90, HardExpiry: true };

/** plan() never touches the context: it works from the check's findings. */
const noAws = {} as StepContext;

async function ask(script: ConstructorParameters<typeof ScriptedAsker>[0], findings: Finding[], initial?: PasswordPolicyInputs) {
  const asker = new ScriptedAsker(script);
  const result = await spec.ask(asker, initial ?? spec.defaults(findings), findings);
  expect(asker.remaining, 'every scripted answer was used').toBe(0);
  expect(spec.schema.safeParse(result).success, 'the result passes the schema').toBe(true);
  return { result, asker };
}

describe('account.password-policy: questions', () => {
  it('offers the recommended policy first and applies it on Enter', async () => {
    const { result, asker } = await ask([{ select: null }], found(null));
    expect(result).toEqual(RECOMMENDED);
    expect(asker.asked).toHaveLength(1);
    expect(asker.asked[0]).toMatchObject({ kind: 'select', default: 'recommended' });
  });

  it('names what the recommended choice will set, keeping a stronger length and the expiry as they are', async () => {
    const findings = found(STRONGER);
    expect(spec.defaults(findings)).toEqual({ minimumLength: 20, reusePrevention: 24, maxAgeDays: 90 });
    const { result, asker } = await ask([{ select: 'recommended' }], findings);
    expect(result).toEqual({ minimumLength: 20, reusePrevention: 24, maxAgeDays: 90 });
    expect(asker.asked[0]!.choices).toEqual([
      'Apply the recommended policy (length 20 as now, remember 24, all character classes, expire after 90 days as now)',
      'Choose my own values',
    ]);
  });

  it('takes own values that are not weaker than recommended without a second question', async () => {
    const { result, asker } = await ask([{ select: 'custom' }, { number: 16 }, { number: null }, { confirm: true }, { number: 365 }], found(null));
    expect(result).toEqual({ minimumLength: 16, reusePrevention: 24, maxAgeDays: 365 });
    expect(asker.asked.map((q) => q.kind)).toEqual(['select', 'number', 'number', 'confirm', 'number']);
    expect(asker.asked[1]).toMatchObject({ default: 14 });
    expect(asker.asked[3]).toMatchObject({ default: false });
  });

  it('asks again, defaulting to No, before a weaker policy; No goes back to the recommended values', async () => {
    const { result, asker } = await ask([{ select: 'custom' }, { number: 8 }, { number: 5 }, { confirm: false }, { confirm: null }], found(WEAK));
    const last = asker.asked.at(-1)!;
    expect(last).toMatchObject({ kind: 'confirm', default: false });
    expect(last.message).toBe('A minimum length of 8 and remembering only 5 passwords is weaker than recommended (length 14, remember 24). Use it anyway?');
    expect(result).toEqual(RECOMMENDED);
    expect(asker.notes).toContain('Keeping the recommended values.');
  });

  it('uses a weaker policy only after an explicit Yes', async () => {
    const { result } = await ask([{ select: 'custom' }, { number: 10 }, { number: null }, { confirm: false }, { confirm: true }], found(null));
    expect(result).toEqual({ minimumLength: 10, reusePrevention: 24, maxAgeDays: null });
  });

  it('keeps numbers within what IAM accepts', async () => {
    const { result, asker } = await ask([{ select: 'custom' }, { number: 200 }, { number: 5 }, { number: 30 }, { number: 24 }, { confirm: false }], found(null));
    expect(result.minimumLength).toBe(30);
    expect(asker.asked[1]!.rejected.map((r) => r.message)).toEqual(['At most 128.', 'At least 6.']);
    expect(asker.asked[2]!.rejected.map((r) => r.message)).toEqual([]);
  });

  it('starts from an answers file that differs from the recommendation', async () => {
    const { asker } = await ask([{ select: null }, { number: null }, { number: null }, { confirm: null }, { number: null }], found(null), {
      minimumLength: 18,
      maxAgeDays: 60,
    });
    expect(asker.asked.map((q) => q.default)).toEqual(['custom', 18, 24, true, 60]);
  });
});

describe('account.password-policy: inputs schema', () => {
  it.each([
    [{ minimumLength: 14, reusePrevention: 24, maxAgeDays: null }, true],
    [{}, true],
    [{ minimumLength: 6, reusePrevention: 1, maxAgeDays: 1095 }, true],
    [{ minimumLength: 5 }, false],
    [{ minimumLength: 129 }, false],
    [{ minimumLength: 14.5 }, false],
    [{ reusePrevention: 0 }, false],
    [{ reusePrevention: 25 }, false],
    [{ maxAgeDays: 0 }, false],
    [{ maxAgeDays: 1096 }, false],
    [{ minLength: 14 }, false],
  ])('%j → %s', (value, ok) => {
    expect(spec.schema.safeParse(value).success).toBe(ok);
  });

  it('defaults to the recommended policy when nothing was read (answers template)', () => {
    expect(spec.defaults([])).toEqual(RECOMMENDED);
    expect(spec.requiredInAnswers).toBe(false);
  });
});

describe('account.password-policy: plan', () => {
  it('sets every character type and self-service changes, and deletes the policy on undo when there was none', async () => {
    const plan = await step.plan(noAws, found(null), {});
    expect(plan.actions).toHaveLength(1);
    const [a] = plan.actions;
    expect(a).toMatchObject({
      service: 'iam',
      operation: 'UpdateAccountPasswordPolicy',
      region: 'global',
      params: {
        MinimumPasswordLength: 14,
        PasswordReusePrevention: 24,
        RequireUppercaseCharacters: true,
        RequireLowercaseCharacters: true,
        RequireNumbers: true,
        RequireSymbols: true,
        AllowUsersToChangePassword: true,
        HardExpiry: false,
      },
      inverse: { service: 'iam', operation: 'DeleteAccountPasswordPolicy', params: {} },
    });
    expect(a!.params).not.toHaveProperty('MaxPasswordAge');
    expect(a!.summary).toBe('Set the IAM password policy: length ≥ 14, remember 24, all four character types, users change their own, no expiry');
    expect(plan.warnings).toBeUndefined();
  });

  it('never weakens what the person did not change: length, reuse, expiry and hard expiry stay', async () => {
    const plan = await step.plan(noAws, found({ ...STRONGER, RequireNumbers: false }), { minimumLength: undefined });
    expect(plan.actions[0]!.params).toMatchObject({ MinimumPasswordLength: 20, PasswordReusePrevention: 24, MaxPasswordAge: 90, HardExpiry: true });
    expect(plan.actions[0]!.inverse).toMatchObject({ operation: 'UpdateAccountPasswordPolicy', params: { ...STRONGER, RequireNumbers: false } });
  });

  it('warns that a new expiry applies at once, and when the result is still weaker than recommended', async () => {
    const plan = await step.plan(noAws, found(WEAK), { minimumLength: 10, maxAgeDays: 90 });
    expect(plan.warnings).toEqual([
      expect.stringContaining('older than 90 days must choose a new one'),
      expect.stringContaining('still weaker than recommended (minimum length is 10'),
    ]);
  });

  it('is empty when the policy already is what the inputs ask for', async () => {
    const strong = { ...WEAK, MinimumPasswordLength: 14, PasswordReusePrevention: 24, RequireNumbers: true, RequireSymbols: true, AllowUsersToChangePassword: true };
    expect((await step.plan(noAws, found(strong), RECOMMENDED)).actions).toEqual([]);
    expect((await step.plan(noAws, found(strong), { minimumLength: 15 })).actions).toHaveLength(1);
  });

  it('refuses inputs outside the schema and a plan without a check', async () => {
    await expect(step.plan(noAws, found(null), { minimumLength: 3 })).rejects.toThrow(/Invalid inputs for account.password-policy: minimumLength/);
    await expect(step.plan(noAws, [], {})).rejects.toThrow(/check the step before planning/);
  });
});

