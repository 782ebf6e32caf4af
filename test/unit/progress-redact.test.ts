import { describe, expect, it } from 'vitest';
import { REDACTED } from '../../src/engine/types.js';
import { isSecretKey, redactSecrets, redactString } from '../../src/progress/index.js';

const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

describe('redactSecrets', () => {
  it('replaces values under keys that name a secret, in any case', () => {
    const input = {
      password: 'p', Password: 'p', NewPassword: 'p', OldPassword: 'p', secret: 's', client_secret: 's',
      SecretAccessKey: 'k', aws_secret_access_key: 'k', seed: 'x', Base32StringSeed: 'x', QRCodePNG: 'x',
      AuthenticationCode1: '1', authenticationcode2: '2', token: 't', SessionToken: 't', PrivateKey: 'k', Credentials: { a: 1 },
    };
    const out = redactSecrets(input);
    for (const key of Object.keys(input)) expect(out[key as keyof typeof out]).toBe(REDACTED);
  });

  it('keeps identifiers and settings that only mention a secret', () => {
    const input = {
      AccessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      MinimumPasswordLength: 14,
      PasswordReusePrevention: 24,
      PasswordResetRequired: true,
      AllowUsersToChangePassword: true,
      HasPassword: false,
      'account.unused-credentials': { status: 'pass' },
      deactivateKeys: ['AKIAIOSFODNN7EXAMPLE', 'ASIAIOSFODNN7EXAMPLE'],
      sha1: 'da39a3ee5e6b4b0d3255bfef95601890afd80709',
      arn: 'arn:aws:iam::123456789012:user/alice',
    };
    expect(redactSecrets(input)).toEqual(input);
  });

  it('finds secret access keys and session tokens in any string', () => {
    expect(redactSecrets({ note: SECRET_KEY })).toEqual({ note: REDACTED });
    expect(redactString(`aws_secret_access_key=${SECRET_KEY}\n`)).toBe(`aws_secret_access_key=${REDACTED}\n`);
    const token = 'FwoGZXIvYXdzEJr//////////wEaDNtN1Q' + 'Ab1'.repeat(20);
    expect(redactSecrets([`token ${token} end`])).toEqual([`token ${REDACTED} end`]);
    expect(redactString('A1b2'.repeat(40))).toBe(REDACTED);
    expect(redactString('short and sweet')).toBe('short and sweet');
  });

  it('deep-copies plain data without touching the input', () => {
    const input = { a: { b: [1, { c: 'd', password: 'x' }] }, when: new Date(0), n: 10n, f: () => 1 };
    const out = redactSecrets(input) as unknown as Record<string, unknown>;
    expect(out).toEqual({ a: { b: [1, { c: 'd', password: REDACTED }] }, when: '1970-01-01T00:00:00.000Z', n: '10' });
    expect(input.a.b[1]).toEqual({ c: 'd', password: 'x' });
    expect(out.a).not.toBe(input.a);
  });

  it('redacts binary data, survives cycles and keeps __proto__ as data', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const shared = { x: 1 };
    expect(redactSecrets({ blob: new Uint8Array([1, 2]), cyclic, pair: [shared, shared] })).toEqual({
      blob: REDACTED,
      cyclic: { name: 'loop', self: '[circular]' },
      pair: [{ x: 1 }, { x: 1 }],
    });
    const evil = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    const copied = redactSecrets(evil);
    expect(Object.getPrototypeOf(copied)).toBe(Object.prototype);
    expect(Object.keys(copied)).toEqual(['__proto__']);
  });

  it('isSecretKey ignores step ids', () => {
    expect(isSecretKey('account.unused-credentials')).toBe(false);
    expect(isSecretKey('unusedCredentials')).toBe(true);
  });
});
