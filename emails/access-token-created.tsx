import type { Locale } from '../lib/i18n/config';
import type { AccessTokenScope } from '../lib/validation/access-tokens';
import { templateTranslator } from './components/i18n';
import {
  ActionButton,
  Detail,
  EmailLayout,
  Greeting,
  Mono,
  Paragraph,
  previewAppUrl,
  Title,
} from './components/layout';

/**
 * Sent when a personal access token is made (S60): it reaches the account without the password, so
 * its owner must hear of it even when someone else made it. Never carries the token.
 */
export interface AccessTokenCreatedProps {
  locale: Locale;
  username: string;
  /** The name the creator gave it: plain text, escaped. */
  tokenName: string;
  scopes: AccessTokenScope[];
  expiresInDays: number;
  /** Absolute URL of /account/tokens (sign-in required), where it can be revoked. */
  tokensUrl: string;
}

export function subject({ locale }: AccessTokenCreatedProps): string {
  return templateTranslator(locale, 'access-token-created')('subject');
}

export default function AccessTokenCreated({
  locale,
  username,
  tokenName,
  scopes,
  expiresInDays,
  tokensUrl,
}: AccessTokenCreatedProps) {
  const t = templateTranslator(locale, 'access-token-created');
  return (
    <EmailLayout locale={locale} preview={t('preview')} footer={t('footer')}>
      <Title>{t('heading')}</Title>
      <Greeting locale={locale} username={username} />
      <Paragraph>{t('intro', { username })}</Paragraph>
      <Detail label={t('name')}>{tokenName}</Detail>
      <Detail label={t('scopes')}>
        {/* Scope names are the API's own words, the same in every language. */}
        <Mono>{scopes.join(', ')}</Mono>
      </Detail>
      <Detail label={t('expires')}>{t('expiresIn', { days: expiresInDays })}</Detail>
      <Paragraph>{t('ifYou')}</Paragraph>
      <Paragraph>{t('warning')}</Paragraph>
      <ActionButton locale={locale} href={tokensUrl} label={t('button')} />
    </EmailLayout>
  );
}

AccessTokenCreated.PreviewProps = {
  locale: 'en',
  username: 'ada',
  tokenName: 'Nightly backup script',
  scopes: ['profile:read'],
  expiresInDays: 30,
  tokensUrl: `${previewAppUrl}/account/tokens`,
} satisfies AccessTokenCreatedProps;
