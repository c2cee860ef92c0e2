import { eq } from 'drizzle-orm';
import { createTranslator, createFormatter, NextIntlClientProvider } from 'next-intl';
import { createElement, type ComponentProps, type ReactNode } from 'react';
import { renderToString } from 'react-dom/server';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { auditEvents, emailOutbox, settings } from '@/db/schema';
import { createAdmin } from '@/lib/admins';
import { systemClock } from '@/lib/clock';
import { resetEnvCache } from '@/lib/env';
import { loadMessages, type Messages } from '@/lib/i18n/messages';
import { getSetting } from '@/lib/settings';
import type { FormState } from '@/lib/web/form-validation';
import { startSmtpCatcher, type SmtpCatcher } from '@/tests/helpers/smtp-catcher';
import { formData } from '@/tests/helpers/forms';
import { setUpTestDatabase } from '@/tests/helpers/test-db';

/**
 * The three admin platform pages and their actions, run as Next.js would run them but in-process:
 * the session, request headers and translations are stand-ins; the database, the schema checks, the
 * action wrapper and the SMTP server are real.
 */

const state = vi.hoisted(() => ({
  db: undefined as unknown,
  messages: undefined as unknown,
  // null: signed in as a non-admin (requireAdmin answers 403 by throwing, as forbidden() does).
  session: null as null | { sid: string; user: Record<string, string> },
}));

vi.mock('server-only', () => ({}));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined }));
vi.mock('next/link', async () => {
  const { createElement: h } = await import('react');
  return { default: (props: Record<string, unknown>) => h('a', props) };
});
vi.mock('@/db/client', async (original) => ({
  ...(await original<typeof import('@/db/client')>()),
  getDb: async () => state.db,
}));
vi.mock('@/lib/web/session', () => ({
  requireAdmin: vi.fn(async () => {
    if (!state.session) throw new Error('NEXT_HTTP_ERROR_FALLBACK;403');
    return state.session;
  }),
}));
vi.mock('@/lib/web/request-info', () => ({
  requestContext: async () => ({ ip: '203.0.113.50', userAgent: 'vitest' }),
}));
vi.mock('@/lib/web/mail', () => ({ deliverMailAfterResponse: () => undefined }));
vi.mock('next-intl/server', () => ({
  getTranslations: async (namespace?: string) =>
    createTranslator({ locale: 'en', messages: state.messages as Messages, namespace: namespace as never }),
  getFormatter: async () => createFormatter({ locale: 'en' }),
}));

const { saveGeneral, saveMail, sendTestMail } = await import('@/app/admin/settings/actions');
const { requeue } = await import('@/app/admin/mail/actions');
const { default: SettingsPage } = await import('@/app/admin/settings/page');
const { default: MailPage } = await import('@/app/admin/mail/page');
const { default: AuditPage } = await import('@/app/admin/audit/page');

const SMTP_USER = 'mailer@example.test';
const SMTP_PASSWORD = 'correct horse battery staple';
const IDLE: FormState = { status: 'idle' };

const t = setUpTestDatabase();
let catcher: SmtpCatcher;
let admin: { sid: string; user: Record<string, string> };

function mailForm(over: Record<string, string> = {}): FormData {
  return formData({
    transport: 'smtp',
    fromName: 'Gatehouse',
    fromAddress: 'accounts@example.test',
    smtpHost: catcher.host,
    smtpPort: String(catcher.port),
    smtpEncryption: 'none',
    smtpUsername: SMTP_USER,
    smtpPassword: '',
    ...over,
  });
}

async function render(page: Promise<ReactNode>): Promise<string> {
  const element = await page;
  return renderToString(
    createElement(
      NextIntlClientProvider,
      { locale: 'en', messages: state.messages, timeZone: 'UTC' } as ComponentProps<
        typeof NextIntlClientProvider
      >,
      element,
    ),
  );
}

const search = (params: Record<string, string | undefined>) => ({ searchParams: Promise.resolve(params) });

beforeAll(async () => {
  process.env.AUTH_SECRET = 's'.repeat(48);
  resetEnvCache();
  state.db = t.db;
  state.messages = await loadMessages('en');
  catcher = await startSmtpCatcher({ requireAuth: { user: SMTP_USER, pass: SMTP_PASSWORD } });
  const { userId } = await createAdmin(
    t.db,
    { email: 'boss@example.com', username: 'boss' },
    {
      ip: null,
      userAgent: null,
    },
    systemClock,
  );
  admin = {
    sid: 'sid',
    user: {
      id: userId,
      email: 'boss@example.com',
      username: 'boss',
      role: 'admin',
      timezone: 'Europe/Paris',
      locale: 'en',
    },
  };
});

