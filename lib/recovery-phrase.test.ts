import { validateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, emailOutbox, rateLimits, sessions, users } from '@/db/schema';
import { HOUR, ManualClock, MINUTE } from '@/lib/clock';
import { resetEnvCache } from '@/lib/env';
import { logIn } from '@/lib/login';
import { hashPassword } from '@/lib/password';
import {
  CONFIRMATION_TTL_MS,
  confirmRecoveryPhrase,
  createRecoveryPhrase,
  generateRecoveryPhrase,
  hasRecoveryPhrase,
  isWellFormedPhrase,
  normalizePhrase,
  resetPasswordWithPhrase,
  verifyRecoveryPhrase,
} from '@/lib/recovery-phrase';
import { createSession, validateSession } from '@/lib/sessions';
import { recoveryPhraseSetupSchema, resetWithPhraseSchema } from '@/lib/validation/recovery-phrase';
import { startMailbox } from '@/tests/helpers/mail';
import { createTestDatabase, type TestDatabase } from '@/tests/helpers/test-db';

let t: TestDatabase;
let mailbox: Awaited<ReturnType<typeof startMailbox>>;
const clock = new ManualClock(new Date());
const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new passphrase for winter';
let octet = 0;
// A fresh address per call keeps the per-IP budget out of tests that are not about it.
const ctx = () => ({ ip: `198.51.100.${(octet += 1)}`, userAgent: 'vitest' });
let savedSecret: string | undefined;

type State = 'active' | 'locked' | 'rejected';

async function makeUser(username: string, state: State = 'active') {
  const hashed = await hashPassword(PASSWORD);
  if (!hashed.ok) throw new Error('busy');
  const now = clock.now();
  const [user] = await t.db
    .insert(users)
    .values({
      username,
      email: `${username}@example.com`,
      fullName: username,
      passwordHash: hashed.hash,
      emailVerifiedAt: now,
      approvedAt: state === 'rejected' ? null : now,
      lockedAt: state === 'locked' ? now : null,
      rejectedAt: state === 'rejected' ? now : null,
    })
    .returning();
  return user!;
}

async function userRow(id: string) {
  const [row] = await t.db.select().from(users).where(eq(users.id, id));
  return row!;
}

/** Both steps, as the owner does them: password, phrase shown, phrase typed back. */
async function givePhrase(userId: string): Promise<string> {
  const created = await createRecoveryPhrase(t.db, { userId, currentPassword: PASSWORD }, ctx(), clock);
  if (!created.ok) throw new Error(`create failed: ${created.code}`);
  const saved = await confirmRecoveryPhrase(
    t.db,
    { userId, phrase: created.phrase, confirmation: created.confirmation },
    ctx(),
    clock,
  );
  expect(saved).toEqual({ ok: true });
  return created.phrase;
}

/** A phrase that is well formed but belongs to nobody. */
function otherPhrase(than: string): string {
  for (;;) {
    const phrase = generateRecoveryPhrase();
    if (phrase !== than) return phrase;
  }
}

const auditFor = (userId: string) =>
  t.db.select().from(auditEvents).where(eq(auditEvents.userId, userId)).orderBy(asc(auditEvents.id));

beforeAll(async () => {
  savedSecret = process.env.AUTH_SECRET;
  process.env.AUTH_SECRET = 'recovery-phrase-tests-secret-of-at-least-32-chars';
  resetEnvCache();
  t = await createTestDatabase();
  mailbox = await startMailbox();
});

afterAll(async () => {
  if (savedSecret === undefined) delete process.env.AUTH_SECRET;
  else process.env.AUTH_SECRET = savedSecret;
  resetEnvCache();
  await mailbox?.stop();
  await t?.close();
});

