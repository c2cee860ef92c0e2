'use server';

import { getDb } from '@/db/client';
import { recordAudit } from '@/lib/audit';
import { systemClock } from '@/lib/clock';
import { revokeSession } from '@/lib/sessions';
import { signOut } from '@/lib/web/auth';
import { requestContext } from '@/lib/web/request-info';
import { currentSession } from '@/lib/web/session';

/** Ends the session row first, so the cookie is dead even if a copy of it survives somewhere (S51). */
export async function logout(): Promise<void> {
  const session = await currentSession();
  if (session) {
    const db = await getDb();
    await revokeSession(db, session.sid, systemClock);
    await recordAudit(db, {
      action: 'logout',
      userId: session.user.id,
      actorId: session.user.id,
      ...(await requestContext()),
    });
  }
  await signOut({ redirectTo: '/login?signedOut=1' });
}
