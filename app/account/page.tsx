import Link from 'next/link';
import { redirect } from 'next/navigation';
import { getFormatter, getTranslations } from 'next-intl/server';
import type { ReactNode } from 'react';
import { deviceName } from '@/components/device-name';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { DescriptionList } from '@/components/ui/description-list';
import { PendingButton } from '@/components/ui/pending-button';
import { getDb } from '@/db/client';
import { accountOverview, type SignInEvent } from '@/lib/account-overview';
import { systemClock } from '@/lib/clock';
import { isLocale } from '@/lib/i18n/config';
import { requireUser } from '@/lib/web/session';
import { logout } from '../logout/actions';

export async function generateMetadata() {
  const t = await getTranslations('accountOverview');
  return { title: t('title') };
}

export default async function AccountPage() {
  const { sid, user } = await requireUser('/account');
  const [t, tAll, tDevice, format, overview] = await Promise.all([
    getTranslations('accountOverview'),
    getTranslations(),
    getTranslations('sessionsPage'),
    getFormatter(),
    getDb().then((db) => accountOverview(db, { userId: user.id, currentSessionId: sid }, systemClock)),
  ]);
  // The session was live a moment ago; the account was deleted in between.
  if (!overview) redirect('/login?next=%2Faccount');
  const now = systemClock.now();
  /** The values for a message's `<time>{date}</time>`: the date in the person's zone, machine-readable too. */
  const when = (date: Date) => ({
    date: format.dateTime(date, { dateStyle: 'medium', timeStyle: 'short', timeZone: user.timezone }),
    time: (chunks: ReactNode) => <time dateTime={date.toISOString()}>{chunks}</time>,
  });
  const signIn = (event: SignInEvent, key: 'lastSignIn' | 'lastFailed') =>
    t.rich(`${key}.value`, {
      ...when(event.at),
      device: deviceName(tDevice, event.device),
      ip: event.ip ?? t('unknownIp'),
    });
  /** One line of the checkup: whether it is done, where it stands, and the page that changes it. */
  const checkup = (done: boolean, text: ReactNode, href: string, fix: string) => (
    <>
      <Badge tone={done ? 'success' : 'warning'}>{done ? t('ok') : t('attention')}</Badge> {text}
      <br />
      <Link href={href}>{fix}</Link>
    </>
  );
  const { twoFactor, devices } = overview;

  return (
    <>
      <h1>{t('title')}</h1>
      <p>{tAll('account.welcome', { name: user.fullName || user.username })}</p>
      <Card title={t('checkupTitle')}>
        <p>{t('checkupLead')}</p>
        <DescriptionList
          items={[
            {
              term: t('email.term'),
              details: checkup(
                overview.emailConfirmedAt !== null,
                overview.emailConfirmedAt
                  ? t.rich('email.confirmed', {
                      email: user.email,
                      ...when(overview.emailConfirmedAt!),
                    })
                  : t('email.unconfirmed', { email: user.email }),
                '/account/email',
                t('email.fix'),
              ),
            },
            {
              term: t('password.term'),
              details: checkup(
                overview.hasPassword,
                !overview.hasPassword
                  ? t('password.none')
                  : overview.passwordSetAt
                    ? t('password.age', { age: format.relativeTime(overview.passwordSetAt, now) })
                    : t('password.unknown'),
                '/account/security',
                t('password.fix'),
              ),
            },
            {
              term: t('recovery.term'),
              details: checkup(
                overview.recoveryPhraseSet,
                overview.recoveryPhraseSet ? t('recovery.set') : t('recovery.unset'),
                '/account/recovery',
                overview.recoveryPhraseSet ? t('recovery.replace') : t('recovery.fix'),
              ),
            },
            {
              term: t('twoFactor.term'),
              details: checkup(
                twoFactor.enabled,
                twoFactor.enabled ? t('twoFactor.on') : t('twoFactor.off'),
                '/account/two-factor',
                twoFactor.enabled ? t('twoFactor.manage') : t('twoFactor.fix'),
              ),
            },
            {
              term: t('devices.term'),
              details: (
                <>
                  {t('devices.count', { count: devices.count })}
                  {devices.current ? (
                    <>
                      {'; '}
                      {t.rich('devices.current', {
                        device: deviceName(tDevice, devices.current),
                        ...when(devices.current!.signedInAt),
                      })}
                    </>
                  ) : null}
                  <br />
                  <Link href="/account/sessions">{t('devices.fix')}</Link>
                </>
              ),
            },
            {
              term: t('lastSignIn.term'),
              details: (
                <>
                  {overview.lastSignIn ? signIn(overview.lastSignIn, 'lastSignIn') : t('lastSignIn.none')}
                  <br />
                  <Link href="/account/sessions">{t('lastSignIn.fix')}</Link>
                </>
              ),
            },
            {
              term: t('lastFailed.term'),
              details: overview.lastFailedSignIn ? (
                <>
                  {signIn(overview.lastFailedSignIn, 'lastFailed')}
                  <br />
                  <Link href="/account/security">{t('lastFailed.fix')}</Link>
                </>
              ) : (
                t('lastFailed.none')
              ),
            },
          ]}
        />
      </Card>

      <Card title={t('profileTitle')} actions={<Link href="/account/profile">{t('profileEdit')}</Link>}>
        <DescriptionList
          items={[
            { term: tAll('account.username'), details: user.username },
            { term: t('fullName'), details: user.fullName || t('notGiven') },
            { term: tAll('account.email'), details: user.email },
            { term: tAll('account.role'), details: tAll(`account.roles.${user.role}`) },
            {
              term: t('language'),
              details: isLocale(user.locale) ? tAll(`languages.${user.locale}`) : user.locale,
            },
            { term: t('timezone'), details: user.timezone },
          ]}
        />
      </Card>

      <Card title={t('signOutTitle')}>
        <p>{t('signOutLead')}</p>
        <form action={logout}>
          <PendingButton variant="secondary">{tAll('nav.logout')}</PendingButton>
        </form>
      </Card>
    </>
  );
}
