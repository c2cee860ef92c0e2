import { getTranslations } from 'next-intl/server';
import type { ReactNode } from 'react';
import { getDb } from '@/db/client';
import { resolveMailConfig } from '@/lib/mail/config';
import { currentSession } from '@/lib/web/session';
import styles from './admin.module.css';

/**
 * Chrome for the admin pages. It protects nothing (every page and action checks the role itself,
 * S45); it tells admins what needs them, such as mail that cannot leave.
 */
export default async function AdminLayout({ children }: { children: ReactNode }) {
  const session = await currentSession();
  const mail = session?.user.role === 'admin' ? await resolveMailConfig(await getDb()) : undefined;
  const t = await getTranslations('adminLayout');
  return (
    <>
      {mail?.transport === 'none' ? (
        <div role="alert" className={styles.alert}>
          <strong>{t('mailNotConfiguredTitle')}</strong> {t('mailNotConfigured')}
        </div>
      ) : null}
      {children}
    </>
  );
}
