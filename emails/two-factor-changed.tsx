import type { Locale } from '../lib/i18n/config';
import { templateTranslator } from './components/i18n';
import { ActionButton, EmailLayout, Greeting, Paragraph, previewAppUrl, Title } from './components/layout';

/** What happened to the account's second factor (S60: every change and every recovery code used). */
export type TwoFactorEvent =
  'added' | 'removed' | 'recovery_code_used' | 'recovery_codes_replaced' | 'reset_by_admin';

/** Sent whenever two-factor sign-in is turned on, off, reset, or passed with a recovery code. */
export interface TwoFactorChangedProps {
  locale: Locale;
  username: string;
  event: TwoFactorEvent;
  /** Recovery codes still unused; shown after a recovery code was used. */
  recoveryCodesLeft: number;
  /** Absolute URL of /account/two-factor (no token: sign-in required). */
  twoFactorUrl: string;
  /** Absolute URL of /forgot-password, for an owner who did not do this. */
  forgotPasswordUrl: string;
}

const copy = {
  added: { subject: 'subjectAdded', heading: 'headingAdded', intro: 'introAdded' },
  removed: { subject: 'subjectRemoved', heading: 'headingRemoved', intro: 'introRemoved' },
  recovery_code_used: { subject: 'subjectCodeUsed', heading: 'headingCodeUsed', intro: 'introCodeUsed' },
  recovery_codes_replaced: {
    subject: 'subjectCodesReplaced',
    heading: 'headingCodesReplaced',
    intro: 'introCodesReplaced',
  },
  reset_by_admin: { subject: 'subjectReset', heading: 'headingReset', intro: 'introReset' },
} as const;

export function subject({ locale, event }: TwoFactorChangedProps): string {
  return templateTranslator(locale, 'two-factor-changed')(copy[event].subject);
}

export default function TwoFactorChanged({
  locale,
  username,
  event,
  recoveryCodesLeft,
  twoFactorUrl,
  forgotPasswordUrl,
}: TwoFactorChangedProps) {
  const t = templateTranslator(locale, 'two-factor-changed');
  return (
    <EmailLayout locale={locale} preview={t(copy[event].heading)} footer={t('footer')}>
      <Title>{t(copy[event].heading)}</Title>
      <Greeting locale={locale} username={username} />
      <Paragraph>{t(copy[event].intro, { username })}</Paragraph>
      {event === 'recovery_code_used' ? (
        <Paragraph>{t('codesLeft', { count: recoveryCodesLeft })}</Paragraph>
      ) : null}
      <Paragraph>{t('notYou', { url: forgotPasswordUrl })}</Paragraph>
      <ActionButton locale={locale} href={twoFactorUrl} label={t('button')} />
    </EmailLayout>
  );
}

TwoFactorChanged.PreviewProps = {
  locale: 'en',
  username: 'ada',
  event: 'added',
  recoveryCodesLeft: 9,
  twoFactorUrl: `${previewAppUrl}/account/two-factor`,
  forgotPasswordUrl: `${previewAppUrl}/forgot-password`,
} satisfies TwoFactorChangedProps;
