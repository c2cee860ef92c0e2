import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { auditEvents, emailOutbox } from '@/db/schema';
import { createAdmin } from '@/lib/admins';
import { mailFormSchemaFor, saveMailSettings, sendTestEmail } from '@/lib/admin-settings';
import { ManualClock, MINUTE } from '@/lib/clock';
import { confirmEmailChange, requestEmailChange } from '@/lib/email-change';
import { verifyEmail } from '@/lib/email-verification';
import { resetEnvCache } from '@/lib/env';
import { logIn } from '@/lib/login';
import { runOutboxOnce } from '@/lib/mail/worker';
import { changePassword } from '@/lib/password-change';
import { requestPasswordReset, resetPasswordWithCode, resetPasswordWithToken } from '@/lib/password-reset';
import { confirmRecoveryPhrase, createRecoveryPhrase, resetPasswordWithPhrase } from '@/lib/recovery-phrase';
import { registerUser } from '@/lib/registration';
import { setSetting } from '@/lib/settings';
import { registrationSchema } from '@/lib/validation/registration';
import { validateFormData } from '@/lib/web/form-validation';
import { formData } from '@/tests/helpers/forms';
import { linkTo } from '@/tests/helpers/mail';
import { linksIn, startSmtpCatcher, type CaughtMail, type SmtpCatcher } from '@/tests/helpers/smtp-catcher';
import { setUpTestDatabase } from '@/tests/helpers/test-db';
import { freshContext } from '@/tests/helpers/users';

/**
 * S54 (second half): no secret reaches the logs. Every flow that handles one runs end to end through
 * its lib/ function, and its mail is delivered by the outbox worker over SMTP with the password an
 * administrator saved (a wrong one first, which the server refuses for the test mail and for a
 * delivery). Meanwhile everything written to the console and to stdout/stderr is kept. Then no kept
 * line, no audit row and no delivered outbox row may hold any secret the run used: the passwords
 * typed (right and wrong), the tokens and codes taken from the mail that arrived, the recovery phrase
 * and its signed confirmation, the session ids, and the SMTP passwords.
 */

const t = setUpTestDatabase();
const clock = new ManualClock(new Date('2026-03-01T09:00:00Z'));
const SMTP_USER = 'mailer@example.test';
const SMTP_PASSWORD = 'smtp secret: ochre lantern 5514';
const savedSecret = process.env.AUTH_SECRET;
let catcher: SmtpCatcher;

beforeAll(async () => {
  process.env.AUTH_SECRET = 'no-secrets-in-logs-'.repeat(3);
  resetEnvCache();
  catcher = await startSmtpCatcher({ requireAuth: { user: SMTP_USER, pass: SMTP_PASSWORD } });
});

afterAll(async () => {
  await catcher?.stop();
  if (savedSecret === undefined) delete process.env.AUTH_SECRET;
  else process.env.AUTH_SECRET = savedSecret;
  resetEnvCache();
});

/** Everything written to the console or the process streams from now on (console.error: by tests/setup). */
function captureOutput(): () => string[] {
  const lines: string[] = [];
  const keep = (...args: unknown[]) => {
    lines.push(args.map((a) => (typeof a === 'string' ? a : (JSON.stringify(a) ?? String(a)))).join(' '));
  };
  for (const method of ['log', 'info', 'warn', 'debug', 'trace'] as const) {
    vi.spyOn(console, method).mockImplementation(keep);
  }
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    vi.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
      keep(Buffer.isBuffer(chunk) ? chunk.toString('utf8') : chunk);
      return write(chunk, ...rest);
    }) as typeof stream.write);
  }
  const errors = vi.isMockFunction(console.error) ? vi.mocked(console.error).mock.calls : [];
  return () => [...lines, ...errors.map((args) => args.map(String).join(' '))];
}

/** The outbox worker delivers what is due, through the SMTP settings saved by the admin. */
const deliver = () => runOutboxOnce(t.db, clock);
const tokenIn = (mail: CaughtMail, path: string) => linkTo(mail, path).searchParams.get('token')!;
const codeIn = (mail: CaughtMail) => /\b([0-9]{6})\b/.exec(mail.text)![1]!;

/**
 * The flows, in one block so a change of signature is one edit. Returns every secret they used or
 * were given, by name.
 */
