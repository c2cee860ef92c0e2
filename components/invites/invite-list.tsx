import { getFormatter, getTranslations } from 'next-intl/server';
import type { OpenInvite } from '@/lib/invites';
import type { FormState } from '@/lib/web/form-validation';
import { RevokeInviteForm } from './invite-forms';

type FormAction = (state: FormState, formData: FormData) => Promise<FormState>;

/** The open invites, each with its dates (in the reader's time zone) and a revoke button. */
export async function InviteList({
  invites,
  timeZone,
  showSender,
  revokeAction,
}: {
  invites: OpenInvite[];
  timeZone: string;
  /** Admins see everyone's invites, so each row names who sent it. */
  showSender: boolean;
  revokeAction: FormAction;
}) {
  const [t, format] = await Promise.all([getTranslations('invites'), getFormatter()]);
  if (invites.length === 0) return <p>{t('none')}</p>;
  const when = (date: Date) => (
    <time dateTime={date.toISOString()}>
      {format.dateTime(date, { dateStyle: 'medium', timeStyle: 'short', timeZone })}
    </time>
  );
  return (
    <ul>
      {invites.map((invite) => (
        <li key={invite.id}>
          <p>
            <strong>{invite.email}</strong>
            {showSender ? <> · {t('sentBy', { username: invite.sentBy })}</> : null}
          </p>
          <p>
            {t('sentAt')} {when(invite.createdAt)} · {t('expiresAt')} {when(invite.expiresAt)}
          </p>
          <RevokeInviteForm action={revokeAction} inviteId={invite.id} email={invite.email} />
        </li>
      ))}
    </ul>
  );
}
