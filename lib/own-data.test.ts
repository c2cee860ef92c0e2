import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditEvents, emailOutbox, sessions, tokens } from '@/db/schema';
import { recordAudit } from '@/lib/audit';
import { ManualClock, MINUTE } from '@/lib/clock';
import { enqueueMail } from '@/lib/mail/outbox';
import { exportOwnData, listOwnActivity, parseActivityCursor } from '@/lib/own-data';
import { issueToken } from '@/lib/tokens';
import { setUpTestDatabase } from '@/tests/helpers/test-db';
import { createTestUser } from '@/tests/helpers/users';

const t = setUpTestDatabase();
const clock = new ManualClock(new Date('2026-12-04T12:00:00Z'));
const own = {
  ip: '198.51.100.7',
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
};
const adminSide = { ip: '203.0.113.99', userAgent: 'AdminBrowser/1.0' };

describe('own activity', () => {
  it('shows the person’s own events, names an admin only as "administrator", and pages by cursor', async () => {
    const ada = await createTestUser(t.db, clock, 'act_ada');
    const admin = await createTestUser(t.db, clock, 'act_admin', { role: 'admin' });
    const other = await createTestUser(t.db, clock, 'act_other');
    await recordAudit(t.db, { action: 'login.failed', userId: ada.id, ...own }, clock);
    await recordAudit(t.db, { action: 'password.changed', userId: ada.id, actorId: ada.id, ...own }, clock);
    await recordAudit(
      t.db,
      { action: 'user.locked', userId: ada.id, actorId: admin.id, ...adminSide },
      clock,
    );
    await recordAudit(t.db, { action: 'login.failed', userId: other.id, ...own }, clock);
    // Not security activity of hers: another person's sign-up attempt with her address.
    await recordAudit(t.db, { action: 'registration.duplicate', userId: ada.id, ...adminSide }, clock);

    const first = await listOwnActivity(t.db, { userId: ada.id, pageSize: 2 });
    expect(first.entries.map((e) => e.action)).toEqual(['user.locked', 'password.changed']);
    expect(first.entries[0]).toMatchObject({ by: 'administrator', ip: null, device: null });
    expect(first.entries[1]).toMatchObject({
      by: 'self',
      ip: own.ip,
      device: { browser: 'Firefox', os: 'Linux' },
    });
    expect(first.nextBefore).not.toBeNull();
    const second = await listOwnActivity(t.db, { userId: ada.id, pageSize: 2, before: first.nextBefore! });
    expect(second.entries.map((e) => e.action)).toEqual(['login.failed']);
    expect(second.nextBefore).toBeNull();
    expect(JSON.stringify([first, second])).not.toContain(admin.id);
    expect(JSON.stringify([first, second])).not.toContain(adminSide.ip);
  });

  it('a cursor is a positive whole number or nothing', () => {
    expect(parseActivityCursor('42')).toBe(42);
    for (const bad of ['0', '-1', '1e3', 'abc', '', undefined, ['1'], '9'.repeat(30)]) {
      expect(parseActivityCursor(bad)).toBeUndefined();
    }
  });
});

describe('own data export', () => {
  it('holds profile, settings, sessions, activity and mail metadata, and no secret', async () => {
    const bea = await createTestUser(t.db, clock, 'exp_bea', {
      fullName: 'Béa Export',
      timezone: 'Europe/Paris',
      recoveryPhraseHash: '$argon2id$v=19$m=19456,t=2,p=1$phrasehashphrasehash',
    });
    const admin = await createTestUser(t.db, clock, 'exp_admin', { role: 'admin' });
    await t.db.insert(sessions).values({
      id: 'session-id-that-must-not-leak-0123456789abcdef',
      userId: bea.id,
      expiresAt: new Date(clock.now().getTime() + 60 * MINUTE),
      ip: own.ip,
      userAgent: own.userAgent,
    });
    const reset = await issueToken(t.db, {
      userId: bea.id,
      purpose: 'reset_password',
      ttlMs: 60 * MINUTE,
      clock,
      withCode: true,
    });
    await enqueueMail(t.db, {
      to: bea.email,
      template: 'reset-password',
      locale: 'en',
      props: {
        username: bea.username,
        resetUrl: `https://accounts.example.test/reset-password?token=${reset.token}`,
        code: reset.code!,
        expiresInMinutes: 60,
      },
      clock,
    });
    await recordAudit(
      t.db,
      { action: 'user.unlocked', userId: bea.id, actorId: admin.id, ...adminSide },
      clock,
    );

    const result = await exportOwnData(t.db, { userId: bea.id }, own, clock);
    if (!result.ok) throw new Error('no export');
    const { data } = result;
    expect(data.profile).toMatchObject({
      username: 'exp_bea',
      fullName: 'Béa Export',
      hasRecoveryPhrase: true,
    });
    expect(data.settings.timezone).toBe('Europe/Paris');
    expect(data.sessions).toHaveLength(1);
    expect(data.mails).toEqual([
      expect.objectContaining({ template: 'reset-password', subject: expect.any(String) }),
    ]);
    expect(data.activity.map((a) => a.action)).toEqual(['user.unlocked', 'account.data_exported']);
    expect(data.activity[0]).toMatchObject({ by: 'administrator', ip: null, userAgent: null });

    const text = JSON.stringify(data);
    const [user] = await t.db.select({ hash: tokens.tokenHash }).from(tokens).where(eq(tokens.id, reset.id));
    for (const secret of [
      reset.token,
      reset.code!,
      user!.hash,
      bea.passwordHash!,
      '$argon2',
      'session-id-that-must-not-leak',
      admin.id,
      admin.email,
      adminSide.ip,
    ]) {
      expect(text).not.toContain(secret);
    }
    const [outbox] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.to, bea.email));
    expect(text).not.toContain(outbox!.html!.slice(0, 200));
    const exported = await t.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, 'account.data_exported'));
    expect(exported).toEqual([expect.objectContaining({ userId: bea.id, actorId: bea.id, ip: own.ip })]);
  });
});
