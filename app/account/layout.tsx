import Link from 'next/link';
import { getTranslations } from 'next-intl/server';
import type { ReactNode } from 'react';
import styles from './account.module.css';

const sections = [
  ['/account', 'overview'],
  ['/account/profile', 'profile'],
  ['/account/settings', 'settings'],
  ['/account/security', 'security'],
  ['/account/email', 'email'],
  ['/account/sessions', 'sessions'],
  ['/account/recovery', 'recovery'],
  ['/account/delete', 'delete'],
] as const;

export default async function AccountLayout({ children }: { children: ReactNode }) {
  const t = await getTranslations('accountNav');
  return (
    <>
      <nav aria-label={t('label')} className={styles.nav}>
        <ul>
          {sections.map(([href, key]) => (
            <li key={href}>
              <Link href={href}>{t(key)}</Link>
            </li>
          ))}
        </ul>
      </nav>
      {children}
    </>
  );
}
