import { and, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { tokenPurpose, users, type User } from '@/db/schema';
import { recordAudit } from './audit';
import { DAY, type Clock } from './clock';
import { env } from './env';
import { isLocale, type Locale } from './i18n/config';
import { randomDigits } from './random';
import type { RequestContext } from './request-context';
import { revokeUserSessions } from './sessions';
import { issueToken, voidAccountLinks } from './tokens';
import { appUrl } from './urls';

/** Addresses named in ADMIN_EMAILS become administrators when they confirm their address. */
export function isBootstrapAdmin(email: string): boolean {
  return env().ADMIN_EMAILS.includes(email.toLowerCase());
}

export function userLocale(user: Pick<User, 'locale'>): Locale {
  return isLocale(user.locale) ? user.locale : 'en';
}

/** Active administrators, for mail that every admin should get. */
export async function listActiveAdmins(db: Db) {
  return db
    .select({ id: users.id, email: users.email, username: users.username, locale: users.locale })
    .from(users)
    .where(
      and(
        eq(users.role, 'admin'),
        isNotNull(users.emailVerifiedAt),
        isNotNull(users.approvedAt),
        isNull(users.lockedAt),
        isNull(users.rejectedAt),
      ),
    );
}

export type CreateAdminResult = { ok: true; userId: string; created: boolean; setPasswordUrl: string };

/**
 * `npm run admin:create -- --email …`: makes an administrator without any default password (S26).
 * An existing account is promoted: its password and recovery phrase are cleared, its sessions and
 * links end and any lock is lifted; a new one is created verified and approved. Either way a one-time
 * link, printed for the operator, is the only way to choose the password.
 */
export async function createAdmin(
  db: Db,
  input: { email: string; username?: string },
  context: RequestContext,
  clock: Clock,
): Promise<CreateAdminResult> {
  const email = input.email.trim().toLowerCase();
  return db.transaction(async (tx) => {
    const now = clock.now();
    const [existing] = await tx.select().from(users).where(eq(users.email, email)).limit(1);
    let userId: string;
    let created = false;
    if (existing) {
      // Whatever secret the row holds may not be the address owner's (a stranger's unconfirmed
      // sign-up, S56): the promoted account keeps none of it, and the link below is the only way in.
      await tx
        .update(users)
        .set({
          role: 'admin',
          passwordHash: null,
          recoveryPhraseHash: null,
          emailVerifiedAt: existing.emailVerifiedAt ?? now,
          approvedAt: existing.approvedAt ?? now,
          rejectedAt: null,
          lockedAt: null,
          lockReason: null,
          failedLoginCount: 0,
          loginThrottledUntil: null,
          updatedAt: now,
        })
        .where(eq(users.id, existing.id));
      userId = existing.id;
      const sessionsRevoked = await revokeUserSessions(tx, userId, clock);
      const linksVoided = await voidAccountLinks(tx, userId, clock, tokenPurpose.enumValues);
      await recordAudit(
        tx,
        {
          action: 'user.role_changed',
          userId,
          meta: {
            role: 'admin',
            via: 'cli',
            cleared: ['password', 'recovery_phrase'],
            sessionsRevoked,
            linksVoided,
            unlocked: existing.lockedAt !== null,
          },
          ...context,
        },
        clock,
      );
    } else {
      const username = await freeUsername(tx, input.username ?? email.split('@')[0] ?? 'admin');
      const [user] = await tx
        .insert(users)
        .values({
          email,
          username,
          role: 'admin',
          emailVerifiedAt: now,
          approvedAt: now,
          createdAt: now,
          updatedAt: now,
        })
        .returning({ id: users.id });
      userId = user!.id;
      created = true;
      await recordAudit(
        tx,
        { action: 'user.created_by_admin', userId, meta: { role: 'admin', via: 'cli' }, ...context },
        clock,
      );
    }
    const token = await issueToken(tx, {
      userId,
      purpose: 'set_password',
      ttlMs: DAY,
      clock,
      voidPrevious: true,
    });
    return { ok: true, userId, created, setPasswordUrl: appUrl('/set-password', { token: token.token }) };
  });
}

/** A username derived from `wanted` that nobody has yet ("ada", then "ada-4821"…). */
export async function freeUsername(db: Db, wanted: string): Promise<string> {
  const base =
    wanted
      .replace(/[^A-Za-z0-9_.-]/g, '')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 24) || 'user';
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const candidate = attempt === 0 && base.length >= 3 ? base : `${base}-${randomDigits(4)}`;
    const [taken] = await db
      .select({ id: users.id })
      .from(users)
      .where(eq(sql`lower(${users.username})`, candidate.toLowerCase()))
      .limit(1);
    if (!taken) return candidate;
  }
  throw new Error('could not find a free username');
}
