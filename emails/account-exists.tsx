import type { Locale } from '../lib/i18n/config';
import { templateTranslator } from './components/i18n';
import {
  ActionButton,
  EmailLayout,
  Greeting,
  Paragraph,
  previewAppUrl,
  SecondaryLink,
  Title,
} from './components/layout';

/**
 * Sent to an address someone tried to sign up with when it already has an account, instead of
 * telling the person signing up (which would reveal who has an account).
 */
export interface AccountExistsProps {
  locale: Locale;
  username: string;
  loginUrl: string;
  forgotPasswordUrl: string;
}

export function subject({ locale }: AccountExistsProps): string {
  return templateTranslator(locale, 'account-exists')('subject');
}

export default function AccountExists({ locale, username, loginUrl, forgotPasswordUrl }: AccountExistsProps) {
  const t = templateTranslator(locale, 'account-exists');
  return (
    <EmailLayout locale={locale} preview={t('preview')} footer={t('footer')}>
      <Title>{t('heading')}</Title>
      <Greeting locale={locale} username={username} />
      <Paragraph>{t('intro')}</Paragraph>
      <Paragraph>{t('username', { username })}</Paragraph>
      <Paragraph>{t('login')}</Paragraph>
      <ActionButton locale={locale} href={loginUrl} label={t('loginButton')} />
      <Paragraph>{t('forgot')}</Paragraph>
      <SecondaryLink locale={locale} href={forgotPasswordUrl} label={t('forgotLink')} />
      <Paragraph>{t('ignore')}</Paragraph>
    </EmailLayout>
  );
}

AccountExists.PreviewProps = {
  locale: 'en',
  username: 'ada',
  loginUrl: `${previewAppUrl}/login`,
  forgotPasswordUrl: `${previewAppUrl}/forgot-password`,
} satisfies AccountExistsProps;
