import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditEvents, emailOutbox } from '@/db/schema';
import { ManualClock } from '@/lib/clock';
import { enqueueMail } from '@/lib/mail/outbox';
import { changePassword } from '@/lib/password-change';
import { passwordProblemMessage } from '@/lib/password-policy';
import { brandSettingsFormSchema } from '@/lib/validation/brand';
import { validateFormData } from '@/lib/web/form-validation';
import { formData } from '@/tests/helpers/forms';
import { setUpTestDatabase } from '@/tests/helpers/test-db';
import { createTestUser, freshContext, TEST_PASSWORD } from '@/tests/helpers/users';
import { getBrand, LOGO_MAX_BYTES, logoPath, readLogo, saveBrand, sniffLogo } from './brand';
import { accentIsReadable, accentPalette, contrastRatio, THEME_BACKGROUNDS } from './brand-palette';

const clock = new ManualClock(new Date('2026-12-04T10:00:00Z'));
const t = setUpTestDatabase();

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48]);
const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46]);
const WEBP = new TextEncoder().encode('RIFF\u0024\u0000\u0000\u0000WEBPVP8 ');
const text = (s: string) => new TextEncoder().encode(s);
const SVG_WITH_SCRIPT = text(
  '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>',
);

describe('logo files are recognised by their content, not their name or stated type', () => {
  it.each([
    ['PNG', PNG, 'image/png'],
    ['JPEG', JPEG, 'image/jpeg'],
    ['WebP', WEBP, 'image/webp'],
  ] as const)('accepts a %s image', (_name, bytes, contentType) => {
    expect(sniffLogo(bytes)).toEqual({ ok: true, contentType });
  });

  it('refuses SVG, with script or without, with a BOM, or posing as XML', () => {
    expect(sniffLogo(SVG_WITH_SCRIPT)).toEqual({ ok: false, code: 'logo_svg' });
    expect(sniffLogo(text('\uFEFF  <SVG viewBox="0 0 1 1"/>'))).toEqual({ ok: false, code: 'logo_svg' });
    expect(sniffLogo(text('<!DOCTYPE svg><x/>'))).toEqual({ ok: false, code: 'logo_svg' });
  });

  it('refuses HTML, scripts and anything else that is not one of the three images', () => {
    expect(sniffLogo(text('<html><script>alert(1)</script></html>'))).toEqual({
      ok: false,
      code: 'logo_type',
    });
    expect(sniffLogo(text('GIF89a'))).toEqual({ ok: false, code: 'logo_type' });
    // A PNG signature shifted by one byte is not a PNG.
    expect(sniffLogo(Uint8Array.from([0, ...PNG]))).toEqual({ ok: false, code: 'logo_type' });
  });

  it('refuses an empty file and one over the size limit', () => {
    expect(sniffLogo(new Uint8Array())).toEqual({ ok: false, code: 'logo_empty' });
    const large = new Uint8Array(LOGO_MAX_BYTES + 1);
    large.set(PNG);
    expect(sniffLogo(large)).toEqual({ ok: false, code: 'logo_too_large' });
    expect(sniffLogo(large.subarray(0, LOGO_MAX_BYTES))).toEqual({ ok: true, contentType: 'image/png' });
  });
});

describe('accent colour', () => {
  it('is accepted only when it reads as text on the light theme', () => {
    expect(accentIsReadable('#0b6e4f')).toBe(true);
    expect(accentIsReadable('#ffd400')).toBe(false);
    const parse = (accentColor: string) =>
      brandSettingsFormSchema.safeParse({ productName: '', accentColor, supportEmail: '' });
    expect(parse('#0B6E4F').data?.accentColor).toBe('#0b6e4f');
    expect(parse('#ffd400').error?.issues[0]?.message).toBe('brandSettings.errors.accentContrast');
    expect(parse('green').error?.issues[0]?.message).toBe('brandSettings.errors.accentFormat');
    expect(parse('#0b6e4f;x').error?.issues[0]?.message).toBeTruthy();
  });

  it.each(['#0b6e4f', '#1d4ed8', '#6b21a8', '#000000', '#b42318', '#5c5c5c'])(
    'gives %s a shade and a text colour that read in both themes',
    (accent) => {
      const palette = accentPalette(accent);
      expect(palette.light.accent).toBe(accent);
      for (const theme of ['light', 'dark'] as const) {
        const { accent: colour, text } = palette[theme];
        expect(contrastRatio(colour, THEME_BACKGROUNDS[theme])).toBeGreaterThanOrEqual(4.5);
        expect(contrastRatio(colour, text)).toBeGreaterThanOrEqual(4.5);
      }
    },
  );
});

