/**
 * The pieces of enrolling a virtual MFA device that are not AWS calls: the otpauth:// URI an
 * authenticator app scans, and the two codes a person types back, asked and validated.
 */
import type { Asker, Validator } from '../../../src/engine/step-kit.js';

/**
 * The URI an authenticator app reads from the QR code (the de-facto "Key Uri Format"): TOTP, SHA-1,
 * six digits, 30 seconds, which is what IAM virtual MFA devices use.
 */
export function otpauthUri(seed: string, account: string, issuer = 'Amazon Web Services'): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const query = new URLSearchParams({ secret: seed, issuer, algorithm: 'SHA1', digits: '6', period: '30' });
  // URLSearchParams writes spaces as '+', which some apps show literally.
  return `otpauth://totp/${label}?${query.toString().replace(/\+/g, '%20')}`;
}

/** Apps often show a code as `123 456`: spaces are dropped. */
export function normalizeCode(value: string): string {
  return value.replace(/\s+/g, '');
}

export const validMfaCode: Validator = (value) =>
  /^\d{6}$/.test(normalizeCode(value)) ? true : 'Type the 6 digits your authenticator app shows now (spaces are fine).';

/**
 * Two consecutive codes: the first, then the next one the app shows. IAM needs both to line its clock
 * up with the device's. The same code twice means the app had not moved on yet, so it is refused.
 */
export async function askTwoCodes(asker: Asker): Promise<[string, string]> {
  const first = normalizeCode(
    await asker.text({ message: 'MFA code 1: the 6-digit code your app shows now', validate: validMfaCode, required: true }),
  );
  const second = normalizeCode(
    await asker.text({
      message: 'MFA code 2: wait until the app shows the next code (up to 30 seconds), then type it',
      required: true,
      validate: (v) => {
        const ok = validMfaCode(v);
        if (ok !== true) return ok;
        return normalizeCode(v) === first ? 'That is the same code as before: wait until the app shows a new one.' : true;
      },
    }),
  );
  return [first, second];
}
