import Link from 'next/link';
import { getTranslations } from 'next-intl/server';
import styles from './site-chrome.module.css';

export async function SiteHeader({
  productName,
  logo,
  signedIn,
  admin,
}: {
  productName: string;
  /** The operator's logo (lib/brand.ts logoPath); the name beside it says what it says. */
  logo?: string;
  signedIn: boolean;
  admin: boolean;
}) {
  const t = await getTranslations();
  return (
    <header className={styles.header}>
      <nav aria-label={t('layout.primaryNavigation')} className={styles.inner}>
        <Link href="/" className={styles.brand}>
          {logo ? (
            // A small image from our own route: next/image's optimiser would only add work.
            // eslint-disable-next-line @next/next/no-img-element
            <img src={logo} alt="" className={styles.logo} height={32} />
          ) : null}
          {productName}
        </Link>
        <ul className={styles.links}>
          {signedIn ? (
            <>
              {admin ? (
                <li>
                  <Link href="/admin">{t('nav.admin')}</Link>
                </li>
              ) : null}
              <li>
                <Link href="/account">{t('nav.account')}</Link>
              </li>
              <li>
                <Link href="/logout">{t('nav.logout')}</Link>
              </li>
            </>
          ) : (
            <>
              <li>
                <Link href="/login">{t('nav.login')}</Link>
              </li>
              <li>
                <Link href="/register">{t('nav.register')}</Link>
              </li>
            </>
          )}
        </ul>
      </nav>
    </header>
  );
}
