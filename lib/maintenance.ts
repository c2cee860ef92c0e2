import { and, eq, gt, inArray, isNotNull, isNull, lt, ne, notExists, or } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { auditEvents, emailOutbox, tokens, users } from '@/db/schema';
import { compactUserStateCounts } from './admin-overview';
import { recordAudit } from './audit';
import { addMs, DAY, type Clock } from './clock';
import { lockExpiredEmailChanges } from './email-change';
import { pruneWebauthnChallenges } from './passkeys';
import { prunePendingSignIns } from './pending-sign-in';
import { pruneRateLimits } from './rate-limit';
import { pruneSessions } from './sessions';
import { cachedSettings, type SettingReader } from './settings';

/**
 * Periodic work that nobody's request triggers: locking accounts whose email change lapsed, and
 * dropping rows nothing reads any more. lib/periodic.ts runs it once a minute in a long-running
 * server and from the cron route. Every step is safe to run on several instances at once: each row
 * is removed, and audited, by the one instance whose statement removed it. How long the audit trail,
 * delivered mail and unconfirmed sign-ups are kept are settings (docs/operations.md, decision 023),
 * read once per run.
 */

/** A used or expired link stays this long (support questions, "this link was already used" pages). */
export const SPENT_TOKEN_GRACE_MS = 7 * DAY;
/**
 * Failed mail is kept this many times the delivered-mail retention (setting sent_mail_retention_days),
 * for an administrator to notice and re-send it.
 */
export const FAILED_MAIL_RETENTION_FACTOR = 3;
/** Accounts removed per run: a backlog is worked off over several minutes, never in one huge statement. */
const UNCONFIRMED_BATCH = 500;
/**
 * Audit rows deleted per statement: each statement holds its locks only briefly, so a first run over
 * a year of rows never blocks the sign-ins that write new ones.
 */
export const AUDIT_PRUNE_BATCH = 5000;
/** Statements per run: a larger backlog is finished by the next runs, one minute apart. */
const AUDIT_PRUNE_MAX_BATCHES = 40;

export interface MaintenanceSummary {
  /** Accounts locked because their email change lapsed unconfirmed. */
  locked: number;
  rateLimits: number;
  sessions: number;
  tokens: number;
  mail: number;
  unconfirmedAccounts: number;
  /** Second steps of sign-in that were used or expired (lib/pending-sign-in.ts). */
  pendingSignIns: number;
  /** Passkey challenges past their five minutes (lib/passkeys.ts). */
  webauthnChallenges: number;
  auditEvents: number;
  /** Rows of user_state_changes folded into one per state (lib/admin-overview.ts). */
  userStateCounts: number;
}

export class MaintenanceError extends Error {
  constructor(
    readonly failures: { step: string; error: unknown }[],
    readonly summary: Partial<MaintenanceSummary>,
  ) {
    super(
      `maintenance failed: ${failures
        .map(({ step, error }) => `${step}: ${error instanceof Error ? error.message : String(error)}`)
        .join('; ')}`,
    );
    this.name = 'MaintenanceError';
  }
}

/**
 * Runs every step, in order: a step that fails does not stop the others (one broken query must not
 * leave the rest undone, as a session prune postgres.js refused once did). Throws MaintenanceError
 * naming the failed steps after all have run.
 */
export async function runMaintenance(db: Db, clock: Clock): Promise<MaintenanceSummary> {
  const setting = cachedSettings(db);
  const steps: [keyof MaintenanceSummary, () => Promise<number>][] = [
    // Before the token prune: it marks the lapsed change links used, which the prune then keeps for
    // the grace period.
    ['locked', () => lockExpiredEmailChanges(db, clock)],
    ['rateLimits', () => pruneRateLimits(db, clock, DAY)],
    ['sessions', () => pruneSessions(db, clock)],
    ['tokens', () => pruneTokens(db, clock)],
    ['mail', async () => pruneOutbox(db, clock, await setting('sent_mail_retention_days'))],
    ['unconfirmedAccounts', () => removeUnconfirmedAccounts(db, clock, setting)],
    ['pendingSignIns', () => prunePendingSignIns(db, clock)],
    ['webauthnChallenges', () => pruneWebauthnChallenges(db, clock)],
    // Last: the removal above writes audit rows, which are new and stay.
    ['auditEvents', async () => pruneAuditEvents(db, clock, await setting('audit_retention_days'))],
    // After the removal of unconfirmed accounts, which adds rows to fold.
    ['userStateCounts', () => compactUserStateCounts(db)],
  ];
  const summary: Partial<MaintenanceSummary> = {};
  const failures: { step: string; error: unknown }[] = [];
  for (const [step, run] of steps) {
    try {
      summary[step] = await run();
    } catch (error) {
      failures.push({ step, error });
    }
  }
  if (failures.length > 0) throw new MaintenanceError(failures, summary);
  return summary as MaintenanceSummary;
}

/**
 * Tokens used or expired more than SPENT_TOKEN_GRACE_MS ago. An unused email-change link is left to
 * lockExpiredEmailChanges, which marks it used when it locks the account; pruning it first would
 * skip that lock if the lock step ever failed.
 */
