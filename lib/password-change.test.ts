import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditEvents, emailOutbox, users } from '@/db/schema';
import { ManualClock } from '@/lib/clock';
import { logIn } from '@/lib/login';
import { changePassword } from '@/lib/password-change';
import { createSession, revokeSession, validateSession } from '@/lib/sessions';
import { setSetting } from '@/lib/settings';
import { linksIn } from '@/tests/helpers/smtp-catcher';
import { setUpMailbox } from '@/tests/helpers/mail';
import { setUpTestDatabase } from '@/tests/helpers/test-db';
import { createTestUser, TEST_PASSWORD } from '@/tests/helpers/users';

const t = setUpTestDatabase();
const mailbox = setUpMailbox();
const clock = new ManualClock(new Date());
const NEW_PASSWORD = 'violet kettle marching sideways';
let octet = 0;
const ctx = () => ({ ip: `192.0.2.${(octet += 1)}`, userAgent: 'vitest' });

const makeUser = (username: string) => createTestUser(t.db, clock, username);

const userRow = async (id: string) => (await t.db.select().from(users).where(eq(users.id, id)))[0]!;
const outboxTo = (email: string) => t.db.select().from(emailOutbox).where(eq(emailOutbox.to, email));
const auditOf = (userId: string) => t.db.select().from(auditEvents).where(eq(auditEvents.userId, userId));

