import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { auditEvents, settings } from '@/db/schema';
import { createAdmin } from '@/lib/admins';
import { ManualClock } from '@/lib/clock';
import { parseEnv, resetEnvCache, type Env } from '@/lib/env';
import { resolveMailConfig } from '@/lib/mail/config';
import { decryptSecret, encryptSecret } from '@/lib/secrets';
import { getSetting, setSetting, type SettingKey } from '@/lib/settings';
import { ADJUSTABLE_LIMITS, limits } from '@/lib/limits';
import { hit } from '@/lib/rate-limit';
import { GENERAL_BOUNDS, generalSettingsSchema, limitField } from '@/lib/validation/admin-settings';
import { validateFormData } from '@/lib/web/form-validation';
import { startSmtpCatcher, type SmtpCatcher } from '@/tests/helpers/smtp-catcher';
import { formData } from '@/tests/helpers/forms';
import { setUpTestDatabase } from '@/tests/helpers/test-db';
import {
  loadSettingsView,
  mailFormSchemaFor,
  readGeneralSettings,
  saveGeneralSettings,
  saveMailSettings,
  sendTestEmail,
} from './admin-settings';

const AUTH_SECRET = 'a'.repeat(48);
const SMTP_USER = 'mailer@example.test';
const SMTP_PASSWORD = 'correct horse battery staple';
const ctx = { ip: '203.0.113.9', userAgent: 'vitest' };
const clock = new ManualClock(new Date('2026-03-01T09:00:00Z'));

const t = setUpTestDatabase();
let catcher: SmtpCatcher;
let adminId: string;
let development: Env;
let production: Env;
const savedSecret = process.env.AUTH_SECRET;

/** The mail form as the page would post it for the catcher, with `over` on top. */
function smtpForm(over: Record<string, string> = {}): Record<string, string> {
  return {
    transport: 'smtp',
    fromName: 'Gatehouse Test',
    fromAddress: 'accounts@example.test',
    smtpHost: catcher.host,
    smtpPort: String(catcher.port),
    smtpEncryption: 'none',
    smtpUsername: SMTP_USER,
    smtpPassword: '',
    oauthClientId: '',
    oauthClientSecret: '',
    oauthRefreshToken: '',
    resendApiKey: '',
    ...over,
  };
}

async function parseMail(values: Record<string, string>, e: Env = development) {
  return validateFormData(await mailFormSchemaFor(t.db, e), formData(values));
}

/** Parses and saves the mail form; fails the test on a validation error. */
async function saveMail(values: Record<string, string>) {
  const parsed = await parseMail(values);
  if (!parsed.ok) throw new Error(`mail form refused: ${JSON.stringify(parsed.fieldErrors)}`);
  return saveMailSettings(t.db, { adminId, values: parsed.data }, ctx, clock);
}

async function rawMailRow(): Promise<string> {
  const [row] = await t.db.select().from(settings).where(eq(settings.key, 'mail'));
  return JSON.stringify(row?.value ?? null);
}

async function auditRows(action: string) {
  return t.db.select().from(auditEvents).where(eq(auditEvents.action, action)).orderBy(auditEvents.id);
}

beforeAll(async () => {
  process.env.AUTH_SECRET = AUTH_SECRET;
  resetEnvCache();
  development = parseEnv({ AUTH_SECRET });
  production = parseEnv({ NODE_ENV: 'production', AUTH_SECRET, APP_URL: 'https://accounts.example.com' });
  catcher = await startSmtpCatcher({ requireAuth: { user: SMTP_USER, pass: SMTP_PASSWORD } });
  adminId = (await createAdmin(t.db, { email: 'boss@example.com', username: 'boss' }, ctx, clock)).userId;
});

afterAll(async () => {
  await catcher?.stop();
  if (savedSecret === undefined) delete process.env.AUTH_SECRET;
  else process.env.AUTH_SECRET = savedSecret;
  resetEnvCache();
});

beforeEach(async () => {
  await t.db.delete(settings).where(eq(settings.key, 'mail'));
});

