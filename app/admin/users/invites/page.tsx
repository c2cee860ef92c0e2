import Link from 'next/link';
import { getTranslations } from 'next-intl/server';
import { getDb } from '@/db/client';
import { InviteForm } from '@/components/invites/invite-forms';
import { InviteList } from '@/components/invites/invite-list';
import { systemClock } from '@/lib/clock';
import { listOpenInvites } from '@/lib/invites';
import { getSetting } from '@/lib/settings';
import { requireAdmin } from '@/lib/web/session';
import { adminRevokeInviteAction, adminSendInviteAction } from './actions';

export const dynamic = 'force-dynamic';

export async function generateMetadata() {
  const t = await getTranslations('invites');
  return { title: t('adminTitle') };
}

/** Every open invite, whoever sent it, and the form to send one (decision 030). */
export default async function AdminInvitesPage({
  searchParams,
}: {
  searchParams: Promise<{ revoked?: string }>;
}) {
  const { user } = await requireAdmin('/admin/users/invites');
  const { revoked } = await searchParams;
  const db = await getDb();
  const [t, mode, invites] = await Promise.all([
    getTranslations('invites'),
    getSetting(db, 'signup_mode'),
    listOpenInvites(db, { all: true }, systemClock),
  ]);
  return (
    <>
      <p>
        <Link href="/admin/users">{t('backToUsers')}</Link>
      </p>
      <h1>{t('adminTitle')}</h1>
      {revoked === '1' ? <p role="status">{t('revoked')}</p> : null}
      {mode === 'closed' ? (
        <p>{t('closed')}</p>
      ) : (
        <>
          <p>{t('adminLead')}</p>
          <InviteForm action={adminSendInviteAction} />
        </>
      )}
      <h2>{t('openTitle')}</h2>
      <InviteList
        invites={invites}
        timeZone={user.timezone}
        showSender
        revokeAction={adminRevokeInviteAction}
      />
    </>
  );
}
