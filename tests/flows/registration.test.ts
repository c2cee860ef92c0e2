import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { auditEvents, sessions, users } from '@/db/schema';
import { approveUser, rejectUser } from '@/lib/approval';
import { createAdmin } from '@/lib/admins';
import { ManualClock, MINUTE, HOUR, DAY } from '@/lib/clock';
import { resendVerification, verifyEmail } from '@/lib/email-verification';
import { resetEnvCache } from '@/lib/env';
import { logIn } from '@/lib/login';
import { registerUser } from '@/lib/registration';
import { setSetting } from '@/lib/settings';
import { setPasswordWithToken } from '@/lib/set-password';
import { registrationSchema, type RegistrationInput } from '@/lib/validation/registration';
import { linkTo, startMailbox } from '@/tests/helpers/mail';
import { createTestDatabase, type TestDatabase } from '@/tests/helpers/test-db';

let t: TestDatabase;
let mailbox: Awaited<ReturnType<typeof startMailbox>>;
const clock = new ManualClock(new Date());
const ctx = { ip: '203.0.113.7', userAgent: 'vitest' };
let lastOctet = 10;
// Each sign-up from its own address, so the per-IP limit only bites where a test wants it to.
const fresh = () => ({ ip: `198.51.100.${(lastOctet += 1) % 250}`, userAgent: 'vitest' });
const PASSWORD = 'correct horse battery staple';

function input(over: Partial<Record<keyof RegistrationInput, string>> = {}): RegistrationInput {
  return registrationSchema(15).parse({
    username: 'ada',
    email: 'ada@example.com',
    password: PASSWORD,
    confirmPassword: PASSWORD,
    fullName: 'Ada Lovelace',
    city: 'London',
    comment: 'I run the analytical engine team.',
    ...over,
  });
}

const deliver = () => mailbox.deliver(t.db, clock);
const userByEmail = async (email: string) =>
  (await t.db.select().from(users).where(eq(users.email, email)))[0];

async function registerAndVerify(name: string) {
  expect(
    await registerUser(t.db, input({ username: name, email: `${name}@example.com` }), fresh(), clock),
  ).toEqual({
    ok: true,
  });
  await deliver();
  const mail = await mailbox.catcher.waitForMail(`${name}@example.com`);
  const token = linkTo(mail, '/verify-email').searchParams.get('token');
  return verifyEmail(t.db, { token, password: PASSWORD }, ctx, clock);
}

beforeAll(async () => {
  process.env.ADMIN_EMAILS = 'boss@example.com';
  resetEnvCache();
  t = await createTestDatabase();
  mailbox = await startMailbox();
});

afterAll(async () => {
  delete process.env.ADMIN_EMAILS;
  resetEnvCache();
  await mailbox?.stop();
  await t?.close();
});

beforeEach(() => {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});

