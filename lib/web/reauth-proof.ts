import 'server-only';
import type { ReauthInput } from '@/lib/reauth';
import { authenticationResponseSchema, webauthnResponseField } from '@/lib/validation/passkeys';
import { takeWebauthnHandle } from './webauthn-cookie';

const responseField = webauthnResponseField(authenticationResponseSchema);

/**
 * A sensitive form's proof as the flow takes it: a typed password when there is one (a passkey answer
 * left in the form from an earlier try must not stand in its way), else the passkey's answer with the
 * challenge handle from this browser's cookie, taken once. Undefined for an answer that is not one:
 * the form says the passkey was refused.
 */
export async function reauthInputOf(fields: {
  currentPassword?: string;
  passkeyProof?: string;
}): Promise<ReauthInput | undefined> {
  if (fields.currentPassword || !fields.passkeyProof)
    return { currentPassword: fields.currentPassword ?? '' };
  const handle = await takeWebauthnHandle();
  const parsed = responseField.safeParse(fields.passkeyProof);
  return parsed.success ? { passkey: { handle, response: parsed.data } } : undefined;
}
