import { and, eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  confirmedActionSchema,
  editProfileSchema,
  lockSchema,
  LOCK_REASON_MAX,
} from '@/lib/validation/admin-user';
import { createUserSchema } from '@/lib/validation/admin-user-new';
import { auditEvents, emailOutbox, sessions, tokens, users, type NewUser } from '@/db/schema';
import { isLastActiveAdmin } from '@/lib/account-deletion';
import { MAX_LOCK_REASON_LENGTH, unlockUser } from '@/lib/account-lock';
import { accountState } from '@/lib/account-state';
import {
  adminCreateUser,
  adminDeleteUser,
  adminEditProfile,
  adminLockUser,
  adminResendVerification,
  adminRevokeSessions,
  adminSendPasswordReset,
  adminUserOverview,
  changeRole,
} from '@/lib/admin-user-actions';
import { ManualClock, MINUTE } from '@/lib/clock';
import { verifyEmail } from '@/lib/email-verification';
import { logIn } from '@/lib/login';
import { resetPasswordWithToken } from '@/lib/password-reset';
import { setPasswordWithToken } from '@/lib/set-password';
import { createSession, validateSession } from '@/lib/sessions';
import { validateFormData } from '@/lib/web/form-validation';
import { formData } from '@/tests/helpers/forms';
import { linkTo, setUpMailbox } from '@/tests/helpers/mail';
import { setUpTestDatabase } from '@/tests/helpers/test-db';
import { createTestUser, freshContext, TEST_PASSWORD } from '@/tests/helpers/users';

const t = setUpTestDatabase();
const mailbox = setUpMailbox();
const clock = new ManualClock(new Date());
const NEW_PASSWORD = 'a brand new passphrase for me';
const MISSING = '00000000-0000-4000-8000-000000000000';

type UserOverrides = Partial<NewUser>;

const makeUser = (username: string, over: UserOverrides = {}) => createTestUser(t.db, clock, username, over);
const makeAdmin = (username: string, over: UserOverrides = {}) =>
  makeUser(username, { role: 'admin', ...over });

const userRow = async (id: string) => (await t.db.select().from(users).where(eq(users.id, id)))[0];
const outboxFor = (email: string) => t.db.select().from(emailOutbox).where(eq(emailOutbox.to, email));
const eventsFor = (userId: string, action: string) =>
  t.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.userId, userId), eq(auditEvents.action, action)));

/** Delivers the outbox through the real SMTP catcher and returns the next mail to `email`. */
async function deliveredMail(email: string) {
  await mailbox.deliver(t.db, clock);
  return mailbox.catcher.waitForMail(email);
}

/**
 * Every admin made by a test stays active unless the test says otherwise: lock the admins a test
 * does not need, so that "the last active admin" means what the test intends.
 */
async function retireAllAdmins() {
  await t.db.update(users).set({ lockedAt: clock.now() }).where(eq(users.role, 'admin'));
}

beforeEach(async () => {
  // Each test starts past every cooldown the previous one left.
  clock.advance(10 * MINUTE);
  await retireAllAdmins();
});

