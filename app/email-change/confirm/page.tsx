import Link from 'next/link';
import { getTranslations } from 'next-intl/server';
import { linkToken } from '@/lib/web/link-token';
import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { findLiveToken } from '@/lib/tokens';
import { ConfirmEmailChangeForm } from './confirm-form';

export const dynamic = 'force-dynamic';

export async function generateMetadata() {
  const t = await getTranslations('emailChange.confirm');
  return { title: t('title') };
}

/**
 * Reached from the link sent to the new address, signed in or not (it may be opened on another
 * device), so it lives outside /account. Looking is free; the button confirms.
 */
export default async function ConfirmEmailChangePage() {
  const token = await linkToken();
  const t = await getTranslations('emailChange.confirm');
  const live =
    typeof token === 'string'
      ? await findLiveToken(await getDb(), { token, purpose: 'change_email', clock: systemClock })
      : undefined;
  const invalid =
    typeof token !== 'string' || !live?.ok || !live.token.newEmail ? (
      <>
        <h1>{t('invalidTitle')}</h1>
        <p>{t('invalid')}</p>
        <p>
          <Link href="/account/email">{t('toAccount')}</Link>
        </p>
      </>
    ) : null;
  return (
    <ConfirmEmailChangeForm
      token={token ?? ''}
      newEmail={live?.ok ? (live.token.newEmail ?? '') : ''}
      invalid={invalid}
    />
  );
}
