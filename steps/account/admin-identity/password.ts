/**
 * First console passwords: random, long, every character type, and free of look-alikes (0/O, 1/l/I)
 * so a person can type one from the screen. Each character comes from `crypto.randomBytes` with
 * rejection sampling, so every symbol of an alphabet is equally likely.
 */
import { randomBytes } from 'node:crypto';

const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const DIGITS = '23456789';
/** All in IAM's list of symbols for a password policy (! @ # $ % ^ & * ( ) _ + - = [ ] { } | '). */
const SYMBOLS = '!@#$%^&*()_+-=[]{}';
const CLASSES = [UPPER, LOWER, DIGITS, SYMBOLS] as const;
const ALL = CLASSES.join('');

export const DEFAULT_PASSWORD_LENGTH = 20;
/** IAM's limit for a password. */
export const MAX_PASSWORD_LENGTH = 128;

/** A uniformly random integer in [0, n), n ≤ 256. */
function randomBelow(n: number): number {
  const limit = 256 - (256 % n);
  for (;;) {
    for (const b of randomBytes(16)) if (b < limit) return b % n;
  }
}

function pick(alphabet: string): string {
  return alphabet[randomBelow(alphabet.length)]!;
}

/**
 * A password of `length` characters (at least 14, at most 128) with at least one upper-case letter,
 * lower-case letter, digit and symbol: it meets any IAM password policy up to that length.
 */
export function generatePassword(length = DEFAULT_PASSWORD_LENGTH): string {
  const n = Math.min(MAX_PASSWORD_LENGTH, Math.max(14, Math.floor(length)));
  const chars = CLASSES.map(pick);
  while (chars.length < n) chars.push(pick(ALL));
  // Fisher–Yates, so the guaranteed characters are not always in front.
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomBelow(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

/** Which of the four character types a password has, for tests and messages. */
export function characterTypes(password: string): { upper: boolean; lower: boolean; digit: boolean; symbol: boolean } {
  return {
    upper: /[A-Z]/.test(password),
    lower: /[a-z]/.test(password),
    digit: /[0-9]/.test(password),
    symbol: /[^A-Za-z0-9]/.test(password),
  };
}
