import { getFormatter, getTranslations } from 'next-intl/server';
import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { pendingEmailChange } from '@/lib/email-change';
import { secondFactorsOf } from '@/lib/pending-sign-in';
import { requireUser } from '@/lib/web/session';
import { CancelEmailChangeForm, EmailChangeForm } from './email-form';

export const dynamic = 'force-dynamic';

export async function generateMetadata() {
  const t = await getTranslations('emailChange');
  return { title: t('title') };
}

export default async function AccountEmailPage({
  searchParams,
}: {
  searchParams: Promise<{ status?: string | string[] }>;
}) {
  const { user } = await requireUser('/account/email');
  const { status } = await searchParams;
  const db = await getDb();
  const [t, format, pending, factors] = await Promise.all([
    getTranslations('emailChange'),
    getFormatter(),
    pendingEmailChange(db, user.id, systemClock),
    secondFactorsOf(db, user.id),
  ]);
  return (
    <>
      <h1>{t('title')}</h1>
      <dl>
        <dt>{t('current')}</dt>
        <dd>{user.email}</dd>
      </dl>
      {pending ? (
        <section aria-labelledby="pending-email-change">
          <h2 id="pending-email-change">{t('pendingTitle')}</h2>
          {status === 'requested' ? <p role="status">{t('requested')}</p> : null}
          <p>
            {t('pending', {
              newEmail: pending.newEmail,
              expiresAt: format.dateTime(pending.expiresAt, {
                dateStyle: 'medium',
                timeStyle: 'short',
                timeZone: user.timezone,
              }),
            })}
          </p>
          <p>{t('pendingOldAddress')}</p>
          <p>{t('pendingLock')}</p>
          <CancelEmailChangeForm />
        </section>
      ) : (
        <>
          {status === 'cancelled' ? <p role="status">{t('cancelled')}</p> : null}
          <p>{t('lead')}</p>
          <EmailChangeForm hasPasskeys={factors.passkeys} />
        </>
      )}
    </>
  );
}
