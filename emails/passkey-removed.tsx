import type { Locale } from '../lib/i18n/config';
import { templateTranslator } from './components/i18n';
import { ActionButton, EmailLayout, Greeting, Paragraph, previewAppUrl, Title } from './components/layout';

/** Sent when a passkey is removed from an account, by its owner or by an administrator (S60). */
export interface PasskeyRemovedProps {
  locale: Locale;
  username: string;
  passkeyName: string;
  /** True when an administrator removed it. */
  byAdmin: boolean;
  /** Absolute URL of the passkeys page (sign-in required). */
  passkeysUrl: string;
}

export function subject({ locale }: PasskeyRemovedProps): string {
  return templateTranslator(locale, 'passkey-removed')('subject');
}

export default function PasskeyRemoved({
  locale,
  username,
  passkeyName,
  byAdmin,
  passkeysUrl,
}: PasskeyRemovedProps) {
  const t = templateTranslator(locale, 'passkey-removed');
  return (
    <EmailLayout locale={locale} preview={t('preview')} footer={t('footer')}>
      <Title>{t('heading')}</Title>
      <Greeting locale={locale} username={username} />
      <Paragraph>{t(byAdmin ? 'introAdmin' : 'intro', { username, passkeyName })}</Paragraph>
      <Paragraph>{t('warning')}</Paragraph>
      <ActionButton locale={locale} href={passkeysUrl} label={t('button')} />
    </EmailLayout>
  );
}

PasskeyRemoved.PreviewProps = {
  locale: 'en',
  username: 'ada',
  passkeyName: 'Work laptop',
  byAdmin: false,
  passkeysUrl: `${previewAppUrl}/account/passkeys`,
} satisfies PasskeyRemovedProps;
