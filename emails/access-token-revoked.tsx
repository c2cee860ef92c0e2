import type { Locale } from '../lib/i18n/config';
import { templateTranslator } from './components/i18n';
import { ActionButton, EmailLayout, Greeting, Paragraph, previewAppUrl, Title } from './components/layout';

/** Sent when one personal access token is revoked, by its owner or by an administrator (S60). */
export interface AccessTokenRevokedProps {
  locale: Locale;
  username: string;
  tokenName: string;
  /** An administrator revoked it, not the owner. */
  byAdmin: boolean;
  /** Absolute URL of /account/tokens (sign-in required). */
  tokensUrl: string;
}

export function subject({ locale }: AccessTokenRevokedProps): string {
  return templateTranslator(locale, 'access-token-revoked')('subject');
}

export default function AccessTokenRevoked({
  locale,
  username,
  tokenName,
  byAdmin,
  tokensUrl,
}: AccessTokenRevokedProps) {
  const t = templateTranslator(locale, 'access-token-revoked');
  return (
    <EmailLayout locale={locale} preview={t('preview')} footer={t('footer')}>
      <Title>{t('heading')}</Title>
      <Greeting locale={locale} username={username} />
      <Paragraph>{byAdmin ? t('introAdmin', { tokenName }) : t('introOwner', { tokenName })}</Paragraph>
      <Paragraph>{byAdmin ? t('nextAdmin') : t('warning')}</Paragraph>
      <ActionButton locale={locale} href={tokensUrl} label={t('button')} />
    </EmailLayout>
  );
}

AccessTokenRevoked.PreviewProps = {
  locale: 'en',
  username: 'ada',
  tokenName: 'Nightly backup script',
  byAdmin: false,
  tokensUrl: `${previewAppUrl}/account/tokens`,
} satisfies AccessTokenRevokedProps;
