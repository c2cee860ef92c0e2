import Link from 'next/link';
import { getFormatter, getTranslations } from 'next-intl/server';
import { ACCOUNT_STATE_TONE, Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { DailyChart, type DailyPoint } from '@/components/ui/daily-chart';
import { EmptyState } from '@/components/ui/empty-state';
import { Table } from '@/components/ui/table';
import { getDb } from '@/db/client';
import type { AccountState } from '@/lib/account-state';
import { adminOverview, type DayCount } from '@/lib/admin-overview';
import { systemClock } from '@/lib/clock';
import { requireAdmin } from '@/lib/web/session';
import { actionLabel } from './audit/action-label';
import styles from './overview.module.css';

export const dynamic = 'force-dynamic';

export async function generateMetadata() {
  const t = await getTranslations('adminOverview');
  return { title: t('title') };
}

/** Waiting for approval first: it is the one that needs an admin. */
const STATE_ORDER: AccountState[] = ['pending', 'active', 'unverified', 'locked', 'rejected'];

/** The console's front page; the role is checked first (S45). */
export default async function AdminHome() {
  const { user } = await requireAdmin('/admin');
  const [t, tUsers, tAudit, format, overview] = await Promise.all([
    getTranslations('adminOverview'),
    getTranslations('adminUsers'),
    getTranslations('adminAudit'),
    getFormatter(),
    getDb().then((db) => adminOverview(db, { timeZone: user.timezone }, systemClock)),
  ]);
  // The day is already the admin's calendar day: formatted at noon UTC so no zone moves it.
  const dayLabel = (day: string) =>
    format.dateTime(new Date(`${day}T12:00:00Z`), { day: 'numeric', month: 'short', timeZone: 'UTC' });
  const chart = (title: string, series: DayCount[]) => {
    const points: DailyPoint[] = series.map(({ day, count }) => ({ day, count, label: dayLabel(day) }));
    const total = points.reduce((sum, point) => sum + point.count, 0);
    const busiest = points.reduce((a, b) => (b.count > a.count ? b : a), points[0]!);
    return (
      <DailyChart
        title={title}
        summary={t('summary', { total, busiest: busiest.label, most: busiest.count })}
        points={points}
        numbersLabel={t('showNumbers')}
        columns={[t('day'), t('number')]}
      />
    );
  };
  const pending = overview.states.pending;

  return (
    <>
      <h1>{t('title')}</h1>
      <p>{t('lead')}</p>

      <Card title={t('accountsTitle')}>
        <p>
          <strong>{t('waiting', { count: pending })}</strong>
          {pending > 0 ? (
            <>
              {' '}
              <Link href="/admin/users#pending-title">{t('reviewQueue')}</Link>
            </>
          ) : null}
        </p>
        <ul className={styles.states}>
          {STATE_ORDER.map((state) => (
            <li key={state}>
              <Link href={`/admin/users?state=${state}`}>
                <span className={styles.number}>{format.number(overview.states[state])}</span>
                <Badge tone={ACCOUNT_STATE_TONE[state]}>{tUsers(`states.${state}`)}</Badge>
              </Link>
            </li>
          ))}
        </ul>
        <p>{t('total', { count: overview.total })}</p>
      </Card>

      <Card title={t('activityTitle')}>
        <div className={styles.charts}>
          {chart(t('signUps'), overview.signUps)}
          {chart(t('signIns'), overview.signIns)}
          {chart(t('failedSignIns'), overview.failedSignIns)}
        </div>
      </Card>

      <Card title={t('mailTitle')}>
        <ul className={styles.mail}>
          <li>
            <Badge tone="success">{t('delivered')}</Badge> {format.number(overview.mail.delivered)}
          </li>
          <li>
            <Badge tone="warning">{t('retrying')}</Badge> {format.number(overview.mail.retrying)}
          </li>
          <li>
            <Badge tone="danger">{t('failed')}</Badge> {format.number(overview.mail.failed)}
          </li>
        </ul>
        <Link href="/admin/mail?status=failed">{t('failedLink')}</Link>
      </Card>

      <Card title={t('eventsTitle')} actions={<Link href="/admin/audit">{t('auditLink')}</Link>}>
        {overview.latestEvents.length === 0 ? (
          <EmptyState title={t('noEvents')} />
        ) : (
          <Table caption={t('eventsCaption')} columns={[t('when'), t('event'), t('account'), t('ip')]}>
            {overview.latestEvents.map((event) => (
              <tr key={event.id}>
                <td>
                  <time dateTime={event.at.toISOString()}>
                    {format.dateTime(event.at, {
                      dateStyle: 'medium',
                      timeStyle: 'short',
                      timeZone: user.timezone,
                    })}
                  </time>
                </td>
                <td>{actionLabel(tAudit, event.action)}</td>
                <td>
                  {event.userId === null ? (
                    t('noAccount')
                  ) : event.username === null ? (
                    t('deletedAccount')
                  ) : (
                    <Link href={`/admin/users/${event.userId}`}>{event.username}</Link>
                  )}
                </td>
                <td>{event.ip ?? '—'}</td>
              </tr>
            ))}
          </Table>
        )}
      </Card>
    </>
  );
}
