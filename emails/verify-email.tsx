import { templateTranslator } from './components/i18n';
import { previewAppUrl } from './components/layout';
import { VerifyLinkEmail, type VerifyLinkProps } from './components/verify-link';

/** Sent right after sign-up: confirm the address before the account goes any further. */
export type VerifyEmailProps = VerifyLinkProps;

export function subject({ locale }: VerifyEmailProps): string {
  return templateTranslator(locale, 'verify-email')('subject');
}

export default function VerifyEmail(props: VerifyEmailProps) {
  return <VerifyLinkEmail template="verify-email" {...props} />;
}

VerifyEmail.PreviewProps = {
  locale: 'en',
  username: 'ada',
  verifyUrl: `${previewAppUrl}/verify-email?token=preview-token-not-a-real-one`,
  expiresInMinutes: 1440,
} satisfies VerifyEmailProps;
