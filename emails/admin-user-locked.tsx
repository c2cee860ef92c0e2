import type { Locale } from '../lib/i18n/config';
import { templateTranslator } from './components/i18n';
import { ActionButton, EmailLayout, Paragraph, previewAppUrl, Title } from './components/layout';

/** To every administrator when an account is locked automatically (an email change left unconfirmed). */
export interface AdminUserLockedProps {
  locale: Locale;
  username: string;
  email: string;
  /** The new address that was never confirmed. */
  newEmail: string;
  adminUserUrl: string;
}

export function subject({ locale, username }: AdminUserLockedProps): string {
  return templateTranslator(locale, 'admin-user-locked')('subject', { username });
}

export default function AdminUserLocked({
  locale,
  username,
  email,
  newEmail,
  adminUserUrl,
}: AdminUserLockedProps) {
  const t = templateTranslator(locale, 'admin-user-locked');
  return (
    <EmailLayout locale={locale} preview={t('preview', { username })} footer={t('footer')}>
      <Title>{t('heading')}</Title>
      <Paragraph>{t('intro', { username, email, newEmail })}</Paragraph>
      <Paragraph>{t('next')}</Paragraph>
      <ActionButton locale={locale} href={adminUserUrl} label={t('button')} />
    </EmailLayout>
  );
}

AdminUserLocked.PreviewProps = {
  locale: 'en',
  username: 'ada',
  email: 'ada@example.com',
  newEmail: 'ada@new.example.com',
  adminUserUrl: `${previewAppUrl}/admin/users/7f0c8b1e-0000-4000-8000-000000000001`,
} satisfies AdminUserLockedProps;