describe('the phrase', () => {
  it('is 12 words from the BIP39 English list with a valid checksum, and 1,000 in a row all differ', () => {
    const list = new Set(wordlist);
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i += 1) {
      const phrase = generateRecoveryPhrase();
      const words = phrase.split(' ');
      expect(words).toHaveLength(12);
      expect(words.every((w) => list.has(w))).toBe(true);
      expect(validateMnemonic(phrase, wordlist)).toBe(true);
      seen.add(phrase);
    }
    expect(seen.size).toBe(1000);
  });

  it('is normalised: extra spaces, capitals, line breaks, tabs and full-width letters', () => {
    expect(normalizePhrase('  Abandon\n\nABILITY   able\t\r\nabout  ')).toBe('abandon ability able about');
    expect(normalizePhrase('ＡＢＡＮＤＯＮ ability')).toBe('abandon ability');
    expect(normalizePhrase(' \n ')).toBe('');
  });

  it('is well formed only with 12 listed words and a valid checksum', () => {
    const phrase = generateRecoveryPhrase();
    expect(isWellFormedPhrase(phrase)).toBe(true);
    expect(isWellFormedPhrase(phrase.split(' ').slice(0, 11).join(' '))).toBe(false);
    expect(isWellFormedPhrase(`${phrase.split(' ').slice(0, 11).join(' ')} notaword`)).toBe(false);
    expect(isWellFormedPhrase('abandon '.repeat(12).trim())).toBe(false); // checksum
  });

  it('the shared form schemas ask for 12 words and, at setup, for the step in hand', () => {
    const reset = resetWithPhraseSchema(15);
    const base = { email: 'a@example.com', password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD };
    expect(reset.safeParse({ ...base, phrase: generateRecoveryPhrase() }).success).toBe(true);
    const short = reset.safeParse({ ...base, phrase: 'abandon ability' });
    expect(short.success).toBe(false);
    expect(short.error?.issues[0]?.message).toBe('recovery.errors.wordCount?count=12');
    expect(recoveryPhraseSetupSchema.safeParse({}).success).toBe(false);
    expect(recoveryPhraseSetupSchema.safeParse({ currentPassword: 'x' }).success).toBe(true);
    expect(recoveryPhraseSetupSchema.safeParse({ confirmation: 'v1.a.b', phrase: '' }).success).toBe(false);
  });
});

