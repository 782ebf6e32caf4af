/**
 * account.security-contacts: AWS has somewhere to send security notices other than the root
 * email (the SECURITY alternate contact, which CIS and FSBP require), and billing and operations
 * contacts are recommended. A contact comes from a person, so `fix --yes` needs an answers entry.
 */
import {
  AccountClient,
  DeleteAlternateContactCommand,
  GetAlternateContactCommand,
  PutAlternateContactCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-account';
import type { AlternateContactType, PutAlternateContactRequest } from '@aws-sdk/client-account';
import { z } from 'zod';
import type { Asker, Finding, Plan, PlanAction, Step, StepContext, StepInputs } from '../../../src/engine/step-kit.js';
import {
  drifted,
  formatZodError,
  invokedAs,
  irreversible,
  nothingToUndo,
  recordedInverse,
  sandboxOnly,
  undoWith,
  validContactName,
  validEmail,
  validPhone,
  validTitle,
  zodCheck,
} from '../../../src/engine/step-kit.js';
import meta from './meta.js';

export interface Contact {
  name: string;
  title: string;
  email: string;
  phone: string;
}

/** Inputs of the fix (answers file `account.security-contacts`). A type left out is not changed. */
export interface SecurityContactsInputs {
  security: Contact;
  billing?: Contact;
  operations?: Contact;
}

type Key = keyof SecurityContactsInputs;

interface Kind {
  key: Key;
  type: AlternateContactType;
  /** What a missing contact of this type means. */
  missing: { status: 'fail' | 'manual'; message: string; advice?: boolean };
}

const KINDS: readonly Kind[] = [
  {
    key: 'security',
    type: 'SECURITY',
    missing: {
      status: 'fail',
      message: 'No security contact: AWS sends security notices (abuse reports, exposed keys) only to the root user’s email.',
    },
  },
  {
    key: 'billing',
    type: 'BILLING',
    missing: {
      status: 'manual',
      advice: true,
      message: 'No billing contact: invoices and payment problems go only to the root user’s email. Recommended when someone else pays.',
    },
  },
  {
    key: 'operations',
    type: 'OPERATIONS',
    missing: {
      status: 'manual',
      advice: true,
      message: 'No operations contact: notices about service events and maintenance go only to the root user’s email. Recommended.',
    },
  },
];

const contactSchema = z.strictObject({
  name: zodCheck(validContactName),
  title: zodCheck(validTitle),
  email: zodCheck(validEmail),
  phone: zodCheck(validPhone),
});

const isBlank = (c: unknown) => typeof c === 'object' && c !== null && Object.values(c).every((v) => typeof v === 'string' && !v.trim());

/** A billing or operations contact left blank (as the answers template has it) is not given. */
const optionalContact = z.preprocess((c) => (isBlank(c) ? undefined : c), contactSchema.optional());

const inputsSchema = z.strictObject({
  security: contactSchema,
  billing: optionalContact,
  operations: optionalContact,
});

const foundSchema = z.object({ name: z.string(), title: z.string(), email: z.string(), phone: z.string() }).nullable();

const EMPTY: Contact = { name: '', title: '', email: '', phone: '' };

const capitalized = (s: string) => `${s[0]!.toUpperCase()}${s.slice(1)}`;

function format(c: Contact): string {
  return `${c.name} (${c.title}) <${c.email}>, ${c.phone}`;
}

function sameContact(a: Contact, b: Contact): boolean {
  return a.name === b.name && a.title === b.title && a.email === b.email && a.phone === b.phone;
}

function resourceFor(ctx: StepContext, kind: Kind): string {
  return `arn:${ctx.target.partition}:account::${ctx.target.accountId}:alternate-contact/${kind.key}`;
}

async function readContact(client: AccountClient, type: AlternateContactType): Promise<Contact | null> {
  try {
    const c = (await client.send(new GetAlternateContactCommand({ AlternateContactType: type }))).AlternateContact;
    return c ? { name: c.Name ?? '', title: c.Title ?? '', email: c.EmailAddress ?? '', phone: c.PhoneNumber ?? '' } : null;
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return null;
    throw err;
  }
}

/** What the check found per type: a contact, `null` for none, `undefined` when the findings hold no reading. */
function foundContacts(findings: Finding[]): Partial<Record<Key, Contact | null>> {
  const out: Partial<Record<Key, Contact | null>> = {};
  for (const kind of KINDS) {
    const f = findings.find((x) => x.data?.type === kind.type && 'contact' in x.data);
    if (f) out[kind.key] = foundSchema.parse(f.data!.contact);
  }
  return out;
}

/**
 * The contacts to set. The defaults (used for plan previews before anyone answered) hold blank
 * contacts where none is set: a blank contact means "not given", so a preview plans what it can.
 */
function wantedContacts(inputs: unknown): Partial<SecurityContactsInputs> {
  const given = typeof inputs === 'object' && inputs !== null ? Object.entries(inputs).filter(([, c]) => !isBlank(c)) : [];
  const parsed = inputsSchema.partial().safeParse(Object.fromEntries(given));
  if (!parsed.success) throw new Error(`Invalid inputs for ${meta.id}: ${formatZodError(parsed.error)}`);
  return parsed.data;
}

function putRequest(kind: Kind, c: Contact): PutAlternateContactRequest {
  return { AlternateContactType: kind.type, Name: c.name, Title: c.title, EmailAddress: c.email, PhoneNumber: c.phone };
}

/** The contact a PutAlternateContact request (as the journal recorded it) sets. */
function contactOfPut(params: Record<string, unknown>): Contact {
  const text = (k: string) => (typeof params[k] === 'string' ? (params[k] as string) : '');
  return { name: text('Name'), title: text('Title'), email: text('EmailAddress'), phone: text('PhoneNumber') };
}

function putAction(kind: Kind, want: Contact, before: Contact | null): PlanAction {
  const request = putRequest(kind, want);
  return {
    service: 'account',
    operation: 'PutAlternateContact',
    region: 'global',
    params: { ...request },
    summary: `Set the ${kind.key} contact to ${format(want)}`,
    inverse: before
      ? {
          service: 'account',
          operation: 'PutAlternateContact',
          region: 'global',
          params: { ...putRequest(kind, before) },
          summary: `Restore the ${kind.key} contact to ${format(before)}`,
        }
      : {
          service: 'account',
          operation: 'DeleteAlternateContact',
          region: 'global',
          params: { AlternateContactType: kind.type },
          summary: `Remove the ${kind.key} contact`,
        },
    async run(ctx) {
      await ctx.client(AccountClient).send(new PutAlternateContactCommand(request));
    },
  };
}

async function askContact(asker: Asker, kind: Kind, start: Contact | undefined): Promise<Contact> {
  const field = async (label: string, value: string | undefined, validate: (v: string) => true | string) =>
    (
      await asker.text({
        message: `${capitalized(kind.key)} contact, ${label}`,
        ...(value ? { default: value } : {}),
        validate,
        required: true,
      })
    ).trim();
  return {
    name: await field('name', start?.name, validContactName),
    title: await field('job title or role', start?.title, validTitle),
    email: await field('email', start?.email, validEmail),
    phone: await field('phone (with country code)', start?.phone, validPhone),
  };
}

const inputs: StepInputs<SecurityContactsInputs> = {
  schema: inputsSchema,
  requiredInAnswers: true,
  defaults(findings) {
    const found = foundContacts(findings);
    return {
      security: found.security ?? EMPTY,
      billing: found.billing ?? EMPTY,
      operations: found.operations ?? EMPTY,
    };
  },

  async ask(asker, initial, findings) {
    const found = foundContacts(findings);
    const out: Partial<SecurityContactsInputs> = {};
    for (const kind of KINDS) {
      const before = found[kind.key] ?? null;
      const given = initial?.[kind.key];
      const start = given && Object.values(given).some(Boolean) ? given : (before ?? undefined);
      asker.note(`${capitalized(kind.key)} contact now: ${before ? format(before) : 'not set'}`);
      // A kept contact must still pass the schema; one AWS holds in another form is asked again.
      const keepable = before !== null && contactSchema.safeParse(before).success;
      if (before && !keepable) asker.note(`The current ${kind.key} contact does not pass validation here; please enter it again.`);
      let change: boolean;
      if (!keepable && kind.key === 'security') change = true;
      else if (!keepable) change = await asker.confirm({ message: `Set ${/^[aeiou]/.test(kind.key) ? 'an' : 'a'} ${kind.key} contact?`, default: true });
      else change = await asker.confirm({ message: `Change the ${kind.key} contact?`, default: !!given && !sameContact(given, before!) });
      if (change) out[kind.key] = await askContact(asker, kind, start);
      else if (keepable) out[kind.key] = before!;
    }
    return out as SecurityContactsInputs;
  },
};

const step: Step<SecurityContactsInputs> = {
  meta,
  inputs,

  async check(ctx) {
    const client = ctx.client(AccountClient);
    const contacts = await Promise.all(KINDS.map((kind) => readContact(client, kind.type)));
    return KINDS.map((kind, i): Finding => {
      const contact = contacts[i] ?? null;
      const base = { resource: resourceFor(ctx, kind), region: 'global', data: { type: kind.type, contact } };
      if (!contact) return { ...base, ...kind.missing };
      return { ...base, status: 'pass', message: `The ${kind.key} contact is ${contact.name} <${contact.email}>.` };
    });
  },

  async plan(_ctx, findings, given): Promise<Plan> {
    const found = foundContacts(findings);
    const wanted = wantedContacts(given);
    const actions: PlanAction[] = [];
    for (const kind of KINDS) {
      const before = found[kind.key];
      if (before === undefined) throw new Error(`The ${kind.key} contact was not read: check the step before planning its fix.`);
      const want = wanted[kind.key];
      if (want && !(before && sameContact(before, want))) actions.push(putAction(kind, want, before));
    }
    if (!wanted.security && !found.security)
      return {
        actions,
        guidance:
          'No security contact was given, and only a person can name one: choose *fix* in the wizard, or add ' +
          `\`${meta.id}\` to an answers file (\`${invokedAs()} answers --template --step ${meta.id}\`).`,
      };
    return { actions };
  },

  /**
   * Puts back the contact the fix replaced, or removes the one it added where there was none, but
   * only while the contact is still the one the fix set.
   */
  async undo(ctx, entry) {
    const kind = KINDS.find((k) => k.type === entry.params.AlternateContactType);
    if (entry.operation !== 'PutAlternateContact' || !kind || !entry.inverse)
      return irreversible(`This version of ${meta.id} does not know how to undo ${entry.operation}.`);
    const wrote = contactOfPut(entry.params);
    const before = entry.inverse.operation === 'PutAlternateContact' ? contactOfPut(entry.inverse.params) : null;
    const now = await readContact(ctx.client(AccountClient), kind.type);
    const what = `The ${kind.key} contact`;
    if (!now)
      return before ? drifted(what, { now: 'no contact', wrote: format(wrote) }) : nothingToUndo(`There is no ${kind.key} contact now, as before the fix.`);
    if (!sameContact(now, wrote)) {
      if (before && sameContact(now, before)) return nothingToUndo(`The ${kind.key} contact is already ${format(before)}, as before the fix.`);
      return drifted(what, { now: format(now), wrote: format(wrote) });
    }
    return undoWith(recordedInverse(entry));
  },

  /** day-one scenario: no security or operations contact, and a billing contact the wizard should keep. */
  async seed(ctx) {
    sandboxOnly(ctx);
    const client = ctx.client(AccountClient);
    for (const kind of KINDS) {
      try {
        await client.send(new DeleteAlternateContactCommand({ AlternateContactType: kind.type }));
      } catch (err) {
        if (!(err instanceof ResourceNotFoundException)) throw err;
      }
    }
    await client.send(
      new PutAlternateContactCommand({
        AlternateContactType: 'BILLING',
        Name: 'Accounts Payable',
        Title: 'Finance team',
        EmailAddress: 'billing@example.com',
        PhoneNumber: '+1 206 555 0100',
      }),
    );
  },
};

export default step;