describe('changeRole', () => {
  it('promotes an active user and records who did it, from where', async () => {
    const admin = await makeAdmin('promoter');
    const user = await makeUser('rising');
    const context = freshContext();

    expect(
      await changeRole(t.db, { adminId: admin.id, userId: user.id, role: 'admin' }, context, clock),
    ).toEqual({ ok: true });

    expect((await userRow(user.id))?.role).toBe('admin');
    const [event] = await eventsFor(user.id, 'user.role_changed');
    expect(event).toMatchObject({ actorId: admin.id, ip: context.ip, meta: { from: 'user', to: 'admin' } });
  });

  it('refuses to promote an account that is not active', async () => {
    const admin = await makeAdmin('careful-promoter');
    const pending = await makeUser('waiting', { approvedAt: null });
    const locked = await makeUser('shut', { lockedAt: clock.now() });
    for (const user of [pending, locked]) {
      expect(
        await changeRole(t.db, { adminId: admin.id, userId: user.id, role: 'admin' }, freshContext(), clock),
      ).toEqual({ ok: false, code: 'not_active' });
      expect((await userRow(user.id))?.role).toBe('user');
    }
  });

  it('the last active admin cannot demote themself, and nobody can demote them', async () => {
    const last = await makeAdmin('sole');
    // An admin whose account is locked is not active: it cannot stand in for the last one.
    const inactive = await makeAdmin('benched', { lockedAt: clock.now() });
    expect(await isLastActiveAdmin(t.db, last.id)).toBe(true);

    for (const adminId of [last.id, inactive.id]) {
      expect(
        await changeRole(t.db, { adminId, userId: last.id, role: 'user' }, freshContext(), clock),
      ).toEqual({
        ok: false,
        code: 'last_admin',
      });
    }
    expect((await userRow(last.id))?.role).toBe('admin');
    expect(await eventsFor(last.id, 'user.role_changed')).toHaveLength(0);
  });

  it('with two active admins one may demote the other (or themself); then the one left is the last', async () => {
    const first = await makeAdmin('first-admin');
    const second = await makeAdmin('second-admin');
    const session = await createSession(t.db, second.id, freshContext(), clock);

    expect(
      await changeRole(t.db, { adminId: first.id, userId: second.id, role: 'user' }, freshContext(), clock),
    ).toEqual({ ok: true });
    // The role is read from the row on every request: the demoted admin's session is no admin's now.
    expect((await validateSession(t.db, session, clock))?.user.role).toBe('user');
    expect(
      await changeRole(t.db, { adminId: first.id, userId: first.id, role: 'user' }, freshContext(), clock),
    ).toEqual({ ok: false, code: 'last_admin' });

    const third = await makeAdmin('third-admin');
    expect(
      await changeRole(t.db, { adminId: third.id, userId: third.id, role: 'user' }, freshContext(), clock),
    ).toEqual({ ok: true });
  });

  it('two admins demoting each other at once: exactly one succeeds, and one admin is left', async () => {
    const a = await makeAdmin('duelist-a');
    const b = await makeAdmin('duelist-b');
    const results = await Promise.all([
      changeRole(t.db, { adminId: a.id, userId: b.id, role: 'user' }, freshContext(), clock),
      changeRole(t.db, { adminId: b.id, userId: a.id, role: 'user' }, freshContext(), clock),
    ]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.filter((result) => !result.ok)).toEqual([{ ok: false, code: 'last_admin' }]);
    const roles = [(await userRow(a.id))?.role, (await userRow(b.id))?.role].sort();
    expect(roles).toEqual(['admin', 'user']);
  });

  it('answers unchanged and not_found without writing anything', async () => {
    const admin = await makeAdmin('idle-admin');
    const user = await makeUser('already-plain');
    expect(
      await changeRole(t.db, { adminId: admin.id, userId: user.id, role: 'user' }, freshContext(), clock),
    ).toEqual({
      ok: false,
      code: 'unchanged',
    });
    expect(
      await changeRole(t.db, { adminId: admin.id, userId: MISSING, role: 'admin' }, freshContext(), clock),
    ).toEqual({
      ok: false,
      code: 'not_found',
    });
    expect(await eventsFor(user.id, 'user.role_changed')).toHaveLength(0);
  });
});