describe('creating a phrase', () => {
  it('S41: needs the current password; a wrong one creates nothing', async () => {
    const user = await makeUser('nopass');
    expect(
      await createRecoveryPhrase(
        t.db,
        { userId: user.id, currentPassword: 'not my password at all' },
        ctx(),
        clock,
      ),
    ).toEqual({ ok: false, code: 'wrong_password' });
    expect(await hasRecoveryPhrase(t.db, user.id)).toBe(false);
  });

  it('stores only an argon2id hash: the phrase appears nowhere in the database', async () => {
    const user = await makeUser('storage');
    const phrase = await givePhrase(user.id);
    const row = await userRow(user.id);
    expect(row.recoveryPhraseHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const dump = JSON.stringify({
      users: await t.db.select().from(users),
      audit: await t.db.select().from(auditEvents),
      outbox: await t.db.select().from(emailOutbox),
      limits: await t.db.select().from(rateLimits),
    });
    expect(dump).not.toContain(phrase);
    expect(dump).not.toContain(phrase.replaceAll(' ', ''));
    const events = await auditFor(user.id);
    expect(events.find((e) => e.action === 'recovery_phrase.created')).toMatchObject({ actorId: user.id });
    // S60: the owner is told, without the phrase (the dump above holds the outbox too).
    expect(
      (await t.db.select().from(emailOutbox).where(eq(emailOutbox.to, user.email))).map((m) => m.template),
    ).toEqual(['recovery-phrase-created']);
  });

  it('saves nothing until the phrase is typed back, and refuses a wrong one', async () => {
    const user = await makeUser('confirmer');
    const created = await createRecoveryPhrase(
      t.db,
      { userId: user.id, currentPassword: PASSWORD },
      ctx(),
      clock,
    );
    if (!created.ok) throw new Error(created.code);
    expect(await hasRecoveryPhrase(t.db, user.id)).toBe(false);
    expect(
      await confirmRecoveryPhrase(
        t.db,
        { userId: user.id, phrase: otherPhrase(created.phrase), confirmation: created.confirmation },
        ctx(),
        clock,
      ),
    ).toEqual({ ok: false, code: 'mismatch' });
    expect(await hasRecoveryPhrase(t.db, user.id)).toBe(false);
    // Typed back sloppily, it is still the same phrase.
    const sloppy = `  ${created.phrase.toUpperCase().replaceAll(' ', '\n ')}\n`;
    expect(
      await confirmRecoveryPhrase(
        t.db,
        { userId: user.id, phrase: sloppy, confirmation: created.confirmation },
        ctx(),
        clock,
      ),
    ).toEqual({ ok: true });
    expect(await hasRecoveryPhrase(t.db, user.id)).toBe(true);
  });

  it('a new phrase replaces the old one only once confirmed', async () => {
    const user = await makeUser('replacer');
    const first = await givePhrase(user.id);
    const pending = await createRecoveryPhrase(
      t.db,
      { userId: user.id, currentPassword: PASSWORD },
      ctx(),
      clock,
    );
    if (!pending.ok) throw new Error(pending.code);
    // Abandoned half way: the first phrase still works.
    const probe = await verifyRecoveryPhrase(
      t.db,
      { userId: user.id, phrase: pending.phrase, purpose: 'test' },
      ctx(),
      clock,
    );
    expect(probe).toEqual({ ok: false, code: 'invalid' });
    expect(
      await confirmRecoveryPhrase(
        t.db,
        { userId: user.id, phrase: pending.phrase, confirmation: pending.confirmation },
        ctx(),
        clock,
      ),
    ).toEqual({ ok: true });
    expect(
      await verifyRecoveryPhrase(t.db, { userId: user.id, phrase: first, purpose: 'test' }, ctx(), clock),
    ).toEqual({ ok: false, code: 'invalid' });
    const events = await auditFor(user.id);
    expect(
      events
        .filter((e) => e.action === 'recovery_phrase.created' || e.action === 'recovery_phrase.replaced')
        .map((e) => e.action),
    ).toEqual(['recovery_phrase.created', 'recovery_phrase.replaced']);
  });

  it('a confirmation is refused when tampered with, for another user, expired, replayed or after a password change', async () => {
    const user = await makeUser('tamper');
    const other = await makeUser('tamper2');
    const fresh = async () => {
      const created = await createRecoveryPhrase(
        t.db,
        { userId: user.id, currentPassword: PASSWORD },
        ctx(),
        clock,
      );
      if (!created.ok) throw new Error(created.code);
      return created;
    };
    const confirm = (userId: string, phrase: string, confirmation: string) =>
      confirmRecoveryPhrase(t.db, { userId, phrase, confirmation }, ctx(), clock);
    const expired = { ok: false, code: 'expired' };

    const a = await fresh();
    const [version, body, mac] = a.confirmation.split('.');
    const flipped = `${version}.${body}.${mac!.slice(0, -2)}${mac!.endsWith('AA') ? 'BA' : 'AA'}`;
    expect(await confirm(user.id, a.phrase, flipped)).toEqual(expired);
    expect(await confirm(user.id, a.phrase, a.confirmation.slice(0, -1))).toEqual(expired);
    expect(await confirm(user.id, a.phrase, `${a.confirmation}x`)).toEqual(expired);
    expect(await confirm(user.id, a.phrase, 'garbage')).toEqual(expired);
    expect(await confirm(other.id, a.phrase, a.confirmation)).toEqual(expired);

    clock.advance(CONFIRMATION_TTL_MS + MINUTE);
    expect(await confirm(user.id, a.phrase, a.confirmation)).toEqual(expired);

    const b = await fresh();
    expect(await confirm(user.id, b.phrase, b.confirmation)).toEqual({ ok: true });
    expect(await confirm(user.id, b.phrase, b.confirmation)).toEqual(expired);

    const c = await fresh();
    const rehashed = await hashPassword('some other password entirely');
    if (!rehashed.ok) throw new Error('busy');
    await t.db.update(users).set({ passwordHash: rehashed.hash }).where(eq(users.id, user.id));
    expect(await confirm(user.id, c.phrase, c.confirmation)).toEqual(expired);
    expect(await hasRecoveryPhrase(t.db, user.id)).toBe(true);
  });
});

describe('resetting the password with the phrase', () => {
  it('S37/S38: works without any mail delivered, revokes every session, spends the phrase, then mails the owner', async () => {
    const user = await makeUser('lostinbox');
    const phrase = await givePhrase(user.id);
    const first = await createSession(t.db, user.id, ctx(), clock);
    const second = await createSession(t.db, user.id, ctx(), clock);

    const result = await resetPasswordWithPhrase(
      t.db,
      { email: ' LostInbox@Example.com ', phrase, newPassword: NEW_PASSWORD },
      ctx(),
      clock,
    );
    expect(result).toEqual({ ok: true, userId: user.id });

    expect(await userRow(user.id)).toMatchObject({ recoveryPhraseHash: null });
    expect(
      (await t.db.select().from(emailOutbox).where(eq(emailOutbox.to, user.email))).map((m) => m.template),
    ).toEqual(['recovery-phrase-created', 'recovery-phrase-used']);
    // Nothing has been delivered yet, and the new password already works; the old one does not.
    expect(await logIn(t.db, { identifier: 'lostinbox', password: PASSWORD }, ctx(), clock)).toEqual({
      ok: false,
      code: 'invalid_credentials',
    });
    expect(
      await logIn(t.db, { identifier: 'lostinbox', password: NEW_PASSWORD }, ctx(), clock),
    ).toMatchObject({ ok: true });

    expect(await validateSession(t.db, first, clock)).toBeUndefined();
    expect(await validateSession(t.db, second, clock)).toBeUndefined();

    // Single use: the same phrase does nothing a second time.
    expect(
      await resetPasswordWithPhrase(
        t.db,
        { email: 'lostinbox@example.com', phrase, newPassword: 'yet another long passphrase' },
        ctx(),
        clock,
      ),
    ).toEqual({ ok: false, code: 'invalid' });

    await mailbox.deliver(t.db, clock);
    // The phrase's creation was mailed too (S60); the two may arrive in either order.
    const mail = await mailbox.catcher.waitForMail('lostinbox@example.com', {
      predicate: (m) => /recovery phrase was used/i.test(m.subject),
    });
    expect(mail.text).toContain('http://localhost:3000/account/recovery');
    for (const secret of [phrase, NEW_PASSWORD, PASSWORD]) {
      expect(mail.text).not.toContain(secret);
      expect(mail.html).not.toContain(secret);
    }
    const events = await auditFor(user.id);
    expect(events.find((e) => e.action === 'recovery_phrase.used')).toMatchObject({
      actorId: user.id,
      meta: { purpose: 'password_reset' },
    });
  });

  it('of two concurrent uses of one phrase, exactly one succeeds', async () => {
    const user = await makeUser('racer');
    const phrase = await givePhrase(user.id);
    const results = await Promise.all(
      ['first racing passphrase here', 'second racing passphrase here'].map((newPassword) =>
        resetPasswordWithPhrase(t.db, { email: 'racer@example.com', phrase, newPassword }, ctx(), clock),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, code: 'invalid' }]);
    const used = (await auditFor(user.id)).filter((e) => e.action === 'recovery_phrase.used');
    expect(used).toHaveLength(1);
  });

  it('clears the sign-in throttle', async () => {
    const user = await makeUser('throttled');
    const phrase = await givePhrase(user.id);
    await t.db
      .update(users)
      .set({ failedLoginCount: 100, loginThrottledUntil: new Date(clock.now().getTime() + HOUR) })
      .where(eq(users.id, user.id));
    expect(
      await resetPasswordWithPhrase(
        t.db,
        { email: 'throttled@example.com', phrase, newPassword: NEW_PASSWORD },
        ctx(),
        clock,
      ),
    ).toMatchObject({ ok: true });
    expect(await userRow(user.id)).toMatchObject({ failedLoginCount: 0, loginThrottledUntil: null });
  });

  it('accepts the phrase with extra spaces, capitals and line breaks', async () => {
    const user = await makeUser('sloppy');
    const phrase = await givePhrase(user.id);
    const words = phrase.split(' ');
    const typed = `\n  ${words.slice(0, 6).join('   ').toUpperCase()}\r\n${words.slice(6).join(' \t ')}  \n`;
    expect(
      await resetPasswordWithPhrase(
        t.db,
        { email: 'sloppy@example.com', phrase: typed, newPassword: NEW_PASSWORD },
        ctx(),
        clock,
      ),
    ).toEqual({ ok: true, userId: user.id });
  });

  it('a wrong phrase answers invalid, changes nothing and is audited', async () => {
    const user = await makeUser('wrongphrase');
    const phrase = await givePhrase(user.id);
    const before = await userRow(user.id);
    const request = ctx();
    expect(
      await resetPasswordWithPhrase(
        t.db,
        { email: 'wrongphrase@example.com', phrase: otherPhrase(phrase), newPassword: NEW_PASSWORD },
        request,
        clock,
      ),
    ).toEqual({ ok: false, code: 'invalid' });
    const after = await userRow(user.id);
    expect(after.passwordHash).toBe(before.passwordHash);
    expect(after.recoveryPhraseHash).toBe(before.recoveryPhraseHash);
    const failed = (await auditFor(user.id)).filter((e) => e.action === 'recovery_phrase.failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ ip: request.ip, meta: { reason: 'wrong_phrase' } });
  });

  it('a malformed phrase (a typo off the list, a missing word) is refused without spending an attempt', async () => {
    const user = await makeUser('typo');
    const phrase = await givePhrase(user.id);
    const words = phrase.split(' ');
    for (let i = 0; i < 6; i += 1) {
      expect(
        await resetPasswordWithPhrase(
          t.db,
          {
            email: 'typo@example.com',
            phrase: `${words.slice(0, 11).join(' ')} zzzz`,
            newPassword: NEW_PASSWORD,
          },
          ctx(),
          clock,
        ),
      ).toEqual({ ok: false, code: 'malformed' });
    }
    expect(
      await resetPasswordWithPhrase(
        t.db,
        { email: 'typo@example.com', phrase, newPassword: NEW_PASSWORD },
        ctx(),
        clock,
      ),
    ).toMatchObject({ ok: true });
  });

  it('unknown email, an account without a phrase and a wrong phrase get the same answer', async () => {
    await makeUser('nophrase');
    const withPhrase = await makeUser('hasphrase');
    const phrase = await givePhrase(withPhrase.id);
    const someone = otherPhrase(phrase);
    const answers = [
      await resetPasswordWithPhrase(
        t.db,
        { email: 'nobody-here@example.com', phrase: someone, newPassword: NEW_PASSWORD },
        ctx(),
        clock,
      ),
      await resetPasswordWithPhrase(
        t.db,
        { email: 'nophrase@example.com', phrase: someone, newPassword: NEW_PASSWORD },
        ctx(),
        clock,
      ),
      await resetPasswordWithPhrase(
        t.db,
        { email: 'hasphrase@example.com', phrase: someone, newPassword: NEW_PASSWORD },
        ctx(),
        clock,
      ),
    ];
    for (const answer of answers) expect(answer).toEqual({ ok: false, code: 'invalid' });
    const unknown = await t.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, 'recovery_phrase.failed'));
    expect(
      unknown.some((e) => e.userId === null && (e.meta as { reason?: string }).reason === 'unknown_account'),
    ).toBe(true);
  });

  it('S14: the 6th attempt within the hour on one account is rate limited, even with the right phrase and from new addresses', async () => {
    const user = await makeUser('hammered');
    const phrase = await givePhrase(user.id);
    for (let i = 0; i < 5; i += 1) {
      expect(
        await resetPasswordWithPhrase(
          t.db,
          { email: 'hammered@example.com', phrase: otherPhrase(phrase), newPassword: NEW_PASSWORD },
          ctx(),
          clock,
        ),
      ).toEqual({ ok: false, code: 'invalid' });
    }
    const sixth = await resetPasswordWithPhrase(
      t.db,
      { email: 'hammered@example.com', phrase, newPassword: NEW_PASSWORD },
      ctx(),
      clock,
    );
    expect(sixth).toMatchObject({ ok: false, code: 'rate_limited' });
    expect((sixth as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(0);
    expect((sixth as { retryAfterSeconds: number }).retryAfterSeconds).toBeLessThanOrEqual(3600);
    // verifyRecoveryPhrase shares the account's budget.
    expect(
      await verifyRecoveryPhrase(t.db, { userId: user.id, phrase, purpose: 'email_change' }, ctx(), clock),
    ).toMatchObject({ ok: false, code: 'rate_limited' });
    const failed = (await auditFor(user.id)).filter((e) => e.action === 'recovery_phrase.failed');
    expect(failed.map((e) => (e.meta as { reason: string }).reason)).toEqual([
      ...Array(5).fill('wrong_phrase'),
      'rate_limited',
      'rate_limited',
    ]);
    expect(await hasRecoveryPhrase(t.db, user.id)).toBe(true);

    clock.advance(HOUR);
    expect(
      await resetPasswordWithPhrase(
        t.db,
        { email: 'hammered@example.com', phrase, newPassword: NEW_PASSWORD },
        ctx(),
        clock,
      ),
    ).toMatchObject({ ok: true });
  });

  it('S14: the 6th attempt within the hour from one address is rate limited, across different accounts', async () => {
    const request = ctx();
    const victims = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => makeUser(`spray${i}`)));
    const phrases: string[] = [];
    for (const victim of victims) phrases.push(await givePhrase(victim.id));
    for (let i = 0; i < 5; i += 1) {
      expect(
        await resetPasswordWithPhrase(
          t.db,
          { email: `spray${i + 1}@example.com`, phrase: otherPhrase(phrases[i]!), newPassword: NEW_PASSWORD },
          request,
          clock,
        ),
      ).toEqual({ ok: false, code: 'invalid' });
    }
    expect(
      await resetPasswordWithPhrase(
        t.db,
        { email: 'spray6@example.com', phrase: phrases[5]!, newPassword: NEW_PASSWORD },
        request,
        clock,
      ),
    ).toMatchObject({ ok: false, code: 'rate_limited' });
    // From another address the same request goes through: it was the address that was out of budget.
    expect(
      await resetPasswordWithPhrase(
        t.db,
        { email: 'spray6@example.com', phrase: phrases[5]!, newPassword: NEW_PASSWORD },
        ctx(),
        clock,
      ),
    ).toMatchObject({ ok: true });
  });

  it('an unknown email is rate limited after 5 attempts too, so the limit says nothing about existence', async () => {
    const phrase = generateRecoveryPhrase();
    const answers = [];
    for (let i = 0; i < 6; i += 1) {
      answers.push(
        await resetPasswordWithPhrase(
          t.db,
          { email: 'ghost@example.com', phrase, newPassword: NEW_PASSWORD },
          ctx(),
          clock,
        ),
      );
    }
    expect(answers.slice(0, 5).every((a) => a.ok === false && a.code === 'invalid')).toBe(true);
    expect(answers[5]).toMatchObject({ ok: false, code: 'rate_limited' });
  });

  it('S6/S8/S36: the new password passes the full policy; a refused one keeps the phrase', async () => {
    const user = await makeUser('policyholder');
    const phrase = await givePhrase(user.id);
    expect(
      await resetPasswordWithPhrase(
        t.db,
        { email: 'policyholder@example.com', phrase, newPassword: 'passwordpassword' },
        ctx(),
        clock,
      ),
    ).toEqual({ ok: false, code: 'password_policy', problem: { code: 'common' } });
    expect(
      await resetPasswordWithPhrase(
        t.db,
        { email: 'policyholder@example.com', phrase, newPassword: 'short' },
        ctx(),
        clock,
      ),
    ).toEqual({ ok: false, code: 'password_policy', problem: { code: 'too_short', min: 15 } });
    expect(
      await resetPasswordWithPhrase(
        t.db,
        { email: 'policyholder@example.com', phrase, newPassword: 'i am policyholder and proud of it' },
        ctx(),
        clock,
      ),
    ).toEqual({
      ok: false,
      code: 'password_policy',
      problem: { code: 'contains_personal', what: 'username' },
    });
    expect(await hasRecoveryPhrase(t.db, user.id)).toBe(true);
    expect(
      await resetPasswordWithPhrase(
        t.db,
        { email: 'policyholder@example.com', phrase, newPassword: NEW_PASSWORD },
        ctx(),
        clock,
      ),
    ).toMatchObject({ ok: true });
  });

  it('S44: a locked or rejected account is not unlocked by the phrase and gets no session', async () => {
    for (const state of ['locked', 'rejected'] as const) {
      const user = await makeUser(`was-${state}`);
      const phrase = await givePhrase(user.id);
      const now = clock.now();
      await t.db
        .update(users)
        .set(state === 'locked' ? { lockedAt: now, lockReason: 'test' } : { rejectedAt: now })
        .where(eq(users.id, user.id));
      expect(
        await resetPasswordWithPhrase(
          t.db,
          { email: `was-${state}@example.com`, phrase, newPassword: NEW_PASSWORD },
          ctx(),
          clock,
        ),
      ).toMatchObject({ ok: true });
      const row = await userRow(user.id);
      expect(state === 'locked' ? row.lockedAt : row.rejectedAt).not.toBeNull();
      const login = await logIn(t.db, { identifier: `was-${state}`, password: NEW_PASSWORD }, ctx(), clock);
      expect(login.ok).toBe(false);
      expect(await t.db.select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(0);
    }
  });
});