describe('saving the brand', () => {
  const values = (over: Partial<Record<string, string>> = {}) => {
    const parsed = brandSettingsFormSchema.parse({
      productName: 'Acme Accounts',
      accentColor: '#0b6e4f',
      supportEmail: 'help@acme.example',
      ...over,
    });
    return parsed;
  };

  it('stores the brand and the logo, with one audit row, and mail comes out in it', async () => {
    const admin = await createTestUser(t.db, clock, 'brand-admin', { role: 'admin' });
    expect(await getBrand(t.db)).toEqual({
      name: 'Gatehouse',
      accent: undefined,
      supportEmail: undefined,
      logoVersion: undefined,
    });

    const saved = await saveBrand(
      t.db,
      { adminId: admin.id, values: values(), logo: { kind: 'replace', bytes: PNG } },
      freshContext(),
      clock,
    );
    expect(saved).toEqual({ ok: true, changed: ['brand', 'brand_logo'] });
    const brand = await getBrand(t.db);
    expect(brand.name).toBe('Acme Accounts');
    expect(brand.supportEmail).toBe('help@acme.example');
    expect(logoPath(brand)).toMatch(/^\/api\/brand\/logo\?v=[0-9a-f]{16}$/);
    expect(await readLogo(t.db)).toMatchObject({ contentType: 'image/png', bytes: Buffer.from(PNG) });
    const audits = await t.db
      .select({ meta: auditEvents.meta })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'settings.changed'), eq(auditEvents.actorId, admin.id)));
    expect(audits.map((a) => a.meta)).toEqual([{ area: 'brand', keys: ['brand', 'brand_logo'] }]);

    // Saving the same again changes nothing and records nothing.
    expect(
      await saveBrand(
        t.db,
        { adminId: admin.id, values: values(), logo: { kind: 'keep' } },
        freshContext(),
        clock,
      ),
    ).toEqual({ ok: true, changed: [] });

    const queued = await enqueueMail(t.db, {
      to: 'ada@example.com',
      template: 'verify-email',
      props: {
        username: 'ada',
        verifyUrl: 'https://accounts.example.test/verify-email?token=x',
        expiresInMinutes: 60,
      },
      locale: 'fr',
      clock,
    });
    if (!queued.ok) throw new Error(queued.code);
    const [mail] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.id, queued.id));
    expect(mail!.subject).toBe('Confirmez votre adresse e-mail pour Acme Accounts');
    for (const part of [mail!.subject, mail!.html!, mail!.text!]) expect(part).not.toMatch(/gatehouse/i);
    expect(mail!.html).toContain(`/api/brand/logo?v=${brand.logoVersion}`);
    expect(mail!.html).toContain('#0b6e4f');
    expect(mail!.text).toContain('help@acme.example');
  });

  it('refuses an SVG logo and keeps the one stored', async () => {
    const admin = await createTestUser(t.db, clock, 'brand-admin-2', { role: 'admin' });
    const before = await readLogo(t.db);
    const refused = await saveBrand(
      t.db,
      {
        adminId: admin.id,
        values: values({ productName: 'Evil' }),
        logo: { kind: 'replace', bytes: SVG_WITH_SCRIPT },
      },
      freshContext(),
      clock,
    );
    expect(refused).toEqual({ ok: false, code: 'logo_svg' });
    expect(await readLogo(t.db)).toEqual(before);
    expect((await getBrand(t.db)).name).not.toBe('Evil');
  });

  it("S8: once named, the product's name is refused in a new password, and the refusal names it", async () => {
    const admin = await createTestUser(t.db, clock, 'brand-admin-s8', { role: 'admin' });
    const user = await createTestUser(t.db, clock, 'brand-s8-user');
    await saveBrand(
      t.db,
      { adminId: admin.id, values: values(), logo: { kind: 'keep' } },
      freshContext(),
      clock,
    );
    const changed = await changePassword(
      t.db,
      {
        userId: user.id,
        sessionId: null,
        currentPassword: TEST_PASSWORD,
        newPassword: 'my acme accounts velvet lantern',
      },
      freshContext(),
      clock,
    );
    expect(changed).toEqual({
      ok: false,
      code: 'password_policy',
      problem: { code: 'contains_personal', what: 'app_name', appName: 'Acme Accounts' },
    });
    if (changed.ok || changed.code !== 'password_policy') throw new Error('refused above');
    expect(passwordProblemMessage(changed.problem).params).toEqual({ appName: 'Acme Accounts' });
  });

  it('goes back to Gatehouse when the fields are emptied and the logo removed', async () => {
    const admin = await createTestUser(t.db, clock, 'brand-admin-3', { role: 'admin' });
    const empty = await validateFormData(
      brandSettingsFormSchema,
      formData({ productName: ' ', accentColor: '', supportEmail: '', logoRemove: 'on' }),
    );
    if (!empty.ok) throw new Error('the empty brand form should parse');
    await saveBrand(
      t.db,
      { adminId: admin.id, values: empty.data, logo: { kind: 'remove' } },
      freshContext(),
      clock,
    );
    expect(await getBrand(t.db)).toEqual({
      name: 'Gatehouse',
      accent: undefined,
      supportEmail: undefined,
      logoVersion: undefined,
    });
    expect(await readLogo(t.db)).toBeNull();
  });
});
