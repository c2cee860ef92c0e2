import { getTranslations } from 'next-intl/server';
import { setTheme } from '@/app/preferences/actions';
import { Button } from '@/components/ui/button';
import { themes, type Theme } from '@/lib/theme';
import styles from './theme-switcher.module.css';

/** A plain form of three submit buttons: it works with JavaScript off and needs no client code. */
export async function ThemeSwitcher({ current }: { current: Theme }) {
  const t = await getTranslations('theme');
  return (
    <form action={setTheme} className={styles.switcher}>
      <fieldset>
        <legend>{t('legend')}</legend>
        {themes.map((theme) => (
          <Button
            key={theme}
            variant="secondary"
            size="small"
            name="theme"
            value={theme}
            aria-pressed={theme === current}
          >
            {t(theme)}
          </Button>
        ))}
      </fieldset>
    </form>
  );
}
