import { AccountClient, DeleteAlternateContactCommand, GetAlternateContactCommand, PutAlternateContactCommand } from '@aws-sdk/client-account';
import type { AlternateContactType, PutAlternateContactRequest } from '@aws-sdk/client-account';
import { describe, expect, it } from 'vitest';
import { MutationBlockedError } from '../../src/aws/errors.js';
import type { RunContext } from '../../src/engine/context.js';
import { checkStep, planStep } from '../../src/engine/runner.js';
import step from '../../steps/account/security-contacts/index.js';
import type { Contact } from '../../steps/account/security-contacts/index.js';
import { fixThenUndo } from '../helpers/undo.js';
import { inSandbox, isReadRequest, recordCheckAndPlan, runStepCases } from '../helpers/step-tester.js';

const PUT = 'account:PutAlternateContact';
const arn = (type: string) => `arn:aws:account::123456789012:alternate-contact/${type}`;

const SECURITY: Contact = { name: 'Dana Reyes', title: 'Security lead', email: 'security@example.com', phone: '+1 206 555 0142' };
const OPERATIONS: Contact = { name: 'Ops On-call', title: 'Operations', email: 'ops@example.com', phone: '(206) 555-0199' };
/** What the step's seed sets. */
const SEEDED_BILLING: Contact = { name: 'Accounts Payable', title: 'Finance team', email: 'billing@example.com', phone: '+1 206 555 0100' };

function put(type: AlternateContactType, c: Contact): PutAlternateContactRequest {
  return { AlternateContactType: type, Name: c.name, Title: c.title, EmailAddress: c.email, PhoneNumber: c.phone };
}

function contacts(all: Partial<Record<AlternateContactType, Contact>>) {
  return async (ctx: RunContext) => {
    const client = ctx.client(AccountClient);
    for (const [type, c] of Object.entries(all)) await client.send(new PutAlternateContactCommand(put(type as AlternateContactType, c)));
  };
}

runStepCases(step, [
  {
    name: 'none set: security fails, billing and operations need a decision; all three are set',
    inputs: { security: SECURITY, billing: SEEDED_BILLING, operations: OPERATIONS },
    expectStatus: 'fail',
    expectFindings: [
      { status: 'fail', resource: arn('security'), region: 'global', message: expect.stringContaining('No security contact') },
      { status: 'manual', advice: true, resource: arn('billing'), region: 'global', message: expect.stringContaining('No billing contact') },
      { status: 'manual', advice: true, resource: arn('operations'), region: 'global', message: expect.stringContaining('No operations contact') },
    ],
    expectOperations: [PUT, PUT, PUT],
  },
  {
    name: 'the day-one seed (only billing set) fails; the existing billing contact is kept, not re-sent',
    seed: (ctx) => step.seed!(ctx),
    inputs: { security: SECURITY, billing: SEEDED_BILLING, operations: OPERATIONS },
    expectStatus: 'fail',
    expectFindings: [
      { status: 'fail' },
      { status: 'pass', message: 'The billing contact is Accounts Payable <billing@example.com>.' },
      { status: 'manual' },
    ],
    expectOperations: [PUT, PUT],
    expectFindingsAfter: [
      { status: 'pass', message: 'The security contact is Dana Reyes <security@example.com>.' },
      { status: 'pass', message: expect.stringContaining('billing@example.com') },
      { status: 'pass', message: expect.stringContaining('ops@example.com') },
    ],
  },
  {
    name: 'only the security contact given: it is set, and operations stays for a person to decide',
    seed: (ctx) => step.seed!(ctx),
    inputs: { security: SECURITY },
    expectStatus: 'fail',
    expectOperations: [PUT],
    expectAfter: 'manual',
    expectFindingsAfter: [{ status: 'pass' }, { status: 'pass' }, { status: 'manual' }],
  },
  {
    name: 'a security contact with a changed email replaces the old one',
    seed: contacts({ SECURITY: { ...SECURITY, email: 'old-security@example.com' }, BILLING: SEEDED_BILLING }),
    inputs: { security: SECURITY, billing: SEEDED_BILLING, operations: OPERATIONS },
    expectStatus: 'manual',
    expectOperations: [PUT, PUT],
    expectFindingsAfter: [{ status: 'pass', message: expect.stringContaining('security@example.com') }, { status: 'pass' }, { status: 'pass' }],
  },
  {
    name: 'all three set: passes and plans nothing',
    seed: contacts({ SECURITY, BILLING: SEEDED_BILLING, OPERATIONS }),
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass' }, { status: 'pass' }, { status: 'pass' }],
  },
]);

