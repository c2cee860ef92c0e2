import type { Locale } from '../../lib/i18n/config';
import { formatLifetime, templateTranslator } from './i18n';
import { ActionButton, EmailLayout, Greeting, Paragraph, Title } from './layout';

export interface VerifyLinkProps {
  locale: Locale;
  username: string;
  /** Absolute URL carrying the verification token. */
  verifyUrl: string;
  expiresInMinutes: number;
}

/**
 * The body of both confirmation mails: the first one after sign-up and a resent one. They differ only
 * in their words, which come from their own catalogue entries.
 */
export function VerifyLinkEmail({
  template,
  locale,
  username,
  verifyUrl,
  expiresInMinutes,
}: VerifyLinkProps & { template: 'verify-email' | 'verify-email-resend' }) {
  const t = templateTranslator(locale, template);
  return (
    <EmailLayout locale={locale} preview={t('preview')} footer={t('footer')}>
      <Title>{t('heading')}</Title>
      <Greeting locale={locale} username={username} />
      <Paragraph>{t('intro')}</Paragraph>
      <ActionButton locale={locale} href={verifyUrl} label={t('button')} />
      <Paragraph>{t('expiry', { lifetime: formatLifetime(locale, expiresInMinutes) })}</Paragraph>
      <Paragraph>{t('ignore')}</Paragraph>
    </EmailLayout>
  );
}