/** The general form as a browser posts it with the default values. */
const valid = {
  signupMode: 'approval',
  inviteTtlMinutes: '10080',
  signupAllowedDomains: '',
  signupBlockedDomains: '',
  passwordMinLength: '15',
  verifyEmailTtlMinutes: '1440',
  resetPasswordTtlMinutes: '60',
  changeEmailTtlMinutes: '1440',
  resendCooldownSeconds: '60',
  lockOnUnconfirmedEmailChange: 'on',
  mailHourlyBudget: '1000',
  auditRetentionDays: '365',
  sentMailRetentionDays: '30',
  unconfirmedAccountRetentionDays: '1',
  twoFactorGraceDays: '7',
  ...Object.fromEntries(ADJUSTABLE_LIMITS.map((key) => [limitField(key), String(limits[key].max)])),
};

describe('general settings', () => {
  it('the form bounds are the setting bounds (lib/settings.ts accepts each end and refuses beyond)', async () => {
    const keys: Record<keyof typeof GENERAL_BOUNDS, SettingKey> = {
      passwordMinLength: 'password_min_length',
      verifyEmailTtlMinutes: 'verify_email_ttl_minutes',
      resetPasswordTtlMinutes: 'reset_password_ttl_minutes',
      changeEmailTtlMinutes: 'change_email_ttl_minutes',
      resendCooldownSeconds: 'resend_cooldown_seconds',
      auditRetentionDays: 'audit_retention_days',
      sentMailRetentionDays: 'sent_mail_retention_days',
      unconfirmedAccountRetentionDays: 'unconfirmed_account_retention_days',
      inviteTtlMinutes: 'invite_ttl_minutes',
      twoFactorGraceDays: 'two_factor_grace_days',
    };
    for (const [field, { min, max }] of Object.entries(GENERAL_BOUNDS)) {
      const key = keys[field as keyof typeof GENERAL_BOUNDS];
      await expect(setSetting(t.db, key, min as never)).resolves.toBeUndefined();
      await expect(setSetting(t.db, key, max as never)).resolves.toBeUndefined();
      await expect(setSetting(t.db, key, (min - 1) as never)).rejects.toThrow();
      await expect(setSetting(t.db, key, (max + 1) as never)).rejects.toThrow();
    }
    await t.db.delete(settings);
  });

  it.each([
    ['abc', 'adminSettings.errors.wholeNumber'],
    ['7', 'adminSettings.errors.wholeNumber'],
    ['129', 'adminSettings.errors.wholeNumber'],
    ['15.5', 'adminSettings.errors.wholeNumber'],
    ['-15', 'adminSettings.errors.wholeNumber'],
    ['9'.repeat(10_000), 'adminSettings.errors.wholeNumber'],
    ['', 'form.errors.required'],
  ])('a password minimum of %j is a field error (%s), never an exception', async (value, key) => {
    const result = await validateFormData(
      generalSettingsSchema,
      formData({ ...valid, passwordMinLength: value }),
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.fieldErrors.passwordMinLength?.key).toBe(key);
  });

  it('an unticked box (sent as nothing) is false; a crafted value is refused', async () => {
    const { lockOnUnconfirmedEmailChange: _, ...unticked } = valid;
    const result = await validateFormData(generalSettingsSchema, formData(unticked));
    expect(result.ok && result.data.lockOnUnconfirmedEmailChange).toBe(false);
    const crafted = await validateFormData(
      generalSettingsSchema,
      formData({ ...valid, usersMayInvite: 'yes' }),
    );
    expect(crafted.ok).toBe(false);
  });

  it('domain lists: one per line, normalised, and a bad entry named in the field error', async () => {
    const parsed = await validateFormData(
      generalSettingsSchema,
      formData({
        ...valid,
        signupAllowedDomains: 'Example.COM\n@staff.example.org, *.lab.example.net\n\nexample.com',
      }),
    );
    expect(parsed.ok && parsed.data.signupAllowedDomains).toEqual([
      'example.com',
      'staff.example.org',
      'lab.example.net',
    ]);
    const bad = await validateFormData(
      generalSettingsSchema,
      formData({ ...valid, signupBlockedDomains: 'example.com\nnot a domain' }),
    );
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.fieldErrors.signupBlockedDomains).toEqual({
        key: 'adminSettings.errors.domain',
        params: { domain: 'not' },
      });
    }
    const mode = await validateFormData(generalSettingsSchema, formData({ ...valid, signupMode: 'anyone' }));
    expect(mode.ok).toBe(false);
  });

  it('a saved domain list is stored as a list and unchanged lists are not saved again', async () => {
    const parsed = await validateFormData(
      generalSettingsSchema,
      formData({ ...valid, signupBlockedDomains: 'spam.example', signupMode: 'invite' }),
    );
    if (!parsed.ok) throw new Error('refused');
    const first = await saveGeneralSettings(t.db, { adminId, values: parsed.data }, ctx, clock);
    expect(first.changed.sort()).toEqual(['signup_blocked_domains', 'signup_mode']);
    expect(await getSetting(t.db, 'signup_blocked_domains')).toEqual(['spam.example']);
    const again = await saveGeneralSettings(t.db, { adminId, values: parsed.data }, ctx, clock);
    expect(again.changed).toEqual([]);
    await t.db.delete(settings);
  });

  it('saves only what changed, with one settings.changed row naming the keys', async () => {
    // The lock box left unticked: a browser sends nothing for it.
    const { lockOnUnconfirmedEmailChange: _, ...unticked } = valid;
    const parsed = await validateFormData(
      generalSettingsSchema,
      formData({ ...unticked, passwordMinLength: '20' }),
    );
    if (!parsed.ok) throw new Error('refused');
    const before = (await auditRows('settings.changed')).length;
    const result = await saveGeneralSettings(t.db, { adminId, values: parsed.data }, ctx, clock);
    expect(result.changed.sort()).toEqual(['lock_on_unconfirmed_email_change', 'password_min_length']);
    expect(await readGeneralSettings(t.db)).toMatchObject({
      passwordMinLength: 20,
      lockOnUnconfirmedEmailChange: false,
    });
    const rows = await auditRows('settings.changed');
    expect(rows).toHaveLength(before + 1);
    expect(rows.at(-1)).toMatchObject({
      actorId: adminId,
      ip: ctx.ip,
      meta: { area: 'platform', keys: ['password_min_length', 'lock_on_unconfirmed_email_change'] },
    });

    const again = await saveGeneralSettings(t.db, { adminId, values: parsed.data }, ctx, clock);
    expect(again.changed).toEqual([]);
    expect(await auditRows('settings.changed')).toHaveLength(before + 1);
  });
});