describe('account.security-contacts: check and plan change nothing', () => {
  it('sends only reads, as the factory and moto’s recorder both see it', async () => {
    const { checked, plan, sent, recorded } = await recordCheckAndPlan(step, {
      seed: (ctx) => step.seed!(ctx),
      inputs: { security: SECURITY, operations: OPERATIONS },
    });
    expect(checked.result.status).toBe('fail');
    expect(plan.actions).toHaveLength(2);
    expect(sent).toEqual(['Account:GetAlternateContact', 'Account:GetAlternateContact', 'Account:GetAlternateContact']);
    expect(recorded.map((r) => `${r.service} ${r.action}`)).toEqual(Array(3).fill('account POST /getAlternateContact'));
    expect(recorded.filter((r) => !isReadRequest(r))).toEqual([]);
  });

  it('the read-only guard refuses the planned change while a check or plan runs', async () => {
    await inSandbox({}, async (ctx) => {
      const plan = await planStep(await checkStep({ meta: step.meta, load: async () => step }, ctx), ctx, { security: SECURITY });
      await expect(plan.actions[0]!.run(ctx)).rejects.toBeInstanceOf(MutationBlockedError);
    });
  });
});

describe('account.security-contacts: undo', () => {
  const entry = { meta: step.meta, load: async () => step };

  it('restores a changed contact and removes the ones that did not exist, and the check reads as before', async () => {
    await inSandbox({ seed: (ctx) => step.seed!(ctx) }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, { security: SECURITY, billing: { ...SEEDED_BILLING, name: 'Finance Desk' } });
      expect(run.afterFix).not.toEqual(run.before);
      expect(run.items.map((i) => i.kind)).toEqual(['undo', 'undo']);
      // Newest first: billing put back as it was, then the new security contact removed.
      expect(run.journal.slice(2).map((e) => [e.operation, e.params.AlternateContactType, e.undoes])).toEqual([
        ['PutAlternateContact', 'BILLING', 1],
        ['DeleteAlternateContact', 'SECURITY', 0],
      ]);
      expect(run.afterUndo).toEqual(run.before);
      const billing = await ctx.client(AccountClient).send(new GetAlternateContactCommand({ AlternateContactType: 'BILLING' }));
      expect(billing.AlternateContact?.Name).toBe('Accounts Payable');
    });
  });

  it('refuses a contact someone changed after the fix and keeps their change; undoes the rest', async () => {
    await inSandbox({ seed: (ctx) => step.seed!(ctx) }, async (ctx) => {
      const edited = { ...SECURITY, email: 'soc@example.com' };
      const run = await fixThenUndo(entry, ctx, { security: SECURITY, operations: OPERATIONS }, { between: contacts({ SECURITY: edited }) });
      expect(run.items.map((i) => [i.entry.params.AlternateContactType, i.kind])).toEqual([
        ['OPERATIONS', 'undo'],
        ['SECURITY', 'drifted'],
      ]);
      expect(run.items[1]).toMatchObject({ reason: expect.stringContaining('soc@example.com') });
      const security = await ctx.client(AccountClient).send(new GetAlternateContactCommand({ AlternateContactType: 'SECURITY' }));
      expect(security.AlternateContact?.EmailAddress).toBe('soc@example.com');
      expect(run.afterUndo.join('\n')).toContain('No operations contact');
    });
  });

  it('has nothing to undo when the added contact was removed by hand since', async () => {
    await inSandbox({ seed: (ctx) => step.seed!(ctx) }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, { security: SECURITY }, {
        between: async (c) => void (await c.client(AccountClient).send(new DeleteAlternateContactCommand({ AlternateContactType: 'SECURITY' }))),
      });
      expect(run.items).toEqual([expect.objectContaining({ kind: 'nothing' })]);
      expect(run.afterUndo).toEqual(run.before);
    });
  });
});
