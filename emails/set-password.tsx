import type { Locale } from '../lib/i18n/config';
import { formatLifetime, templateTranslator } from './components/i18n';
import { ActionButton, EmailLayout, Greeting, Paragraph, previewAppUrl, Title } from './components/layout';

/** Sent when an administrator creates an account: the new user chooses their own password. */
export interface SetPasswordProps {
  locale: Locale;
  username: string;
  /** Absolute URL carrying the set-password token. */
  setPasswordUrl: string;
  expiresInMinutes: number;
}

export function subject({ locale }: SetPasswordProps): string {
  return templateTranslator(locale, 'set-password')('subject');
}

export default function SetPassword({
  locale,
  username,
  setPasswordUrl,
  expiresInMinutes,
}: SetPasswordProps) {
  const t = templateTranslator(locale, 'set-password');
  return (
    <EmailLayout locale={locale} preview={t('preview')} footer={t('footer')}>
      <Title>{t('heading')}</Title>
      <Greeting locale={locale} username={username} />
      <Paragraph>{t('intro', { username })}</Paragraph>
      <Paragraph>{t('action')}</Paragraph>
      <ActionButton locale={locale} href={setPasswordUrl} label={t('button')} />
      <Paragraph>{t('expiry', { lifetime: formatLifetime(locale, expiresInMinutes) })}</Paragraph>
    </EmailLayout>
  );
}

SetPassword.PreviewProps = {
  locale: 'en',
  username: 'ada',
  setPasswordUrl: `${previewAppUrl}/set-password?token=preview-token-not-a-real-one`,
  expiresInMinutes: 4320,
} satisfies SetPasswordProps;