describe('adminLockUser', () => {
  it('S46: locking ends every live session at once, and the owner is mailed the reason', async () => {
    const admin = await makeAdmin('locksmith');
    const user = await makeUser('mallory');
    const sessionIds = [
      await createSession(t.db, user.id, freshContext(), clock),
      await createSession(t.db, user.id, freshContext(), clock),
    ];
    const bystander = await makeUser('bystander');
    const otherSession = await createSession(t.db, bystander.id, freshContext(), clock);

    const result = await adminLockUser(
      t.db,
      { adminId: admin.id, userId: user.id, reason: '  Sharing the account <b>publicly</b>  ' },
      freshContext(),
      clock,
    );

    expect(result).toEqual({ ok: true });
    for (const id of sessionIds) expect(await validateSession(t.db, id, clock)).toBeUndefined();
    expect(await validateSession(t.db, otherSession, clock)).toBeTruthy();
    const row = await userRow(user.id);
    expect(accountState(row!)).toBe('locked');
    expect(row?.lockReason).toBe('Sharing the account <b>publicly</b>');
    const [event] = await eventsFor(user.id, 'user.locked');
    expect(event).toMatchObject({
      actorId: admin.id,
      meta: { reason: 'Sharing the account <b>publicly</b>' },
    });

    const mail = await deliveredMail(user.email);
    expect(mail.subject).toMatch(/locked/i);
    expect(mail.text).toContain('Sharing the account <b>publicly</b>');
    expect(mail.html).not.toContain('<b>publicly</b>');
  });

  it('the last active admin cannot lock themself', async () => {
    const last = await makeAdmin('keyholder');
    const session = await createSession(t.db, last.id, freshContext(), clock);

    expect(
      await adminLockUser(t.db, { adminId: last.id, userId: last.id, reason: 'oops' }, freshContext(), clock),
    ).toEqual({ ok: false, code: 'last_admin' });

    expect((await userRow(last.id))?.lockedAt).toBeNull();
    expect(await validateSession(t.db, session, clock)).toBeTruthy();
    expect(await outboxFor(last.email)).toHaveLength(0);
  });

  it('an admin who is not the last may be locked, and unlocked', async () => {
    const one = await makeAdmin('admin-one');
    const two = await makeAdmin('admin-two');
    expect(
      await adminLockUser(
        t.db,
        { adminId: one.id, userId: two.id, reason: 'On leave' },
        freshContext(),
        clock,
      ),
    ).toEqual({ ok: true });
    expect(await isLastActiveAdmin(t.db, one.id)).toBe(true);
    expect(await unlockUser(t.db, { adminId: one.id, userId: two.id }, freshContext(), clock)).toEqual({
      ok: true,
    });
    expect(accountState((await userRow(two.id))!)).toBe('active');
  });

  it('refuses a missing, blank or overlong reason, a locked account and an unknown id', async () => {
    const admin = await makeAdmin('strict-locksmith');
    const user = await makeUser('reasonless');
    const lock = (reason: string, userId = user.id) =>
      adminLockUser(t.db, { adminId: admin.id, userId, reason }, freshContext(), clock);

    expect(await lock('   ')).toEqual({ ok: false, code: 'reason_required' });
    expect(await lock('x'.repeat(MAX_LOCK_REASON_LENGTH + 1))).toEqual({
      ok: false,
      code: 'reason_too_long',
    });
    expect((await userRow(user.id))?.lockedAt).toBeNull();
    expect(await lock('x'.repeat(MAX_LOCK_REASON_LENGTH))).toEqual({ ok: true });
    expect(await lock('again')).toEqual({ ok: false, code: 'already_locked' });
    expect(await lock('whoever', MISSING)).toEqual({ ok: false, code: 'not_found' });
  });
});

