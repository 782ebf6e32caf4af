/**
 * account.password-policy: the account's IAM password policy is at least as strong as the
 * CIS recommendation (length 14, 24 remembered, all four character types, users may change
 * their own). The fix sets that policy, or the person's own values, and never quietly weakens
 * a setting that is already stronger.
 */
import { GetAccountPasswordPolicyCommand, IAMClient, NoSuchEntityException, UpdateAccountPasswordPolicyCommand } from '@aws-sdk/client-iam';
import type { PasswordPolicy } from '@aws-sdk/client-iam';
import { z } from 'zod';
import type { Asker, Finding, Plan, PlanAction, Step, StepContext, StepInputs } from '../../../src/engine/step-kit.js';
import { drifted, formatZodError, nothingToUndo, recordedInverse, sandboxOnly, undoWith } from '../../../src/engine/step-kit.js';
import meta from './meta.js';

const RECOMMENDED_LENGTH = 14;
/** Also the largest value IAM accepts. */
const RECOMMENDED_REUSE = 24;

/** The policy as UpdateAccountPasswordPolicy parameters: what the check saw, the fix sends and the undo restores. */
const policySchema = z.object({
  MinimumPasswordLength: z.number().int(),
  RequireUppercaseCharacters: z.boolean(),
  RequireLowercaseCharacters: z.boolean(),
  RequireNumbers: z.boolean(),
  RequireSymbols: z.boolean(),
  AllowUsersToChangePassword: z.boolean(),
  HardExpiry: z.boolean(),
  PasswordReusePrevention: z.number().int().optional(),
  MaxPasswordAge: z.number().int().optional(),
});
type Policy = z.infer<typeof policySchema>;

const CHARACTER_TYPES = [
  ['RequireUppercaseCharacters', 'uppercase letters'],
  ['RequireLowercaseCharacters', 'lowercase letters'],
  ['RequireNumbers', 'numbers'],
  ['RequireSymbols', 'symbols'],
] as const;

const POLICY_FIELDS = Object.keys(policySchema.shape) as (keyof Policy)[];

/** IAM reports "no expiry" and "no reuse prevention" as 0 or as a missing field; both become a missing field. */
function fromAws(p: PasswordPolicy): Policy {
  return {
    MinimumPasswordLength: p.MinimumPasswordLength ?? 6,
    RequireUppercaseCharacters: p.RequireUppercaseCharacters ?? false,
    RequireLowercaseCharacters: p.RequireLowercaseCharacters ?? false,
    RequireNumbers: p.RequireNumbers ?? false,
    RequireSymbols: p.RequireSymbols ?? false,
    AllowUsersToChangePassword: p.AllowUsersToChangePassword ?? false,
    HardExpiry: p.HardExpiry ?? false,
    ...(p.PasswordReusePrevention ? { PasswordReusePrevention: p.PasswordReusePrevention } : {}),
    ...(p.MaxPasswordAge ? { MaxPasswordAge: p.MaxPasswordAge } : {}),
  };
}

function samePolicy(a: Policy, b: Policy): boolean {
  return POLICY_FIELDS.every((k) => a[k] === b[k]);
}

