import Link from 'next/link';
import { getTranslations } from 'next-intl/server';
import { linkToken } from '@/lib/web/link-token';
import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { findLiveToken } from '@/lib/tokens';
import { ConfirmEmailForm } from './confirm-form';

export const dynamic = 'force-dynamic';

export async function generateMetadata() {
  const t = await getTranslations('verify');
  return { title: t('title') };
}

export default async function VerifyEmailPage() {
  const token = await linkToken();
  const t = await getTranslations();
  const live =
    typeof token === 'string' &&
    (await findLiveToken(await getDb(), { token, purpose: 'verify_email', clock: systemClock })).ok;
  const invalid =
    !live || typeof token !== 'string' ? (
      <>
        <h1>{t('verify.invalidTitle')}</h1>
        <p>{t('verify.invalid')}</p>
        <p>
          <Link href="/verify-email/resend">{t('resend.title')}</Link>
        </p>
      </>
    ) : null;
  return <ConfirmEmailForm token={token ?? ''} invalid={invalid} />;
}