describe('adminCreateUser', () => {
  it('creates a confirmed, approved account with no password; the owner sets theirs from the mail (S47)', async () => {
    const admin = await makeAdmin('creator');
    const context = freshContext();
    const result = await adminCreateUser(
      t.db,
      {
        adminId: admin.id,
        email: '  New.Person@Example.com ',
        username: 'newperson',
        fullName: 'New Person',
        city: 'Lyon',
        locale: 'fr',
      },
      context,
      clock,
    );
    if (!result.ok) throw new Error(result.code);
    expect(Object.keys(result).sort()).toEqual(['ok', 'userId']);

    const row = await userRow(result.userId);
    expect(row).toMatchObject({
      email: 'new.person@example.com',
      username: 'newperson',
      fullName: 'New Person',
      city: 'Lyon',
      locale: 'fr',
      role: 'user',
      passwordHash: null,
    });
    expect(accountState(row!)).toBe('active');
    const [event] = await eventsFor(result.userId, 'user.created_by_admin');
    expect(event).toMatchObject({ actorId: admin.id, ip: context.ip });

    // The mail that actually arrived, in the owner's language, carries the only copy of the link.
    const mail = await deliveredMail('new.person@example.com');
    expect(mail.subject).toMatch(/mot de passe/i);
    const token = linkTo(mail, '/set-password').searchParams.get('token')!;
    const revealed = JSON.stringify([result, await t.db.select().from(auditEvents)]);
    expect(revealed).not.toContain(token);
    expect(await outboxFor(admin.email)).toHaveLength(0);

    // Nobody can sign in before the owner has chosen a password; afterwards they can.
    expect(
      (await logIn(t.db, { identifier: 'newperson', password: TEST_PASSWORD }, freshContext(), clock)).ok,
    ).toBe(false);
    expect(
      await setPasswordWithToken(
        t.db,
        { token, password: NEW_PASSWORD, purpose: 'set_password' },
        freshContext(),
        clock,
      ),
    ).toEqual({ ok: true, userId: result.userId });
    expect(
      (await logIn(t.db, { identifier: 'newperson', password: NEW_PASSWORD }, freshContext(), clock)).ok,
    ).toBe(true);
  });

  it('a taken email or username (in any case) is a clear answer, and nobody is mailed', async () => {
    const admin = await makeAdmin('duplicator');
    await makeUser('existing');
    const outboxBefore = await t.db.select().from(emailOutbox);
    const create = (email: string, username: string) =>
      adminCreateUser(
        t.db,
        { adminId: admin.id, email, username, fullName: 'Someone', locale: 'en' },
        freshContext(),
        clock,
      );

    expect(await create('EXISTING@example.com', 'fresh-name')).toEqual({ ok: false, code: 'email_taken' });
    expect(await create('fresh@example.com', 'Existing')).toEqual({ ok: false, code: 'username_taken' });

    expect(await t.db.select().from(emailOutbox)).toHaveLength(outboxBefore.length);
    expect(await t.db.select().from(users).where(eq(users.email, 'fresh@example.com'))).toHaveLength(0);
  });
});

describe('adminSendPasswordReset', () => {
  it('S47: the reset mail reaches the user; the admin gets no token; nothing changes until it is used (S29)', async () => {
    const admin = await makeAdmin('helpdesk');
    const user = await makeUser('forgetful');
    const session = await createSession(t.db, user.id, freshContext(), clock);

    const result = await adminSendPasswordReset(
      t.db,
      { adminId: admin.id, userId: user.id },
      freshContext(),
      clock,
    );
    expect(result).toEqual({ ok: true });

    const mail = await deliveredMail(user.email);
    expect(mail.subject).toMatch(/reset/i);
    const token = linkTo(mail, '/reset-password').searchParams.get('token')!;
    const code = /\b([0-9]{6})\b/.exec(mail.text)?.[1];
    expect(code).toBeDefined();
    const [event] = await eventsFor(user.id, 'password.reset_sent_by_admin');
    expect(event).toMatchObject({ actorId: admin.id, meta: { kind: 'reset' } });
    const revealed = JSON.stringify([result, await t.db.select().from(auditEvents)]);
    expect(revealed).not.toContain(token);
    expect(revealed).not.toContain(code);
    expect(await outboxFor(admin.email)).toHaveLength(0);

    // S29: the old password still works, and the session is untouched until the link is used.
    expect(
      (await logIn(t.db, { identifier: 'forgetful', password: TEST_PASSWORD }, freshContext(), clock)).ok,
    ).toBe(true);
    expect(await validateSession(t.db, session, clock)).toBeTruthy();
    expect(
      (await resetPasswordWithToken(t.db, { token, password: NEW_PASSWORD }, freshContext(), clock)).ok,
    ).toBe(true);
    expect(await validateSession(t.db, session, clock)).toBeUndefined();
  });

  it('a second click within the cooldown sends nothing, so the first link stays good', async () => {
    const admin = await makeAdmin('double-clicker');
    const user = await makeUser('clicked');
    expect(
      await adminSendPasswordReset(t.db, { adminId: admin.id, userId: user.id }, freshContext(), clock),
    ).toEqual({
      ok: true,
    });
    expect(
      await adminSendPasswordReset(t.db, { adminId: admin.id, userId: user.id }, freshContext(), clock),
    ).toMatchObject({
      ok: false,
      code: 'cooldown',
    });
    expect(await outboxFor(user.email)).toHaveLength(1);
    clock.advance(2 * MINUTE);
    expect(
      (await adminSendPasswordReset(t.db, { adminId: admin.id, userId: user.id }, freshContext(), clock)).ok,
    ).toBe(true);
    // S32: the newest link wins.
    const live = await t.db
      .select()
      .from(tokens)
      .where(and(eq(tokens.userId, user.id), eq(tokens.purpose, 'reset_password')));
    expect(live.filter((token) => token.usedAt === null)).toHaveLength(1);
  });

  it('an account that never had a password gets the set-password mail instead', async () => {
    const admin = await makeAdmin('second-chance');
    const user = await makeUser('no-password-yet', { passwordHash: null });
    expect(
      await adminSendPasswordReset(t.db, { adminId: admin.id, userId: user.id }, freshContext(), clock),
    ).toEqual({
      ok: true,
    });
    const mail = await deliveredMail(user.email);
    expect(linkTo(mail, '/set-password').searchParams.get('token')).toBeTruthy();
    const [event] = await eventsFor(user.id, 'password.reset_sent_by_admin');
    expect(event?.meta).toEqual({ kind: 'set_password' });
  });

  it('S18: never to an unconfirmed address, nor to a rejected account, nor an unknown id', async () => {
    const admin = await makeAdmin('refuser');
    const unconfirmed = await makeUser('unconfirmed-reset', { emailVerifiedAt: null, approvedAt: null });
    const rejected = await makeUser('rejected-reset', { approvedAt: null, rejectedAt: clock.now() });
    const send = (userId: string) =>
      adminSendPasswordReset(t.db, { adminId: admin.id, userId }, freshContext(), clock);

    expect(await send(unconfirmed.id)).toEqual({ ok: false, code: 'unverified' });
    expect(await send(rejected.id)).toEqual({ ok: false, code: 'rejected' });
    expect(await send(MISSING)).toEqual({ ok: false, code: 'not_found' });
    expect(await outboxFor(unconfirmed.email)).toHaveLength(0);
    expect(await outboxFor(rejected.email)).toHaveLength(0);
  });
});