async function runSecretFlows(): Promise<Record<string, string>> {
  const s: Record<string, string> = { smtpPassword: SMTP_PASSWORD };
  const email = 'keeper@example.com';

  // Admin settings: a wrong SMTP password first (delivery fails and is retried), then the right one.
  await setSetting(t.db, 'signup_mode', 'open');
  const admin = await createAdmin(
    t.db,
    { email: 'boss@example.com', username: 'boss' },
    freshContext(),
    clock,
  );
  const saveSmtp = async (smtpPassword: string) => {
    const parsed = await validateFormData(
      await mailFormSchemaFor(t.db),
      formData({
        transport: 'smtp',
        fromName: 'Gatehouse',
        fromAddress: 'accounts@example.test',
        smtpHost: catcher.host,
        smtpPort: String(catcher.port),
        smtpEncryption: 'none',
        smtpUsername: SMTP_USER,
        smtpPassword,
        oauthClientId: '',
        oauthClientSecret: '',
        oauthRefreshToken: '',
        resendApiKey: '',
      }),
    );
    if (!parsed.ok) throw new Error(`mail form refused: ${JSON.stringify(parsed.fieldErrors)}`);
    expect(
      await saveMailSettings(t.db, { adminId: admin.userId, values: parsed.data }, freshContext(), clock),
    ).toMatchObject({ ok: true });
  };
  s.adminSetPasswordToken = new URL(admin.setPasswordUrl).searchParams.get('token')!;
  s.wrongSmtpPassword = 'smtp secret: wrong umber 7702';
  await saveSmtp(s.wrongSmtpPassword);
  expect(
    await sendTestEmail(t.db, { adminId: admin.userId, to: 'boss@example.com' }, freshContext(), clock),
  ).toMatchObject({ ok: false, reason: 'send_failed' });

  // Registration (its mail refused by the SMTP server, then sent with the right password) and confirmation.
  s.registrationPassword = 'violet tractor under ninety moons';
  const registration = registrationSchema(15).parse({
    username: 'keeper',
    email,
    password: s.registrationPassword,
    confirmPassword: s.registrationPassword,
    fullName: 'Kim Keeper',
  });
  expect(await registerUser(t.db, registration, freshContext(), clock)).toEqual({ ok: true });
  expect(await deliver()).toMatchObject({ sent: 0, retrying: 1 });
  await saveSmtp(SMTP_PASSWORD);
  clock.advance(2 * MINUTE);
  expect(await deliver()).toMatchObject({ sent: 1 });
  s.verifyToken = tokenIn(await catcher.waitForMail(email), '/verify-email');
  expect(
    await verifyEmail(
      t.db,
      { token: s.verifyToken, password: s.registrationPassword },
      freshContext(),
      clock,
    ),
  ).toMatchObject({ ok: true });

  // Sign-in with a wrong and a right password.
  s.wrongPassword = 'violet tractor under ninety moon';
  expect(await logIn(t.db, { identifier: email, password: s.wrongPassword }, freshContext(), clock)).toEqual({
    ok: false,
    code: 'invalid_credentials',
  });
  const signedIn = await logIn(
    t.db,
    { identifier: 'keeper', password: s.registrationPassword },
    freshContext(),
    clock,
  );
  if (!signedIn.ok) throw new Error(`sign-in failed: ${signedIn.code}`);
  s.sessionId = signedIn.sessionId;
  const userId = signedIn.user.id;

  // Password reset by link, then by 6-digit code.
  const askReset = async () => {
    const asked = await requestPasswordReset(t.db, email, freshContext(), clock);
    await asked.deliver();
    await deliver();
    return catcher.waitForMail(email, { predicate: (m) => m.subject.startsWith('Reset your') });
  };
  const byLink = await askReset();
  s.resetToken = tokenIn(byLink, '/reset-password');
  s.resetLinkCode = codeIn(byLink);
  s.passwordByLink = 'copper kettle sings at dawn twice';
  expect(
    await resetPasswordWithToken(
      t.db,
      { token: s.resetToken, password: s.passwordByLink },
      freshContext(),
      clock,
    ),
  ).toMatchObject({ ok: true });
  const byCode = await askReset();
  s.resetCode = codeIn(byCode);
  s.resetCodeMailToken = tokenIn(byCode, '/reset-password');
  s.passwordByCode = 'seven quiet herons cross the fen';
  expect(
    await resetPasswordWithCode(
      t.db,
      { email, code: s.resetCode, password: s.passwordByCode },
      freshContext(),
      clock,
    ),
  ).toMatchObject({ ok: true });

  // Recovery phrase: set (shown, typed back), then a reset with it.
  const created = await createRecoveryPhrase(
    t.db,
    { userId, currentPassword: s.passwordByCode },
    freshContext(),
    clock,
  );
  if (!created.ok) throw new Error(`phrase not created: ${created.code}`);
  s.phrase = created.phrase;
  s.phraseConfirmation = created.confirmation;
  expect(
    await confirmRecoveryPhrase(
      t.db,
      { userId, phrase: created.phrase, confirmation: created.confirmation },
      freshContext(),
      clock,
    ),
  ).toEqual({ ok: true });
  s.passwordByPhrase = 'amber lighthouse keeps its watch';
  expect(
    await resetPasswordWithPhrase(
      t.db,
      { email, phrase: s.phrase, newPassword: s.passwordByPhrase },
      freshContext(),
      clock,
    ),
  ).toMatchObject({ ok: true });

  // Password change from a signed-in session (a wrong current password first).
  const again = await logIn(t.db, { identifier: email, password: s.passwordByPhrase }, freshContext(), clock);
  if (!again.ok) throw new Error(`sign-in failed: ${again.code}`);
  s.secondSessionId = again.sessionId;
  s.wrongCurrentPassword = 'amber lighthouse keeps its watcher';
  s.changedPassword = 'granite orchard hums in winter';
  const change = (currentPassword: string) =>
    changePassword(
      t.db,
      { userId, sessionId: again.sessionId, currentPassword, newPassword: s.changedPassword! },
      freshContext(),
      clock,
    );
  expect(await change(s.wrongCurrentPassword)).toEqual({ ok: false, code: 'wrong_password' });
  const changed = await change(s.passwordByPhrase);
  if (!changed.ok) throw new Error(`password not changed: ${changed.code}`);
  s.replacedSessionId = changed.sessionId;

  // Email change: the new address confirms by link; the old one gets a "this wasn't me" link.
  const newEmail = 'keeper.elsewhere@example.com';
  expect(
    await requestEmailChange(
      t.db,
      { userId, currentPassword: s.changedPassword, newEmail },
      freshContext(),
      clock,
    ),
  ).toMatchObject({ ok: true });
  await deliver();
  s.emailChangeToken = tokenIn(await catcher.waitForMail(newEmail), '/email-change/confirm');
  s.notMeToken = tokenIn(
    await catcher.waitForMail(email, {
      predicate: (m) => linksIn(m).some((link) => new URL(link).pathname === '/email-change/not-me'),
    }),
    '/email-change/not-me',
  );
  expect(await confirmEmailChange(t.db, { token: s.emailChangeToken }, freshContext(), clock)).toMatchObject({
    ok: true,
  });

  // Whatever is still queued (the notices of the changes above) goes out too.
  await deliver();
  return s;
}

