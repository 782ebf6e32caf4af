/** The security-contacts step without AWS: its questions (scripted), its inputs schema and its plan from given findings. */
import { describe, expect, it } from 'vitest';
import type { Finding, StepContext } from '../../src/engine/types.js';
import step from '../../steps/account/security-contacts/index.js';
import type { Contact, SecurityContactsInputs } from '../../steps/account/security-contacts/index.js';
import { validEmail } from '../../src/engine/validate.js';
import { ScriptedAsker } from '../helpers/step-tester.js';
import type { ScriptedAnswer } from '../helpers/step-tester.js';

const spec = step.inputs!;
const noAws = {} as StepContext;

const DANA: Contact = { name: 'Dana Reyes', title: 'Security lead', email: 'security@example.com', phone: '+1 206 555 0142' };
const BILLING: Contact = { name: 'Accounts Payable', title: 'Finance team', email: 'billing@example.com', phone: '+1 206 555 0100' };
const OPS: Contact = { name: 'Ops On-call', title: 'Operations', email: 'ops@example.com', phone: '(206) 555-0199' };
const EMPTY: Contact = { name: '', title: '', email: '', phone: '' };

/** Findings as the check makes them, from what is set per type. */
function found(set: Partial<Record<'security' | 'billing' | 'operations', Contact>>): Finding[] {
  return (['security', 'billing', 'operations'] as const).map((key) => ({
    status: set[key] ? 'pass' : key === 'security' ? 'fail' : 'manual',
    resource: `arn:aws:account::123456789012:alternate-contact/${key}`,
    region: 'global',
    message: '…',
    data: { type: key.toUpperCase(), contact: set[key] ?? null },
  }));
}

function typed(c: Contact): ScriptedAnswer[] {
  return [{ text: c.name }, { text: c.title }, { text: c.email }, { text: c.phone }];
}

async function ask(script: ScriptedAnswer[], findings: Finding[], initial?: SecurityContactsInputs) {
  const asker = new ScriptedAsker(script);
  const result = await spec.ask(asker, initial ?? spec.defaults(findings), findings);
  expect(asker.remaining, 'every scripted answer was used').toBe(0);
  const parsed = spec.schema.safeParse(result);
  expect(parsed.success, 'the result passes the schema').toBe(true);
  return { result, asker };
}

describe('account.security-contacts: questions', () => {
  it('asks for the security contact without asking whether, and asks before billing and operations', async () => {
    const { result, asker } = await ask([...typed(DANA), { confirm: false }, { confirm: null }, ...typed(OPS)], found({}));
    expect(result).toEqual({ security: DANA, operations: OPS });
    expect(asker.notes).toEqual(['Security contact now: not set', 'Billing contact now: not set', 'Operations contact now: not set']);
    const confirms = asker.asked.filter((q) => q.kind === 'confirm');
    expect(confirms).toEqual([
      expect.objectContaining({ message: 'Set a billing contact?', default: true, answer: false }),
      expect.objectContaining({ message: 'Set an operations contact?', default: true, answer: true }),
    ]);
  });

  it('refuses an invalid email with the validator’s message and takes the retyped one', async () => {
    const script = [{ text: DANA.name }, { text: DANA.title }, { text: 'dana(at)example' }, { text: DANA.email }, { text: DANA.phone }];
    const { result, asker } = await ask([...script, { confirm: false }, { confirm: false }], found({}));
    expect(result.security.email).toBe(DANA.email);
    const email = asker.asked.find((q) => q.message === 'Security contact, email')!;
    expect(email.rejected).toEqual([{ answer: 'dana(at)example', message: validEmail('dana(at)example') }]);
  });

  it('refuses a phone number with letters and an empty name', async () => {
    const script = [{ text: '' }, { text: DANA.name }, { text: DANA.title }, { text: DANA.email }, { text: 'call me' }, { text: DANA.phone }];
    const { asker } = await ask([...script, { confirm: false }, { confirm: false }], found({}));
    expect(asker.asked.find((q) => q.message === 'Security contact, name')!.rejected).toHaveLength(1);
    expect(asker.asked.find((q) => q.message.startsWith('Security contact, phone'))!.rejected[0]!.message).toMatch(/only digits/);
  });

  it('keeps an existing contact unless the person asks to change it', async () => {
    const { result, asker } = await ask([...typed(DANA), { confirm: null }, { confirm: false }], found({ billing: BILLING }));
    expect(asker.notes[1]).toBe('Billing contact now: Accounts Payable (Finance team) <billing@example.com>, +1 206 555 0100');
    expect(asker.asked.find((q) => q.kind === 'confirm')).toMatchObject({ message: 'Change the billing contact?', default: false });
    expect(result).toEqual({ security: DANA, billing: BILLING });
    expect((await step.plan(noAws, found({ billing: BILLING }), result)).actions.map((a) => a.params.AlternateContactType)).toEqual(['SECURITY']);
  });

  it('offers the existing values as defaults: Enter keeps each field, typing changes it', async () => {
    const script = [{ confirm: true }, { text: '' }, { text: '' }, { text: 'payables@example.com' }, { text: '' }];
    const { result, asker } = await ask([...typed(DANA), ...script, { confirm: false }], found({ billing: BILLING }));
    expect(asker.asked.filter((q) => q.message.startsWith('Billing contact,')).map((q) => q.default)).toEqual([
      BILLING.name,
      BILLING.title,
      BILLING.email,
      BILLING.phone,
    ]);
    expect(result.billing).toEqual({ ...BILLING, email: 'payables@example.com' });
  });

  it('asks whether to change an existing security contact, defaulting to No', async () => {
    const { result, asker } = await ask([{ confirm: null }, { confirm: null }, { confirm: false }], found({ security: DANA, billing: BILLING }));
    expect(asker.asked[0]).toMatchObject({ message: 'Change the security contact?', default: false });
    expect(result).toEqual({ security: DANA, billing: BILLING });
  });

  it('starts from an answers file: its values are the defaults, and a differing one defaults to change', async () => {
    const initial = { security: DANA, billing: { ...BILLING, name: 'Finance Desk' } };
    const { result, asker } = await ask(
      [{ confirm: null }, { confirm: null }, { text: '' }, { text: '' }, { text: '' }, { text: '' }, { confirm: false }],
      found({ security: DANA, billing: BILLING }),
      initial,
    );
    expect(asker.asked[0]).toMatchObject({ message: 'Change the security contact?', default: false });
    expect(asker.asked[1]).toMatchObject({ message: 'Change the billing contact?', default: true });
    expect(result.billing?.name).toBe('Finance Desk');
  });
});

