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
 * Sent to the address given at sign-up when the chosen username belongs to someone else, instead of
 * telling it on the page (which would reveal which usernames exist to anyone).
 */
export interface UsernameTakenProps {
  locale: Locale;
  username: string;
  loginUrl: string;
  registerUrl: string;
}

export function subject({ locale }: UsernameTakenProps): string {
  return templateTranslator(locale, 'username-taken')('subject');
}

export default function UsernameTaken({ locale, username, loginUrl, registerUrl }: UsernameTakenProps) {
  const t = templateTranslator(locale, 'username-taken');
  return (
    <EmailLayout locale={locale} preview={t('preview')} footer={t('footer')}>
      <Title>{t('heading')}</Title>
      <Greeting locale={locale} username={username} />
      <Paragraph>{t('intro')}</Paragraph>
      <Paragraph>{t('username', { username })}</Paragraph>
      <Paragraph>{t('login')}</Paragraph>
      <ActionButton locale={locale} href={loginUrl} label={t('loginButton')} />
      <Paragraph>{t('forgot')}</Paragraph>
      <SecondaryLink locale={locale} href={registerUrl} label={t('forgotLink')} />
      <Paragraph>{t('ignore')}</Paragraph>
    </EmailLayout>
  );
}

UsernameTaken.PreviewProps = {
  locale: 'en',
  username: 'ada',
  loginUrl: `${previewAppUrl}/login`,
  registerUrl: `${previewAppUrl}/register`,
} satisfies UsernameTakenProps;
