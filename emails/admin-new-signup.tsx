import type { Locale } from '../lib/i18n/config';
import { templateTranslator } from './components/i18n';
import {
  ActionButton,
  Detail,
  EmailLayout,
  Paragraph,
  previewAppUrl,
  Quote,
  Title,
} from './components/layout';

/** Sent to each administrator when someone signs up. Every value here was typed by the new user. */
export interface AdminNewSignupProps {
  locale: Locale;
  username: string;
  fullName: string;
  email: string;
  /** The free-text comment from the sign-up form, if any. */
  comment: string | null;
  /** Whether the account waits for an administrator's approval. */
  approvalRequired: boolean;
  /** Absolute URL of the user's page in the admin area. */
  adminUserUrl: string;
}

export function subject({ locale, username }: AdminNewSignupProps): string {
  return templateTranslator(locale, 'admin-new-signup')('subject', { username });
}

export default function AdminNewSignup({
  locale,
  username,
  fullName,
  email,
  comment,
  approvalRequired,
  adminUserUrl,
}: AdminNewSignupProps) {
  const t = templateTranslator(locale, 'admin-new-signup');
  const hasComment = typeof comment === 'string' && comment.trim() !== '';
  return (
    <EmailLayout locale={locale} preview={t('preview', { fullName, email })} footer={t('footer')}>
      <Title>{t('heading')}</Title>
      <Paragraph>{approvalRequired ? t('introPending') : t('introActive')}</Paragraph>
      <Detail label={t('usernameLabel')}>{username}</Detail>
      <Detail label={t('fullNameLabel')}>{fullName}</Detail>
      <Detail label={t('emailLabel')}>{email}</Detail>
      {hasComment ? (
        <>
          <Detail label={t('commentLabel')}>{null}</Detail>
          <Quote>{comment ?? ''}</Quote>
        </>
      ) : (
        <Detail label={t('commentLabel')}>{t('noComment')}</Detail>
      )}
      <ActionButton locale={locale} href={adminUserUrl} label={t('button')} />
    </EmailLayout>
  );
}

AdminNewSignup.PreviewProps = {
  locale: 'en',
  username: 'ada',
  fullName: 'Ada Lovelace',
  email: 'ada@example.test',
  comment: 'I work with Charles on the Analytical Engine.\nPlease let me in.',
  approvalRequired: true,
  adminUserUrl: `${previewAppUrl}/admin/users/0b8f6c1e-5d0a-4c1f-9a63-3f6a2f1d7e42`,
} satisfies AdminNewSignupProps;
