import { getTranslations } from 'next-intl/server';
import { getDb } from '@/db/client';
import { InviteForm } from '@/components/invites/invite-forms';
import { InviteList } from '@/components/invites/invite-list';
import { systemClock } from '@/lib/clock';
import { listOpenInvites } from '@/lib/invites';
import { getSetting } from '@/lib/settings';
import { requireUser } from '@/lib/web/session';
import { revokeInviteAction, sendInviteAction } from './actions';

export async function generateMetadata() {
  const t = await getTranslations('invites');
  return { title: t('title') };
}

export default async function AccountInvitesPage({
  searchParams,
}: {
  searchParams: Promise<{ revoked?: string }>;
}) {
  const { user } = await requireUser('/account/invites');
  const { revoked } = await searchParams;
  const db = await getDb();
  const [t, usersMayInvite, mode, invites] = await Promise.all([
    getTranslations('invites'),
    getSetting(db, 'users_may_invite'),
    getSetting(db, 'signup_mode'),
    listOpenInvites(db, { sentBy: user.id }, systemClock),
  ]);
  const mayInvite = (user.role === 'admin' || usersMayInvite) && mode !== 'closed';
  return (
    <>
      <h1>{t('title')}</h1>
      {revoked === '1' ? <p role="status">{t('revoked')}</p> : null}
      {mayInvite ? (
        <>
          <p>{t('lead')}</p>
          <InviteForm action={sendInviteAction} />
        </>
      ) : (
        <p>{mode === 'closed' ? t('closed') : t('adminsOnly')}</p>
      )}
      <h2>{t('openTitle')}</h2>
      <InviteList
        invites={invites}
        timeZone={user.timezone}
        showSender={false}
        revokeAction={revokeInviteAction}
      />
    </>
  );
}
