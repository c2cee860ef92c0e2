'use server';

import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { beginPasskeyVerification } from '@/lib/passkeys';
import { setWebauthnHandle } from '@/lib/web/webauthn-cookie';
import { requireUser } from '@/lib/web/session';

/**
 * A challenge for confirming a sensitive change with one of the signed-in person's passkeys (their
 * own only), its handle in this browser's WebAuthn cookie. Null when they have none.
 */
export async function beginReauthPasskeyAction(): Promise<PublicKeyCredentialRequestOptionsJSON | null> {
  const { user } = await requireUser();
  const begun = await beginPasskeyVerification(await getDb(), { userId: user.id }, systemClock);
  if ('code' in begun) return null;
  await setWebauthnHandle(begun.handle);
  return begun.options;
}
