import type { Locale } from '../lib/i18n/config';
import { formatLifetime, templateTranslator } from './components/i18n';
import { ActionButton, EmailLayout, Greeting, Paragraph, previewAppUrl, Title } from './components/layout';

/** Sent to the NEW address of an email change: confirming it completes the change. */
export interface EmailChangeConfirmProps {
  locale: Locale;
  username: string;
  newEmail: string;
  /** Absolute URL carrying the confirmation token. */
  confirmUrl: string;
  expiresInMinutes: number;
}

export function subject({ locale }: EmailChangeConfirmProps): string {
  return templateTranslator(locale, 'email-change-confirm')('subject');
}

export default function EmailChangeConfirm({
  locale,
  username,
  newEmail,
  confirmUrl,
  expiresInMinutes,
}: EmailChangeConfirmProps) {
  const t = templateTranslator(locale, 'email-change-confirm');
  return (
    <EmailLayout locale={locale} preview={t('preview')} footer={t('footer')}>
      <Title>{t('heading')}</Title>
      <Greeting locale={locale} username={username} />
      <Paragraph>{t('intro', { username, newEmail })}</Paragraph>
      <ActionButton locale={locale} href={confirmUrl} label={t('button')} />
      <Paragraph>{t('expiry', { lifetime: formatLifetime(locale, expiresInMinutes) })}</Paragraph>
      <Paragraph>{t('ignore')}</Paragraph>
    </EmailLayout>
  );
}

EmailChangeConfirm.PreviewProps = {
  locale: 'en',
  username: 'ada',
  newEmail: 'ada.lovelace@example.test',
  confirmUrl: `${previewAppUrl}/email-change/confirm?token=preview-token-not-a-real-one`,
  expiresInMinutes: 1440,
} satisfies EmailChangeConfirmProps;
