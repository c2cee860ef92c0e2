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
 * Sent when a recovery phrase is saved, first or in place of an earlier one (S60). The phrase is a
 * standing way into the account, so its owner must hear of it even when someone else made it. Never
 * carries the phrase.
 */
export interface RecoveryPhraseCreatedProps {
  locale: Locale;
  username: string;
  /** True when the new phrase replaced an earlier one. */
  replaced: boolean;
  /** Absolute URL of the public forgot-password page: a reset removes the phrase. */
  forgotPasswordUrl: string;
  /** Absolute URL of the recovery phrase page (sign-in required). */
  securityUrl: string;
}

export function subject({ locale, replaced }: RecoveryPhraseCreatedProps): string {
  return templateTranslator(locale, 'recovery-phrase-created')(replaced ? 'subjectReplaced' : 'subject');
}

export default function RecoveryPhraseCreated({
  locale,
  username,
  replaced,
  forgotPasswordUrl,
  securityUrl,
}: RecoveryPhraseCreatedProps) {
  const t = templateTranslator(locale, 'recovery-phrase-created');
  return (
    <EmailLayout locale={locale} preview={t('preview')} footer={t('footer')}>
      <Title>{replaced ? t('headingReplaced') : t('heading')}</Title>
      <Greeting locale={locale} username={username} />
      <Paragraph>{replaced ? t('introReplaced', { username }) : t('intro', { username })}</Paragraph>
      <Paragraph>{t('power')}</Paragraph>
      <Paragraph>{t('ifYou')}</Paragraph>
      <Paragraph>{t('warning')}</Paragraph>
      <ActionButton locale={locale} href={forgotPasswordUrl} label={t('button')} />
      <SecondaryLink locale={locale} href={securityUrl} label={t('manage')} />
    </EmailLayout>
  );
}

RecoveryPhraseCreated.PreviewProps = {
  locale: 'en',
  username: 'ada',
  replaced: false,
  forgotPasswordUrl: `${previewAppUrl}/forgot-password`,
  securityUrl: `${previewAppUrl}/account/recovery`,
} satisfies RecoveryPhraseCreatedProps;
