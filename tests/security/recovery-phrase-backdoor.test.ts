import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { auditEvents, emailOutbox, users, type User } from '@/db/schema';
import { unlockUser } from '@/lib/account-lock';
import { adminLockUser } from '@/lib/admin-user-actions';
import { ManualClock } from '@/lib/clock';
import { reportEmailChangeNotMe, requestEmailChange } from '@/lib/email-change';
import { resetEnvCache } from '@/lib/env';
import { logIn } from '@/lib/login';
import { requestPasswordReset, resetPasswordWithCode, resetPasswordWithToken } from '@/lib/password-reset';
import {
  confirmRecoveryPhrase,
  createRecoveryPhrase,
  hasRecoveryPhrase,
  resetPasswordWithPhrase,
  verifyRecoveryPhrase,
} from '@/lib/recovery-phrase';
import { createSession, validateSession } from '@/lib/sessions';
import { linkTo, setUpMailbox } from '@/tests/helpers/mail';
import { setUpTestDatabase } from '@/tests/helpers/test-db';
import { createTestUser, freshContext, TEST_PASSWORD } from '@/tests/helpers/users';

/**
 * S60: a recovery phrase is a standing credential. An attacker who holds a session and the password
 * (a stolen session re-authenticates with it) makes a phrase; these tests check that the owner hears
 * of it at once, and that the owner's ways of taking the account back ("this wasn't me" on an email
 * change, an admin lock, a password reset by link or code) leave the attacker's phrase worthless.
 */

const t = setUpTestDatabase();
const mailbox = setUpMailbox();
const clock = new ManualClock(new Date());
const ATTACKER_PASSWORD = 'the attacker keeps this door open';
let savedSecret: string | undefined;

beforeAll(() => {
  savedSecret = process.env.AUTH_SECRET;
  process.env.AUTH_SECRET = 'recovery-phrase-backdoor-secret-of-32-chars-or-more';
  resetEnvCache();
});

afterAll(() => {
  if (savedSecret === undefined) delete process.env.AUTH_SECRET;
  else process.env.AUTH_SECRET = savedSecret;
  resetEnvCache();
});

beforeEach(() => {
  // Refused sign-ins log a warning on purpose.
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});

const outboxTo = (to: string) =>
  t.db.select().from(emailOutbox).where(eq(emailOutbox.to, to)).orderBy(asc(emailOutbox.createdAt));
const auditOf = (userId: string) =>
  t.db.select().from(auditEvents).where(eq(auditEvents.userId, userId)).orderBy(asc(auditEvents.id));
const signIn = (identifier: string, password: string) =>
  logIn(t.db, { identifier, password }, freshContext(), clock);

/** What the attacker does from the owner's session: both steps of /account/recovery. */
async function attackerSetsPhrase(user: User): Promise<string> {
  const created = await createRecoveryPhrase(
    t.db,
    { userId: user.id, currentPassword: TEST_PASSWORD },
    freshContext('attacker'),
    clock,
  );
  if (!created.ok) throw new Error(`create failed: ${created.code}`);
  expect(
    await confirmRecoveryPhrase(
      t.db,
      { userId: user.id, phrase: created.phrase, confirmation: created.confirmation },
      freshContext('attacker'),
      clock,
    ),
  ).toEqual({ ok: true });
  return created.phrase;
}

/** What the attacker does later, from anywhere: the phrase and a password of their own. */
const attackerUsesPhrase = (user: User, phrase: string) =>
  resetPasswordWithPhrase(
    t.db,
    { email: user.email, phrase, newPassword: ATTACKER_PASSWORD },
    freshContext('attacker'),
    clock,
  );

async function expectPhraseDead(user: User, phrase: string) {
  expect(await hasRecoveryPhrase(t.db, user.id)).toBe(false);
  expect(await attackerUsesPhrase(user, phrase)).toEqual({ ok: false, code: 'invalid' });
  expect(await signIn(user.username, ATTACKER_PASSWORD)).toMatchObject({ ok: false });
}

async function expectClearedMailAndAudit(user: User, reason: string, actorId: string | null) {
  const removed = (await outboxTo(user.email)).filter((m) => m.template === 'recovery-phrase-removed');
  expect(removed).toHaveLength(1);
  const cleared = (await auditOf(user.id)).filter((e) => e.action === 'recovery_phrase.cleared');
  expect(cleared).toHaveLength(1);
  expect(cleared[0]).toMatchObject({ actorId, meta: { reason } });
}

