import { templateTranslator } from './components/i18n';
import { previewAppUrl } from './components/layout';
import { VerifyLinkEmail, type VerifyLinkProps } from './components/verify-link';

/** Sent when someone asks for a new verification link; earlier links have been voided. */
export type VerifyEmailResendProps = VerifyLinkProps;

export function subject({ locale }: VerifyEmailResendProps): string {
  return templateTranslator(locale, 'verify-email-resend')('subject');
}

export default function VerifyEmailResend(props: VerifyEmailResendProps) {
  return <VerifyLinkEmail template="verify-email-resend" {...props} />;
}

VerifyEmailResend.PreviewProps = {
  locale: 'en',
  username: 'ada',
  verifyUrl: `${previewAppUrl}/verify-email?token=preview-token-not-a-real-one`,
  expiresInMinutes: 1440,
} satisfies VerifyEmailResendProps;