describe('verifying the phrase for another flow', () => {
  it('accepts the right phrase once, spends it and audits the purpose', async () => {
    const user = await makeUser('deadinbox');
    const phrase = await givePhrase(user.id);
    expect(
      await verifyRecoveryPhrase(
        t.db,
        { userId: user.id, phrase: otherPhrase(phrase), purpose: 'email_change' },
        ctx(),
        clock,
      ),
    ).toEqual({ ok: false, code: 'invalid' });
    expect(
      await verifyRecoveryPhrase(
        t.db,
        { userId: user.id, phrase: phrase.toUpperCase(), purpose: 'email_change' },
        ctx(),
        clock,
      ),
    ).toEqual({ ok: true });
    expect(await hasRecoveryPhrase(t.db, user.id)).toBe(false);
    expect(
      await verifyRecoveryPhrase(t.db, { userId: user.id, phrase, purpose: 'email_change' }, ctx(), clock),
    ).toEqual({ ok: false, code: 'invalid' });
    const events = await auditFor(user.id);
    expect(
      events.filter((e) => e.action.startsWith('recovery_phrase.')).map((e) => [e.action, e.meta]),
    ).toEqual([
      ['recovery_phrase.created', {}],
      ['recovery_phrase.failed', { reason: 'wrong_phrase', purpose: 'email_change' }],
      ['recovery_phrase.used', { purpose: 'email_change' }],
      ['recovery_phrase.failed', { reason: 'no_phrase', purpose: 'email_change' }],
    ]);
  });
});
