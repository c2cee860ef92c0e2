import { getTranslations } from 'next-intl/server';
import type { Theme } from '@/lib/theme';
import styles from './site-chrome.module.css';
import { LanguageSwitcher } from './language-switcher';
import { ThemeSwitcher } from './theme-switcher';

export async function SiteFooter({ theme, supportEmail }: { theme: Theme; supportEmail?: string }) {
  const t = await getTranslations('layout');
  return (
    <footer className={styles.footer}>
      <nav aria-label={t('footerNavigation')} className={styles.inner}>
        <LanguageSwitcher />
        <ThemeSwitcher current={theme} />
      </nav>
      {supportEmail ? (
        <p className={styles.inner}>
          {t.rich('support', {
            address: supportEmail,
            link: (chunks) => <a href={`mailto:${supportEmail}`}>{chunks}</a>,
          })}
        </p>
      ) : null}
    </footer>
  );
}