describe('S60: the owner hears of every phrase', () => {
  it('S60: a phrase made in a stolen session is mailed to the owner at once, without the phrase in it', async () => {
    const owner = await createTestUser(t.db, clock, 'mailed-owner');
    const phrase = await attackerSetsPhrase(owner);

    const mails = await outboxTo(owner.email);
    expect(mails.map((m) => m.template)).toEqual(['recovery-phrase-created']);
    const [mail] = mails;
    // Not the phrase, nor any three of its words in a row (single words may be ordinary English).
    const words = phrase.split(' ');
    for (const part of [mail!.subject, mail!.html ?? '', mail!.text ?? '']) {
      for (let i = 0; i + 3 <= words.length; i += 1)
        expect(part).not.toContain(words.slice(i, i + 3).join(' '));
    }
    // It is delivered like any mail, and tells the owner what to do about it.
    await mailbox.deliver(t.db, clock);
    const delivered = await mailbox.catcher.waitForMail(owner.email);
    expect(delivered.subject).toMatch(/recovery phrase was created/i);
    expect(linkTo(delivered, '/forgot-password')).toBeTruthy();
    expect((await auditOf(owner.id)).filter((e) => e.action === 'recovery_phrase.created')).toHaveLength(1);
  });

  it('S60: replacing the phrase is mailed as a replacement, and audited as one', async () => {
    const owner = await createTestUser(t.db, clock, 'replaced-owner');
    await attackerSetsPhrase(owner);
    await attackerSetsPhrase(owner);
    const mails = (await outboxTo(owner.email)).filter((m) => m.template === 'recovery-phrase-created');
    expect(mails).toHaveLength(2);
    expect(mails[1]!.subject).toMatch(/replaced/i);
    expect((await auditOf(owner.id)).map((e) => e.action)).toEqual(
      expect.arrayContaining(['recovery_phrase.created', 'recovery_phrase.replaced']),
    );
  });

  it('S60: a phrase used as proof by another flow is mailed as used', async () => {
    const owner = await createTestUser(t.db, clock, 'proof-owner');
    const phrase = await attackerSetsPhrase(owner);
    expect(
      await verifyRecoveryPhrase(
        t.db,
        { userId: owner.id, phrase, purpose: 'email_change' },
        freshContext('attacker'),
        clock,
      ),
    ).toEqual({ ok: true });
    expect((await outboxTo(owner.email)).map((m) => m.template)).toContain('recovery-phrase-used');
  });
});

/** The attacker asks to move the account to their address; returns the owner's "this wasn't me" token. */
async function attackerMovesEmail(owner: { id: string; email: string }, newEmail: string) {
  expect(
    await requestEmailChange(
      t.db,
      { userId: owner.id, currentPassword: TEST_PASSWORD, newEmail },
      freshContext('attacker'),
      clock,
    ),
  ).toEqual({ ok: true });
  await mailbox.deliver(t.db, clock);
  const notice = await mailbox.catcher.waitForMail(owner.email, {
    predicate: (m) => /email address/i.test(m.subject),
  });
  return linkTo(notice, '/email-change/not-me').searchParams.get('token');
}

