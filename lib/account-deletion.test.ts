import { eq, or } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditEvents, emailOutbox, sessions, tokens, users } from '@/db/schema';
import { deleteAccount, isLastActiveAdmin } from '@/lib/account-deletion';
import { recordAudit } from '@/lib/audit';
import { DAY, ManualClock } from '@/lib/clock';
import { logIn } from '@/lib/login';
import { beginPasskeyVerification } from '@/lib/passkeys';
import { enqueueMail } from '@/lib/mail/outbox';
import { createSession, validateSession } from '@/lib/sessions';
import { issueToken } from '@/lib/tokens';
import { setUpMailbox } from '@/tests/helpers/mail';
import { addTestPasskey } from '@/tests/helpers/passkey-users';
import { setUpTestDatabase } from '@/tests/helpers/test-db';
import { createTestUser, TEST_PASSWORD } from '@/tests/helpers/users';

const t = setUpTestDatabase();
const mailbox = setUpMailbox();
const clock = new ManualClock(new Date());
let octet = 0;
const ctx = () => ({ ip: `192.0.2.${(octet += 1)}`, userAgent: 'vitest' });

const makeUser = (username: string, role: 'user' | 'admin' = 'user') =>
  createTestUser(t.db, clock, username, { role, city: 'Sometown' });

const userRow = async (id: string) => (await t.db.select().from(users).where(eq(users.id, id)))[0];