describe('retention', () => {
  it('the defaults: a year of audit log, 30 days of delivered mail, one day of unconfirmed accounts', async () => {
    expect(await readGeneralSettings(t.db)).toMatchObject({
      auditRetentionDays: 365,
      sentMailRetentionDays: 30,
      unconfirmedAccountRetentionDays: 1,
    });
  });

  it.each([
    ['auditRetentionDays', '29'],
    ['auditRetentionDays', '3651'],
    ['sentMailRetentionDays', '0'],
    ['unconfirmedAccountRetentionDays', '366'],
    ['unconfirmedAccountRetentionDays', '1.5'],
  ])('%s of %j is a field error, and the setting refuses it too', async (field, value) => {
    const result = await validateFormData(generalSettingsSchema, formData({ ...valid, [field]: value }));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.fieldErrors[field as keyof typeof valid]?.key).toBe('adminSettings.errors.wholeNumber');
    }
  });

  it('S55: the form saves the three retention settings, the page shows them, and one audit row names them', async () => {
    const parsed = await validateFormData(
      generalSettingsSchema,
      formData({
        ...valid,
        auditRetentionDays: '30',
        sentMailRetentionDays: '7',
        unconfirmedAccountRetentionDays: '14',
      }),
    );
    if (!parsed.ok) throw new Error(`refused: ${JSON.stringify(parsed.fieldErrors)}`);
    const before = (await auditRows('settings.changed')).length;
    // Whatever else differs from the stored values is saved as well; only the retention keys are asserted.
    const result = await saveGeneralSettings(t.db, { adminId, values: parsed.data }, ctx, clock);
    expect(result.changed).toEqual(
      expect.arrayContaining([
        'audit_retention_days',
        'sent_mail_retention_days',
        'unconfirmed_account_retention_days',
      ]),
    );
    expect(await getSetting(t.db, 'audit_retention_days')).toBe(30);
    expect(await getSetting(t.db, 'sent_mail_retention_days')).toBe(7);
    expect(await getSetting(t.db, 'unconfirmed_account_retention_days')).toBe(14);
    const view = await loadSettingsView(t.db, development);
    expect(view.general).toMatchObject({
      auditRetentionDays: 30,
      sentMailRetentionDays: 7,
      unconfirmedAccountRetentionDays: 14,
    });
    const rows = await auditRows('settings.changed');
    expect(rows).toHaveLength(before + 1);
    expect(rows.at(-1)).toMatchObject({ actorId: adminId, ip: ctx.ip, meta: { area: 'platform' } });
    expect((rows.at(-1)!.meta as { keys: string[] }).keys).toEqual(
      expect.arrayContaining([
        'audit_retention_days',
        'sent_mail_retention_days',
        'unconfirmed_account_retention_days',
      ]),
    );
    for (const key of [
      'audit_retention_days',
      'sent_mail_retention_days',
      'unconfirmed_account_retention_days',
    ] as const) {
      await t.db.delete(settings).where(eq(settings.key, key));
    }
  });
});

