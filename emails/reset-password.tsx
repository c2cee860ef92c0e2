import type { Locale } from '../lib/i18n/config';
import { formatLifetime, templateTranslator } from './components/i18n';
import {
  ActionButton,
  CodeBox,
  EmailLayout,
  Greeting,
  Paragraph,
  previewAppUrl,
  Title,
} from './components/layout';

/** Sent on "forgot password": a link for this device and a 6-digit code for another one. */
export interface ResetPasswordProps {
  locale: Locale;
  username: string;
  /** Absolute URL carrying the reset token. */
  resetUrl: string;
  /** The 6-digit code issued with the same token. */
  code: string;
  expiresInMinutes: number;
}

export function subject({ locale }: ResetPasswordProps): string {
  return templateTranslator(locale, 'reset-password')('subject');
}

export default function ResetPassword({
  locale,
  username,
  resetUrl,
  code,
  expiresInMinutes,
}: ResetPasswordProps) {
  const t = templateTranslator(locale, 'reset-password');
  return (
    <EmailLayout locale={locale} preview={t('preview')} footer={t('footer')}>
      <Title>{t('heading')}</Title>
      <Greeting locale={locale} username={username} />
      <Paragraph>{t('intro')}</Paragraph>
      <ActionButton locale={locale} href={resetUrl} label={t('button')} />
      <Paragraph>{t('codeIntro')}</Paragraph>
      <CodeBox code={code} />
      <Paragraph>{t('expiry', { lifetime: formatLifetime(locale, expiresInMinutes) })}</Paragraph>
      <Paragraph>{t('ignore')}</Paragraph>
    </EmailLayout>
  );
}

ResetPassword.PreviewProps = {
  locale: 'en',
  username: 'ada',
  resetUrl: `${previewAppUrl}/reset-password?token=preview-token-not-a-real-one`,
  code: '482915',
  expiresInMinutes: 30,
} satisfies ResetPasswordProps;
