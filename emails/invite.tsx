import type { Locale } from '../lib/i18n/config';
import { formatLifetime, templateTranslator } from './components/i18n';
import { ActionButton, EmailLayout, Paragraph, previewAppUrl, Title } from './components/layout';

/** An invitation to sign up, sent by an administrator or (when allowed) an existing user. */
export interface InviteProps {
  locale: Locale;
  /** The sender's name when a user invites; null for an administrator, who stays unnamed. */
  invitedBy: string | null;
  /** Absolute URL of /register carrying the invite token. */
  registerUrl: string;
  expiresInMinutes: number;
}

export function subject({ locale }: InviteProps): string {
  return templateTranslator(locale, 'invite')('subject');
}

export default function Invite({ locale, invitedBy, registerUrl, expiresInMinutes }: InviteProps) {
  const t = templateTranslator(locale, 'invite');
  return (
    <EmailLayout locale={locale} preview={t('preview')} footer={t('footer')}>
      <Title>{t('heading')}</Title>
      <Paragraph>{invitedBy ? t('introByUser', { name: invitedBy }) : t('introByAdmin')}</Paragraph>
      <Paragraph>{t('action')}</Paragraph>
      <ActionButton locale={locale} href={registerUrl} label={t('button')} />
      <Paragraph>{t('expiry', { lifetime: formatLifetime(locale, expiresInMinutes) })}</Paragraph>
    </EmailLayout>
  );
}

Invite.PreviewProps = {
  locale: 'en',
  invitedBy: 'Ada Lovelace',
  registerUrl: `${previewAppUrl}/register?token=preview-token-not-a-real-one`,
  expiresInMinutes: 10080,
} satisfies InviteProps;