describe('rate limits and the mail budget', () => {
  /** The general form as the page posts it with the stored values: unticked boxes send nothing. */
  async function storedForm(): Promise<Record<string, string>> {
    return Object.fromEntries(
      Object.entries(await readGeneralSettings(t.db))
        .filter(([, v]) => v !== false)
        .map(([k, v]) => [k, v === true ? 'on' : String(v)]),
    );
  }

  async function saveGeneral(values: Record<string, string>) {
    const parsed = await validateFormData(generalSettingsSchema, formData(values));
    if (!parsed.ok) throw new Error(`refused: ${JSON.stringify(parsed.fieldErrors)}`);
    return saveGeneralSettings(t.db, { adminId, values: parsed.data }, ctx, clock);
  }

  it('a maximum an admin lowers counts at once; only what differs from the default is stored', async () => {
    const base = await storedForm();
    const saved = await saveGeneral({ ...base, [limitField('registerPerIp')]: '2', mailHourlyBudget: '50' });
    expect(saved.changed.sort()).toEqual(['mail_hourly_budget', 'rate_limits']);
    expect(await getSetting(t.db, 'rate_limits')).toEqual({ 'register.ip': 2 });
    expect(await getSetting(t.db, 'mail_hourly_budget')).toBe(50);
    expect(await readGeneralSettings(t.db)).toMatchObject({
      [limitField('registerPerIp')]: 2,
      [limitField('registerPerEmail')]: limits.registerPerEmail.max,
    });

    const ip = '198.51.100.77';
    const results = [];
    for (let i = 0; i < 3; i += 1) results.push(await hit(t.db, limits.registerPerIp, ip, clock));
    expect(results.map((r) => r.ok)).toEqual([true, true, false]);

    // Back to the default: nothing stored, the default counts again.
    await saveGeneral({ ...base, [limitField('registerPerIp')]: String(limits.registerPerIp.max) });
    expect(await getSetting(t.db, 'rate_limits')).toEqual({});
    expect((await hit(t.db, limits.registerPerIp, ip, clock)).ok).toBe(true);
  });

  it.each(['0', '1000001', '2.5', 'ten', ''])('a maximum of %j is a field error', async (value) => {
    const values = await storedForm();
    const result = await validateFormData(
      generalSettingsSchema,
      formData({ ...values, [limitField('loginFailuresPerIp')]: value }),
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.fieldErrors[limitField('loginFailuresPerIp')]).toBeDefined();
  });
});