function joinWords(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

/** How the policy falls short of the recommendation, one phrase per weakness. */
function weaknesses(p: Policy): string[] {
  const out: string[] = [];
  if (p.MinimumPasswordLength < RECOMMENDED_LENGTH)
    out.push(`minimum length is ${p.MinimumPasswordLength} (recommended: ${RECOMMENDED_LENGTH} or more)`);
  const reuse = p.PasswordReusePrevention ?? 0;
  if (reuse < RECOMMENDED_REUSE)
    out.push(
      reuse === 0
        ? `old passwords can be reused (recommended: remember ${RECOMMENDED_REUSE})`
        : `only the last ${reuse} passwords are remembered (recommended: ${RECOMMENDED_REUSE})`,
    );
  const missing = CHARACTER_TYPES.filter(([key]) => !p[key]).map(([, label]) => label);
  if (missing.length) out.push(`${joinWords(missing)} not required`);
  if (!p.AllowUsersToChangePassword) out.push('users cannot change their own passwords');
  return out;
}

/** One line a person can read: `length ≥ 14, remember 24, all four character types, …`. */
function describe(p: Policy): string {
  const required = CHARACTER_TYPES.filter(([key]) => p[key]).map(([, label]) => label);
  const types =
    required.length === CHARACTER_TYPES.length
      ? 'all four character types'
      : required.length
        ? `${joinWords(required)} required`
        : 'no character types required';
  return [
    `length ≥ ${p.MinimumPasswordLength}`,
    p.PasswordReusePrevention ? `remember ${p.PasswordReusePrevention}` : 'no reuse prevention',
    types,
    p.AllowUsersToChangePassword ? 'users change their own' : 'users cannot change their own',
    p.MaxPasswordAge ? `expire after ${p.MaxPasswordAge} days${p.HardExpiry ? ' (hard expiry)' : ''}` : 'no expiry',
  ].join(', ');
}

/** Inputs of the fix (answers file `account.password-policy`); a missing field keeps the recommended or stronger existing value. */
export interface PasswordPolicyInputs {
  minimumLength?: number;
  reusePrevention?: number;
  /** `null`: passwords never expire. */
  maxAgeDays?: number | null;
}

const inputsSchema = z.strictObject({
  minimumLength: z
    .number()
    .int('a whole number of characters')
    .min(6, 'IAM requires a minimum length of at least 6')
    .max(128, 'IAM accepts a minimum length of at most 128')
    .optional(),
  reusePrevention: z
    .number()
    .int('a whole number of passwords')
    .min(1, 'remember at least 1 previous password')
    .max(24, 'IAM remembers at most 24 previous passwords')
    .optional(),
  maxAgeDays: z
    .number()
    .int('a whole number of days')
    .min(1, 'at least 1 day, or null for no expiry')
    .max(1095, 'IAM accepts at most 1095 days, or null for no expiry')
    .nullable()
    .optional(),
});

type Resolved = Required<PasswordPolicyInputs>;

/** The recommended values, but never weaker than what is set: a longer length stays, an existing expiry stays. */
function recommendedFor(existing: Policy | null): Resolved {
  return {
    minimumLength: Math.max(RECOMMENDED_LENGTH, existing?.MinimumPasswordLength ?? 0),
    reusePrevention: Math.max(RECOMMENDED_REUSE, existing?.PasswordReusePrevention ?? 0),
    maxAgeDays: existing?.MaxPasswordAge ?? null,
  };
}

function resolve(existing: Policy | null, inputs: PasswordPolicyInputs): Resolved {
  const rec = recommendedFor(existing);
  return {
    minimumLength: inputs.minimumLength ?? rec.minimumLength,
    reusePrevention: inputs.reusePrevention ?? rec.reusePrevention,
    maxAgeDays: inputs.maxAgeDays === undefined ? rec.maxAgeDays : inputs.maxAgeDays,
  };
}

/** The full policy the fix sends: every character type, self-service changes, HardExpiry as it was. */
function desiredPolicy(existing: Policy | null, values: Resolved): Policy {
  return {
    MinimumPasswordLength: values.minimumLength,
    RequireUppercaseCharacters: true,
    RequireLowercaseCharacters: true,
    RequireNumbers: true,
    RequireSymbols: true,
    AllowUsersToChangePassword: true,
    HardExpiry: existing?.HardExpiry ?? false,
    PasswordReusePrevention: values.reusePrevention,
    ...(values.maxAgeDays ? { MaxPasswordAge: values.maxAgeDays } : {}),
  };
}

/** The policy the check found: `null` when none is set, `undefined` when the findings hold no reading (an answers template). */
function foundPolicy(findings: Finding[]): Policy | null | undefined {
  const found = findings.find((f) => f.data && 'policy' in f.data);
  return found ? policySchema.nullable().parse(found.data!.policy) : undefined;
}

/** The plan works only from a check's reading: without it, "never weaker than what is set" cannot hold. */
function existingPolicy(findings: Finding[]): Policy | null {
  const policy = foundPolicy(findings);
  if (policy === undefined) throw new Error('The password policy was not read: check the step before planning its fix.');
  return policy;
}

function parseInputs(inputs: unknown): PasswordPolicyInputs {
  const parsed = inputsSchema.safeParse(inputs ?? {});
  if (!parsed.success) throw new Error(`Invalid inputs for ${meta.id}: ${formatZodError(parsed.error)}`);
  return parsed.data;
}

async function readPolicy(ctx: StepContext): Promise<Policy | null> {
  try {
    const out = await ctx.client(IAMClient).send(new GetAccountPasswordPolicyCommand({}));
    return out.PasswordPolicy ? fromAws(out.PasswordPolicy) : null;
  } catch (err) {
    if (err instanceof NoSuchEntityException) return null;
    throw err;
  }
}

function warningsFor(existing: Policy | null, desired: Policy): string[] {
  const out: string[] = [];
  const age = desired.MaxPasswordAge;
  if (age && (!existing?.MaxPasswordAge || age < existing.MaxPasswordAge))
    out.push(`Expiry applies at once: IAM users whose password is older than ${age} days must choose a new one at their next sign-in.`);
  const weak = weaknesses(desired);
  if (weak.length) out.push(`This policy is still weaker than recommended (${weak.join('; ')}): the check will keep reporting it.`);
  if (existing && desired.MinimumPasswordLength < existing.MinimumPasswordLength)
    out.push(`The minimum length goes down from ${existing.MinimumPasswordLength} to ${desired.MinimumPasswordLength}.`);
  if (existing && (desired.PasswordReusePrevention ?? 0) < (existing.PasswordReusePrevention ?? 0))
    out.push(`Fewer previous passwords are remembered: ${desired.PasswordReusePrevention} instead of ${existing.PasswordReusePrevention}.`);
  return out;
}

const inputs: StepInputs<PasswordPolicyInputs> = {
  schema: inputsSchema,
  requiredInAnswers: false,
  defaults: (findings) => recommendedFor(foundPolicy(findings) ?? null),

  async ask(asker: Asker, initial: PasswordPolicyInputs, findings: Finding[]): Promise<PasswordPolicyInputs> {
    const existing = foundPolicy(findings) ?? null;
    const rec = recommendedFor(existing);
    const start = resolve(existing, initial);
    const kept = (value: number, before: number | undefined) => (value === before ? ' as now' : '');
    const recName =
      `Apply the recommended policy (length ${rec.minimumLength}${kept(rec.minimumLength, existing?.MinimumPasswordLength)}, ` +
      `remember ${rec.reusePrevention}, all character classes, ` +
      `${rec.maxAgeDays ? `expire after ${rec.maxAgeDays} days as now` : 'no expiry'})`;
    const startIsRecommended =
      start.minimumLength === rec.minimumLength && start.reusePrevention === rec.reusePrevention && start.maxAgeDays === rec.maxAgeDays;
    const choice = await asker.select<'recommended' | 'custom'>({
      message: 'Which password policy should IAM enforce?',
      choices: [
        { value: 'recommended', name: recName },
        { value: 'custom', name: 'Choose my own values' },
      ],
      default: startIsRecommended ? 'recommended' : 'custom',
    });
    if (choice === 'recommended') return rec;

    const minimumLength = await asker.number({ message: 'Minimum password length (6–128 characters)', default: start.minimumLength, min: 6, max: 128 });
    const reusePrevention = await asker.number({
      message: 'How many previous passwords may a user not reuse? (1–24)',
      default: start.reusePrevention,
      min: 1,
      max: 24,
    });
    const expire = await asker.confirm({
      message: 'Make passwords expire after a number of days? (Current NIST guidance advises against forced expiry.)',
      default: start.maxAgeDays !== null,
    });
    const maxAgeDays = expire
      ? await asker.number({ message: 'Days before a password expires (1–1095)', default: start.maxAgeDays ?? 90, min: 1, max: 1095 })
      : null;

    const weaker: string[] = [];
    if (minimumLength < RECOMMENDED_LENGTH) weaker.push(`a minimum length of ${minimumLength}`);
    if (reusePrevention < RECOMMENDED_REUSE) weaker.push(`remembering only ${reusePrevention} passwords`);
    if (weaker.length) {
      const what = joinWords(weaker);
      const sure = await asker.confirm({
        message: `${what[0]!.toUpperCase()}${what.slice(1)} is weaker than recommended (length ${RECOMMENDED_LENGTH}, remember ${RECOMMENDED_REUSE}). Use it anyway?`,
        default: false,
      });
      if (!sure) {
        asker.note('Keeping the recommended values.');
        return rec;
      }
    }
    return { minimumLength, reusePrevention, maxAgeDays };
  },
};

const step: Step<PasswordPolicyInputs> = {
  meta,
  inputs,

  async check(ctx) {
    const policy = await readPolicy(ctx);
    const base = {
      resource: `arn:${ctx.target.partition}:iam::${ctx.target.accountId}:account`,
      region: 'global',
      data: { policy },
    };
    if (!policy)
      return [
        {
          ...base,
          status: 'fail',
          message: 'No password policy: IAM falls back to its default (8 characters, three of four character types, old passwords reusable).',
        },
      ];
    const weak = weaknesses(policy);
    if (weak.length) return [{ ...base, status: 'fail', message: `The password policy is weaker than recommended: ${weak.join('; ')}.` }];
    return [{ ...base, status: 'pass', message: `The password policy is strong: ${describe(policy)}.` }];
  },

  async plan(_ctx, findings, given): Promise<Plan> {
    const existing = existingPolicy(findings);
    const desired = desiredPolicy(existing, resolve(existing, parseInputs(given)));
    if (existing && samePolicy(existing, desired)) return { actions: [] };
    const action: PlanAction = {
      service: 'iam',
      operation: 'UpdateAccountPasswordPolicy',
      region: 'global',
      params: { ...desired },
      summary: `Set the IAM password policy: ${describe(desired)}`,
      inverse: existing
        ? {
            service: 'iam',
            operation: 'UpdateAccountPasswordPolicy',
            region: 'global',
            params: { ...existing },
            summary: `Restore the previous password policy: ${describe(existing)}`,
          }
        : {
            service: 'iam',
            operation: 'DeleteAccountPasswordPolicy',
            region: 'global',
            params: {},
            summary: 'Remove the password policy (IAM goes back to its default rules)',
          },
      async run(ctx) {
        await ctx.client(IAMClient).send(new UpdateAccountPasswordPolicyCommand(desired));
      },
    };
    const warnings = warningsFor(existing, desired);
    return { actions: [action], ...(warnings.length ? { warnings } : {}) };
  },

  /**
   * Puts back the policy the fix replaced (or removes the policy, if there was none), but only
   * while the policy is still the one the fix set.
   */
  async undo(ctx, entry) {
    const wrote = policySchema.parse(entry.params);
    const now = await readPolicy(ctx);
    if (!now)
      return entry.inverse?.operation === 'DeleteAccountPasswordPolicy'
        ? nothingToUndo('The account has no password policy now, as before the fix.')
        : drifted('The password policy', { now: 'no policy', wrote: describe(wrote) });
    if (!samePolicy(now, wrote)) return drifted('The password policy', { now: describe(now), wrote: describe(wrote) });
    return undoWith(recordedInverse(entry));
  },

  /** day-one scenario: a policy that asks for 6 characters of any kind and remembers nothing. */
  async seed(ctx) {
    sandboxOnly(ctx);
    await ctx.client(IAMClient).send(
      new UpdateAccountPasswordPolicyCommand({
        MinimumPasswordLength: 6,
        RequireUppercaseCharacters: false,
        RequireLowercaseCharacters: false,
        RequireNumbers: false,
        RequireSymbols: false,
        AllowUsersToChangePassword: false,
      }),
    );
  },
};

export default step;