describe('account.security-contacts: inputs schema', () => {
  it('requires the security contact and validates every field with the shared validators', () => {
    expect(spec.requiredInAnswers).toBe(true);
    expect(spec.schema.safeParse({ security: DANA }).success).toBe(true);
    expect(spec.schema.safeParse({ billing: BILLING }).success).toBe(false);
    const bad = spec.schema.safeParse({ security: { ...DANA, email: 'nope' } });
    expect(bad.error?.issues[0]).toMatchObject({ path: ['security', 'email'], message: validEmail('nope') });
    expect(spec.schema.safeParse({ security: { ...DANA, phone: '12' } }).success).toBe(false);
    expect(spec.schema.safeParse({ security: DANA, support: OPS }).success).toBe(false);
  });

  it('takes a billing or operations contact left blank, as in the template, as not given', () => {
    expect(spec.schema.parse({ security: DANA, billing: EMPTY, operations: OPS })).toEqual({ security: DANA, operations: OPS });
    expect(spec.schema.safeParse({ security: DANA, billing: { ...EMPTY, name: 'Half filled' } }).success).toBe(false);
    expect(spec.schema.safeParse({ security: EMPTY }).error?.issues.map((i) => i.path.join('.'))).toEqual([
      'security.name',
      'security.title',
      'security.email',
      'security.phone',
    ]);
  });

  it('trims what it accepts', () => {
    expect(spec.schema.parse({ security: { ...DANA, email: ` ${DANA.email} ` } }).security.email).toBe(DANA.email);
  });

  it('defaults to the existing values, empty where none is set', () => {
    expect(spec.defaults(found({ billing: BILLING }))).toEqual({ security: EMPTY, billing: BILLING, operations: EMPTY });
    expect(spec.defaults([])).toEqual({ security: EMPTY, billing: EMPTY, operations: EMPTY });
  });
});

describe('account.security-contacts: plan', () => {
  it('puts only the contacts that differ, each with its undo', async () => {
    const plan = await step.plan(noAws, found({ billing: BILLING, operations: OPS }), { security: DANA, billing: BILLING, operations: { ...OPS, phone: '+1 206 555 0111' } });
    expect(plan.actions.map((a) => [a.operation, a.params.AlternateContactType, a.inverse?.operation])).toEqual([
      ['PutAlternateContact', 'SECURITY', 'DeleteAlternateContact'],
      ['PutAlternateContact', 'OPERATIONS', 'PutAlternateContact'],
    ]);
    expect(plan.actions[0]).toMatchObject({
      service: 'account',
      region: 'global',
      params: { AlternateContactType: 'SECURITY', Name: DANA.name, Title: DANA.title, EmailAddress: DANA.email, PhoneNumber: DANA.phone },
      summary: 'Set the security contact to Dana Reyes (Security lead) <security@example.com>, +1 206 555 0142',
      inverse: { params: { AlternateContactType: 'SECURITY' }, summary: 'Remove the security contact' },
    });
    expect(plan.actions[1]!.inverse).toMatchObject({ params: { PhoneNumber: OPS.phone }, summary: expect.stringMatching(/^Restore the operations contact to Ops On-call/) });
  });

  it('is empty when nothing changes', async () => {
    const all = { security: DANA, billing: BILLING, operations: OPS };
    expect((await step.plan(noAws, found(all), all)).actions).toEqual([]);
  });

  it('previews from the defaults before anyone answered: keeps what is set and says a person must name the security contact', async () => {
    const findings = found({ billing: BILLING });
    const plan = await step.plan(noAws, findings, spec.defaults(findings));
    expect(plan.actions).toEqual([]);
    expect(plan.guidance).toMatch(/only a person can name one.*answers --template --step account.security-contacts/);
  });

  it('refuses invalid contacts and a plan without a check', async () => {
    await expect(step.plan(noAws, found({}), { security: { ...DANA, email: 'nope' } })).rejects.toThrow(
      /Invalid inputs for account.security-contacts: security.email: .*name@example.com/,
    );
    await expect(step.plan(noAws, found({}), { security: { ...DANA, name: '' } })).rejects.toThrow(/security.name: Enter a name/);
    await expect(step.plan(noAws, [], { security: DANA })).rejects.toThrow(/check the step before planning/);
  });
});
