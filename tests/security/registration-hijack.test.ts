import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { auditEvents, sessions, tokens, users } from '@/db/schema';
import { createAdmin } from '@/lib/admins';
import { ManualClock, MINUTE } from '@/lib/clock';
import { resendVerification, verifyEmail } from '@/lib/email-verification';
import { resetEnvCache } from '@/lib/env';
import { logIn } from '@/lib/login';
import { hashPassword } from '@/lib/password';
import { registerUser } from '@/lib/registration';
import { createSession } from '@/lib/sessions';
import { setPasswordWithToken } from '@/lib/set-password';
import { setSetting } from '@/lib/settings';
import { registrationSchema } from '@/lib/validation/registration';
import { linkTo, setUpMailbox } from '@/tests/helpers/mail';
import { createTestDatabase, type TestDatabase } from '@/tests/helpers/test-db';
import { freshContext } from '@/tests/helpers/users';

/**
 * Pre-account hijacking (S56): a stranger signs up with someone else's address and a password of
 * their own, and waits for the owner to confirm it. Whatever the owner does next (sign up, ask for a
 * new link, follow the stranger's link, get promoted by an operator), the account that ends up
 * confirmed must carry only a secret its mailbox owner chose.
 */

let t: TestDatabase;
const mailbox = setUpMailbox();
const clock = new ManualClock(new Date('2026-12-04T12:00:00Z'));
const STRANGER = 'the strangers own secret passphrase';
const OWNER = 'the real owners chosen passphrase';

function signUp(email: string, username: string, password: string) {
  const input = registrationSchema(15).parse({
    username,
    email,
    password,
    confirmPassword: password,
    fullName: username,
  });
  return registerUser(t.db, input, freshContext(), clock);
}

const deliver = () => mailbox.deliver(t.db, clock);
async function nextLink(email: string, path: string): Promise<string> {
  await deliver();
  return linkTo(await mailbox.catcher.waitForMail(email), path).searchParams.get('token')!;
}
const rowsFor = (email: string) => t.db.select().from(users).where(eq(users.email, email));
const signIn = (identifier: string, password: string) =>
  logIn(t.db, { identifier, password }, freshContext(), clock);
const events = (userId: string, action: string) =>
  t.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.userId, userId), eq(auditEvents.action, action)));

beforeAll(async () => {
  process.env.ADMIN_EMAILS = 'chief@example.com';
  resetEnvCache();
  t = await createTestDatabase();
  // Confirmation makes the account active, so "the password works" is a real sign-in.
  await setSetting(t.db, 'signup_mode', 'open');
});

afterAll(async () => {
  delete process.env.ADMIN_EMAILS;
  resetEnvCache();
  await t?.close();
});

beforeEach(() => {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  clock.advance(5 * MINUTE);
});