describe('adminResendVerification', () => {
  it('sends a fresh confirmation link to an unconfirmed account, voiding the earlier one', async () => {
    const admin = await makeAdmin('verifier');
    const user = await makeUser('unsure', { emailVerifiedAt: null, approvedAt: null });

    expect(
      await adminResendVerification(t.db, { adminId: admin.id, userId: user.id }, freshContext(), clock),
    ).toEqual({
      ok: true,
    });
    const first = linkTo(await deliveredMail(user.email), '/verify-email').searchParams.get('token')!;
    expect(
      await adminResendVerification(t.db, { adminId: admin.id, userId: user.id }, freshContext(), clock),
    ).toMatchObject({ ok: false, code: 'cooldown' });
    clock.advance(2 * MINUTE);
    expect(
      (await adminResendVerification(t.db, { adminId: admin.id, userId: user.id }, freshContext(), clock)).ok,
    ).toBe(true);
    const second = linkTo(await deliveredMail(user.email), '/verify-email').searchParams.get('token')!;

    const [event] = await eventsFor(user.id, 'verification.resent');
    expect(event).toMatchObject({ actorId: admin.id });
    expect(JSON.stringify(await eventsFor(user.id, 'verification.resent'))).not.toContain(second);
    expect(await verifyEmail(t.db, { token: first, password: TEST_PASSWORD }, freshContext(), clock)).toEqual(
      {
        ok: false,
        code: 'invalid_or_expired',
      },
    );
    expect(
      (await verifyEmail(t.db, { token: second, password: TEST_PASSWORD }, freshContext(), clock)).ok,
    ).toBe(true);
  });

  it('refuses accounts whose address is confirmed or that were rejected', async () => {
    const admin = await makeAdmin('resender');
    const confirmed = await makeUser('sure');
    const rejected = await makeUser('turned-away', { emailVerifiedAt: null, rejectedAt: clock.now() });
    const resend = (userId: string) =>
      adminResendVerification(t.db, { adminId: admin.id, userId }, freshContext(), clock);
    expect(await resend(confirmed.id)).toEqual({ ok: false, code: 'already_verified' });
    expect(await resend(rejected.id)).toEqual({ ok: false, code: 'rejected' });
    expect(await resend(MISSING)).toEqual({ ok: false, code: 'not_found' });
    expect(await outboxFor(confirmed.email)).toHaveLength(0);
  });
});

