import 'server-only';
import type { ReauthInput } from '@/lib/reauth';
import { authenticationResponseSchema, webauthnResponseField } from '@/lib/validation/passkeys';
import { takeWebauthnHandle } from './webauthn-cookie';

const responseField = webauthnResponseField(authenticationResponseSchema);

/**
 * A sensitive form's proof as the flow takes it: the passkey's answer (with the challenge handle
 * from this browser's cookie, taken once) when the form carries one, else the password. Undefined
 * for an answer that is not one: the form says the passkey was refused.
 */
export async function reauthInputOf(fields: {
  currentPassword?: string;
  passkeyProof?: string;
}): Promise<ReauthInput | undefined> {
  if (!fields.passkeyProof) return { currentPassword: fields.currentPassword ?? '' };
  const handle = await takeWebauthnHandle();
  const parsed = responseField.safeParse(fields.passkeyProof);
  return parsed.success ? { passkey: { handle, response: parsed.data } } : undefined;
}
