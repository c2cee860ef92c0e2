import { createTranslator } from 'next-intl';
import { defaultLocale, isLocale, type Locale } from '../../lib/i18n/config';
import en from '../../lib/i18n/messages/en/emails.json';
import fr from '../../lib/i18n/messages/fr/emails.json';
import { mailBrand } from './brand';

/**
 * Mail is rendered outside any Next request (background worker, CLI, preview server), so the
 * catalogues are imported statically and translated with createTranslator. Adding a language is one
 * line here; the Record type makes a locale listed in lib/i18n/config.ts without a catalogue an error.
 */
export type EmailCatalogue = typeof en;
// The Partial part lets a catalogue be registered before its locale is listed in config.ts.
const catalogues: Record<Locale, EmailCatalogue> & Partial<Record<'en' | 'fr', EmailCatalogue>> = {
  en,
  fr,
};

/** Namespaces that hold one mail's strings (everything but the shared ones). */
export type TemplateNamespace = Exclude<keyof EmailCatalogue, 'layout' | 'common'>;
type Values = Record<string, string | number>;
type Translate<Keys extends string> = (key: Keys, values?: Values) => string;

/** An unknown or retired locale (say, stored on an old account) falls back to the default. */
export function mailLocale(locale: unknown): Locale {
  return isLocale(locale) ? locale : defaultLocale;
}

type Translator = (key: string, values?: Values) => string;
const translators = new Map<Locale, Translator>();

function translator(requested: Locale): Translator {
  const locale = mailLocale(requested);
  const cached = translators.get(locale);
  if (cached) return cached;
  const t = createTranslator({
    locale,
    messages: catalogues[locale],
    timeZone: 'UTC',
    // A missing string must stop the send, not put "reset-password.button" in someone's inbox.
    onError: (error) => {
      throw error;
    },
  });
  const product = t('layout.product');
  // Every message may name the product: the operator's brand, or the one written in layout.product.
  const translate: Translator = (key, values) =>
    (t as (k: string, v: Values) => string)(key, { product: mailBrand().name ?? product, ...values });
  translators.set(locale, translate);
  return translate;
}

/** The strings of one mail: t('subject'), t('button'), … */
export function templateTranslator<NS extends TemplateNamespace>(
  locale: Locale,
  namespace: NS,
): Translate<keyof EmailCatalogue[NS] & string> {
  const t = translator(locale);
  return (key, values) => t(`${namespace}.${key}`, values);
}

export function commonTranslator(locale: Locale): Translate<keyof EmailCatalogue['common'] & string> {
  const t = translator(locale);
  return (key, values) => t(`common.${key}`, values);
}

export function layoutTranslator(locale: Locale): Translate<keyof EmailCatalogue['layout'] & string> {
  const t = translator(locale);
  return (key, values) => t(`layout.${key}`, values);
}

/** "30 minutes", "1 hour", "2 days": the largest whole unit that states the lifetime exactly. */
export function formatLifetime(locale: Locale, minutes: number): string {
  const t = commonTranslator(locale);
  const whole = Math.max(1, Math.round(minutes));
  if (whole % 1440 === 0) return t('lifetimeDays', { count: whole / 1440 });
  if (whole % 60 === 0) return t('lifetimeHours', { count: whole / 60 });
  return t('lifetimeMinutes', { count: whole });
}
