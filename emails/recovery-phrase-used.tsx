import type { Locale } from '../lib/i18n/config';
import { templateTranslator } from './components/i18n';
import { ActionButton, EmailLayout, Greeting, Paragraph, previewAppUrl, Title } from './components/layout';

/** Sent after the recovery phrase has been used; it is spent, and the owner should make a new one. */
export interface RecoveryPhraseUsedProps {
  locale: Locale;
  username: string;
  /** Absolute URL of the page where a new recovery phrase is created (no token: sign-in required). */
  securityUrl: string;
}

export function subject({ locale }: RecoveryPhraseUsedProps): string {
  return templateTranslator(locale, 'recovery-phrase-used')('subject');
}

export default function RecoveryPhraseUsed({ locale, username, securityUrl }: RecoveryPhraseUsedProps) {
  const t = templateTranslator(locale, 'recovery-phrase-used');
  return (
    <EmailLayout locale={locale} preview={t('preview')} footer={t('footer')}>
      <Title>{t('heading')}</Title>
      <Greeting locale={locale} username={username} />
      <Paragraph>{t('intro', { username })}</Paragraph>
      <Paragraph>{t('next')}</Paragraph>
      <ActionButton locale={locale} href={securityUrl} label={t('button')} />
      <Paragraph>{t('warning')}</Paragraph>
    </EmailLayout>
  );
}

RecoveryPhraseUsed.PreviewProps = {
  locale: 'en',
  username: 'ada',
  securityUrl: `${previewAppUrl}/account/security`,
} satisfies RecoveryPhraseUsedProps;
