import type { Locale } from '../lib/i18n/config';
import { templateTranslator } from './components/i18n';
import {
  ActionButton,
  EmailLayout,
  Greeting,
  Mono,
  Paragraph,
  previewAppUrl,
  Title,
} from './components/layout';

/** Sent to the OLD address of an email change, with a token link that stops the change. */
export interface EmailChangeNoticeProps {
  locale: Locale;
  username: string;
  newEmail: string;
  /** Absolute URL carrying the cancellation token ("this wasn't me"). */
  cancelUrl: string;
}

export function subject({ locale }: EmailChangeNoticeProps): string {
  return templateTranslator(locale, 'email-change-notice')('subject');
}

export default function EmailChangeNotice({ locale, username, newEmail, cancelUrl }: EmailChangeNoticeProps) {
  const t = templateTranslator(locale, 'email-change-notice');
  return (
    <EmailLayout locale={locale} preview={t('preview', { newEmail })} footer={t('footer')}>
      <Title>{t('heading')}</Title>
      <Greeting locale={locale} username={username} />
      <Paragraph>{t('intro', { username })}</Paragraph>
      <Paragraph>
        <strong>
          <Mono>{newEmail}</Mono>
        </strong>
      </Paragraph>
      <Paragraph>{t('pending')}</Paragraph>
      <Paragraph>{t('warning')}</Paragraph>
      <ActionButton locale={locale} href={cancelUrl} label={t('button')} />
    </EmailLayout>
  );
}

EmailChangeNotice.PreviewProps = {
  locale: 'en',
  username: 'ada',
  newEmail: 'ada.lovelace@example.test',
  cancelUrl: `${previewAppUrl}/email-change/not-me?token=preview-token-not-a-real-one`,
} satisfies EmailChangeNoticeProps;
