import type { Locale } from '../lib/i18n/config';
import { templateTranslator } from './components/i18n';
import { EmailLayout, Greeting, Paragraph, Title } from './components/layout';

/** Sent when an administrator declines a pending sign-up. */
export interface AccountRejectedProps {
  locale: Locale;
  username: string;
}

export function subject({ locale }: AccountRejectedProps): string {
  return templateTranslator(locale, 'account-rejected')('subject');
}

export default function AccountRejected({ locale, username }: AccountRejectedProps) {
  const t = templateTranslator(locale, 'account-rejected');
  return (
    <EmailLayout locale={locale} preview={t('preview')} footer={t('footer')}>
      <Title>{t('heading')}</Title>
      <Greeting locale={locale} username={username} />
      <Paragraph>{t('intro')}</Paragraph>
      <Paragraph>{t('contact')}</Paragraph>
    </EmailLayout>
  );
}

AccountRejected.PreviewProps = {
  locale: 'en',
  username: 'ada',
} satisfies AccountRejectedProps;
