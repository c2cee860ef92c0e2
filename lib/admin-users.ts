import { and, desc, isNotNull, isNull } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users } from '@/db/schema';

/** Accounts whose address is confirmed and that wait for an admin, oldest first. */
export async function listPendingUsers(db: Db, limit = 100) {
  return db
    .select()
    .from(users)
    .where(and(isNotNull(users.emailVerifiedAt), isNull(users.approvedAt), isNull(users.rejectedAt)))
    .orderBy(users.createdAt)
    .limit(limit);
}

/** The newest accounts; the full search and paging come with the admin area. */
export async function listRecentUsers(db: Db, limit = 100) {
  return db.select().from(users).orderBy(desc(users.createdAt)).limit(limit);
}