afterAll(async () => {
  await catcher?.stop();
});

beforeEach(() => {
  state.session = admin;
});

describe('S45: every admin action checks the role itself', () => {
  it.each([
    ['saveGeneral', () => saveGeneral(IDLE, formData({ passwordMinLength: '8' }))],
    ['saveMail', () => saveMail(IDLE, mailForm({ smtpPassword: 'x' }))],
    ['sendTestMail', () => sendTestMail(IDLE, formData({}))],
    ['requeue', () => requeue(IDLE, formData({ id: '00000000-0000-4000-8000-000000000001' }))],
  ])('%s refuses a non-admin and changes nothing', async (_, run) => {
    state.session = null;
    const audits = (await t.db.select().from(auditEvents)).length;
    await expect(run()).rejects.toThrow('403');
    expect(await t.db.select().from(settings)).toEqual([]);
    expect(await t.db.select().from(auditEvents)).toHaveLength(audits);
    expect(catcher.count()).toBe(0);
  });

  it.each([
    ['settings', () => SettingsPage()],
    ['mail', () => MailPage(search({}))],
    ['audit', () => AuditPage(search({}))],
  ])('the %s page refuses a non-admin', async (_, run) => {
    state.session = null;
    await expect(run()).rejects.toThrow('403');
  });
});

describe('/admin/settings', () => {
  it('a bad port, a bad sender and 10,000 characters come back as field errors; the password is never echoed', async () => {
    const answer = await saveMail(
      IDLE,
      mailForm({
        smtpPort: 'abc',
        fromAddress: 'nope',
        smtpHost: 'h'.repeat(10_000),
        smtpPassword: SMTP_PASSWORD,
      }),
    );
    expect(answer).toMatchObject({
      status: 'error',
      fieldErrors: {
        smtpPort: { key: 'adminSettings.errors.smtpPort' },
        fromAddress: { key: 'form.errors.invalidEmail' },
        smtpHost: { key: 'form.errors.tooLong' },
      },
    });
    expect(JSON.stringify(answer)).not.toContain(SMTP_PASSWORD);
    expect(await getSetting(t.db, 'mail')).toBeNull();

    const general = await saveGeneral(
      IDLE,
      formData({ passwordMinLength: '99999', verifyEmailTtlMinutes: 'x'.repeat(10_000) }),
    );
    expect(general).toMatchObject({
      status: 'error',
      fieldErrors: {
        passwordMinLength: { key: 'adminSettings.errors.wholeNumber', params: { min: 8, max: 128 } },
      },
    });
  });

  it('save, send a test email, see it arrive; then a wrong password shows the server’s 535 reply', async () => {
    expect(await saveMail(IDLE, mailForm({ smtpPassword: SMTP_PASSWORD }))).toMatchObject({
      status: 'success',
      message: { key: 'adminSettings.saved' },
    });
    const sent = await sendTestMail(IDLE, formData({}));
    expect(sent).toMatchObject({
      status: 'success',
      message: { key: 'adminSettings.test.sent', params: { to: 'boss@example.com' } },
    });
    expect((await catcher.waitForMail('boss@example.com', { timeoutMs: 5_000 })).session.user).toBe(
      SMTP_USER,
    );

    // The page now says "set" for the password and shows neither it nor its encryption.
    const stored = (await getSetting(t.db, 'mail'))!.smtp!.passwordEncrypted!;
    const html = await render(SettingsPage());
    expect(html).not.toContain(SMTP_PASSWORD);
    expect(html).not.toContain(stored);
    expect(html).toContain('Clear the stored SMTP password');
    expect(html).toContain(`SMTP at ${catcher.host}, no encryption on port ${catcher.port}`);

    await saveMail(IDLE, mailForm({ smtpPassword: 'wrong password' }));
    const failed = await sendTestMail(IDLE, formData({}));
    expect(failed).toMatchObject({ status: 'error', formError: { key: 'adminSettings.test.failed' } });
    const error = failed.status === 'error' ? String(failed.formError?.params?.error) : '';
    expect(error).toContain('535 5.7.8 Authentication credentials invalid');
    const rendered = createTranslator({ locale: 'en', messages: state.messages as Messages })(
      'adminSettings.test.failed',
      { error },
    );
    expect(rendered).toBe(`The test email could not be sent: ${error}`);
  });

  it('says in plain words which encryption is in force and where it was set, in English and French', async () => {
    await t.db.delete(settings).where(eq(settings.key, 'mail'));
    const saved = { ...process.env };
    // A PHP dashboard .env for Gmail: tls on port 465 (decision 022).
    Object.assign(process.env, {
      MAIL_TRANSPORT: 'smtp',
      SMTP_HOST: 'smtp.gmail.com',
      SMTP_PORT: '465',
      SMTP_ENCRYPTION: 'tls',
    });
    resetEnvCache();
    try {
      const english = await render(SettingsPage());
      expect(english).toContain(
        'SMTP at smtp.gmail.com, TLS from the first byte (implicit) on port 465, as set in the server environment.',
      );
      expect(english).toContain('SMTP_ENCRYPTION=tls on port 465 is read as TLS from the first byte');

      state.messages = await loadMessages('fr');
      const french = await render(SettingsPage());
      expect(french).toContain(
        'SMTP via smtp.gmail.com, TLS dès le premier octet (implicite) sur le port 465, selon l’environnement du serveur.',
      );
      expect(french).toContain('SMTP_ENCRYPTION=tls sur le port 465 est lu comme TLS dès le premier octet');

      state.messages = await loadMessages('en');
      process.env.SMTP_PORT = '587';
      resetEnvCache();
      expect(await render(SettingsPage())).toContain('SMTP at smtp.gmail.com, STARTTLS on port 587,');
    } finally {
      for (const key of ['MAIL_TRANSPORT', 'SMTP_HOST', 'SMTP_PORT', 'SMTP_ENCRYPTION'])
        delete process.env[key];
      Object.assign(process.env, saved);
      state.messages = await loadMessages('en');
      resetEnvCache();
    }
  });
});