describe('S60: taking the account back clears the phrase', () => {
  it('S60: after "this wasn\'t me" on the email change, the attacker\'s phrase no longer resets the password', async () => {
    const owner = await createTestUser(t.db, clock, 'notme-owner');
    const attackerSession = await createSession(t.db, owner.id, freshContext('attacker'), clock);
    const phrase = await attackerSetsPhrase(owner);
    // The attacker also tries to move the account to an address of theirs: the owner is told.
    const token = await attackerMovesEmail(owner, 'thief@example.net');

    expect(await reportEmailChangeNotMe(t.db, { token }, freshContext('owner'), clock)).toEqual({ ok: true });

    expect(await validateSession(t.db, attackerSession, clock)).toBeUndefined();
    await expectPhraseDead(owner, phrase);
    await expectClearedMailAndAudit(owner, 'email_change_not_me', null);
    // The owner's own password is untouched by the attempt.
    expect(await signIn(owner.username, TEST_PASSWORD)).toMatchObject({ ok: true });
  });

  it('S60: an attacker who signs in again between "this wasn\'t me" and the owner\'s reset loses the new phrase too', async () => {
    const owner = await createTestUser(t.db, clock, 'race-owner');
    await attackerSetsPhrase(owner);
    const cancel = await attackerMovesEmail(owner, 'thief2@example.net');
    expect(await reportEmailChangeNotMe(t.db, { token: cancel }, freshContext('owner'), clock)).toEqual({
      ok: true,
    });

    // "This wasn't me" does not change the password: the attacker still knows it, signs in again and
    // makes a fresh phrase before the owner has read the reset mail.
    expect(await signIn(owner.username, TEST_PASSWORD)).toMatchObject({ ok: true });
    const second = await attackerSetsPhrase(owner);

    await mailbox.deliver(t.db, clock);
    const reset = await mailbox.catcher.waitForMail(owner.email, {
      predicate: (m) => /reset/i.test(m.subject),
    });
    const token = linkTo(reset, '/reset-password').searchParams.get('token');
    const NEW = 'the owner finally changes the password';
    expect(
      await resetPasswordWithToken(t.db, { token, password: NEW }, freshContext('owner'), clock),
    ).toMatchObject({ ok: true });

    await expectPhraseDead(owner, second);
    const cleared = (await auditOf(owner.id)).filter((e) => e.action === 'recovery_phrase.cleared');
    expect(cleared.map((e) => e.meta)).toEqual([
      { reason: 'email_change_not_me' },
      { reason: 'password_reset' },
    ]);
  });

  it('S60: after an admin lock, the phrase neither resets the password nor outlives the unlock', async () => {
    const admin = await createTestUser(t.db, clock, 'locking-admin', { role: 'admin' });
    const owner = await createTestUser(t.db, clock, 'locked-owner');
    const phrase = await attackerSetsPhrase(owner);

    expect(
      await adminLockUser(
        t.db,
        { adminId: admin.id, userId: owner.id, reason: 'Someone else is using this account.' },
        freshContext('admin'),
        clock,
      ),
    ).toEqual({ ok: true });
    expect(await hasRecoveryPhrase(t.db, owner.id)).toBe(false);
    expect(await attackerUsesPhrase(owner, phrase)).toEqual({ ok: false, code: 'invalid' });

    expect(
      await unlockUser(t.db, { adminId: admin.id, userId: owner.id }, freshContext('admin'), clock),
    ).toEqual({ ok: true });
    await expectPhraseDead(owner, phrase);
    await expectClearedMailAndAudit(owner, 'admin_lock', admin.id);
    expect(await signIn(owner.username, TEST_PASSWORD)).toMatchObject({ ok: true });
  });

  it('S60: a password reset by link clears the phrase (decision 019), and the owner is told', async () => {
    const owner = await createTestUser(t.db, clock, 'link-owner');
    const phrase = await attackerSetsPhrase(owner);
    const asked = await requestPasswordReset(t.db, owner.email, freshContext('owner'), clock);
    await asked.deliver();
    await mailbox.deliver(t.db, clock);
    const mail = await mailbox.catcher.waitForMail(owner.email, {
      predicate: (m) => /reset/i.test(m.subject),
    });
    const token = linkTo(mail, '/reset-password').searchParams.get('token');
    const NEW = 'the owner takes the account back now';
    expect(
      await resetPasswordWithToken(t.db, { token, password: NEW }, freshContext('owner'), clock),
    ).toMatchObject({ ok: true });

    await expectPhraseDead(owner, phrase);
    await expectClearedMailAndAudit(owner, 'password_reset', owner.id);
    expect(await signIn(owner.username, NEW)).toMatchObject({ ok: true });
  });

  it('S60: a password reset by code clears the phrase too', async () => {
    const owner = await createTestUser(t.db, clock, 'code-owner');
    const phrase = await attackerSetsPhrase(owner);
    const asked = await requestPasswordReset(t.db, owner.email, freshContext('owner'), clock);
    await asked.deliver();
    const [resetMail] = (await outboxTo(owner.email)).filter((m) => m.template === 'reset-password');
    const code = /\b(\d{6})\b/.exec(resetMail!.text ?? '')?.[1];
    const NEW = 'the owner types the code on a phone';
    expect(
      await resetPasswordWithCode(
        t.db,
        { email: owner.email, code: code!, password: NEW },
        freshContext('owner'),
        clock,
      ),
    ).toMatchObject({ ok: true });

    await expectPhraseDead(owner, phrase);
    await expectClearedMailAndAudit(owner, 'password_reset', owner.id);
  });

  it('an account without a phrase gets no "removed" mail and no audit row when taken back', async () => {
    const admin = await createTestUser(t.db, clock, 'quiet-admin', { role: 'admin' });
    const owner = await createTestUser(t.db, clock, 'quiet-owner');
    expect(
      await adminLockUser(
        t.db,
        { adminId: admin.id, userId: owner.id, reason: 'Payment dispute.' },
        freshContext('admin'),
        clock,
      ),
    ).toEqual({ ok: true });
    expect((await outboxTo(owner.email)).map((m) => m.template)).toEqual(['account-locked']);
    const [row] = await t.db
      .select({ id: auditEvents.id })
      .from(auditEvents)
      .where(and(eq(auditEvents.userId, owner.id), eq(auditEvents.action, 'recovery_phrase.cleared')));
    expect(row).toBeUndefined();
    expect((await t.db.select().from(users).where(eq(users.id, owner.id)))[0]!.lockedAt).not.toBeNull();
  });
});