describe('password change', () => {
  it('S40: wrong current password changes nothing and counts an attempt', async () => {
    const user = await makeUser('wrong-current');
    const sessionId = await createSession(t.db, user.id, ctx(), clock);
    const other = await createSession(t.db, user.id, ctx(), clock);

    const result = await changePassword(
      t.db,
      { userId: user.id, sessionId, currentPassword: 'not my password at all', newPassword: NEW_PASSWORD },
      ctx(),
      clock,
    );

    expect(result).toEqual({ ok: false, code: 'wrong_password' });
    const row = await userRow(user.id);
    expect(row.passwordHash).toBe(user.passwordHash);
    expect(row.failedLoginCount).toBe(1);
    expect(await validateSession(t.db, sessionId, clock)).toBeTruthy();
    expect(await validateSession(t.db, other, clock)).toBeTruthy();
    expect(await outboxTo(user.email)).toHaveLength(0);
    const actions = (await auditOf(user.id)).map((e) => [e.action, e.meta]);
    expect(actions).toEqual([['login.failed', { reason: 'reauthentication' }]]);
  });

  it('S37: other sessions revoked, this one kept under a new id (S48)', async () => {
    const user = await makeUser('rotating');
    const here = await createSession(t.db, user.id, ctx(), clock);
    const laptop = await createSession(t.db, user.id, ctx(), clock);
    const phone = await createSession(t.db, user.id, ctx(), clock);
    await t.db.update(users).set({ failedLoginCount: 3 }).where(eq(users.id, user.id));

    const result = await changePassword(
      t.db,
      { userId: user.id, sessionId: here, currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD },
      { ip: '198.51.100.20', userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko Firefox/128.0' },
      clock,
    );

    if (!result.ok) throw new Error(`change failed: ${result.code}`);
    expect(result.sessionId).not.toBe(here);
    expect(Buffer.from(result.sessionId, 'base64url')).toHaveLength(32);
    for (const old of [here, laptop, phone]) expect(await validateSession(t.db, old, clock)).toBeUndefined();
    const live = await validateSession(t.db, result.sessionId, clock);
    expect(live?.user.id).toBe(user.id);
    expect(live?.session.ip).toBe('198.51.100.20');

    expect((await userRow(user.id)).failedLoginCount).toBe(0);
    expect(await logIn(t.db, { identifier: 'rotating', password: TEST_PASSWORD }, ctx(), clock)).toEqual({
      ok: false,
      code: 'invalid_credentials',
    });
    expect((await logIn(t.db, { identifier: 'rotating', password: NEW_PASSWORD }, ctx(), clock)).ok).toBe(
      true,
    );

    const [changed] = (await auditOf(user.id)).filter((e) => e.action === 'password.changed');
    expect(changed).toMatchObject({ actorId: user.id, ip: '198.51.100.20', meta: { othersEnded: 2 } });
  });

  it('S38: password-changed mail with no secret', async () => {
    const user = await makeUser('notified');
    const sessionId = await createSession(t.db, user.id, ctx(), clock);

    const result = await changePassword(
      t.db,
      { userId: user.id, sessionId, currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD },
      ctx(),
      clock,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;

    const [queued] = await outboxTo(user.email);
    expect(queued).toMatchObject({ template: 'password-changed', containsSecret: false });
    await mailbox.deliver(t.db, clock);
    const mail = await mailbox.catcher.waitForMail(user.email);
    expect(mail.subject).toMatch(/password was changed/i);
    expect(mail.text).toContain('notified');
    for (const secret of [TEST_PASSWORD, NEW_PASSWORD, sessionId, result.sessionId]) {
      expect(mail.raw).not.toContain(secret);
    }
    const links = linksIn(mail).map((link) => new URL(link));
    expect(links.map((link) => link.pathname)).toContain('/forgot-password');
    // No link carries a token or anything else that would act for the reader.
    for (const link of links) expect(link.search).toBe('');
  });

  it('S36: the new password passes the full policy, and a refusal costs no attempt', async () => {
    const user = await makeUser('policy-kept');
    const sessionId = await createSession(t.db, user.id, ctx(), clock);
    const attempt = (newPassword: string) =>
      changePassword(
        t.db,
        { userId: user.id, sessionId, currentPassword: TEST_PASSWORD, newPassword },
        ctx(),
        clock,
      );

    expect(await attempt('short one')).toEqual({
      ok: false,
      code: 'password_policy',
      problem: { code: 'too_short', min: 15 },
    });
    expect(await attempt('password1234567890!')).toEqual({
      ok: false,
      code: 'password_policy',
      problem: { code: 'common' },
    });
    expect(await attempt('my name is policy-kept, hello')).toEqual({
      ok: false,
      code: 'password_policy',
      problem: { code: 'contains_personal', what: 'username' },
    });

    // The minimum comes from the setting.
    await setSetting(t.db, 'password_min_length', 40);
    try {
      expect(await attempt(NEW_PASSWORD)).toEqual({
        ok: false,
        code: 'password_policy',
        problem: { code: 'too_short', min: 40 },
      });
    } finally {
      await setSetting(t.db, 'password_min_length', 15);
    }

    const row = await userRow(user.id);
    expect(row.passwordHash).toBe(user.passwordHash);
    expect(row.failedLoginCount).toBe(0);
    expect(await validateSession(t.db, sessionId, clock)).toBeTruthy();
    expect(await outboxTo(user.email)).toHaveLength(0);
  });

  it('refuses the current password as the new one, with nothing changed', async () => {
    const user = await makeUser('same-again');
    const sessionId = await createSession(t.db, user.id, ctx(), clock);
    const result = await changePassword(
      t.db,
      // NFKC: the full-width "ｃ" is the same password as the one stored.
      {
        userId: user.id,
        sessionId,
        currentPassword: TEST_PASSWORD,
        newPassword: `ｃ${TEST_PASSWORD.slice(1)}`,
      },
      ctx(),
      clock,
    );
    expect(result).toEqual({ ok: false, code: 'same_password' });
    expect((await userRow(user.id)).passwordHash).toBe(user.passwordHash);
    expect(await validateSession(t.db, sessionId, clock)).toBeTruthy();
  });

  it('from a session that has ended meanwhile, nothing changes', async () => {
    const user = await makeUser('late-session');
    const sessionId = await createSession(t.db, user.id, ctx(), clock);
    const other = await createSession(t.db, user.id, ctx(), clock);
    await revokeSession(t.db, sessionId, clock);
    const result = await changePassword(
      t.db,
      { userId: user.id, sessionId, currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD },
      ctx(),
      clock,
    );
    expect(result).toEqual({ ok: false, code: 'session_ended' });
    expect((await userRow(user.id)).passwordHash).toBe(user.passwordHash);
    expect(await validateSession(t.db, other, clock)).toBeTruthy();
    expect(await outboxTo(user.email)).toHaveLength(0);
  });

  it("cannot be made from another user's session", async () => {
    const owner = await makeUser('session-owner');
    const intruder = await makeUser('session-intruder');
    const ownersSession = await createSession(t.db, owner.id, ctx(), clock);
    const result = await changePassword(
      t.db,
      {
        userId: intruder.id,
        sessionId: ownersSession,
        currentPassword: TEST_PASSWORD,
        newPassword: NEW_PASSWORD,
      },
      ctx(),
      clock,
    );
    expect(result).toEqual({ ok: false, code: 'session_ended' });
    expect((await userRow(intruder.id)).passwordHash).toBe(intruder.passwordHash);
    expect(await validateSession(t.db, ownersSession, clock)).toBeTruthy();
  });
});