describe('sign-up', () => {
  it('creates an unverified account and mails a confirmation link built from APP_URL', async () => {
    expect(await registerUser(t.db, input(), ctx, clock)).toEqual({ ok: true });
    const user = await userByEmail('ada@example.com');
    expect(user).toMatchObject({
      username: 'ada',
      fullName: 'Ada Lovelace',
      city: 'London',
      emailVerifiedAt: null,
    });
    expect(user!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await deliver();
    const mail = await mailbox.catcher.waitForMail('ada@example.com');
    const link = linkTo(mail, '/verify-email');
    expect(link.origin).toBe('http://localhost:3000');
    expect(link.searchParams.get('token')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [audit] = await t.db.select().from(auditEvents).where(eq(auditEvents.userId, user!.id));
    expect(audit).toMatchObject({ action: 'user.registered', ip: '203.0.113.7' });
  });

  it('S13: a confirmed email gets the same answer, and its owner gets the account-exists mail', async () => {
    await registerUser(t.db, input({ username: 'grace', email: 'grace@example.com' }), fresh(), clock);
    await deliver();
    const token = linkTo(
      await mailbox.catcher.waitForMail('grace@example.com'),
      '/verify-email',
    ).searchParams.get('token');
    // An unconfirmed address is not taken (S56, decision 016): only a confirmed one is "existing".
    expect((await verifyEmail(t.db, { token, password: PASSWORD }, ctx, clock)).ok).toBe(true);

    const again = await registerUser(
      t.db,
      input({ username: 'someone-else', email: 'grace@example.com' }),
      ctx,
      clock,
    );
    expect(again).toEqual({ ok: true });
    await deliver();
    const mail = await mailbox.catcher.waitForMail('grace@example.com');
    expect(mail.subject).toMatch(/tried to create/i);
    expect(await t.db.select().from(users).where(eq(users.username, 'someone-else'))).toHaveLength(0);
    const grace = await userByEmail('grace@example.com');
    const duplicate = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.userId, grace!.id), eq(auditEvents.action, 'registration.duplicate')));
    expect(duplicate).toHaveLength(1);
    expect(duplicate[0]!.meta).toEqual({ field: 'email' });
  });

  it('S13: an existing username gets the same answer; the new address is told to pick another', async () => {
    await registerUser(t.db, input({ username: 'linus', email: 'linus@example.com' }), fresh(), clock);
    const again = await registerUser(
      t.db,
      input({ username: 'LINUS', email: 'other@example.com' }),
      ctx,
      clock,
    );
    expect(again).toEqual({ ok: true });
    await deliver();
    const mail = await mailbox.catcher.waitForMail('other@example.com');
    expect(mail.subject).toMatch(/another username/i);
    expect(await userByEmail('other@example.com')).toBeUndefined();
    const linus = await userByEmail('linus@example.com');
    const [duplicate] = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.userId, linus!.id), eq(auditEvents.action, 'registration.duplicate')));
    expect(duplicate?.meta).toEqual({ field: 'username' });
  });

  it('S14: rapid sign-ups for one address get rate limited', async () => {
    const results = [];
    for (let i = 0; i < 5; i += 1) {
      results.push(
        await registerUser(
          t.db,
          input({ username: `flood${i}`, email: 'flood@example.com' }),
          fresh(),
          clock,
        ),
      );
    }
    expect(results.slice(0, 3).every((r) => r.ok)).toBe(true);
    expect(results[3]).toMatchObject({ ok: false, code: 'rate_limited' });
    expect((results[3] as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(0);
  });

  it('refuses a common password or one containing the username, with the reason', async () => {
    expect(
      await registerUser(
        t.db,
        input({
          username: 'weak',
          email: 'weak@example.com',
          password: 'passwordpassword',
          confirmPassword: 'passwordpassword',
        }),
        ctx,
        clock,
      ),
    ).toMatchObject({ ok: false, code: 'password_policy' });
    const withName = 'my name is marvin the android';
    expect(
      await registerUser(
        t.db,
        input({
          username: 'marvin',
          email: 'marvin@example.com',
          password: withName,
          confirmPassword: withName,
        }),
        ctx,
        clock,
      ),
    ).toEqual({
      ok: false,
      code: 'password_policy',
      problem: { code: 'contains_personal', what: 'username' },
    });
  });
});

