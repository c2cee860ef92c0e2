import { getLocale, getTranslations } from 'next-intl/server';
import { setLocale } from '@/app/preferences/actions';
import { Button } from '@/components/ui/button';
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
          <Button
            key={locale}
            variant="secondary"
            size="small"
            name="locale"
            value={locale}
            lang={locale}
            aria-pressed={locale === current}
          >
            {t(`languages.${locale}`)}
          </Button>
        ))}
      </fieldset>
    </form>
  );
}
