import { randomUUID } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { auditEvents, emailOutbox, tokens, users } from '@/db/schema';
import { lockUser, unlockUser } from '@/lib/account-lock';
import { DAY, ManualClock, MINUTE } from '@/lib/clock';
import {
  cancelEmailChange,
  confirmEmailChange,
  emailChangeRequestLimit,
  lockExpiredEmailChanges,
  pendingEmailChange,
  reportEmailChangeNotMe,
  requestEmailChange,
  UNCONFIRMED_CHANGE_LOCK_REASON,
} from '@/lib/email-change';
import { logIn } from '@/lib/login';
import { validateSession } from '@/lib/sessions';
import { setSetting } from '@/lib/settings';
import { linkTo, setUpMailbox } from '@/tests/helpers/mail';
import { linksIn } from '@/tests/helpers/smtp-catcher';
import { setUpTestDatabase } from '@/tests/helpers/test-db';
import { createTestUser, TEST_PASSWORD } from '@/tests/helpers/users';

const t = setUpTestDatabase();
const mailbox = setUpMailbox();
const clock = new ManualClock(new Date());
let octet = 0;
// A fresh address per call keeps the per-IP sign-in budget out of tests that are not about it.
const ctx = () => ({ ip: `192.0.2.${(octet += 1) % 250}`, userAgent: 'vitest' });

const makeUser = (username: string, role: 'user' | 'admin' = 'user') =>
  createTestUser(t.db, clock, username, { role });

const deliver = () => mailbox.deliver(t.db, clock);
const signIn = (identifier: string, password = TEST_PASSWORD) =>
  logIn(t.db, { identifier, password }, ctx(), clock);
const userById = async (id: string) => (await t.db.select().from(users).where(eq(users.id, id)))[0]!;
const auditOf = (userId: string) =>
  t.db.select().from(auditEvents).where(eq(auditEvents.userId, userId)).orderBy(auditEvents.id);
const outboxTo = (to: string) => t.db.select().from(emailOutbox).where(eq(emailOutbox.to, to));
const request = (userId: string, newEmail: string, currentPassword = TEST_PASSWORD) =>
  requestEmailChange(t.db, { userId, newEmail, currentPassword }, ctx(), clock);
const confirm = (token: string | null) => confirmEmailChange(t.db, { token }, ctx(), clock);
const notMe = (token: string | null) => reportEmailChangeNotMe(t.db, { token }, ctx(), clock);

/** Requests a change and returns both mails and the tokens of their links. */
async function requestAndRead(username: string, newEmail: string) {
  const user = await makeUser(username);
  expect(await request(user.id, newEmail)).toEqual({ ok: true });
  await deliver();
  const notice = await mailbox.catcher.waitForMail(user.email);
  const confirmation = await mailbox.catcher.waitForMail(newEmail);
  return {
    user,
    notice,
    confirmation,
    confirmToken: linkTo(confirmation, '/email-change/confirm').searchParams.get('token'),
    cancelToken: linkTo(notice, '/email-change/not-me').searchParams.get('token'),
  };
}

beforeEach(() => {
  // Failed sign-ins in these tests log a warning on purpose.
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});

