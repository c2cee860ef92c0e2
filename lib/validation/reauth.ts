import { z } from 'zod';
import { MAX_WEBAUTHN_RESPONSE_LENGTH } from './passkeys';

/**
 * The forms of sensitive changes take the current password or, with JavaScript and a passkey, the
 * passkey's answer instead (lib/reauth.ts): `passkeyProof` carries the answer as JSON text, and the
 * password is then not required.
 */
export const passkeyProofField = z.string().max(MAX_WEBAUTHN_RESPONSE_LENGTH).optional();

/** The current password, optional here: `hasPasswordOrPasskey` says when it must be there. */
export const optionalCurrentPassword = z.string().max(4096, { error: 'form.errors.required' }).optional();

export function hasPasswordOrPasskey(value: { currentPassword?: string; passkeyProof?: string }): boolean {
  return Boolean(value.passkeyProof || value.currentPassword);
}

/** For `.refine(hasPasswordOrPasskey, PASSWORD_REQUIRED)`: the error goes beside the password field. */
export const PASSWORD_REQUIRED = {
  path: ['currentPassword'],
  error: 'form.errors.required',
  // Checked even when another field is wrong, so that the form names every missing field at once.
  when: (payload: { value: unknown }) => typeof payload.value === 'object' && payload.value !== null,
};