describe('adminRevokeSessions', () => {
  it('S51: ends every session of the account and only of that account', async () => {
    const admin = await makeAdmin('bouncer');
    const adminSession = await createSession(t.db, admin.id, freshContext(), clock);
    const user = await makeUser('everywhere');
    const ids = [
      await createSession(t.db, user.id, freshContext(), clock),
      await createSession(t.db, user.id, freshContext(), clock),
      await createSession(t.db, user.id, freshContext(), clock),
    ];

    expect(
      await adminRevokeSessions(t.db, { adminId: admin.id, userId: user.id }, freshContext(), clock),
    ).toEqual({
      ok: true,
      count: 3,
    });
    for (const id of ids) expect(await validateSession(t.db, id, clock)).toBeUndefined();
    expect(await validateSession(t.db, adminSession, clock)).toBeTruthy();
    const [event] = await eventsFor(user.id, 'session.revoked_by_admin');
    expect(event).toMatchObject({ actorId: admin.id, meta: { count: 3 } });
    // The account itself is untouched: its owner can sign in again.
    expect(
      (await logIn(t.db, { identifier: 'everywhere', password: TEST_PASSWORD }, freshContext(), clock)).ok,
    ).toBe(true);
    expect(
      await adminRevokeSessions(t.db, { adminId: admin.id, userId: MISSING }, freshContext(), clock),
    ).toEqual({
      ok: false,
      code: 'not_found',
    });
  });
});

describe('adminEditProfile', () => {
  const profile = {
    username: 'editable',
    fullName: 'Full Name Of editable',
    phone: '',
    address: '',
    city: '',
    country: '',
  };

  it('saves the changed fields; the audit row names them, without their values', async () => {
    const admin = await makeAdmin('editor');
    const user = await makeUser('editable');
    const result = await adminEditProfile(
      t.db,
      { adminId: admin.id, userId: user.id, ...profile, fullName: ' Corrected Name ', city: 'Nantes' },
      freshContext(),
      clock,
    );
    expect(result).toEqual({ ok: true, changed: ['fullName', 'city'] });
    const row = await userRow(user.id);
    expect(row).toMatchObject({ fullName: 'Corrected Name', city: 'Nantes', email: user.email });
    const [event] = await eventsFor(user.id, 'user.profile_edited');
    expect(event).toMatchObject({ actorId: admin.id, meta: { fields: ['fullName', 'city'] } });
    expect(JSON.stringify(event)).not.toContain('Nantes');

    // Saving the same values again changes nothing and records nothing.
    expect(
      await adminEditProfile(
        t.db,
        { adminId: admin.id, userId: user.id, ...profile, fullName: 'Corrected Name', city: 'Nantes' },
        freshContext(),
        clock,
      ),
    ).toEqual({ ok: true, changed: [] });
    expect(await eventsFor(user.id, 'user.profile_edited')).toHaveLength(1);
  });

  it('refuses a username another account has, in any case, and an unknown id', async () => {
    const admin = await makeAdmin('renamer');
    await makeUser('TakenName');
    const user = await makeUser('renamed');
    const edit = (username: string, userId = user.id) =>
      adminEditProfile(t.db, { adminId: admin.id, userId, ...profile, username }, freshContext(), clock);
    expect(await edit('takenname')).toEqual({ ok: false, code: 'username_taken' });
    expect((await userRow(user.id))?.username).toBe('renamed');
    // A change of case of one's own name is no clash.
    expect(await edit('Renamed')).toMatchObject({ ok: true, changed: expect.arrayContaining(['username']) });
    expect(await edit('whoever', MISSING)).toEqual({ ok: false, code: 'not_found' });
  });
});

