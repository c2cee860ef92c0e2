import { getFormatter, getTranslations } from 'next-intl/server';
import { deviceName } from '@/components/device-name';
import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { listSessionsForUser } from '@/lib/session-management';
import { requireUser } from '@/lib/web/session';
import { RevokeOtherSessionsForm, RevokeSessionForm } from './session-forms';
import styles from './sessions.module.css';

export async function generateMetadata() {
  const t = await getTranslations('sessionsPage');
  return { title: t('title') };
}

export default async function SessionsPage({ searchParams }: { searchParams: Promise<{ ended?: string }> }) {
  const { sid, user } = await requireUser('/account/sessions');
  const [t, format, params, entries] = await Promise.all([
    getTranslations('sessionsPage'),
    getFormatter(),
    searchParams,
    getDb().then((db) => listSessionsForUser(db, user.id, sid, systemClock)),
  ]);
  const when = (date: Date) => (
    <time dateTime={date.toISOString()}>
      {format.dateTime(date, { dateStyle: 'medium', timeStyle: 'short', timeZone: user.timezone })}
    </time>
  );
  const others = entries.filter((entry) => !entry.current);
  return (
    <>
      <h1>{t('title')}</h1>
      {params.ended === 'one' ? <p role="status">{t('ended')}</p> : null}
      {params.ended === 'all' ? <p role="status">{t('endedAll')}</p> : null}
      <p>{t('lead')}</p>
      <ul className={styles.list}>
        {entries.map((entry) => {
          const device = deviceName(t, entry.device);
          return (
            <li key={entry.handle} className={styles.item}>
              <h2 className={styles.device}>{device}</h2>
              {entry.current ? (
                <p>
                  <strong>{t('thisDevice')}</strong>
                </p>
              ) : null}
              <dl className={styles.details}>
                <dt>{t('ip')}</dt>
                <dd>{entry.ip ?? t('unknown')}</dd>
                <dt>{t('lastSeen')}</dt>
                <dd>{when(entry.lastSeenAt)}</dd>
                <dt>{t('signedIn')}</dt>
                <dd>{when(entry.createdAt)}</dd>
              </dl>
              {entry.current ? null : <RevokeSessionForm handle={entry.handle} device={device} />}
            </li>
          );
        })}
      </ul>
      {others.length > 0 ? <RevokeOtherSessionsForm /> : <p>{t('noOthers')}</p>}
    </>
  );
}
