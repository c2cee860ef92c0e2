import { getLocale, getTranslations } from 'next-intl/server';
import { setLocale } from '@/app/preferences/actions';
import { locales } from '@/lib/i18n/config';
import styles from './theme-switcher.module.css';

/** Each language named in itself; a plain form, so it works with JavaScript off. */
export async function LanguageSwitcher() {
  const [t, current] = await Promise.all([getTranslations(), getLocale()]);
  return (
    <form action={setLocale} className={styles.switcher}>
      <fieldset>
        <legend>{t('layout.language')}</legend>
        {locales.map((locale) => (
          <button
            key={locale}
            type="submit"
            name="locale"
            value={locale}
            lang={locale}
            aria-pressed={locale === current}
          >
            {t(`languages.${locale}`)}
          </button>
        ))}
      </fieldset>
    </form>
  );
}