describe('account deletion', () => {
  it('S41: deletion needs the current password', async () => {
    const user = await makeUser('careful');
    const sessionId = await createSession(t.db, user.id, ctx(), clock);

    const result = await deleteAccount(
      t.db,
      { userId: user.id, currentPassword: 'a guess, not it' },
      ctx(),
      clock,
    );

    expect(result).toEqual({ ok: false, code: 'wrong_password' });
    const row = await userRow(user.id);
    expect(row?.failedLoginCount).toBe(1);
    expect(await validateSession(t.db, sessionId, clock)).toBeTruthy();
    expect(await t.db.select().from(emailOutbox).where(eq(emailOutbox.to, user.email))).toHaveLength(0);
  });

  it('S46: deletion removes the row and personal data; the audit trail keeps only the id', async () => {
    const admin = await makeUser('auditor', 'admin');
    const user = await makeUser('leaving');
    const signIn = await logIn(
      t.db,
      { identifier: 'leaving', password: TEST_PASSWORD },
      { ip: '203.0.113.77', userAgent: 'Mozilla/5.0 (Leaving Browser)' },
      clock,
    );
    if (!signIn.ok) throw new Error('login failed');
    const second = await createSession(t.db, user.id, ctx(), clock);
    await issueToken(t.db, { userId: user.id, purpose: 'reset_password', ttlMs: DAY, clock });
    // Something an administrator did to the account: the administrator's own details stay.
    await recordAudit(
      t.db,
      {
        action: 'user.approved',
        userId: user.id,
        actorId: admin.id,
        ip: '198.51.100.1',
        userAgent: 'AdminUA',
      },
      clock,
    );
    // Mail delivered to the address earlier leaves the outbox with the account.
    await enqueueMail(t.db, {
      to: user.email,
      template: 'welcome',
      locale: 'en',
      props: { username: user.username, loginUrl: 'http://localhost:3000/login' },
      clock,
    });
    await mailbox.deliver(t.db, clock);
    await mailbox.catcher.waitForMail(user.email);

    const result = await deleteAccount(
      t.db,
      { userId: user.id, currentPassword: TEST_PASSWORD },
      { ip: '203.0.113.78', userAgent: 'Mozilla/5.0 (Leaving Browser)' },
      clock,
    );
    expect(result).toEqual({ ok: true });

    expect(await userRow(user.id)).toBeUndefined();
    expect(await t.db.select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(0);
    expect(await t.db.select().from(tokens).where(eq(tokens.userId, user.id))).toHaveLength(0);
    for (const id of [signIn.sessionId, second])
      expect(await validateSession(t.db, id, clock)).toBeUndefined();

    const trail = await t.db
      .select()
      .from(auditEvents)
      .where(or(eq(auditEvents.userId, user.id), eq(auditEvents.actorId, user.id)));
    expect(trail.map((e) => e.action)).toEqual(
      expect.arrayContaining(['login.succeeded', 'user.approved', 'user.deleted']),
    );
    const own = trail.filter((e) => e.action !== 'user.approved');
    for (const event of own) expect(event).toMatchObject({ ip: null, userAgent: null });
    const text = JSON.stringify(own);
    for (const personal of [user.email, user.username, user.fullName, '203.0.113.7', 'Leaving Browser']) {
      expect(text).not.toContain(personal);
    }
    expect(trail.find((e) => e.action === 'user.deleted')).toMatchObject({
      actorId: user.id,
      meta: { by: 'self' },
    });
    expect(trail.find((e) => e.action === 'user.approved')).toMatchObject({
      actorId: admin.id,
      ip: '198.51.100.1',
      userAgent: 'AdminUA',
    });

    // Only the notice is left in the outbox for the address, and it arrives.
    const outbox = await t.db.select().from(emailOutbox).where(eq(emailOutbox.to, user.email));
    expect(outbox.map((row) => row.template)).toEqual(['account-deleted']);
    await mailbox.deliver(t.db, clock);
    const mail = await mailbox.catcher.waitForMail(user.email);
    expect(mail.subject).toMatch(/account has been deleted/i);
    expect(mail.text).toContain('leaving');
  });

  it('the last active admin cannot delete themself', async () => {
    // "auditor" from the test above is an admin too: lock it so that "root" is the only active one.
    await t.db.update(users).set({ lockedAt: clock.now() }).where(eq(users.username, 'auditor'));
    const root = await makeUser('root', 'admin');
    const sessionId = await createSession(t.db, root.id, ctx(), clock);
    expect(await isLastActiveAdmin(t.db, root.id)).toBe(true);

    expect(
      await deleteAccount(t.db, { userId: root.id, currentPassword: TEST_PASSWORD }, ctx(), clock),
    ).toEqual({
      ok: false,
      code: 'last_admin',
    });
    expect(await userRow(root.id)).toBeTruthy();
    expect(await validateSession(t.db, sessionId, clock)).toBeTruthy();
    expect(await t.db.select().from(emailOutbox).where(eq(emailOutbox.to, root.email))).toHaveLength(0);

    // With a second active admin either may go, and then the other is the last.
    const deputy = await makeUser('deputy', 'admin');
    expect(await isLastActiveAdmin(t.db, root.id)).toBe(false);
    expect(
      await deleteAccount(t.db, { userId: root.id, currentPassword: TEST_PASSWORD }, ctx(), clock),
    ).toEqual({
      ok: true,
    });
    expect(await isLastActiveAdmin(t.db, deputy.id)).toBe(true);
  });

  it('a user who is not an admin is never the last admin', async () => {
    const plain = await makeUser('plain');
    expect(await isLastActiveAdmin(t.db, plain.id)).toBe(false);
    expect(
      await deleteAccount(t.db, { userId: plain.id, currentPassword: TEST_PASSWORD }, ctx(), clock),
    ).toEqual({
      ok: true,
    });
  });
});

describe('account deletion confirmed with a passkey', () => {
  async function withPasskey(username: string) {
    const user = await makeUser(username);
    return { user, ...(await addTestPasskey(t.db, clock, user, 'Phone')) };
  }

  it("S41: the owner's passkey stands in for the password", async () => {
    const { user, key } = await withPasskey('pk_deleter');
    const begun = await beginPasskeyVerification(t.db, { userId: user.id }, clock);
    if ('code' in begun) throw new Error(begun.code);
    const result = await deleteAccount(
      t.db,
      { userId: user.id, passkey: { handle: begun.handle, response: key.authenticate(begun.options) } },
      ctx(),
      clock,
    );
    expect(result).toEqual({ ok: true });
    expect(await userRow(user.id)).toBeUndefined();
  });

  it("S41: another account's passkey deletes nothing", async () => {
    const { user } = await withPasskey('pk_target');
    const other = await withPasskey('pk_other');
    const begun = await beginPasskeyVerification(t.db, { userId: user.id }, clock);
    if ('code' in begun) throw new Error(begun.code);
    const result = await deleteAccount(
      t.db,
      { userId: user.id, passkey: { handle: begun.handle, response: other.key.authenticate(begun.options) } },
      ctx(),
      clock,
    );
    expect(result).toEqual({ ok: false, code: 'passkey_refused' });
    expect(await userRow(user.id)).toBeDefined();
  });
});
