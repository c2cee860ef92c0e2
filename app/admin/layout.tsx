import { NextIntlClientProvider } from 'next-intl';
import { getLocale, getTranslations } from 'next-intl/server';
import type { ReactNode } from 'react';
import { SectionNav } from '@/components/section-nav';
import { Alert } from '@/components/ui/alert';
import { getDb } from '@/db/client';
import { clientMessages } from '@/lib/i18n/messages';
import { resolveMailConfig } from '@/lib/mail/config';
import { isSecretDecryptionError } from '@/lib/secrets';
import { currentSession } from '@/lib/web/session';

const sections = [
  ['/admin', 'overview'],
  ['/admin/users', 'users'],
  ['/admin/users/new', 'newUser'],
  ['/admin/settings', 'settings'],
  ['/admin/mail', 'mail'],
  ['/admin/audit', 'audit'],
] as const;

/**
 * Chrome for the admin pages. It protects nothing (every page and action checks the role itself,
 * S45): it only shows admins the console's sections and what needs them, such as mail that cannot
 * leave.
 */
export default async function AdminLayout({ children }: { children: ReactNode }) {
  const session = await currentSession();
  const admin = session?.user.role === 'admin';
  // A saved secret that no longer decrypts (AUTH_SECRET changed) must not take down the console
  // that lets an admin fix it: it becomes a warning like a missing transport.
  const mail = admin
    ? await resolveMailConfig(await getDb()).catch((error: unknown) => {
        if (isSecretDecryptionError(error)) return { transport: 'unreadable' as const };
        throw error;
      })
    : undefined;
  const t = await getTranslations('adminLayout');
  const locale = await getLocale();
  // The console's own strings reach the browser only here (the root layout sends ui.json alone).
  const messages = await clientMessages(locale, 'admin');
  return (
    <NextIntlClientProvider messages={messages}>
      {admin ? (
        <SectionNav
          label={t('navigation')}
          links={sections.map(([href, key]) => ({ href, text: t(`sections.${key}`) }))}
        />
      ) : null}
      {mail?.transport === 'unreadable' ? (
        <Alert tone="danger" role="alert" title={t('mailUnreadableTitle')}>
          {t('mailUnreadable')}
        </Alert>
      ) : null}
      {mail?.transport === 'none' ? (
        <Alert tone="danger" role="alert" title={t('mailNotConfiguredTitle')}>
          {t('mailNotConfigured')}
        </Alert>
      ) : null}
      {children}
    </NextIntlClientProvider>
  );
}
