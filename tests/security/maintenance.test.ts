import { createHash, randomBytes } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  auditEvents,
  emailOutbox,
  pendingSignIns,
  rateLimits,
  sessions,
  settings,
  tokens,
  users,
  webauthnChallenges,
  type NewUser,
  type TokenPurpose,
} from '@/db/schema';
import { recordAudit } from '@/lib/audit';
import { addMs, DAY, HOUR, ManualClock } from '@/lib/clock';
import {
  AUDIT_PRUNE_BATCH,
  FAILED_MAIL_RETENTION_FACTOR,
  pruneAuditEvents,
  pruneTokens,
  runMaintenance,
  SPENT_TOKEN_GRACE_MS,
} from '@/lib/maintenance';
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from '@/lib/sessions';
import { getSetting, setSetting } from '@/lib/settings';
import { setUpTestDatabase } from '@/tests/helpers/test-db';
import { createTestUser } from '@/tests/helpers/users';

/**
 * The periodic maintenance on both drivers (run this file with TEST_DATABASE_URL too): rows of each
 * kind past their limit go, younger ones stay, and a run on Postgres does not throw. Before, a JS Date
 * in a raw sql`` template made postgres.js refuse the session prune, so every run failed there and
 * nothing after it ran.
 */

const t = setUpTestDatabase();
const clock = new ManualClock(new Date('2026-11-20T12:00:00Z'));
const now = () => clock.now();
const ago = (ms: number) => addMs(now(), -ms);

async function sessionRow(userId: string, over: Partial<typeof sessions.$inferInsert>) {
  const id = randomBytes(32).toString('base64url');
  await t.db.insert(sessions).values({
    id,
    userId,
    createdAt: ago(HOUR),
    lastSeenAt: ago(HOUR),
    expiresAt: addMs(now(), SESSION_ABSOLUTE_MS),
    ...over,
  });
  return id;
}

async function tokenRow(userId: string, purpose: TokenPurpose, over: Partial<typeof tokens.$inferInsert>) {
  const [row] = await t.db
    .insert(tokens)
    .values({
      userId,
      purpose,
      tokenHash: createHash('sha256').update(randomBytes(32)).digest('hex'),
      expiresAt: addMs(now(), HOUR),
      createdAt: ago(HOUR),
      ...over,
    })
    .returning({ id: tokens.id });
  return row!.id;
}

async function mailRow(over: Partial<typeof emailOutbox.$inferInsert>) {
  const [row] = await t.db
    .insert(emailOutbox)
    .values({
      to: 'someone@example.com',
      template: 'welcome',
      locale: 'en',
      subject: 'Welcome',
      html: '<p>hi</p>',
      text: 'hi',
      ...over,
    })
    .returning({ id: emailOutbox.id });
  return row!.id;
}

/** An account that signed up `age` ago and never confirmed its address. */
async function unconfirmed(username: string, age: number, over: Partial<NewUser> = {}) {
  return createTestUser(t.db, clock, username, {
    emailVerifiedAt: null,
    approvedAt: null,
    createdAt: ago(age),
    updatedAt: ago(age),
    ...over,
  });
}

const exists = async (table: typeof sessions | typeof tokens | typeof emailOutbox, id: string) =>
  (await t.db.select({ id: table.id }).from(table).where(eq(table.id, id))).length === 1;
const auditExists = async (id: number) =>
  (await t.db.select({ id: auditEvents.id }).from(auditEvents).where(eq(auditEvents.id, id))).length === 1;
/** An audit row written `at`, as the flows write them. */
async function auditRow(action: string, at: Date) {
  const [row] = await t.db.insert(auditEvents).values({ action, at }).returning({ id: auditEvents.id });
  return row!.id;
}
const userExists = async (id: string) =>
  (await t.db.select({ id: users.id }).from(users).where(eq(users.id, id))).length === 1;