describe('verification and approval', () => {
  it('S15: the link works once: pending, admins told once confirmed, then already verified', async () => {
    await createAdmin(t.db, { email: 'admin1@example.com' }, ctx, clock);
    await registerUser(t.db, input({ username: 'hopper', email: 'hopper@example.com' }), fresh(), clock);
    await deliver();
    // No admin mail before the address is confirmed.
    expect(mailbox.catcher.messages.some((m) => m.envelope.to.includes('admin1@example.com'))).toBe(false);
    const token = linkTo(
      await mailbox.catcher.waitForMail('hopper@example.com'),
      '/verify-email',
    ).searchParams.get('token');

    expect(await verifyEmail(t.db, { token, password: PASSWORD }, ctx, clock)).toEqual({
      ok: true,
      state: 'pending',
    });
    expect(await verifyEmail(t.db, { token, password: PASSWORD }, ctx, clock)).toEqual({
      ok: false,
      code: 'already_verified',
    });
    await deliver();
    const adminMail = await mailbox.catcher.waitForMail('admin1@example.com');
    expect(adminMail.text).toContain('I run the analytical engine team.');
    const hopper = await userByEmail('hopper@example.com');
    expect(linkTo(adminMail, `/admin/users/${hopper!.id}`)).toBeTruthy();
  });

  it('S15: a verification link expires after its lifetime', async () => {
    await registerUser(t.db, input({ username: 'late', email: 'late@example.com' }), fresh(), clock);
    await deliver();
    const token = linkTo(
      await mailbox.catcher.waitForMail('late@example.com'),
      '/verify-email',
    ).searchParams.get('token');
    clock.advance(DAY + MINUTE);
    expect(await verifyEmail(t.db, { token, password: PASSWORD }, ctx, clock)).toEqual({
      ok: false,
      code: 'invalid_or_expired',
    });
    expect((await userByEmail('late@example.com'))!.emailVerifiedAt).toBeNull();
  });

  it('S16: a tampered link gets "invalid or expired"', async () => {
    await registerUser(t.db, input({ username: 'tamper', email: 'tamper@example.com' }), fresh(), clock);
    await deliver();
    const token = linkTo(
      await mailbox.catcher.waitForMail('tamper@example.com'),
      '/verify-email',
    ).searchParams.get('token')!;
    const tampered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    expect(await verifyEmail(t.db, { token: tampered, password: PASSWORD }, ctx, clock)).toEqual({
      ok: false,
      code: 'invalid_or_expired',
    });
    expect(await verifyEmail(t.db, { token: token.slice(0, 20), password: PASSWORD }, ctx, clock)).toEqual({
      ok: false,
      code: 'invalid_or_expired',
    });
  });

  it('approval sends welcome; rejection sends account-rejected and the account can no longer sign in (S44, S46)', async () => {
    const admin = await createAdmin(t.db, { email: 'admin2@example.com' }, ctx, clock);
    expect(await registerAndVerify('approved')).toEqual({ ok: true, state: 'pending' });
    expect(await registerAndVerify('rejected')).toEqual({ ok: true, state: 'pending' });
    const approved = await userByEmail('approved@example.com');
    const rejected = await userByEmail('rejected@example.com');

    // S44: pending accounts get no session, and are told why only after the right password.
    expect(await logIn(t.db, { identifier: 'approved', password: PASSWORD }, ctx, clock)).toMatchObject({
      ok: false,
      code: 'pending',
    });
    expect(
      await logIn(t.db, { identifier: 'approved', password: 'wrong password here' }, ctx, clock),
    ).toEqual({
      ok: false,
      code: 'invalid_credentials',
    });

    expect(await approveUser(t.db, { adminId: admin.userId, userId: approved!.id }, ctx, clock)).toEqual({
      ok: true,
    });
    expect(await approveUser(t.db, { adminId: admin.userId, userId: approved!.id }, ctx, clock)).toEqual({
      ok: false,
      code: 'not_pending',
    });
    expect(await rejectUser(t.db, { adminId: admin.userId, userId: rejected!.id }, ctx, clock)).toEqual({
      ok: true,
    });
    await deliver();
    expect((await mailbox.catcher.waitForMail('approved@example.com')).subject).toMatch(
      /welcome|approved|ready/i,
    );
    expect((await mailbox.catcher.waitForMail('rejected@example.com')).text.length).toBeGreaterThan(10);

    const ok = await logIn(t.db, { identifier: 'approved@example.com', password: PASSWORD }, ctx, clock);
    expect(ok.ok).toBe(true);
    expect(await logIn(t.db, { identifier: 'rejected', password: PASSWORD }, ctx, clock)).toMatchObject({
      ok: false,
      code: 'rejected',
    });
    const [audit] = await t.db.select().from(auditEvents).where(eq(auditEvents.action, 'user.rejected'));
    expect(audit).toMatchObject({ actorId: admin.userId, userId: rejected!.id });
  });

  it('with approval off, a confirmed account is active at once and welcomed', async () => {
    await setSetting(t.db, 'signup_mode', 'open');
    try {
      expect(await registerAndVerify('selfserve')).toEqual({ ok: true, state: 'active' });
      await deliver();
      expect((await mailbox.catcher.waitForMail('selfserve@example.com')).subject).toBeTruthy();
    } finally {
      await setSetting(t.db, 'signup_mode', 'approval');
    }
  });

  it('an address in ADMIN_EMAILS becomes an active admin when it confirms', async () => {
    expect(await registerAndVerify('boss')).toEqual({ ok: true, state: 'active' });
    expect(await userByEmail('boss@example.com')).toMatchObject({ role: 'admin' });
  });
});