describe('mail settings', () => {
  it.each([
    ['smtpPort', 'abc', 'adminSettings.errors.smtpPort'],
    ['smtpPort', '99999', 'adminSettings.errors.smtpPort'],
    ['smtpPort', '0', 'adminSettings.errors.smtpPort'],
    ['smtpHost', 'smtp.example.com/path', 'adminSettings.errors.smtpHost'],
    ['smtpHost', 'h'.repeat(10_000), 'form.errors.tooLong'],
    ['fromAddress', 'not an address', 'form.errors.invalidEmail'],
    ['fromAddress', 'a@b', 'form.errors.invalidEmail'],
    ['fromName', 'x'.repeat(10_000), 'form.errors.tooLong'],
    ['smtpUsername', 'u'.repeat(10_000), 'form.errors.tooLong'],
    ['smtpPassword', 'p'.repeat(10_000), 'form.errors.tooLong'],
    ['transport', 'carrier-pigeon', 'form.errors.invalidChoice'],
    ['smtpEncryption', 'ssl3', 'form.errors.invalidChoice'],
  ])('%s %j is a field error (%s)', async (field, value, key) => {
    const result = await parseMail(smtpForm({ [field]: value }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.fieldErrors[field]?.key).toBe(key);
  });

  it('S53: the SMTP password is stored encrypted (AES-256-GCM), never in clear', async () => {
    await saveMail(smtpForm({ smtpPassword: SMTP_PASSWORD }));
    const raw = await rawMailRow();
    expect(raw).not.toContain(SMTP_PASSWORD);
    const stored = await getSetting(t.db, 'mail');
    expect(stored?.smtp?.passwordEncrypted).toMatch(/^v1\./);
    expect(decryptSecret(stored!.smtp!.passwordEncrypted!)).toBe(SMTP_PASSWORD);
    expect(await resolveMailConfig(t.db, development)).toMatchObject({
      transport: 'smtp',
      source: 'settings',
      from: { name: 'Gatehouse Test', address: 'accounts@example.test' },
      smtp: { host: catcher.host, port: catcher.port, encryption: 'none', password: SMTP_PASSWORD },
    });
  });

  it('the page sees secrets only as set / not set, never the value nor its encryption', async () => {
    await saveMail(
      smtpForm({
        smtpPassword: SMTP_PASSWORD,
        oauthClientId: 'client-id.apps.googleusercontent.com',
        oauthClientSecret: 'oauth-client-secret-value',
        oauthRefreshToken: '1//refresh-token-value',
        resendApiKey: 're_live_api_key_value',
      }),
    );
    const stored = (await getSetting(t.db, 'mail'))!;
    const view = await loadSettingsView(t.db, development);
    const json = JSON.stringify(view);
    for (const secret of [
      SMTP_PASSWORD,
      'oauth-client-secret-value',
      '1//refresh-token-value',
      're_live_api_key_value',
      stored.smtp!.passwordEncrypted!,
      stored.smtp!.oauth!.clientSecretEncrypted,
      stored.smtp!.oauth!.refreshTokenEncrypted,
      stored.resend!.apiKeyEncrypted,
    ]) {
      expect(json).not.toContain(secret);
    }
    expect(json).not.toMatch(/v1\.[\w-]+\.[\w-]+\./);
    expect(view.mail).toMatchObject({
      transport: 'smtp',
      smtpHost: catcher.host,
      smtpPort: String(catcher.port),
      smtpUsername: SMTP_USER,
      oauthClientId: 'client-id.apps.googleusercontent.com',
      secrets: { smtpPassword: true, oauthClientSecret: true, oauthRefreshToken: true, resendApiKey: true },
    });
    expect(await rawMailRow()).not.toMatch(
      /oauth-client-secret-value|refresh-token-value|re_live_api_key_value/,
    );
  });

  it('an empty secret field keeps the stored secret; "clear" removes it', async () => {
    await saveMail(smtpForm({ smtpPassword: SMTP_PASSWORD }));
    const box = (await getSetting(t.db, 'mail'))?.smtp?.passwordEncrypted;

    const kept = await saveMail(smtpForm({ fromName: 'Renamed' }));
    expect(kept.changed).toEqual(['mail.fromName']);
    expect((await getSetting(t.db, 'mail'))?.smtp?.passwordEncrypted).toBe(box);

    // Typing the same password again is no change either.
    expect((await saveMail(smtpForm({ fromName: 'Renamed', smtpPassword: SMTP_PASSWORD }))).changed).toEqual(
      [],
    );

    const cleared = await saveMail(smtpForm({ fromName: 'Renamed', smtpPasswordClear: 'on' }));
    expect(cleared.changed).toEqual(['mail.smtp.password']);
    expect((await getSetting(t.db, 'mail'))?.smtp?.passwordEncrypted).toBeUndefined();
    expect((await loadSettingsView(t.db, development)).mail.secrets.smtpPassword).toBe(false);
  });

  it('a new value and "clear" together is a field error', async () => {
    const result = await parseMail(smtpForm({ smtpPassword: 'x', smtpPasswordClear: 'on' }));
    expect(!result.ok && result.fieldErrors.smtpPassword?.key).toBe('adminSettings.errors.clearAndNew');
  });

  it('SMTP needs a host; Gmail OAuth2 needs its three values; Resend needs a key, typed or stored', async () => {
    const noHost = await parseMail(smtpForm({ smtpHost: '' }));
    expect(!noHost.ok && noHost.fieldErrors.smtpHost?.key).toBe('adminSettings.errors.smtpHostRequired');

    const halfOauth = await parseMail(smtpForm({ oauthClientId: 'id' }));
    expect(!halfOauth.ok && halfOauth.fieldErrors).toMatchObject({
      oauthClientSecret: { key: 'adminSettings.errors.oauthIncomplete' },
      oauthRefreshToken: { key: 'adminSettings.errors.oauthIncomplete' },
    });

    const noKey = await parseMail(smtpForm({ transport: 'resend' }));
    expect(!noKey.ok && noKey.fieldErrors.resendApiKey?.key).toBe('adminSettings.errors.resendKeyRequired');
    await saveMail(smtpForm({ transport: 'resend', resendApiKey: 're_key' }));
    expect((await parseMail(smtpForm({ transport: 'resend' }))).ok).toBe(true);
  });

  it('"environment" removes the saved mail settings, secrets included', async () => {
    await saveMail(smtpForm({ smtpPassword: SMTP_PASSWORD }));
    // The form comes back filled with the saved values; choosing the environment still goes through.
    const result = await saveMail(smtpForm({ transport: 'env' }));
    expect(result.changed).toContain('mail.transport');
    expect(result.changed).toContain('mail.smtp.password');
    expect(await rawMailRow()).toBe('null');
    expect(await resolveMailConfig(t.db, development)).toMatchObject({ source: 'default' });
    expect((await loadSettingsView(t.db, development)).mail.transport).toBe('env');
  });

  it('"environment" with values typed for a transport is refused rather than silently discarded', async () => {
    const fresh = await parseMail(smtpForm({ transport: 'env' }));
    expect(!fresh.ok && fresh.fieldErrors.transport?.key).toBe('adminSettings.errors.envDiscards');
    await saveMail(smtpForm());
    const secret = await parseMail(smtpForm({ transport: 'env', smtpPassword: 'typed' }));
    expect(!secret.ok && secret.fieldErrors.transport?.key).toBe('adminSettings.errors.envDiscards');
    expect((await parseMail({ transport: 'env' })).ok).toBe(true);
  });

  it('the development mailbox is refused in production, in the form and when sending', async () => {
    const refused = await parseMail(smtpForm({ transport: 'dev' }), production);
    expect(!refused.ok && refused.fieldErrors.transport?.key).toBe('adminSettings.errors.devInProduction');
    expect((await parseMail(smtpForm({ transport: 'dev' }), development)).ok).toBe(true);

    // Saved while in development, then the same database runs in production.
    await setSetting(t.db, 'mail', { transport: 'dev' });
    const view = await loadSettingsView(t.db, production);
    expect(view).toMatchObject({
      allowDev: false,
      mail: { transport: 'env' },
      active: { transport: 'none' },
    });
    const result = await sendTestEmail(t.db, { adminId, to: 'boss@example.com' }, ctx, clock, production);
    expect(result).toMatchObject({ ok: false, reason: 'not_configured' });
  });

  it('settings.changed rows name the secret keys but never hold a secret value', async () => {
    await saveMail(
      smtpForm({
        smtpPassword: SMTP_PASSWORD,
        oauthClientId: 'cid',
        oauthClientSecret: 'oauth-client-secret-value',
        oauthRefreshToken: '1//refresh-token-value',
      }),
    );
    const [last] = (await auditRows('settings.changed')).slice(-1);
    expect(last?.meta).toMatchObject({
      area: 'platform',
      keys: expect.arrayContaining([
        'mail.smtp.password',
        'mail.smtp.oauth.clientSecret',
        'mail.smtp.oauth.refreshToken',
      ]),
    });
    const all = JSON.stringify(await t.db.select().from(auditEvents));
    for (const secret of [SMTP_PASSWORD, 'oauth-client-secret-value', '1//refresh-token-value']) {
      expect(all).not.toContain(secret);
    }
    expect(all).not.toMatch(/v1\.[\w-]+\.[\w-]+\./);
  });
});

describe('send test email', () => {
  it('reaches a real SMTP server through the saved settings, and is audited', async () => {
    await saveMail(smtpForm({ smtpPassword: SMTP_PASSWORD }));
    const result = await sendTestEmail(t.db, { adminId, to: 'boss@example.com' }, ctx, clock, development);
    expect(result).toEqual({ ok: true, transport: `SMTP (${catcher.host}:${catcher.port}, NONE)` });

    const mail = await catcher.waitForMail('boss@example.com', { timeoutMs: 5_000 });
    expect(mail.from).toEqual({ name: 'Gatehouse Test', address: 'accounts@example.test' });
    expect(mail.session.user).toBe(SMTP_USER);
    expect(mail.text).toContain('boss');
    expect(mail.text).toContain(`${catcher.host}:${catcher.port}`);

    const [audit] = (await auditRows('mail.test_sent')).slice(-1);
    expect(audit).toMatchObject({
      actorId: adminId,
      userId: adminId,
      meta: { transport: 'smtp', delivered: true },
    });
  });

  it('a wrong SMTP password answers with the server’s own reply text', async () => {
    await saveMail(smtpForm({ smtpPassword: 'not the password' }));
    const before = catcher.count();
    const result = await sendTestEmail(t.db, { adminId, to: 'boss@example.com' }, ctx, clock, development);
    expect(result).toMatchObject({ ok: false, reason: 'send_failed' });
    expect(!result.ok && result.error).toContain('535 5.7.8 Authentication credentials invalid');
    expect(catcher.count()).toBe(before);

    const [audit] = (await auditRows('mail.test_sent')).slice(-1);
    expect(audit?.meta).toEqual({ transport: 'smtp', delivered: false, failure: 'auth_failed' });
    expect(JSON.stringify(audit)).not.toContain('not the password');
  });

  it('says so when a stored secret no longer decrypts (AUTH_SECRET changed)', async () => {
    await setSetting(t.db, 'mail', {
      transport: 'smtp',
      smtp: {
        host: catcher.host,
        port: catcher.port,
        encryption: 'none',
        username: SMTP_USER,
        passwordEncrypted: encryptSecret(SMTP_PASSWORD, 'another-secret-'.repeat(4)),
      },
    });
    expect((await loadSettingsView(t.db, development)).active).toEqual({ transport: 'unreadable' });
    const result = await sendTestEmail(t.db, { adminId, to: 'boss@example.com' }, ctx, clock, development);
    expect(result).toMatchObject({ ok: false, reason: 'unreadable_secret' });
  });
});