describe('maintenance', () => {
  it('S51: sessions that can never be live again go a day after they ended; live ones stay (Postgres too)', async () => {
    const user = await createTestUser(t.db, clock, 'sessions-owner');
    const expiredLongAgo = await sessionRow(user.id, { expiresAt: ago(DAY + HOUR) });
    const expiredJustNow = await sessionRow(user.id, { expiresAt: ago(HOUR) });
    const revokedLongAgo = await sessionRow(user.id, { revokedAt: ago(DAY + HOUR) });
    const revokedJustNow = await sessionRow(user.id, { revokedAt: ago(HOUR) });
    const idleLongAgo = await sessionRow(user.id, { lastSeenAt: ago(SESSION_IDLE_MS + DAY + HOUR) });
    const live = await sessionRow(user.id, {});

    const summary = await runMaintenance(t.db, clock);

    expect(summary.sessions).toBe(3);
    expect(await exists(sessions, expiredLongAgo)).toBe(false);
    expect(await exists(sessions, revokedLongAgo)).toBe(false);
    expect(await exists(sessions, idleLongAgo)).toBe(false);
    expect(await exists(sessions, expiredJustNow)).toBe(true);
    expect(await exists(sessions, revokedJustNow)).toBe(true);
    expect(await exists(sessions, live)).toBe(true);
  });

  it('used and expired tokens go after the grace period; live and recent ones stay', async () => {
    const user = await createTestUser(t.db, clock, 'tokens-owner');
    const past = SPENT_TOKEN_GRACE_MS + HOUR;
    const usedLongAgo = await tokenRow(user.id, 'reset_password', {
      usedAt: ago(past),
      createdAt: ago(past),
    });
    const expiredLongAgo = await tokenRow(user.id, 'verify_email', {
      expiresAt: ago(past),
      createdAt: ago(past + DAY),
    });
    const usedRecently = await tokenRow(user.id, 'reset_password', { usedAt: ago(HOUR) });
    const expiredRecently = await tokenRow(user.id, 'cancel_email_change', { expiresAt: ago(HOUR) });
    const live = await tokenRow(user.id, 'set_password', {});

    const summary = await runMaintenance(t.db, clock);

    expect(summary.tokens).toBe(2);
    expect(await exists(tokens, usedLongAgo)).toBe(false);
    expect(await exists(tokens, expiredLongAgo)).toBe(false);
    expect(await exists(tokens, usedRecently)).toBe(true);
    expect(await exists(tokens, expiredRecently)).toBe(true);
    expect(await exists(tokens, live)).toBe(true);
  });

  it('a lapsed email change is locked before its link is pruned, and the prune alone never skips that lock', async () => {
    await setSetting(t.db, 'lock_on_unconfirmed_email_change', true);
    const user = await createTestUser(t.db, clock, 'lapsed-owner');
    const long = SPENT_TOKEN_GRACE_MS + HOUR;
    const lapsed = await tokenRow(user.id, 'change_email', {
      newEmail: 'elsewhere@example.net',
      expiresAt: ago(long),
    });
    // The prune on its own (had the lock step failed) leaves an unprocessed change link alone.
    expect(await pruneTokens(t.db, clock)).toBe(0);
    expect(await exists(tokens, lapsed)).toBe(true);

    const summary = await runMaintenance(t.db, clock);

    expect(summary.locked).toBe(1);
    const [row] = await t.db.select().from(users).where(eq(users.id, user.id));
    expect(row!.lockedAt).not.toBeNull();
    expect(await exists(tokens, lapsed)).toBe(false);
  });

  it.each([30, 3])(
    'delivered mail goes after sent_mail_retention_days (%i), failed mail after three times that; queued mail stays',
    async (days) => {
      await setSetting(t.db, 'sent_mail_retention_days', days);
      const sent = days * DAY;
      const failed = FAILED_MAIL_RETENTION_FACTOR * sent;
      const sentOld = await mailRow({ status: 'sent', sentAt: ago(sent + HOUR) });
      const sentRecent = await mailRow({ status: 'sent', sentAt: ago(sent - HOUR) });
      // A failed row's last attempt is its next_attempt_at (an admin's re-send moves it).
      const failedOld = await mailRow({ status: 'failed', nextAttemptAt: ago(failed + HOUR) });
      const failedRecent = await mailRow({ status: 'failed', nextAttemptAt: ago(failed - HOUR) });
      const queuedOld = await mailRow({
        status: 'queued',
        createdAt: ago(failed + HOUR),
        nextAttemptAt: ago(failed + HOUR),
      });

      const summary = await runMaintenance(t.db, clock);

      expect(summary.mail).toBe(2);
      expect(await exists(emailOutbox, sentOld)).toBe(false);
      expect(await exists(emailOutbox, failedOld)).toBe(false);
      expect(await exists(emailOutbox, sentRecent)).toBe(true);
      expect(await exists(emailOutbox, failedRecent)).toBe(true);
      expect(await exists(emailOutbox, queuedOld)).toBe(true);
      await t.db.delete(emailOutbox);
    },
  );

  it('the default retentions: 30 days of delivered mail, 90 of failed, a year of audit log', async () => {
    await t.db.delete(settings);
    expect(await getSetting(t.db, 'sent_mail_retention_days')).toBe(30);
    expect(FAILED_MAIL_RETENTION_FACTOR * 30).toBe(90);
    expect(await getSetting(t.db, 'audit_retention_days')).toBe(365);
    expect(await getSetting(t.db, 'unconfirmed_account_retention_days')).toBe(1);
    const sentOld = await mailRow({ status: 'sent', sentAt: ago(30 * DAY + HOUR) });
    const sentRecent = await mailRow({ status: 'sent', sentAt: ago(30 * DAY - HOUR) });
    const auditOld = await auditRow('maintenance.default-old', ago(365 * DAY + HOUR));
    const auditRecent = await auditRow('maintenance.default-recent', ago(365 * DAY - HOUR));

    await runMaintenance(t.db, clock);

    expect(await exists(emailOutbox, sentOld)).toBe(false);
    expect(await exists(emailOutbox, sentRecent)).toBe(true);
    expect(await auditExists(auditOld)).toBe(false);
    expect(await auditExists(auditRecent)).toBe(true);
  });

  it('S55: audit rows older than audit_retention_days go; rows of the last N days never do', async () => {
    await setSetting(t.db, 'audit_retention_days', 30);
    const old = await auditRow('maintenance.audit-old', ago(30 * DAY + HOUR));
    const recent = await auditRow('maintenance.audit-recent', ago(30 * DAY - HOUR));
    const fresh = await auditRow('maintenance.audit-fresh', ago(HOUR));

    const summary = await runMaintenance(t.db, clock);

    expect(summary.auditEvents).toBeGreaterThanOrEqual(1);
    expect(await auditExists(old)).toBe(false);
    expect(await auditExists(recent)).toBe(true);
    expect(await auditExists(fresh)).toBe(true);

    // A longer setting keeps what the shorter one would have removed.
    await setSetting(t.db, 'audit_retention_days', 90);
    const keptNow = await auditRow('maintenance.audit-kept', ago(60 * DAY));
    expect((await runMaintenance(t.db, clock)).auditEvents).toBe(0);
    expect(await auditExists(keptNow)).toBe(true);
    await t.db.delete(settings).where(eq(settings.key, 'audit_retention_days'));
  });

  it('a backlog larger than one batch is deleted in batches, and the last N days stay whole', async () => {
    const backlog = AUDIT_PRUNE_BATCH * 2 + 7;
    // One statement for the backlog: generate_series keeps the fixture fast on both drivers.
    await t.db.execute(sql`
      insert into audit_events (at, action)
      select ${ago(400 * DAY).toISOString()}::timestamptz + (n * interval '1 second'), 'maintenance.backlog'
      from generate_series(1, ${backlog}) as n`);
    const recent = await auditRow('maintenance.backlog-recent', ago(365 * DAY - HOUR));

    const removed = await pruneAuditEvents(t.db, clock, 365);

    expect(removed).toBe(backlog);
    const left = await t.db
      .select({ id: auditEvents.id })
      .from(auditEvents)
      .where(eq(auditEvents.action, 'maintenance.backlog'));
    expect(left).toHaveLength(0);
    expect(await auditExists(recent)).toBe(true);
  });

  it.each([1, 7])(
    'unconfirmed_account_retention_days (%i): a sign-up just older goes once its link expired, one just younger stays',
    async (days) => {
      await setSetting(t.db, 'unconfirmed_account_retention_days', days);
      const older = await unconfirmed(`older-${days}`, days * DAY + HOUR);
      await tokenRow(older.id, 'verify_email', { expiresAt: ago(HOUR), createdAt: ago(days * DAY + HOUR) });
      const younger = await unconfirmed(`younger-${days}`, days * DAY - HOUR);
      await tokenRow(younger.id, 'verify_email', { expiresAt: ago(2 * HOUR), createdAt: ago(DAY) });
      // Older than the setting, but its link still works: the link lifetime is a floor.
      const linkLive = await unconfirmed(`live-link-${days}`, days * DAY + HOUR);
      await tokenRow(linkLive.id, 'verify_email', { expiresAt: addMs(now(), HOUR) });

      const summary = await runMaintenance(t.db, clock);

      expect(summary.unconfirmedAccounts).toBe(1);
      expect(await userExists(older.id)).toBe(false);
      expect(await userExists(younger.id)).toBe(true);
      expect(await userExists(linkLive.id)).toBe(true);
      const [audit] = await t.db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.userId, older.id), eq(auditEvents.action, 'user.unconfirmed_removed')));
      expect(audit!.meta).toEqual({ retentionDays: days });
      await t.db.delete(users).where(inArray(users.id, [younger.id, linkLive.id]));
      await t.db.delete(settings).where(eq(settings.key, 'unconfirmed_account_retention_days'));
    },
  );

  it('unconfirmed accounts past the verification lifetime are removed and audited without their address', async () => {
    await setSetting(t.db, 'verify_email_ttl_minutes', 60 * 24);
    const ttl = DAY;
    const stale = await unconfirmed('stale-signup', ttl + HOUR);
    await recordAudit(
      t.db,
      { action: 'user.registered', userId: stale.id, actorId: stale.id, ip: '203.0.113.9', userAgent: 'ua' },
      clock,
    );
    await tokenRow(stale.id, 'verify_email', { expiresAt: ago(HOUR), createdAt: ago(ttl + HOUR) });
    const young = await unconfirmed('young-signup', ttl - HOUR);
    // A resent link restarts the clock: the account stays while its newest link lives.
    const resent = await unconfirmed('resent-signup', ttl + HOUR);
    await tokenRow(resent.id, 'verify_email', { expiresAt: addMs(now(), HOUR) });
    // Accounts an admin has acted on, or that confirmed, are never swept.
    const lockedOld = await unconfirmed('locked-signup', ttl + HOUR, { lockedAt: ago(HOUR) });
    const rejectedOld = await unconfirmed('rejected-signup', ttl + HOUR, { rejectedAt: ago(HOUR) });
    const adminOld = await unconfirmed('admin-signup', ttl + HOUR, { role: 'admin' });
    const pendingOld = await unconfirmed('pending-signup', ttl + HOUR, { emailVerifiedAt: ago(ttl) });

    const summary = await runMaintenance(t.db, clock);

    expect(summary.unconfirmedAccounts).toBe(1);
    expect(await userExists(stale.id)).toBe(false);
    for (const kept of [young, resent, lockedOld, rejectedOld, adminOld, pendingOld]) {
      expect(await userExists(kept.id)).toBe(true);
    }
    const trail = await t.db.select().from(auditEvents).where(eq(auditEvents.userId, stale.id));
    const removed = trail.filter((e) => e.action === 'user.unconfirmed_removed');
    expect(removed).toHaveLength(1);
    expect(removed[0]!.actorId).toBeNull();
    expect(JSON.stringify(trail)).not.toContain(stale.email);
    expect(JSON.stringify(trail)).not.toContain('203.0.113.9');
    // Its address is free again: a new sign-up with it is a new account.
    await createTestUser(t.db, clock, 'stale-signup');
  });

  it('old rate-limit windows and audit rows go, and a second instance running at the same moment changes nothing', async () => {
    await t.db.insert(rateLimits).values([
      { key: 'maintenance.test:old', windowStart: ago(2 * DAY), count: 3 },
      { key: 'maintenance.test:new', windowStart: ago(HOUR), count: 3 },
    ]);
    const user = await createTestUser(t.db, clock, 'twice-owner');
    const doomed = await sessionRow(user.id, { expiresAt: ago(2 * DAY) });
    const gone = await unconfirmed('twice-signup', 2 * DAY);
    const oldAudit = await auditRow('maintenance.twice-old', ago(400 * DAY));

    const [a, b] = await Promise.all([runMaintenance(t.db, clock), runMaintenance(t.db, clock)]);

    expect(a.sessions + b.sessions).toBe(1);
    expect(a.auditEvents + b.auditEvents).toBe(1);
    expect(await auditExists(oldAudit)).toBe(false);
    expect(a.unconfirmedAccounts + b.unconfirmedAccounts).toBe(1);
    expect(await exists(sessions, doomed)).toBe(false);
    expect(await userExists(gone.id)).toBe(false);
    const audit = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.userId, gone.id), eq(auditEvents.action, 'user.unconfirmed_removed')));
    expect(audit).toHaveLength(1);
    const left = await t.db
      .select({ key: rateLimits.key })
      .from(rateLimits)
      .where(inArray(rateLimits.key, ['maintenance.test:old', 'maintenance.test:new']));
    expect(left).toEqual([{ key: 'maintenance.test:new' }]);
  });

  it('used and expired pending sign-ins and stale passkey challenges go; live ones stay', async () => {
    const user = await createTestUser(t.db, clock, 'pending-owner');
    const pending = (tokenHash: string, over: Partial<typeof pendingSignIns.$inferInsert>) =>
      t.db
        .insert(pendingSignIns)
        .values({
          userId: user.id,
          tokenHash,
          expiresAt: addMs(now(), 5 * 60_000),
          createdAt: now(),
          ...over,
        })
        .returning({ id: pendingSignIns.id })
        .then(([row]) => row!.id);
    const live = await pending('maintenance-live', {});
    const used = await pending('maintenance-used', { usedAt: now() });
    const expired = await pending('maintenance-expired', { expiresAt: ago(1000) });
    const challenge = (handleHash: string, expiresAt: Date) =>
      t.db.insert(webauthnChallenges).values({
        handleHash,
        purpose: 'verify_user',
        challenge: 'c',
        userId: user.id,
        expiresAt,
        createdAt: now(),
      });
    await challenge('maintenance-stale', ago(1000));
    await challenge('maintenance-fresh', addMs(now(), 60_000));

    const summary = await runMaintenance(t.db, clock);

    expect(summary.pendingSignIns).toBe(2);
    expect(summary.webauthnChallenges).toBe(1);
    const left = await t.db
      .select({ id: pendingSignIns.id })
      .from(pendingSignIns)
      .where(inArray(pendingSignIns.id, [live, used, expired]));
    expect(left).toEqual([{ id: live }]);
    const challenges = await t.db
      .select({ handleHash: webauthnChallenges.handleHash })
      .from(webauthnChallenges)
      .where(inArray(webauthnChallenges.handleHash, ['maintenance-stale', 'maintenance-fresh']));
    expect(challenges).toEqual([{ handleHash: 'maintenance-fresh' }]);
  });
});