describe('requesting a change', () => {
  it('S42: the change stays pending until the new address confirms by link; the old address is told at once', async () => {
    const { user, notice, confirmation, confirmToken } = await requestAndRead('ada', 'ada.new@example.com');

    expect((await userById(user.id)).email).toBe('ada@example.com');
    expect(await pendingEmailChange(t.db, user.id, clock)).toEqual({
      newEmail: 'ada.new@example.com',
      expiresAt: new Date(clock.now().getTime() + DAY),
    });
    expect(notice.subject).toMatch(/change of email address was requested/i);
    expect(notice.text).toContain('ada.new@example.com');
    expect(confirmation.subject).toMatch(/confirm your new email address/i);
    // S34: links come from APP_URL.
    expect(linkTo(confirmation, '/email-change/confirm').origin).toBe('http://localhost:3000');
    expect(confirmToken).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // Until confirmed the old address is the account's, the new one is nobody's.
    expect(await signIn('ada.new@example.com')).toEqual({ ok: false, code: 'invalid_credentials' });
    expect((await signIn('ada@example.com')).ok).toBe(true);

    const actions = (await auditOf(user.id)).map((e) => e.action);
    expect(actions).toContain('email.change_requested');
  });

  it('S42: after confirmation the old email no longer logs in and the new one does; the link signs nobody in', async () => {
    const { user, confirmToken, cancelToken } = await requestAndRead('grace', 'grace.new@example.com');
    const before = await signIn('grace@example.com');
    if (!before.ok) throw new Error('sign-in failed');

    expect(await confirm(confirmToken)).toEqual({ ok: true, newEmail: 'grace.new@example.com' });

    expect((await userById(user.id)).email).toBe('grace.new@example.com');
    expect(await signIn('grace@example.com')).toEqual({ ok: false, code: 'invalid_credentials' });
    expect((await signIn('grace.new@example.com')).ok).toBe(true);
    expect(await pendingEmailChange(t.db, user.id, clock)).toBeUndefined();
    // Sessions are kept (see confirmEmailChange); the "this wasn't me" link is spent.
    expect(await validateSession(t.db, before.sessionId, clock)).toBeDefined();
    expect(await notMe(cancelToken)).toEqual({ ok: false, code: 'invalid_or_expired' });

    const changed = (await auditOf(user.id)).find((e) => e.action === 'email.changed');
    expect(changed?.meta).toEqual({ previousEmail: 'grace@example.com', newEmail: 'grace.new@example.com' });
  });

  it('S40/S41: wrong current password changes nothing and counts an attempt', async () => {
    const user = await makeUser('linus');
    expect(await request(user.id, 'linus.new@example.com', 'not the password at all')).toEqual({
      ok: false,
      code: 'wrong_password',
    });

    const after = await userById(user.id);
    expect(after.email).toBe('linus@example.com');
    expect(after.failedLoginCount).toBe(1);
    expect(await t.db.select().from(tokens).where(eq(tokens.userId, user.id))).toHaveLength(0);
    expect(await outboxTo('linus.new@example.com')).toHaveLength(0);
    expect(await outboxTo('linus@example.com')).toHaveLength(0);
    const events = await auditOf(user.id);
    expect(events.map((e) => e.action)).toEqual(['login.failed']);
    expect(events[0]?.meta).toEqual({ reason: 'reauthentication' });
  });

  it('S38: the old address gets a notice with no secret other than the cancel link', async () => {
    const { notice, confirmToken, cancelToken } = await requestAndRead('barbara', 'barbara.new@example.com');
    const withToken = linksIn(notice).filter((link) => new URL(link).searchParams.has('token'));
    expect(withToken).toEqual([linkTo(notice, '/email-change/not-me').toString()]);
    expect(cancelToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    for (const body of [notice.text, notice.html]) {
      expect(body).not.toContain(confirmToken);
      expect(body).not.toContain('/email-change/confirm');
      expect(body).not.toMatch(/\b\d{6}\b/);
    }
  });

  it('an address that belongs to another account gets the same answer and state; nothing is sent to it', async () => {
    const owner = await makeUser('margaret');
    const user = await makeUser('alan');
    const answerForTaken = await request(user.id, ' Margaret@Example.com ');
    expect(answerForTaken).toEqual({ ok: true });
    expect(await pendingEmailChange(t.db, user.id, clock)).toMatchObject({ newEmail: owner.email });

    const other = await makeUser('alan2');
    expect(await request(other.id, 'alan2.free@example.com')).toEqual(answerForTaken);

    await deliver();
    const notice = await mailbox.catcher.waitForMail('alan@example.com');
    expect(notice.text).toContain('margaret@example.com');
    expect(await outboxTo('margaret@example.com')).toHaveLength(0);
    expect(mailbox.catcher.messages.filter((m) => m.envelope.to.includes('margaret@example.com'))).toEqual(
      [],
    );
    expect((await userById(owner.id)).email).toBe('margaret@example.com');
    expect((await userById(user.id)).email).toBe('alan@example.com');
  });

  it('the current address is refused as the new one, in any case', async () => {
    const user = await makeUser('edsger');
    expect(await request(user.id, ' EDSGER@example.com ')).toEqual({ ok: false, code: 'same_email' });
    expect(await t.db.select().from(tokens).where(eq(tokens.userId, user.id))).toHaveLength(0);
  });

  it('a new request voids the earlier confirmation link', async () => {
    const { user, confirmToken } = await requestAndRead('donald', 'donald.one@example.com');
    expect(await request(user.id, 'donald.two@example.com')).toEqual({ ok: true });
    expect(await confirm(confirmToken)).toEqual({ ok: false, code: 'invalid_or_expired' });
    expect(await pendingEmailChange(t.db, user.id, clock)).toMatchObject({
      newEmail: 'donald.two@example.com',
    });
  });

  it('requests are limited per account', async () => {
    const user = await makeUser('frances');
    for (let i = 0; i < emailChangeRequestLimit.max; i += 1) {
      expect(await request(user.id, `frances.${i}@example.com`)).toEqual({ ok: true });
    }
    expect(await request(user.id, 'frances.last@example.com')).toMatchObject({
      ok: false,
      code: 'rate_limited',
    });
  });
});

describe('confirming', () => {
  it('S30/S16: the confirmation link works once; a tampered one is refused alike', async () => {
    const { user, confirmToken } = await requestAndRead('hedy', 'hedy.new@example.com');
    const tampered = `${confirmToken!.slice(0, -1)}${confirmToken!.endsWith('A') ? 'B' : 'A'}`;
    expect(await confirm(tampered)).toEqual({ ok: false, code: 'invalid_or_expired' });
    expect(await confirm(confirmToken)).toMatchObject({ ok: true });
    expect(await confirm(confirmToken)).toEqual({ ok: false, code: 'invalid_or_expired' });
    expect((await userById(user.id)).email).toBe('hedy.new@example.com');
  });

  it('S17: the links are bound to their purpose', async () => {
    const { user, confirmToken, cancelToken } = await requestAndRead('karen', 'karen.new@example.com');
    expect(await confirm(cancelToken)).toEqual({ ok: false, code: 'invalid_or_expired' });
    expect(await notMe(confirmToken)).toEqual({ ok: false, code: 'invalid_or_expired' });
    expect((await userById(user.id)).email).toBe('karen@example.com');
  });

  it('an address taken after the request cannot be confirmed', async () => {
    const { user, confirmToken } = await requestAndRead('radia', 'radia.new@example.com');
    await makeUser('radia.new');
    expect(await confirm(confirmToken)).toEqual({ ok: false, code: 'invalid_or_expired' });
    expect((await userById(user.id)).email).toBe('radia@example.com');
  });

  it('two accounts confirming the same address at once: exactly one gets it', async () => {
    const first = await makeUser('shared1');
    const second = await makeUser('shared2');
    expect(await request(first.id, 'shared@example.com')).toEqual({ ok: true });
    expect(await request(second.id, 'shared@example.com')).toEqual({ ok: true });
    await deliver();
    const links = [
      await mailbox.catcher.waitForMail('shared@example.com'),
      await mailbox.catcher.waitForMail('shared@example.com'),
    ].map((mail) => linkTo(mail, '/email-change/confirm').searchParams.get('token'));

    const results = await Promise.all(links.map((token) => confirm(token)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, code: 'invalid_or_expired' }]);
    const owners = await t.db.select().from(users).where(eq(users.email, 'shared@example.com'));
    expect(owners).toHaveLength(1);
  });

  it('an expired link is refused', async () => {
    const { user, confirmToken } = await requestAndRead('sophie', 'sophie.new@example.com');
    clock.advance(DAY + MINUTE);
    expect(await confirm(confirmToken)).toEqual({ ok: false, code: 'invalid_or_expired' });
    expect((await userById(user.id)).email).toBe('sophie@example.com');
  });
});