export async function pruneTokens(db: Db, clock: Clock): Promise<number> {
  const cutoff = addMs(clock.now(), -SPENT_TOKEN_GRACE_MS);
  const deleted = await db
    .delete(tokens)
    .where(
      or(
        lt(tokens.usedAt, cutoff),
        and(lt(tokens.expiresAt, cutoff), or(ne(tokens.purpose, 'change_email'), isNotNull(tokens.usedAt))),
      ),
    )
    .returning({ id: tokens.id });
  return deleted.length;
}

/**
 * Delivered mail sent more than `sentDays` ago, failed mail whose last attempt is older than
 * FAILED_MAIL_RETENTION_FACTOR times that. Queued and sending rows are never touched.
 */
export async function pruneOutbox(db: Db, clock: Clock, sentDays: number): Promise<number> {
  const now = clock.now();
  const sentCutoff = addMs(now, -sentDays * DAY);
  const failedCutoff = addMs(now, -sentDays * FAILED_MAIL_RETENTION_FACTOR * DAY);
  const deleted = await db
    .delete(emailOutbox)
    .where(
      or(
        and(eq(emailOutbox.status, 'sent'), lt(emailOutbox.sentAt, sentCutoff)),
        and(eq(emailOutbox.status, 'failed'), lt(emailOutbox.nextAttemptAt, failedCutoff)),
      ),
    )
    .returning({ id: emailOutbox.id });
  return deleted.length;
}

/**
 * Sign-ups older than the setting unconfirmed_account_retention_days whose confirmation links have
 * all expired (a resent link restarts the wait), so the link lifetime is always a floor: the address may not even be the registrant's, and the row holds a
 * username and an address hostage. Only plain, untouched rows go: never confirmed, approved, locked
 * or rejected, never an admin. Their network details leave the audit trail (as for a deleted
 * account) and `user.unconfirmed_removed` records the id alone, never the address. Sessions and
 * tokens go with the row (foreign keys cascade).
 */
export async function removeUnconfirmedAccounts(
  db: Db,
  clock: Clock,
  setting: SettingReader = cachedSettings(db),
): Promise<number> {
  const retentionDays = await setting('unconfirmed_account_retention_days');
  const now = clock.now();
  const stale = and(
    isNull(users.emailVerifiedAt),
    isNull(users.approvedAt),
    isNull(users.lockedAt),
    isNull(users.rejectedAt),
    eq(users.role, 'user'),
    lt(users.createdAt, addMs(now, -retentionDays * DAY)),
    notExists(
      db
        .select({ id: tokens.id })
        .from(tokens)
        .where(
          and(eq(tokens.userId, users.id), eq(tokens.purpose, 'verify_email'), gt(tokens.expiresAt, now)),
        ),
    ),
  );
  const candidates = await db.select({ id: users.id }).from(users).where(stale).limit(UNCONFIRMED_BATCH);
  if (candidates.length === 0) return 0;

  return db.transaction(async (tx) => {
    // The condition again: a row confirmed, or sent a new link, since it was picked stays.
    const removed = await tx
      .delete(users)
      .where(
        and(
          inArray(
            users.id,
            candidates.map((c) => c.id),
          ),
          stale,
        ),
      )
      .returning({ id: users.id });
    if (removed.length === 0) return 0;
    const ids = removed.map((r) => r.id);
    await tx
      .update(auditEvents)
      .set({ ip: null, userAgent: null })
      .where(or(inArray(auditEvents.userId, ids), inArray(auditEvents.actorId, ids)));
    for (const id of ids) {
      await recordAudit(
        tx,
        { action: 'user.unconfirmed_removed', userId: id, meta: { retentionDays } },
        clock,
      );
    }
    return removed.length;
  });
}

/**
 * Audit rows older than `retentionDays` (setting audit_retention_days, at least 30), oldest first, in
 * statements of AUDIT_PRUNE_BATCH rows. The cutoff is fixed once per run, so rows of the last
 * `retentionDays` days are never touched, whatever the batches do.
 */
export async function pruneAuditEvents(db: Db, clock: Clock, retentionDays: number): Promise<number> {
  const cutoff = addMs(clock.now(), -retentionDays * DAY);
  let total = 0;
  for (let batch = 0; batch < AUDIT_PRUNE_MAX_BATCHES; batch += 1) {
    const oldest = db
      .select({ id: auditEvents.id })
      .from(auditEvents)
      .where(lt(auditEvents.at, cutoff))
      .orderBy(auditEvents.at)
      .limit(AUDIT_PRUNE_BATCH)
      // Another instance pruning at the same moment takes other rows rather than waiting (or
      // deadlocking) on the ones this statement holds.
      .for('update', { skipLocked: true });
    const deleted = await db
      .delete(auditEvents)
      .where(and(inArray(auditEvents.id, oldest), lt(auditEvents.at, cutoff)))
      .returning({ id: auditEvents.id });
    total += deleted.length;
    if (deleted.length < AUDIT_PRUNE_BATCH) break;
  }
  return total;
}