describe('/admin/mail', () => {
  it('lists metadata only for mail that held a secret; garbage in the query string renders, never throws', async () => {
    await t.db.insert(emailOutbox).values([
      {
        to: 'ada@example.test',
        template: 'reset-password',
        locale: 'en',
        subject: 'Reset your password',
        html: '<a href="https://x.test/reset-password?token=SECRET-TOKEN">reset</a>',
        text: 'https://x.test/reset-password?token=SECRET-TOKEN',
        containsSecret: true,
        status: 'failed',
        attempts: 6,
        lastError: 'auth_failed: The SMTP server refused the login: 535 nope',
      },
      {
        to: 'bob@example.test',
        template: 'welcome',
        locale: 'en',
        subject: 'Welcome',
        html: '<p>Welcome aboard</p>',
        text: 'Welcome aboard',
        status: 'sent',
        sentAt: new Date(),
      },
    ]);
    const html = await render(MailPage(search({ status: 'failed' })));
    expect(html).toContain('Reset your password');
    expect(html).toContain('535 nope');
    expect(html).not.toContain('SECRET-TOKEN');
    expect(html).toContain('Re-send');
    for (const params of [
      { status: 'exploded' },
      { page: 'abc' },
      { page: '9'.repeat(10_000) },
      { status: 'x'.repeat(10_000) },
    ]) {
      expect(await render(MailPage(search(params)))).not.toContain('SECRET-TOKEN');
    }
  });

  it('re-sending a failed mail queues it, audits mail.requeued and goes back to the list', async () => {
    const [row] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.status, 'failed'));
    const redirected = await requeue(IDLE, formData({ id: row!.id, status: 'failed', page: '1' })).then(
      () => undefined,
      (error: unknown) => error as { digest?: string },
    );
    expect(redirected?.digest).toContain('/admin/mail?status=failed&requeued=1');
    const [after] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.id, row!.id));
    expect(after).toMatchObject({ status: 'queued', attempts: 0 });
    expect(await t.db.select().from(auditEvents).where(eq(auditEvents.action, 'mail.requeued'))).toHaveLength(
      1,
    );

    expect(await requeue(IDLE, formData({ id: row!.id }))).toMatchObject({
      status: 'error',
      formError: { key: 'adminMail.notFailed' },
    });
    expect(await requeue(IDLE, formData({ id: 'not-a-uuid' }))).toMatchObject({ status: 'error' });
  });
});

describe('/admin/audit', () => {
  it('shows the events with the admin’s names, and reports bad filters instead of failing', async () => {
    const html = await render(AuditPage(search({ actor: 'boss' })));
    expect(html).toContain('Settings changed');
    expect(html).toContain('Test email sent');

    const bad = await render(
      AuditPage(
        search({ from: 'yesterday', action: 'user.exploded', user: 'x'.repeat(10_000), before: 'garbage' }),
      ),
    );
    expect(bad).toContain('There is a problem with the filters');
    expect(bad).toContain('Enter a date like 2026-03-01.');
    expect(bad).toContain('There is no such action.');
    expect(bad).toContain('No account matches this email, username or id.');
    expect(bad).toContain('Nothing is listed until the filters are fixed.');
  });
});
