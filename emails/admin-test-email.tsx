import type { Locale } from '../lib/i18n/config';
import { templateTranslator } from './components/i18n';
import { Detail, EmailLayout, Mono, Paragraph, Title } from './components/layout';

/** Sent by the admin area's "send test email" button, to check the mail settings. */
export interface AdminTestEmailProps {
  locale: Locale;
  /** Username of the administrator who pressed the button. */
  requestedBy: string;
  /** The transport that carried this mail, as the caller describes it, e.g. "SMTP (smtp.example.com:587, STARTTLS)". */
  transport: string;
}

export function subject({ locale }: AdminTestEmailProps): string {
  return templateTranslator(locale, 'admin-test-email')('subject');
}

export default function AdminTestEmail({ locale, requestedBy, transport }: AdminTestEmailProps) {
  const t = templateTranslator(locale, 'admin-test-email');
  return (
    <EmailLayout locale={locale} preview={t('preview')} footer={t('footer')}>
      <Title>{t('heading')}</Title>
      <Paragraph>{t('intro', { requestedBy })}</Paragraph>
      <Detail label={t('transportLabel')}>
        <Mono>{transport}</Mono>
      </Detail>
    </EmailLayout>
  );
}

AdminTestEmail.PreviewProps = {
  locale: 'en',
  requestedBy: 'admin',
  transport: 'SMTP (smtp.example.test:587, STARTTLS)',
} satisfies AdminTestEmailProps;
