import Link from 'next/link';
import { getTranslations } from 'next-intl/server';
import { linkToken } from '@/lib/web/link-token';
import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { findLiveToken } from '@/lib/tokens';
import { NotMeForm } from './not-me-form';

export const dynamic = 'force-dynamic';

export async function generateMetadata() {
  const t = await getTranslations('emailChange.notMe');
  return { title: t('title') };
}

/**
 * Reached from the link sent to the old address. It must work for someone who is not signed in (or who
 * was locked out by whoever asked for the change), so it lives outside /account. The button acts.
 */
export default async function EmailChangeNotMePage() {
  const token = await linkToken();
  const t = await getTranslations('emailChange.notMe');
  const live =
    typeof token === 'string' &&
    (await findLiveToken(await getDb(), { token, purpose: 'cancel_email_change', clock: systemClock })).ok;
  const invalid =
    !live || typeof token !== 'string' ? (
      <>
        <h1>{t('invalidTitle')}</h1>
        <p>{t('invalid')}</p>
        <p>
          <Link href="/forgot-password">{t('forgotPassword')}</Link>
        </p>
      </>
    ) : null;
  return <NotMeForm token={token ?? ''} invalid={invalid} />;
}
