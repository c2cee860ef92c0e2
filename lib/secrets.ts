import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { env } from './env';

/**
 * The application secret and what is derived from it. In production it is AUTH_SECRET (required).
 * In development, when AUTH_SECRET is unset, a random one is made once and kept in DATA_DIR, so a
 * newcomer needs no configuration and still has no well-known default secret (S26).
 */
export function appSecret(): string {
  const e = env();
  if (e.AUTH_SECRET) return e.AUTH_SECRET;
  if (e.isProduction) throw new Error('AUTH_SECRET is required in production');
  const file = path.join(path.resolve(e.DATA_DIR), 'dev-auth-secret');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const secret = randomBytes(32).toString('base64url');
    fs.writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
    return secret;
  }
}

// A separate key per use: the settings key never signs anything and the signing key never encrypts.
function deriveKey(info: string, secret = appSecret()): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'gatehouse', info, 32));
}

const VERSION = 'v1';
/** GCM's full tag. Node accepts shorter ones unless told otherwise, and a 4-byte tag is forgeable. */
const TAG_BYTES = 16;

/** AES-256-GCM under a key derived from the application secret (S53). Output: v1.iv.tag.ciphertext. */
export function encryptSecret(plain: string, secret?: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveKey('settings-encryption', secret), iv, {
    authTagLength: TAG_BYTES,
  });
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), data]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

/** By name as well as by class: a bundle may hold two copies of this module (see isMailError). */
export function isSecretDecryptionError(error: unknown): error is SecretDecryptionError {
  return error instanceof Error && error.name === 'SecretDecryptionError';
}

export class SecretDecryptionError extends Error {
  constructor() {
    super(
      'A stored secret cannot be decrypted: AUTH_SECRET has changed since it was saved. Enter it again in the admin settings.',
    );
    this.name = 'SecretDecryptionError';
  }
}

export function decryptSecret(box: string, secret?: string): string {
  const [version, iv, tag, data] = box.split('.');
  if (version !== VERSION || !iv || !tag || data === undefined) throw new SecretDecryptionError();
  const authTag = Buffer.from(tag, 'base64url');
  if (authTag.length !== TAG_BYTES) throw new SecretDecryptionError();
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      deriveKey('settings-encryption', secret),
      Buffer.from(iv, 'base64url'),
      { authTagLength: TAG_BYTES },
    );
    decipher.setAuthTag(authTag);
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw new SecretDecryptionError();
  }
}
