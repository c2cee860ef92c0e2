import type { Locale } from '../lib/i18n/config';
import { templateTranslator } from './components/i18n';
import { ActionButton, EmailLayout, Greeting, Paragraph, previewAppUrl, Title } from './components/layout';

/** Why a recovery phrase was removed: each is the owner taking the account back (S60, decision 019). */
export type RecoveryPhraseRemovalReason = 'email_change_not_me' | 'admin_lock' | 'password_reset';

/** Sent when the recovery phrase is removed without its owner asking for that in so many words. */
export interface RecoveryPhraseRemovedProps {
  locale: Locale;
  username: string;
  reason: RecoveryPhraseRemovalReason;
  /** Absolute URL of the page where a new recovery phrase is created (no token: sign-in required). */
  securityUrl: string;
}

const introKey = {
  email_change_not_me: 'introNotMe',
  admin_lock: 'introAdminLock',
  password_reset: 'introPasswordReset',
} as const;

export function subject({ locale }: RecoveryPhraseRemovedProps): string {
  return templateTranslator(locale, 'recovery-phrase-removed')('subject');
}

export default function RecoveryPhraseRemoved({
  locale,
  username,
  reason,
  securityUrl,
}: RecoveryPhraseRemovedProps) {
  const t = templateTranslator(locale, 'recovery-phrase-removed');
  return (
    <EmailLayout locale={locale} preview={t('preview')} footer={t('footer')}>
      <Title>{t('heading')}</Title>
      <Greeting locale={locale} username={username} />
      <Paragraph>{t(introKey[reason], { username })}</Paragraph>
      <Paragraph>{t('next')}</Paragraph>
      <ActionButton locale={locale} href={securityUrl} label={t('button')} />
    </EmailLayout>
  );
}

RecoveryPhraseRemoved.PreviewProps = {
  locale: 'en',
  username: 'ada',
  reason: 'email_change_not_me',
  securityUrl: `${previewAppUrl}/account/recovery`,
} satisfies RecoveryPhraseRemovedProps;
