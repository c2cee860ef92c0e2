import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { sessions } from '@/db/schema';
import { recordAudit } from './audit';
import type { Clock } from './clock';
import type { RequestContext } from './request-context';

/**
 * Signing out ends the session row, not just the cookie: a copy of the cookie is dead from then on
 * (S51, S58). Every way out goes through here: the /logout button and Auth.js's own
 * POST /api/auth/signout (lib/web/auth.ts, events.signOut). Signing out of a session that has
 * already ended changes nothing and records nothing.
 */
export async function logOut(
  db: Db,
  input: { sessionId: unknown },
  context: RequestContext,
  clock: Clock,
): Promise<{ ended: boolean }> {
  const { sessionId } = input;
  if (typeof sessionId !== 'string' || sessionId.length !== 43) return { ended: false };
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(sessions)
      .set({ revokedAt: clock.now() })
      .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
      .returning({ userId: sessions.userId });
    if (!row) return { ended: false };
    await recordAudit(tx, { action: 'logout', userId: row.userId, actorId: row.userId, ...context });
    return { ended: true };
  });
}
