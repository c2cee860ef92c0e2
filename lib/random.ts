import { randomBytes, randomInt } from 'node:crypto';

/** The one CSPRNG helper: every secret, token and identifier comes from here. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** A uniformly distributed string of decimal digits (randomInt avoids modulo bias). */
export function randomDigits(length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += String(randomInt(10));
  return out;
}

/** Raw random bytes, for keys that are not text (an authenticator app's shared secret). */
export function randomKey(bytes: number): Uint8Array {
  return new Uint8Array(randomBytes(bytes));
}

/** A uniformly distributed string over `alphabet` (randomInt avoids modulo bias). */
export function randomString(length: number, alphabet: string): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += alphabet[randomInt(alphabet.length)];
  return out;
}
