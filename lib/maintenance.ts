import type { Db } from '@/db/client';
import { DAY, type Clock } from './clock';
import { lockExpiredEmailChanges } from './email-change';
import { pruneRateLimits } from './rate-limit';
import { pruneSessions } from './sessions';

/**
 * Periodic work that nobody's request triggers: locking accounts whose email change lapsed, and
 * dropping rows nothing reads any more. Safe to run on several instances at once.
 */
export async function runMaintenance(db: Db, clock: Clock): Promise<{ locked: number }> {
  const locked = await lockExpiredEmailChanges(db, clock);
  await pruneRateLimits(db, clock, DAY);
  await pruneSessions(db, clock);
  return { locked };
}
