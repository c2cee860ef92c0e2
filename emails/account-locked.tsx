import type { Locale } from '../lib/i18n/config';
import { templateTranslator } from './components/i18n';
import { EmailLayout, Greeting, Paragraph, Quote, Title } from './components/layout';

/** Sent when an account is locked (by an administrator or automatically). */
export interface AccountLockedProps {
  locale: Locale;
  username: string;
  /** The reason as given (free text, shown as typed), or null for none. */
  reason: string | null;
}

export function subject({ locale }: AccountLockedProps): string {
  return templateTranslator(locale, 'account-locked')('subject');
}

export default function AccountLocked({ locale, username, reason }: AccountLockedProps) {
  const t = templateTranslator(locale, 'account-locked');
  const hasReason = typeof reason === 'string' && reason.trim() !== '';
  return (
    <EmailLayout locale={locale} preview={t('preview')} footer={t('footer')}>
      <Title>{t('heading')}</Title>
      <Greeting locale={locale} username={username} />
      <Paragraph>{t('intro', { username })}</Paragraph>
      {hasReason && (
        <>
          <Paragraph>{t('reasonLabel')}</Paragraph>
          <Quote>{reason ?? ''}</Quote>
        </>
      )}
      <Paragraph>{t('contact')}</Paragraph>
    </EmailLayout>
  );
}

AccountLocked.PreviewProps = {
  locale: 'en',
  username: 'ada',
  reason: 'Unusual sign-in activity from several countries.',
} satisfies AccountLockedProps;
