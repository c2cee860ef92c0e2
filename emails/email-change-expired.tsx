import type { Locale } from '../lib/i18n/config';
import { templateTranslator } from './components/i18n';
import { EmailLayout, Greeting, Paragraph, Title } from './components/layout';

/** Sent when a pending email change lapses unconfirmed: the account stays locked until an admin unlocks it. */
export interface EmailChangeExpiredProps {
  locale: Locale;
  username: string;
  /** The address the change would have moved to. */
  newEmail: string;
}

export function subject({ locale }: EmailChangeExpiredProps): string {
  return templateTranslator(locale, 'email-change-expired')('subject');
}

export default function EmailChangeExpired({ locale, username, newEmail }: EmailChangeExpiredProps) {
  const t = templateTranslator(locale, 'email-change-expired');
  return (
    <EmailLayout locale={locale} preview={t('preview')} footer={t('footer')}>
      <Title>{t('heading')}</Title>
      <Greeting locale={locale} username={username} />
      <Paragraph>{t('intro', { newEmail })}</Paragraph>
      <Paragraph>{t('locked', { username })}</Paragraph>
      <Paragraph>{t('contact')}</Paragraph>
    </EmailLayout>
  );
}

EmailChangeExpired.PreviewProps = {
  locale: 'en',
  username: 'ada',
  newEmail: 'ada.lovelace@example.test',
} satisfies EmailChangeExpiredProps;