describe('S56: a stranger registers the address first', () => {
  it("S56: the owner's own sign-up replaces the stranger's; the owner's password logs in, the stranger's never", async () => {
    expect(await signUp('ann@example.com', 'mallory1', STRANGER)).toEqual({ ok: true });
    const [stranger] = await rowsFor('ann@example.com');
    const strangersLink = await nextLink('ann@example.com', '/verify-email');

    // Same answer as any sign-up (S13), and a fresh registration: its own link, not "account exists".
    expect(await signUp('ann@example.com', 'ann', OWNER)).toEqual({ ok: true });
    const ownersLink = await nextLink('ann@example.com', '/verify-email');
    const rows = await rowsFor('ann@example.com');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ username: 'ann', emailVerifiedAt: null });
    expect(rows[0]!.id).not.toBe(stranger!.id);
    expect(await events(stranger!.id, 'registration.replaced_unconfirmed')).toHaveLength(1);

    // The stranger's link died with the stranger's row.
    expect(
      await verifyEmail(t.db, { token: strangersLink, password: STRANGER }, freshContext(), clock),
    ).toEqual({ ok: false, code: 'invalid_or_expired' });
    expect(await verifyEmail(t.db, { token: ownersLink, password: OWNER }, freshContext(), clock)).toEqual({
      ok: true,
      state: 'active',
    });
    expect((await signIn('ann@example.com', OWNER)).ok).toBe(true);
    expect(await signIn('ann@example.com', STRANGER)).toEqual({ ok: false, code: 'invalid_credentials' });
    expect(await signIn('mallory1', STRANGER)).toEqual({ ok: false, code: 'invalid_credentials' });
    const [confirmed] = await events(rows[0]!.id, 'user.email_verified');
    expect(confirmed!.meta).toEqual({ proof: 'password' });
  });

  it("S56: after a resend the owner cannot confirm without proving or replacing the stranger's password", async () => {
    await signUp('bea@example.com', 'mallory2', STRANGER);
    await nextLink('bea@example.com', '/verify-email');
    expect(await resendVerification(t.db, 'bea@example.com', freshContext(), clock)).toEqual({ ok: true });
    const link = await nextLink('bea@example.com', '/verify-email');
    const [row] = await rowsFor('bea@example.com');

    // The owner's own password is not the one on the row: refused, and the link stays usable.
    expect(await verifyEmail(t.db, { token: link, password: OWNER }, freshContext(), clock)).toEqual({
      ok: false,
      code: 'wrong_password',
    });
    expect((await rowsFor('bea@example.com'))[0]!.emailVerifiedAt).toBeNull();
    const [failed] = await events(row!.id, 'verification.failed');
    expect(failed).toMatchObject({ meta: { reason: 'wrong_password' } });

    expect(await verifyEmail(t.db, { token: link, newPassword: OWNER }, freshContext(), clock)).toEqual({
      ok: true,
      state: 'active',
    });
    expect(await signIn('bea@example.com', STRANGER)).toEqual({ ok: false, code: 'invalid_credentials' });
    expect((await signIn('bea@example.com', OWNER)).ok).toBe(true);
    const [confirmed] = await events(row!.id, 'user.email_verified');
    expect(confirmed!.meta).toEqual({ proof: 'new_password' });
  });

  it("S56: the stranger's link in the owner's inbox confirms nothing without proof; a new password confirms, and only it works", async () => {
    await signUp('cat@example.com', 'mallory3', STRANGER);
    const link = await nextLink('cat@example.com', '/verify-email');

    for (const guess of ['', 'cat', 'a wrong guess at the password']) {
      expect(await verifyEmail(t.db, { token: link, password: guess }, freshContext(), clock)).toEqual({
        ok: false,
        code: 'wrong_password',
      });
    }
    const [row] = await rowsFor('cat@example.com');
    expect(row!.emailVerifiedAt).toBeNull();
    const [token] = await t.db.select().from(tokens).where(eq(tokens.userId, row!.id));
    expect(token!.usedAt).toBeNull();

    // A new password must pass the whole policy; a refused one does not use the link up either.
    expect(
      await verifyEmail(t.db, { token: link, newPassword: 'password' }, freshContext(), clock),
    ).toMatchObject({ ok: false, code: 'password_policy' });
    expect(await verifyEmail(t.db, { token: link, newPassword: OWNER }, freshContext(), clock)).toEqual({
      ok: true,
      state: 'active',
    });
    expect(await signIn('cat@example.com', STRANGER)).toEqual({ ok: false, code: 'invalid_credentials' });
    expect((await signIn('cat@example.com', OWNER)).ok).toBe(true);
    // The link is spent.
    expect(await verifyEmail(t.db, { token: link, newPassword: STRANGER }, freshContext(), clock)).toEqual({
      ok: false,
      code: 'already_verified',
    });
    expect((await signIn('cat@example.com', OWNER)).ok).toBe(true);
  });

  it('S56: an ADMIN_EMAILS address becomes an admin only for whoever proves the password', async () => {
    await signUp('chief@example.com', 'mallory4', STRANGER);
    const link = await nextLink('chief@example.com', '/verify-email');
    expect(await verifyEmail(t.db, { token: link, password: OWNER }, freshContext(), clock)).toEqual({
      ok: false,
      code: 'wrong_password',
    });
    expect((await rowsFor('chief@example.com'))[0]).toMatchObject({ role: 'user', emailVerifiedAt: null });
    expect(await verifyEmail(t.db, { token: link, newPassword: OWNER }, freshContext(), clock)).toEqual({
      ok: true,
      state: 'active',
    });
    expect((await rowsFor('chief@example.com'))[0]).toMatchObject({ role: 'admin' });
    expect(await signIn('chief@example.com', STRANGER)).toEqual({ ok: false, code: 'invalid_credentials' });
  });

  it("S56: admin:create on the stranger's row clears the password, the phrase and the sessions; the set-password link works", async () => {
    await signUp('dan@example.com', 'mallory5', STRANGER);
    // Unconfirmed: the stranger cannot sign in, only be told so after the right password (S21).
    expect(await signIn('dan@example.com', STRANGER)).toMatchObject({ ok: false, code: 'unverified' });
    const [row] = await rowsFor('dan@example.com');
    // Secrets a row could hold however it got them: a recovery phrase and a live session.
    const phrase = await hashPassword('some twelve words the stranger would have kept');
    await t.db
      .update(users)
      .set({ recoveryPhraseHash: phrase.ok ? phrase.hash : null })
      .where(eq(users.id, row!.id));
    const session = await createSession(t.db, row!.id, freshContext(), clock);

    const made = await createAdmin(t.db, { email: 'dan@example.com' }, freshContext(), clock);
    expect(made).toMatchObject({ created: false, userId: row!.id });
    const [promoted] = await rowsFor('dan@example.com');
    expect(promoted).toMatchObject({ role: 'admin', passwordHash: null, recoveryPhraseHash: null });
    expect(promoted!.emailVerifiedAt).not.toBeNull();
    const [ended] = await t.db.select().from(sessions).where(eq(sessions.id, session));
    expect(ended!.revokedAt).not.toBeNull();
    // The stranger's confirmation link is void too.
    const live = await t.db
      .select()
      .from(tokens)
      .where(and(eq(tokens.userId, row!.id), eq(tokens.purpose, 'verify_email')));
    expect(live.every((token) => token.usedAt !== null)).toBe(true);
    expect(await signIn('dan@example.com', STRANGER)).toEqual({ ok: false, code: 'invalid_credentials' });
    const [role] = await events(row!.id, 'user.role_changed');
    expect(role!.meta).toMatchObject({
      via: 'cli',
      cleared: ['password', 'recovery_phrase'],
      sessionsRevoked: 1,
    });

    const token = new URL(made.setPasswordUrl).searchParams.get('token');
    expect(
      await setPasswordWithToken(
        t.db,
        { token, password: OWNER, purpose: 'set_password' },
        freshContext(),
        clock,
      ),
    ).toMatchObject({ ok: true });
    expect((await signIn('dan@example.com', OWNER)).ok).toBe(true);
    expect(await signIn('dan@example.com', STRANGER)).toEqual({ ok: false, code: 'invalid_credentials' });
  });

  it('S56: two sign-ups for one unconfirmed address at once both answer the same and leave exactly one row', async () => {
    await signUp('eve@example.com', 'mallory6', STRANGER);
    const answers = await Promise.all([
      signUp('eve@example.com', 'eve', OWNER),
      signUp('eve@example.com', 'eve2', OWNER),
    ]);
    expect(answers).toEqual([{ ok: true }, { ok: true }]);
    const rows = await rowsFor('eve@example.com');
    expect(rows).toHaveLength(1);
    expect(['eve', 'eve2']).toContain(rows[0]!.username);
    expect(await t.db.select().from(users).where(eq(users.username, 'mallory6'))).toHaveLength(0);
  });

  it('a confirmed address still gets "account exists", and its row is untouched (S13)', async () => {
    await signUp('fay@example.com', 'fay', OWNER);
    const link = await nextLink('fay@example.com', '/verify-email');
    expect((await verifyEmail(t.db, { token: link, password: OWNER }, freshContext(), clock)).ok).toBe(true);
    await deliver();
    await mailbox.catcher.waitForMail('fay@example.com');
    const [before] = await rowsFor('fay@example.com');

    expect(await signUp('fay@example.com', 'mallory7', STRANGER)).toEqual({ ok: true });
    await deliver();
    expect((await mailbox.catcher.waitForMail('fay@example.com')).subject).toMatch(/tried to create/i);
    expect(await rowsFor('fay@example.com')).toEqual([before]);
    expect(await signIn('fay@example.com', STRANGER)).toEqual({ ok: false, code: 'invalid_credentials' });
  });
});
