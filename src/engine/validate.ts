/**
 * Validators shared by the steps' inputs: each returns `true` or a message that tells a person
 * what to type instead. The wizard uses them as prompt validators and the steps' zod schemas use
 * them (through `zodCheck`) for answers files, so both paths accept and refuse the same values.
 * Limits follow what the AWS APIs accept (PutAlternateContact, CreateUser, CreateGroup).
 */
import { isIPv4, isIPv6 } from 'node:net';
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

/** The address part of a CIDR as a number (IPv4: 32 bits, IPv6: 128 bits), for the host-bit check. */
function addressBits(address: string, v6: boolean): bigint {
  if (!v6) return address.split('.').reduce((n, o) => (n << 8n) | BigInt(Number(o)), 0n);
  const [head = '', tail] = address.split('::');
  const groups = (part: string) => (part ? part.split(':') : []);
  // An embedded IPv4 tail (::ffff:192.0.2.1) counts as two groups.
  const expand = (gs: string[]) =>
    gs.flatMap((g) => {
      if (!g.includes('.')) return [g];
      const n = Number(addressBits(g, false));
      return [(n >>> 16).toString(16), (n & 0xffff).toString(16)];
    });
  const h = expand(groups(head));
  const t = tail === undefined ? [] : expand(groups(tail));
  const all = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return all.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/**
 * A network in CIDR notation, IPv4 (`203.0.113.0/24`) or IPv6 (`2001:db8::/32`), as security group
 * rules and network ACL entries take it: a prefix length in range and no host bits set. The whole
 * internet (`0.0.0.0/0`, `::/0`) is refused: these validators guard the inputs that replace it.
 */
export const validCidr: Validator = (value) => {
  const v = value.trim();
  if (!v) return 'Enter a network in CIDR notation, for example 203.0.113.0/24 (IPv4) or 2001:db8::/48 (IPv6).';
  const shown = JSON.stringify(v);
  const slash = v.indexOf('/');
  const address = slash < 0 ? v : v.slice(0, slash);
  const v4 = isIPv4(address);
  const v6 = !v4 && isIPv6(address);
  if (!v4 && !v6) return `${shown} is not a network in CIDR notation: write an address and a prefix length, for example 203.0.113.0/24 or 2001:db8::/48.`;
  const max = v4 ? 32 : 128;
  if (slash < 0) return `${shown} has no prefix length: add /${max} for this one address${v4 ? ' (or /24 for its network)' : ''}.`;
  const prefixText = v.slice(slash + 1);
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return `The prefix length after "/" must be a number from 0 to ${max} for an ${v4 ? 'IPv4' : 'IPv6'} network (${shown}).`;
  if (prefix === 0) return `${shown} is the whole internet: give the network of the people who need access instead, for example your office's address range.`;
  const bits = addressBits(address, v6);
  const host = (1n << BigInt(max - prefix)) - 1n;
  if (bits & host) {
    const net = bits & ~host & ((1n << BigInt(max)) - 1n);
    const text = v4
      ? [24n, 16n, 8n, 0n].map((s) => String((net >> s) & 255n)).join('.')
      : Array.from({ length: 8 }, (_, i) => ((net >> BigInt(112 - 16 * i)) & 0xffffn).toString(16)).join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
    return `${shown} has bits set after the first ${prefix}: the network is ${text}/${prefix} (or use /${max} for this one address).`;
  }
  return true;
};

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
