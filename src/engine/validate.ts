/**
 * Validators shared by the steps' inputs: each returns `true` or a message that tells a person
 * what to type instead. The wizard uses them as prompt validators and the steps' zod schemas use
 * them (through `zodCheck`) for answers files, so both paths accept and refuse the same values.
 * Limits follow what the AWS APIs accept (PutAlternateContact, CreateUser, CreateGroup).
 */
import { z } from 'zod';
import type { Validator } from './types.js';

/** Alternate-contact email, as PutAlternateContact accepts it: 1–254 characters, `local@domain.tld`. */
const EMAIL = /^[\w+=.#|!&-]+@[\w-]+(\.[\w-]+)*\.\w+$/;

export const validEmail: Validator = (value) => {
  const v = value.trim();
  if (!v) return 'Enter an email address, for example security@example.com.';
  if (v.length > 254) return `An email address can have at most 254 characters (this one has ${v.length}).`;
  // Quoted as JSON: a newline or escape sequence in the value is shown escaped, never acted on.
  if (!EMAIL.test(v)) return `${JSON.stringify(v)} is not an email address AWS accepts: use the form name@example.com.`;
  return true;
};

/** Phone number: digits with an optional leading +, spaces, dashes and parentheses; 7–15 digits; at most 25 characters. */
export const validPhone: Validator = (value) => {
  const v = value.trim();
  if (!v) return 'Enter a phone number, for example +1 206 555 0100.';
  if (v.length > 25) return `A phone number can have at most 25 characters (this one has ${v.length}).`;
  if (!/^\+?[\d\s()-]+$/.test(v)) return 'Use only digits, spaces, dashes and parentheses, with an optional + at the start.';
  const digits = v.replace(/\D/g, '').length;
  if (digits < 7 || digits > 15) return `A phone number has 7 to 15 digits, country code included (this one has ${digits}).`;
  return true;
};

function textOfLength(what: string, max: number): Validator {
  return (value) => {
    const v = value.trim();
    if (!v) return `Enter a ${what}.`;
    if (v.length > max) return `A ${what} can have at most ${max} characters (this one has ${v.length}).`;
    return true;
  };
}

/** A contact's name: 1–64 characters. */
export const validContactName: Validator = textOfLength('name', 64);

/** A contact's job title: 1–50 characters. */
export const validTitle: Validator = textOfLength('title', 50);

function iamName(what: string, max: number): Validator {
  return (value) => {
    if (!value) return `Enter a ${what} name.`;
    if (value.length > max) return `An IAM ${what} name can have at most ${max} characters (this one has ${value.length}).`;
    if (!/^[\w+=,.@-]+$/.test(value)) return `An IAM ${what} name may contain only letters, digits and + = , . @ _ - (no spaces).`;
    return true;
  };
}

/** IAM user names: letters, digits and `+=,.@_-`, 1–64 characters. */
export const validIamUserName: Validator = iamName('user', 64);

/** IAM group names: letters, digits and `+=,.@_-`, 1–128 characters. */
export const validIamGroupName: Validator = iamName('group', 128);

/** A zod string that is trimmed and then checked by `validator`, reporting the validator's own message. */
export function zodCheck(validator: Validator) {
  return z
    .string()
    .trim()
    .superRefine((value, ctx) => {
      const result = validator(value);
      if (result !== true) ctx.addIssue({ code: 'custom', message: result });
    });
}
