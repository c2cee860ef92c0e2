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
 * Sent when a passkey is added to an account (S60): a passkey signs in without the password, so the
 * owner must hear of it even when someone else added it.
 */
export interface PasskeyAddedProps {
  locale: Locale;
  username: string;
  /** The name the person who added it gave it. */
  passkeyName: string;
  /** Absolute URL of the passkeys page (sign-in required), where a passkey is removed. */
  passkeysUrl: string;
  /** Absolute URL of the public forgot-password page. */
  forgotPasswordUrl: string;
}

export function subject({ locale }: PasskeyAddedProps): string {
  return templateTranslator(locale, 'passkey-added')('subject');
}

export default function PasskeyAdded({
  locale,
  username,
  passkeyName,
  passkeysUrl,
  forgotPasswordUrl,
}: PasskeyAddedProps) {
  const t = templateTranslator(locale, 'passkey-added');
  return (
    <EmailLayout locale={locale} preview={t('preview')} footer={t('footer')}>
      <Title>{t('heading')}</Title>
      <Greeting locale={locale} username={username} />
      <Paragraph>{t('intro', { username, passkeyName })}</Paragraph>
      <Paragraph>{t('power')}</Paragraph>
      <Paragraph>{t('warning')}</Paragraph>
      <ActionButton locale={locale} href={passkeysUrl} label={t('button')} />
      <SecondaryLink locale={locale} href={forgotPasswordUrl} label={t('reset')} />
    </EmailLayout>
  );
}

PasskeyAdded.PreviewProps = {
  locale: 'en',
  username: 'ada',
  passkeyName: 'Work laptop',
  passkeysUrl: `${previewAppUrl}/account/passkeys`,
  forgotPasswordUrl: `${previewAppUrl}/forgot-password`,
} satisfies PasskeyAddedProps;
