import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret, SecretDecryptionError } from './secrets';

const KEY = 'secrets-test-secret-secrets-test-secret';

function withTag(box: string, change: (tag: Buffer) => Buffer): string {
  const [version, iv, tag, data] = box.split('.');
  return [version, iv, change(Buffer.from(tag!, 'base64url')).toString('base64url'), data].join('.');
}

describe('secrets at rest (S53)', () => {
  it('S53: a secret round-trips under its key, and another key cannot read it', () => {
    const box = encryptSecret('smtp-password', KEY);
    expect(decryptSecret(box, KEY)).toBe('smtp-password');
    expect(() => decryptSecret(box, `${KEY}-other`)).toThrow(SecretDecryptionError);
  });

  it('S53: a truncated GCM tag is refused, not checked on its first bytes only', () => {
    const box = encryptSecret('smtp-password', KEY);
    // GCM accepts 4- to 16-byte tags unless told its length; the first 4 bytes of the right tag would
    // pass, and 32 bits can be guessed.
    for (const bytes of [4, 8, 12, 15]) {
      expect(() =>
        decryptSecret(
          withTag(box, (tag) => tag.subarray(0, bytes)),
          KEY,
        ),
      ).toThrow(SecretDecryptionError);
    }
    expect(() =>
      decryptSecret(
        withTag(box, (tag) => Buffer.concat([tag, Buffer.from([0])])),
        KEY,
      ),
    ).toThrow(SecretDecryptionError);
  });
});