describe('resending the link', () => {
  it('S19: an immediate resend is refused with the seconds to wait, for any address', async () => {
    await registerUser(t.db, input({ username: 'resend', email: 'resend@example.com' }), fresh(), clock);
    expect(await resendVerification(t.db, 'resend@example.com', ctx, clock)).toEqual({ ok: true });
    const again = await resendVerification(t.db, 'resend@example.com', ctx, clock);
    expect(again).toMatchObject({ ok: false, code: 'cooldown' });
    expect((again as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(50);
    // An unknown address behaves the same (S13).
    expect(await resendVerification(t.db, 'nobody@example.com', ctx, clock)).toEqual({ ok: true });
    expect(await resendVerification(t.db, 'nobody@example.com', ctx, clock)).toMatchObject({
      ok: false,
      code: 'cooldown',
    });
    clock.advance(61_000);
    expect(await resendVerification(t.db, 'resend@example.com', ctx, clock)).toEqual({ ok: true });
  });

  it('the newest link wins: a resend voids the earlier one', async () => {
    await registerUser(t.db, input({ username: 'newest', email: 'newest@example.com' }), fresh(), clock);
    await deliver();
    const first = linkTo(
      await mailbox.catcher.waitForMail('newest@example.com'),
      '/verify-email',
    ).searchParams.get('token');
    clock.advance(2 * MINUTE);
    await resendVerification(t.db, 'newest@example.com', ctx, clock);
    await deliver();
    const second = linkTo(
      await mailbox.catcher.waitForMail('newest@example.com'),
      '/verify-email',
    ).searchParams.get('token');
    expect(await verifyEmail(t.db, { token: first, password: PASSWORD }, ctx, clock)).toEqual({
      ok: false,
      code: 'invalid_or_expired',
    });
    expect(await verifyEmail(t.db, { token: second, password: PASSWORD }, ctx, clock)).toEqual({
      ok: true,
      state: 'pending',
    });
  });
});

describe('first administrator', () => {
  it('S26: a fresh database has no accounts; admin:create makes one with no password and a one-time link', async () => {
    const fresh = await createTestDatabase();
    try {
      expect(await fresh.db.select().from(users)).toHaveLength(0);
      const made = await createAdmin(fresh.db, { email: 'First.Admin@Example.com' }, ctx, clock);
      expect(made.created).toBe(true);
      const [admin] = await fresh.db.select().from(users);
      expect(admin).toMatchObject({ email: 'first.admin@example.com', role: 'admin', passwordHash: null });
      // No password means no way in until the owner sets one.
      expect(
        await logIn(fresh.db, { identifier: 'first.admin@example.com', password: '' }, ctx, clock),
      ).toMatchObject({
        ok: false,
        code: 'invalid_credentials',
      });
      const token = new URL(made.setPasswordUrl).searchParams.get('token');
      expect(
        await setPasswordWithToken(
          fresh.db,
          { token, password: PASSWORD, purpose: 'set_password' },
          ctx,
          clock,
        ),
      ).toMatchObject({ ok: true });
      // S44: setting the password signs nobody in; the link is single use.
      expect(await fresh.db.select().from(sessions)).toHaveLength(0);
      expect(
        await setPasswordWithToken(
          fresh.db,
          { token, password: PASSWORD, purpose: 'set_password' },
          ctx,
          clock,
        ),
      ).toEqual({
        ok: false,
        code: 'invalid_or_expired',
      });
      expect(
        (await logIn(fresh.db, { identifier: 'first.admin@example.com', password: PASSWORD }, ctx, clock)).ok,
      ).toBe(true);
    } finally {
      await fresh.close();
    }
  });

  it('a refused password does not burn the set-password link', async () => {
    const made = await createAdmin(t.db, { email: 'admin3@example.com' }, ctx, clock);
    const token = new URL(made.setPasswordUrl).searchParams.get('token');
    expect(
      await setPasswordWithToken(t.db, { token, password: 'password', purpose: 'set_password' }, ctx, clock),
    ).toMatchObject({
      ok: false,
      code: 'password_policy',
    });
    expect(
      await setPasswordWithToken(t.db, { token, password: PASSWORD, purpose: 'set_password' }, ctx, clock),
    ).toMatchObject({ ok: true });
  });
});

describe('bad input on every field', () => {
  const schema = registrationSchema(15);
  const base = {
    username: 'valid',
    email: 'valid@example.com',
    password: PASSWORD,
    confirmPassword: PASSWORD,
    fullName: 'Valid Name',
  };
  it.each([
    ['username', 'empty', ''],
    ['username', '10,000 characters', 'x'.repeat(10_000)],
    ['username', 'HTML', '<script>alert(1)</script>'],
    ['username', 'SQL', "robert'); drop table users;--"],
    ['username', 'emoji', '😀😀😀'],
    ['email', 'not an address', 'not-an-email'],
    ['email', '10,000 characters', `${'a'.repeat(10_000)}@example.com`],
    ['fullName', 'empty', ''],
    ['fullName', '10,000 characters', 'x'.repeat(10_000)],
    ['fullName', 'a line break', 'line\nbreak'],
    ['fullName', 'invalid UTF-16 (lone surrogate)', 'Ada \ud800 Lovelace'],
    ['phone', 'letters', 'call me maybe'],
    ['city', '10,000 characters', 'x'.repeat(10_000)],
    ['comment', '10,000 characters', 'x'.repeat(10_000)],
    ['password', 'too short', 'short'],
    ['confirmPassword', 'a mismatch', 'something else entirely'],
  ])('%s with %s gives a field error on that field', (field, _label, value) => {
    const result = schema.safeParse({ ...base, [field]: value });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path[0])).toContain(field);
  });

  it('trims spaces and lower-cases the email; HTML and SQL in free text are stored as typed', () => {
    const parsed = schema.parse({
      ...base,
      email: '  Mixed.Case@Example.COM ',
      username: '  spaced  ',
      fullName: "<b>Bold</b> O'Brien; drop table users",
      comment: '<img src=x onerror=alert(1)>',
    });
    expect(parsed.email).toBe('mixed.case@example.com');
    expect(parsed.username).toBe('spaced');
    expect(parsed.fullName).toBe("<b>Bold</b> O'Brien; drop table users");
    expect(parsed.comment).toBe('<img src=x onerror=alert(1)>');
  });

  it('arrays and numbers where strings are expected give field errors, never an exception', () => {
    const result = schema.safeParse({ ...base, username: ['a', 'b'], email: 42 });
    expect(result.success).toBe(false);
  });
});

it('HOUR and DAY are what the flows assume', () => {
  expect(DAY / HOUR).toBe(24);
});