const escapeRegExp = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

it('S54: no password, token, code, phrase, session id or SMTP password reaches the logs or the audit trail', async () => {
  const captured = captureOutput();
  const secrets = await runSecretFlows();
  expect(catcher.stats().authAttempts, 'delivery logged in to SMTP').toBeGreaterThan(1);

  const logged = captured();
  const audit = (await t.db.select().from(auditEvents)).map((row) => JSON.stringify(row));
  const outbox = (await t.db.select().from(emailOutbox))
    .filter((row) => row.status === 'sent')
    .map((row) => JSON.stringify({ ...row, to: undefined }));
  expect(logged.length, 'the flows did log (the capture works)').toBeGreaterThan(0);
  expect(audit.length).toBeGreaterThan(10);

  const leaks: string[] = [];
  for (const [name, secret] of Object.entries(secrets)) {
    // A code is six digits: only as a number of its own, not inside a timestamp or an id.
    const shapes = [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)].map((shape) =>
      /^\d+$/.test(shape) ? new RegExp(`(?<!\\d)${shape}(?!\\d)`) : new RegExp(escapeRegExp(shape)),
    );
    for (const [where, lines] of Object.entries({ log: logged, audit, 'delivered outbox row': outbox })) {
      const line = lines.find((l) => shapes.some((shape) => shape.test(l)));
      if (line) leaks.push(`${name} in the ${where}: ${line.slice(0, 300)}`);
    }
  }
  expect(leaks).toEqual([]);
});