describe('cancelling', () => {
  it('the signed-in user can withdraw a pending change: its link stops working', async () => {
    const { user, confirmToken } = await requestAndRead('annie', 'annie.new@example.com');
    expect(await cancelEmailChange(t.db, { userId: user.id }, ctx(), clock)).toEqual({ ok: true });
    expect(await pendingEmailChange(t.db, user.id, clock)).toBeUndefined();
    expect(await confirm(confirmToken)).toEqual({ ok: false, code: 'invalid_or_expired' });
    expect(await cancelEmailChange(t.db, { userId: user.id }, ctx(), clock)).toEqual({
      ok: false,
      code: 'no_pending_change',
    });
    const cancelled = (await auditOf(user.id)).filter((e) => e.action === 'email.change_cancelled');
    expect(cancelled.map((e) => e.meta)).toEqual([{ by: 'user', newEmail: 'annie.new@example.com' }]);
  });

  it('S37/S46: "this wasn\'t me" cancels the change, signs every device out and mails a password reset', async () => {
    const user = await makeUser('mary');
    const sessions = [await signIn('mary'), await signIn('mary@example.com')];
    expect(await request(user.id, 'attacker@example.net')).toEqual({ ok: true });
    await deliver();
    const notice = await mailbox.catcher.waitForMail('mary@example.com');
    const confirmation = await mailbox.catcher.waitForMail('attacker@example.net');
    const cancelToken = linkTo(notice, '/email-change/not-me').searchParams.get('token');

    expect(await notMe(cancelToken)).toEqual({ ok: true });

    for (const session of sessions) {
      if (!session.ok) throw new Error('sign-in failed');
      expect(await validateSession(t.db, session.sessionId, clock)).toBeUndefined();
    }
    expect(await pendingEmailChange(t.db, user.id, clock)).toBeUndefined();
    const confirmToken = linkTo(confirmation, '/email-change/confirm').searchParams.get('token');
    expect(await confirm(confirmToken)).toEqual({ ok: false, code: 'invalid_or_expired' });
    expect((await userById(user.id)).email).toBe('mary@example.com');
    expect(await notMe(cancelToken)).toEqual({ ok: false, code: 'invalid_or_expired' });

    await deliver();
    const reset = await mailbox.catcher.waitForMail('mary@example.com');
    expect(reset.subject).toMatch(/reset/i);
    expect(linkTo(reset, '/reset-password').searchParams.get('token')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(reset.text).toMatch(/\b\d{6}\b/);
    const [resetToken] = await t.db
      .select()
      .from(tokens)
      .where(and(eq(tokens.userId, user.id), eq(tokens.purpose, 'reset_password'), isNull(tokens.usedAt)));
    expect(resetToken?.codeHash).toBeTruthy();

    const cancelled = (await auditOf(user.id)).find((e) => e.action === 'email.change_cancelled');
    expect(cancelled?.meta).toEqual({
      by: 'not_me',
      newEmail: 'attacker@example.net',
      pendingVoided: true,
      sessionsRevoked: 2,
    });
  });

  it('"this wasn\'t me" still works after the requester withdrew the change', async () => {
    const { user, cancelToken } = await requestAndRead('evelyn', 'evelyn.new@example.com');
    const session = await signIn('evelyn');
    expect(await cancelEmailChange(t.db, { userId: user.id }, ctx(), clock)).toEqual({ ok: true });
    expect(await notMe(cancelToken)).toEqual({ ok: true });
    if (!session.ok) throw new Error('sign-in failed');
    expect(await validateSession(t.db, session.sessionId, clock)).toBeUndefined();
  });
});

describe('lapsed changes', () => {
  beforeEach(async () => {
    // Changes left pending by earlier tests would lapse too when the clock moves: start from none.
    await t.db
      .update(tokens)
      .set({ usedAt: clock.now() })
      .where(and(eq(tokens.purpose, 'change_email'), isNull(tokens.usedAt)));
  });

  it('clock-moved: an unconfirmed change past its lifetime locks the account; the user and the admins are told', async () => {
    const admin = await makeUser('boss', 'admin');
    const { user, confirmToken } = await requestAndRead('katherine', 'katherine.new@example.com');
    const session = await signIn('katherine');
    if (!session.ok) throw new Error('sign-in failed');

    clock.advance(DAY - MINUTE);
    expect(await lockExpiredEmailChanges(t.db, clock)).toBe(0);
    clock.advance(2 * MINUTE);
    expect(await lockExpiredEmailChanges(t.db, clock)).toBe(1);
    // Processed once: the next round finds nothing.
    expect(await lockExpiredEmailChanges(t.db, clock)).toBe(0);

    const locked = await userById(user.id);
    expect(locked.lockedAt).toEqual(clock.now());
    expect(locked.lockReason).toBe(UNCONFIRMED_CHANGE_LOCK_REASON);
    expect(await validateSession(t.db, session.sessionId, clock)).toBeUndefined();
    expect(await signIn('katherine')).toEqual({ ok: false, code: 'invalid_credentials' });
    expect(await confirm(confirmToken)).toEqual({ ok: false, code: 'invalid_or_expired' });

    await deliver();
    const mail = await mailbox.catcher.waitForMail('katherine@example.com');
    expect(mail.subject).toMatch(/locked/i);
    expect(mail.text).toContain('katherine.new@example.com');
    const adminMail = await mailbox.catcher.waitForMail(admin.email);
    expect(adminMail.subject).toMatch(/katherine was locked/);
    expect(adminMail.text).toContain(`/admin/users/${user.id}`);
    const lockEvent = (await auditOf(user.id)).find((e) => e.action === 'user.locked');
    expect(lockEvent).toMatchObject({
      actorId: null,
      meta: { reason: UNCONFIRMED_CHANGE_LOCK_REASON, newEmail: 'katherine.new@example.com' },
    });

    // An admin unlocks: access comes back with the old address.
    const unlock = { adminId: admin.id, userId: user.id };
    expect(await unlockUser(t.db, unlock, ctx(), clock)).toEqual({ ok: true });
    expect(await unlockUser(t.db, unlock, ctx(), clock)).toEqual({ ok: false, code: 'not_locked' });
    expect((await signIn('katherine@example.com')).ok).toBe(true);
    expect((await auditOf(user.id)).find((e) => e.action === 'user.unlocked')).toMatchObject({
      actorId: admin.id,
      meta: { previousReason: UNCONFIRMED_CHANGE_LOCK_REASON },
    });
  });

  it('clock-moved: with lock_on_unconfirmed_email_change off, a lapsed change only expires', async () => {
    await setSetting(t.db, 'lock_on_unconfirmed_email_change', false);
    try {
      const { user } = await requestAndRead('ida', 'ida.new@example.com');
      clock.advance(DAY + MINUTE);
      expect(await lockExpiredEmailChanges(t.db, clock)).toBe(0);
      expect((await userById(user.id)).lockedAt).toBeNull();
      expect(await pendingEmailChange(t.db, user.id, clock)).toBeUndefined();
    } finally {
      await setSetting(t.db, 'lock_on_unconfirmed_email_change', true);
    }
    // Lapsed while the setting was off: turning it on later does not lock retroactively.
    expect(await lockExpiredEmailChanges(t.db, clock)).toBe(0);
  });
});

describe('admin lock', () => {
  it('S46: locking ends the live sessions at once and mails the reason; unlocking restores access', async () => {
    const admin = await makeUser('root', 'admin');
    const user = await makeUser('mallory');
    const session = await signIn('mallory');
    if (!session.ok) throw new Error('sign-in failed');
    const input = { adminId: admin.id, userId: user.id, reason: 'Unusual activity.' };

    expect(await lockUser(t.db, input, ctx(), clock)).toEqual({ ok: true });
    expect(await lockUser(t.db, input, ctx(), clock)).toEqual({ ok: false, code: 'already_locked' });
    expect(await lockUser(t.db, { ...input, userId: randomUUID() }, ctx(), clock)).toEqual({
      ok: false,
      code: 'not_found',
    });
    expect(await validateSession(t.db, session.sessionId, clock)).toBeUndefined();
    expect(await signIn('mallory')).toEqual({ ok: false, code: 'invalid_credentials' });
    await deliver();
    const mail = await mailbox.catcher.waitForMail('mallory@example.com');
    expect(mail.subject).toMatch(/locked/i);
    expect(mail.text).toContain('Unusual activity.');

    expect(await unlockUser(t.db, { adminId: admin.id, userId: user.id }, ctx(), clock)).toEqual({
      ok: true,
    });
    expect((await signIn('mallory')).ok).toBe(true);
    expect((await auditOf(user.id)).map((e) => e.action)).toEqual(
      expect.arrayContaining(['user.locked', 'user.unlocked']),
    );
  });
});
