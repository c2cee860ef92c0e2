import Link from 'next/link';
import { getFormatter, getTranslations } from 'next-intl/server';
import { getDb } from '@/db/client';
import { secondFactorsOf } from '@/lib/pending-sign-in';
import { twoFactorStatus } from '@/lib/two-factor';
import { PASSKEYS_PAGE, requireUser, TWO_FACTOR_PAGE } from '@/lib/web/session';
import { DisableForm, EnrolForm, RegenerateForm } from './two-factor-forms';

export async function generateMetadata() {
  const t = await getTranslations('twoFactor');
  return { title: t('title') };
}

export default async function TwoFactorPage({
  searchParams,
}: {
  searchParams: Promise<{ required?: string; off?: string }>;
}) {
  const { user } = await requireUser(TWO_FACTOR_PAGE);
  const [t, format, params, status] = await Promise.all([
    getTranslations('twoFactor'),
    getFormatter(),
    searchParams,
    getDb().then((db) => twoFactorStatus(db, user.id)),
  ]);
  const factors = await secondFactorsOf(await getDb(), user.id);
  return (
    <>
      <h1>{t('title')}</h1>
      {params.required && !status.totp ? <p role="alert">{t('required')}</p> : null}
      {params.off ? <p role="status">{t('turnedOff')}</p> : null}
      <p>{t('lead')}</p>
      {status.totp && status.enabledAt ? (
        <p>
          {t('statusOn', {
            since: format.dateTime(status.enabledAt, { dateStyle: 'long', timeZone: user.timezone }),
            left: status.recoveryCodesLeft,
          })}
        </p>
      ) : (
        <p>{t('statusOff')}</p>
      )}
      {status.totp ? null : (
        <p>
          {t.rich('passkeysAlternative', { link: (chunks) => <Link href={PASSKEYS_PAGE}>{chunks}</Link> })}
        </p>
      )}
      {status.totp ? null : <h2>{t('enrolTitle')}</h2>}
      {/* Rendered whether or not the app is on, in the same place: without JavaScript the answer that
          turns it on is a page where it is on, and must still show the recovery codes. */}
      <EnrolForm enabled={status.totp} hasPasskeys={factors.passkeys} />
      {status.totp ? (
        <>
          <h2>{t('codesTitle')}</h2>
          <p>{t('codesLead')}</p>
          <RegenerateForm hasPasskeys={factors.passkeys} />
          <h2>{t('disableTitle')}</h2>
          <p>{t('disableLead')}</p>
          <DisableForm />
        </>
      ) : null}
    </>
  );
}