describe('adminDeleteUser', () => {
  it('S46: deletes the account, ends its sessions, tells the owner and records the admin', async () => {
    const admin = await makeAdmin('remover');
    const user = await makeUser('departing');
    const sessionIds = [
      await createSession(t.db, user.id, freshContext(), clock),
      await createSession(t.db, user.id, freshContext(), clock),
    ];
    // From the browser of its sessions, so no new-device notice comes before the deletion mail.
    await logIn(
      t.db,
      { identifier: 'departing', password: TEST_PASSWORD },
      { ip: '203.0.113.9', userAgent: freshContext().userAgent },
      clock,
    );
    const context = freshContext();

    expect(await adminDeleteUser(t.db, { adminId: admin.id, userId: user.id }, context, clock)).toEqual({
      ok: true,
    });

    expect(await userRow(user.id)).toBeUndefined();
    for (const id of sessionIds) expect(await validateSession(t.db, id, clock)).toBeUndefined();
    expect(await t.db.select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(0);
    const trail = await t.db.select().from(auditEvents).where(eq(auditEvents.userId, user.id));
    expect(trail.find((e) => e.action === 'user.deleted')).toMatchObject({
      actorId: admin.id,
      ip: context.ip,
      meta: { by: 'admin' },
    });
    // What the person did themself no longer says from where.
    expect(trail.find((e) => e.action === 'login.succeeded')).toMatchObject({ ip: null, userAgent: null });

    const mail = await deliveredMail(user.email);
    expect(mail.subject).toMatch(/deleted/i);
  });

  it('an admin may delete another admin, but never the last active one, nor themself here', async () => {
    const one = await makeAdmin('elder');
    const two = await makeAdmin('younger');
    expect(await adminDeleteUser(t.db, { adminId: one.id, userId: one.id }, freshContext(), clock)).toEqual({
      ok: false,
      code: 'self',
    });
    expect(await adminDeleteUser(t.db, { adminId: one.id, userId: two.id }, freshContext(), clock)).toEqual({
      ok: true,
    });
    // Only "elder" is left active. Whoever asks (here an admin since locked), it stays.
    const locked = await makeAdmin('former', { lockedAt: clock.now() });
    expect(
      await adminDeleteUser(t.db, { adminId: locked.id, userId: one.id }, freshContext(), clock),
    ).toEqual({
      ok: false,
      code: 'last_admin',
    });
    expect(await userRow(one.id)).toBeTruthy();
    expect(await adminDeleteUser(t.db, { adminId: one.id, userId: MISSING }, freshContext(), clock)).toEqual({
      ok: false,
      code: 'not_found',
    });
  });

  it('an address nobody confirmed is not written to', async () => {
    const admin = await makeAdmin('tidier');
    const user = await makeUser('never-confirmed', { emailVerifiedAt: null, approvedAt: null });
    expect(
      await adminDeleteUser(t.db, { adminId: admin.id, userId: user.id }, freshContext(), clock),
    ).toEqual({
      ok: true,
    });
    expect(await outboxFor(user.email)).toHaveLength(0);
  });
});

describe('adminUserOverview', () => {
  it('shows the account, its live sessions and its trail, but no hash and no session id', async () => {
    const admin = await makeAdmin('viewer');
    const user = await makeUser('observed', { recoveryPhraseHash: 'secret-phrase-hash' });
    const sessionId = await createSession(
      t.db,
      user.id,
      {
        ip: '203.0.113.50',
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
      },
      clock,
    );
    await adminLockUser(
      t.db,
      { adminId: admin.id, userId: user.id, reason: 'Looked into' },
      freshContext(),
      clock,
    );
    await unlockUser(t.db, { adminId: admin.id, userId: user.id }, freshContext(), clock);
    // The lock removed the phrase (S60); the owner has made a new one since.
    expect(await t.db.select().from(users).where(eq(users.id, user.id))).toMatchObject([
      { recoveryPhraseHash: null },
    ]);
    await t.db.update(users).set({ recoveryPhraseHash: 'secret-phrase-hash' }).where(eq(users.id, user.id));
    const live = await createSession(t.db, user.id, { ip: '203.0.113.51', userAgent: null }, clock);

    const overview = await adminUserOverview(t.db, user.id, clock);
    if (!overview) throw new Error('no overview');
    expect(overview.user).toMatchObject({ username: 'observed', hasPassword: true, hasRecoveryPhrase: true });
    expect(overview.user).not.toHaveProperty('passwordHash');
    expect(overview.user).not.toHaveProperty('recoveryPhraseHash');
    // The session from before the lock ended with it; the new one is listed by its handle.
    expect(overview.sessions).toHaveLength(1);
    expect(overview.sessions[0]).toMatchObject({ ip: '203.0.113.51', device: { browser: null, os: null } });
    const text = JSON.stringify(overview);
    for (const secret of [sessionId, live, 'secret-phrase-hash']) expect(text).not.toContain(secret);
    expect(overview.events.map((event) => event.action)).toEqual([
      'user.unlocked',
      'recovery_phrase.cleared',
      'user.locked',
    ]);
    expect(overview.actors).toEqual({ [admin.id]: 'viewer' });
    expect(overview.lastActiveAdmin).toBe(false);
    expect((await adminUserOverview(t.db, admin.id, clock))?.lastActiveAdmin).toBe(true);
    expect(await adminUserOverview(t.db, MISSING, clock)).toBeUndefined();
  });
});

describe('the admin forms refuse bad input with a message, before any database work', () => {
  const userId = '3f1c2b9e-8a4d-4c6e-9b1a-2d3e4f5a6b7c';

  it('an id that is not a uuid is "no such user"', async () => {
    for (const bad of ['42', "' or 1=1 --", 'x'.repeat(5000), '']) {
      const result = await validateFormData(confirmedActionSchema, formData({ userId: bad, confirm: 'on' }));
      expect(result).toMatchObject({
        ok: false,
        fieldErrors: { userId: { key: 'adminUser.errors.notFound' } },
      });
    }
  });

  it('a destructive action needs its box ticked', async () => {
    const result = await validateFormData(confirmedActionSchema, formData({ userId }));
    expect(result).toMatchObject({
      ok: false,
      fieldErrors: { confirm: { key: 'adminUser.errors.confirm' } },
    });
    expect((await validateFormData(confirmedActionSchema, formData({ userId, confirm: 'on' }))).ok).toBe(
      true,
    );
  });

  it('a lock reason is required, at most MAX_LOCK_REASON_LENGTH long, and may span lines', async () => {
    expect(LOCK_REASON_MAX).toBe(MAX_LOCK_REASON_LENGTH);
    const lock = (reason: string) =>
      validateFormData(lockSchema, formData({ userId, reason, confirm: 'on' }));
    expect(await lock('  ')).toMatchObject({
      fieldErrors: { reason: { key: 'adminUser.errors.reasonRequired' } },
    });
    expect(await lock('x'.repeat(LOCK_REASON_MAX + 1))).toMatchObject({
      fieldErrors: { reason: { key: 'form.errors.tooLong', params: { max: LOCK_REASON_MAX } } },
    });
    expect(await lock('Line one\r\nLine two')).toMatchObject({
      ok: true,
      data: { reason: 'Line one\r\nLine two' },
    });
  });

  it('the profile form has no email field, and checks like the owner’s', async () => {
    const result = await validateFormData(
      editProfileSchema,
      formData({
        userId,
        username: 'ok-name',
        fullName: 'Name',
        email: 'elsewhere@example.com',
        phone: 'call me',
      }),
    );
    expect(result).toMatchObject({ ok: false, fieldErrors: { phone: { key: 'register.errors.phone' } } });
    const valid = await validateFormData(
      editProfileSchema,
      formData({ userId, username: 'ok-name', fullName: 'Name' }),
    );
    expect(valid.ok && valid.data).not.toHaveProperty('email');
  });

  it('the create form checks email, username, name and language, and has no password', async () => {
    const result = await validateFormData(
      createUserSchema,
      formData({
        email: 'not an address',
        username: 'a',
        fullName: '',
        locale: 'xx',
        password: 'typed anyway',
      }),
    );
    expect(result).toMatchObject({
      ok: false,
      fieldErrors: {
        email: { key: 'form.errors.invalidEmail' },
        username: { key: 'form.errors.tooShort' },
        fullName: { key: 'form.errors.required' },
        locale: { key: 'form.errors.invalidChoice' },
      },
    });
    const valid = await validateFormData(
      createUserSchema,
      formData({
        email: ' Ada@Example.com',
        username: 'ada',
        fullName: 'Ada',
        locale: 'fr',
        password: 'ignored',
      }),
    );
    expect(valid).toMatchObject({ ok: true, data: { email: 'ada@example.com', locale: 'fr' } });
    expect(valid.ok && valid.data).not.toHaveProperty('password');
  });
});
