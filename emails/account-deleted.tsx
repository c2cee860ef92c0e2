import type { Locale } from '../lib/i18n/config';
import { templateTranslator } from './components/i18n';
import { EmailLayout, Greeting, Paragraph, Title } from './components/layout';

/** Sent to the address of an account that has just been deleted. */
export interface AccountDeletedProps {
  locale: Locale;
  username: string;
}

export function subject({ locale }: AccountDeletedProps): string {
  return templateTranslator(locale, 'account-deleted')('subject');
}

export default function AccountDeleted({ locale, username }: AccountDeletedProps) {
  const t = templateTranslator(locale, 'account-deleted');
  return (
    <EmailLayout locale={locale} preview={t('preview')} footer={t('footer')}>
      <Title>{t('heading')}</Title>
      <Greeting locale={locale} username={username} />
      <Paragraph>{t('intro', { username })}</Paragraph>
      <Paragraph>{t('contact')}</Paragraph>
    </EmailLayout>
  );
}

AccountDeleted.PreviewProps = {
  locale: 'en',
  username: 'ada',
} satisfies AccountDeletedProps;
