import { z } from 'zod';
import { MAX_WEBAUTHN_RESPONSE_LENGTH } from './passkeys';

/**
 * The forms of sensitive changes take the current password or, with JavaScript and a passkey, the
 * passkey's answer instead (lib/reauth.ts): `passkeyProof` carries the answer as JSON text, and the
 * password is then not required.
 */
export const passkeyProofField = z.string().max(MAX_WEBAUTHN_RESPONSE_LENGTH).optional();

/** The current password, optional here: `requirePasswordUnlessPasskey` says when it must be there. */
export const optionalCurrentPassword = z.string().max(4096, { error: 'form.errors.required' }).optional();

export function requirePasswordUnlessPasskey(
  value: { currentPassword?: string; passkeyProof?: string },
  ctx: z.RefinementCtx,
): void {
  if (value.passkeyProof || value.currentPassword) return;
  ctx.addIssue({ code: 'custom', path: ['currentPassword'], message: 'form.errors.required' });
}
