import type { Locale } from '../lib/i18n/config';
import { templateTranslator } from './components/i18n';
import { ActionButton, EmailLayout, Greeting, Paragraph, previewAppUrl, Title } from './components/layout';

/** Sent when an account becomes usable: on approval, or right after verification when approval is off. */
export interface WelcomeProps {
  locale: Locale;
  username: string;
  loginUrl: string;
}

export function subject({ locale }: WelcomeProps): string {
  return templateTranslator(locale, 'welcome')('subject');
}

export default function Welcome({ locale, username, loginUrl }: WelcomeProps) {
  const t = templateTranslator(locale, 'welcome');
  return (
    <EmailLayout locale={locale} preview={t('preview')} footer={t('footer')}>
      <Title>{t('heading')}</Title>
      <Greeting locale={locale} username={username} />
      <Paragraph>{t('intro', { username })}</Paragraph>
      <ActionButton locale={locale} href={loginUrl} label={t('button')} />
    </EmailLayout>
  );
}

Welcome.PreviewProps = {
  locale: 'en',
  username: 'ada',
  loginUrl: `${previewAppUrl}/login`,
} satisfies WelcomeProps;
