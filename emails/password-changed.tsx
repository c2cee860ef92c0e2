import type { Locale } from '../lib/i18n/config';
import { templateTranslator } from './components/i18n';
import { ActionButton, EmailLayout, Greeting, Paragraph, previewAppUrl, Title } from './components/layout';

/** Sent after any password change. Holds no secret: the link is the public forgot-password page. */
export interface PasswordChangedProps {
  locale: Locale;
  username: string;
  forgotPasswordUrl: string;
}

export function subject({ locale }: PasswordChangedProps): string {
  return templateTranslator(locale, 'password-changed')('subject');
}

export default function PasswordChanged({ locale, username, forgotPasswordUrl }: PasswordChangedProps) {
  const t = templateTranslator(locale, 'password-changed');
  return (
    <EmailLayout locale={locale} preview={t('preview')} footer={t('footer')}>
      <Title>{t('heading')}</Title>
      <Greeting locale={locale} username={username} />
      <Paragraph>{t('intro')}</Paragraph>
      <Paragraph>{t('warning')}</Paragraph>
      <ActionButton locale={locale} href={forgotPasswordUrl} label={t('button')} />
    </EmailLayout>
  );
}

PasswordChanged.PreviewProps = {
  locale: 'en',
  username: 'ada',
  forgotPasswordUrl: `${previewAppUrl}/forgot-password`,
} satisfies PasswordChangedProps;
