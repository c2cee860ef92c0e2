import { createHash } from 'node:crypto';
import type { Db } from '@/db/client';
import type { MailBrand } from '@/emails/components/brand';
import { recordAudit } from './audit';
import type { Clock } from './clock';
import type { RequestContext } from './request-context';
import { appUrl } from './urls';
import { clearSetting, getSetting, setSetting, type BrandLogo, type SettingKey } from './settings';
import { DEFAULT_APP_NAME } from './validation/password';
import type { BrandSettingsInput } from './validation/brand';
import { accentPalette, type AccentPalette } from './brand-palette';

/**
 * The operator's own brand (decision 029): the product name, the accent colour, the support address
 * and an uploaded logo, set at /admin/settings and shown on every page and in every mail. With none
 * set, everything says Gatehouse as before.
 *
 * Logos are PNG, JPEG or WebP, recognised by their first bytes whatever name or type the upload
 * claims. SVG is refused: it is a document that can carry script and links, and no sanitiser keeps
 * up with every way a browser or a mail client reads one.
 */

export const LOGO_MAX_BYTES = 200 * 1024;

export type LogoContentType = BrandLogo['contentType'];
export type LogoProblem = 'logo_empty' | 'logo_too_large' | 'logo_svg' | 'logo_type';

const startsWith = (bytes: Uint8Array, prefix: readonly number[], at = 0) =>
  bytes.length >= at + prefix.length && prefix.every((byte, i) => bytes[at + i] === byte);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/** What an uploaded file really is, from its content alone. */
export function sniffLogo(
  bytes: Uint8Array,
): { ok: true; contentType: LogoContentType } | { ok: false; code: LogoProblem } {
  if (bytes.length === 0) return { ok: false, code: 'logo_empty' };
  if (bytes.length > LOGO_MAX_BYTES) return { ok: false, code: 'logo_too_large' };
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) {
    return { ok: true, contentType: 'image/png' };
  }
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { ok: true, contentType: 'image/jpeg' };
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) {
    return { ok: true, contentType: 'image/webp' };
  }
  // Said apart from "not an image" so the admin knows to export a PNG rather than retry.
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 1024)).toLowerCase();
  if (head.includes('<svg') || (head.trimStart().startsWith('<') && head.includes('svg'))) {
    return { ok: false, code: 'logo_svg' };
  }
  return { ok: false, code: 'logo_type' };
}

export interface Brand {
  /** The product name people see: the operator's, or Gatehouse. */
  name: string;
  accent?: AccentPalette;
  supportEmail?: string;
  /** Changes whenever the logo does; the logo route's address carries it. */
  logoVersion?: string;
}

const versionOf = (logo: BrandLogo) => logo.sha256.slice(0, 16);

/** One small row: the logo's bytes stay in their own row, read only by the logo route. */
export async function getBrand(db: Db): Promise<Brand> {
  const settings = await getSetting(db, 'brand');
  return {
    name: settings.name ?? DEFAULT_APP_NAME,
    accent: settings.accent ? accentPalette(settings.accent) : undefined,
    supportEmail: settings.supportEmail,
    logoVersion: settings.logoVersion,
  };
}

/** The path of the logo, with its version so that a new logo is never hidden by a cached old one. */
export function logoPath(brand: Brand): string | undefined {
  return brand.logoVersion ? `/api/brand/logo?v=${brand.logoVersion}` : undefined;
}

/** The brand as mail carries it: the light palette (mail is light), the logo on APP_URL. */
export async function mailBrandFor(db: Db): Promise<MailBrand> {
  const brand = await getBrand(db);
  const logo = logoPath(brand);
  return {
    name: brand.name,
    accent: brand.accent && { color: brand.accent.light.accent, text: brand.accent.light.text },
    supportEmail: brand.supportEmail,
    logoUrl: logo ? appUrl(logo) : undefined,
  };
}

export async function readLogo(
  db: Db,
): Promise<{ contentType: LogoContentType; bytes: Buffer; version: string } | null> {
  const logo = await getSetting(db, 'brand_logo');
  if (!logo) return null;
  return {
    contentType: logo.contentType,
    bytes: Buffer.from(logo.data, 'base64'),
    version: versionOf(logo),
  };
}

export type LogoChange = { kind: 'keep' } | { kind: 'remove' } | { kind: 'replace'; bytes: Uint8Array };

export type SaveBrandResult = { ok: true; changed: SettingKey[] } | { ok: false; code: LogoProblem };

/** Saves the brand form: the text settings, and the logo kept, removed or replaced. One audit row. */
export async function saveBrand(
  db: Db,
  input: { adminId: string; values: BrandSettingsInput; logo: LogoChange },
  context: RequestContext,
  clock: Clock,
): Promise<SaveBrandResult> {
  let nextLogo: BrandLogo | null | undefined;
  if (input.logo.kind === 'replace') {
    const sniffed = sniffLogo(input.logo.bytes);
    if (!sniffed.ok) return sniffed;
    const bytes = Buffer.from(input.logo.bytes);
    nextLogo = {
      contentType: sniffed.contentType,
      data: bytes.toString('base64'),
      sha256: createHash('sha256').update(bytes).digest('hex'),
    };
  } else if (input.logo.kind === 'remove') {
    nextLogo = null;
  }
  const text = {
    name: input.values.productName || undefined,
    accent: input.values.accentColor || undefined,
    supportEmail: input.values.supportEmail || undefined,
  };
  return db.transaction(async (tx) => {
    const changed: SettingKey[] = [];
    const { logoVersion: currentVersion, ...currentText } = await getSetting(tx, 'brand');
    if (JSON.stringify(currentText) !== JSON.stringify(text)) changed.push('brand');
    let version = currentVersion;
    if (nextLogo !== undefined && (nextLogo ? versionOf(nextLogo) : undefined) !== currentVersion) {
      if (nextLogo) await setSetting(tx, 'brand_logo', nextLogo, input.adminId);
      else await clearSetting(tx, 'brand_logo');
      version = nextLogo ? versionOf(nextLogo) : undefined;
      changed.push('brand_logo');
    }
    if (changed.length > 0) await setSetting(tx, 'brand', { ...text, logoVersion: version }, input.adminId);
    if (changed.length > 0) {
      await recordAudit(
        tx,
        {
          action: 'settings.changed',
          actorId: input.adminId,
          ip: context.ip,
          userAgent: context.userAgent,
          meta: { area: 'brand', keys: changed },
        },
        clock,
      );
    }
    return { ok: true as const, changed };
  });
}
