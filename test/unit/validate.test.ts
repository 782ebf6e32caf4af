import { describe, expect, it } from 'vitest';
import type { Validator } from '../../src/engine/types.js';
import { validCidr, validContactName, validEmail, validIamGroupName, validIamUserName, validPhone, validTitle, zodCheck } from '../../src/engine/validate.js';

function table(name: string, validator: Validator, valid: string[], invalid: [string, RegExp][]) {
  describe(name, () => {
    it.each(valid)('accepts %j', (v) => expect(validator(v)).toBe(true));
    it.each(invalid)('refuses %j with a message a person can act on', (v, message) => {
      const result = validator(v);
      expect(result).toBeTypeOf('string');
      expect(result).toMatch(message);
    });
  });
}

table(
  'validEmail',
  validEmail,
  ['security@example.com', 'sec.team+aws@mail.example.co.uk', '  padded@example.com  ', 'a_b-c=d#e|f!g&h@sub-domain.example.org'],
  [
    ['', /Enter an email address/],
    ['   ', /Enter an email address/],
    ['security', /name@example\.com/],
    ['security@example', /name@example\.com/],
    ['two words@example.com', /name@example\.com/],
    ['a@b@example.com', /name@example\.com/],
    ['a@example..com', /name@example\.com/],
    [`${'a'.repeat(250)}@example.com`, /at most 254 characters/],
  ],
);

table(
  'validPhone',
  validPhone,
  ['+1 206 555 0100', '(206) 555-0100', '+44 20 7946 0958', '5550100', '+123456789012345', ' +1-206-555-0100 '],
  [
    ['', /Enter a phone number/],
    ['555 010', /7 to 15 digits.*has 6/],
    ['+1234567890123456', /7 to 15 digits.*has 16/],
    ['+1 206 555 0100 ext 5', /only digits/],
    ['1+206 555 0100', /only digits/],
    ['206.555.0100', /only digits/],
    ['+1 (206) 555 - 0100 - 00 - 1', /at most 25 characters/],
  ],
);

table('validContactName', validContactName, ['Dana Reyes', 'x', 'n'.repeat(64)], [
  ['', /Enter a name/],
  ['  ', /Enter a name/],
  ['n'.repeat(65), /at most 64 characters.*has 65/],
]);

table('validTitle', validTitle, ['CISO', 't'.repeat(50)], [
  ['', /Enter a title/],
  ['t'.repeat(51), /at most 50 characters/],
]);

table('validIamUserName', validIamUserName, ['alice', 'ops.admin@example.com', 'a+b=c,d-e_f', 'u'.repeat(64)], [
  ['', /Enter a user name/],
  ['u'.repeat(65), /at most 64/],
  ['alice smith', /no spaces/],
  ['alice/admin', /only letters, digits/],
]);

table('validIamGroupName', validIamGroupName, ['Administrators', 'g'.repeat(128)], [
  ['', /Enter a group name/],
  ['g'.repeat(129), /at most 128/],
  ['Admins!', /only letters, digits/],
]);

describe('zodCheck', () => {
  it('trims, then reports the validator’s own message', () => {
    const schema = zodCheck(validEmail);
    expect(schema.parse('  a@example.com ')).toBe('a@example.com');
    const parsed = schema.safeParse('nope');
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe(validEmail('nope'));
  });
});

table(
  'validCidr',
  validCidr,
  ['203.0.113.0/24', '198.51.100.7/32', ' 10.0.0.0/8 ', '2001:db8::/32', '2001:db8:1234::/48', '2001:db8::1/128', '::ffff:192.0.2.0/120'],
  [
    ['', /CIDR notation/],
    ['office', /not a network in CIDR notation/],
    ['300.1.2.3/24', /not a network in CIDR notation/],
    ['203.0.113.7', /no prefix length: add \/32/],
    ['2001:db8::1', /add \/128/],
    ['203.0.113.0/33', /from 0 to 32/],
    ['2001:db8::/129', /from 0 to 128/],
    ['203.0.113.0/x', /from 0 to 32/],
    ['0.0.0.0/0', /whole internet/],
    ['::/0', /whole internet/],
    ['203.0.113.7/24', /the network is 203\.0\.113\.0\/24/],
    ['2001:db8::1/64', /the network is 2001:db8::\/64/],
    ['10.0.0.0/8\u001b[31m', /not a network|prefix length/],
  ],
);
