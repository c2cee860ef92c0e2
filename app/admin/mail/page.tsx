import Link from 'next/link';
import { getFormatter, getTranslations } from 'next-intl/server';
import { Button } from '@/components/ui/button';
import { Table } from '@/components/ui/table';
import { getDb } from '@/db/client';
import {
  countOutboxByStatus,
  listOutbox,
  OUTBOX_STATUSES,
  parseOutboxQuery,
  type OutboxPage,
  type OutboxStatus,
} from '@/lib/admin-mail';
import { currentBrand } from '@/lib/web/brand';
import { requireAdmin } from '@/lib/web/session';
import adminStyles from '../admin.module.css';
import styles from './mail.module.css';
import { RequeueForm } from './requeue-form';

export const dynamic = 'force-dynamic';

export async function generateMetadata() {
  const t = await getTranslations('adminMail');
  return { title: t('title') };
}

type Params = Record<string, string | string[] | undefined>;

const COLUMNS = [
  'created',
  'to',
  'template',
  'subject',
  'status',
  'attempts',
  'nextAttempt',
  'sentAt',
  'lastError',
  'actions',
] as const;

function href(status: OutboxStatus | undefined, page = 1): string {
  const query = new URLSearchParams();
  if (status) query.set('status', status);
  if (page > 1) query.set('page', String(page));
  const text = query.toString();
  return text ? `/admin/mail?${text}` : '/admin/mail';
}

export default async function AdminMailPage({ searchParams }: { searchParams: Promise<Params> }) {
  const { user } = await requireAdmin('/admin/mail');
  const params = await searchParams;
  const query = parseOutboxQuery(params);
  const db = await getDb();
  const nothing: OutboxPage = { rows: [], total: 0, page: 1, pageCount: 1 };
  const [t, format, counts, list, brand] = await Promise.all([
    getTranslations('adminMail'),
    getFormatter(),
    countOutboxByStatus(db),
    query.unknownStatus ? nothing : listOutbox(db, query),
    currentBrand(),
  ]);
  const when = (date: Date | null) =>
    date ? (
      <time dateTime={date.toISOString()}>
        {format.dateTime(date, { dateStyle: 'medium', timeStyle: 'medium', timeZone: user.timezone })}
      </time>
    ) : (
      '—'
    );

  return (
    <>
      <h1>{t('title')}</h1>
      <div role="status">
        {params.requeued === '1' ? <p className={adminStyles.status}>{t('requeued')}</p> : null}
      </div>
      <p>{t('lead', { product: brand.name })}</p>

      <h2>{t('countsTitle')}</h2>
      <ul className={styles.counts}>
        {OUTBOX_STATUSES.map((status) => (
          <li key={status}>
            <Link href={href(status)} aria-current={query.status === status ? 'page' : undefined}>
              {t('count', { status: t(`statuses.${status}`), count: counts[status] })}
            </Link>
          </li>
        ))}
      </ul>

      <form method="get" action="/admin/mail" className={styles.filter}>
        <label htmlFor="mail-status">{t('filter.status')}</label>
        <select id="mail-status" name="status" defaultValue={query.status ?? ''}>
          <option value="">{t('filter.any')}</option>
          {OUTBOX_STATUSES.map((status) => (
            <option key={status} value={status}>
              {t(`statuses.${status}`)}
            </option>
          ))}
        </select>
        <Button>{t('filter.submit')}</Button>
      </form>

      <h2>
        {query.status ? t('listTitleStatus', { status: t(`statuses.${query.status}`) }) : t('listTitle')}
      </h2>
      {query.unknownStatus ? (
        <p role="alert">{t('unknownStatus')}</p>
      ) : list.rows.length === 0 ? (
        <p>
          {list.total > 0 ? (
            <>
              {t('pastEnd')} <Link href={href(query.status)}>{t('firstPage')}</Link>
            </>
          ) : (
            t('empty')
          )}
        </p>
      ) : (
        <>
          <p>{t('showing', { page: list.page, pageCount: list.pageCount, total: list.total })}</p>
          <Table
            caption={t('caption')}
            columns={COLUMNS.map((column) => t(`columns.${column}`))}
            className={styles.list}
          >
            {list.rows.map((row) => (
              <tr key={row.id}>
                <td>{when(row.createdAt)}</td>
                <td>{row.to}</td>
                <td>
                  <code>{row.template}</code>
                </td>
                <td>
                  {row.subject}
                  {row.containsSecret ? (
                    <p className={styles.note}>{t('secretBody')}</p>
                  ) : row.text ? (
                    <details className={styles.body}>
                      <summary>{t('showText')}</summary>
                      <pre>{row.text}</pre>
                    </details>
                  ) : null}
                </td>
                <td>
                  <span className={styles[row.status]}>{t(`statuses.${row.status}`)}</span>
                </td>
                <td>{row.attempts}</td>
                <td>{row.status === 'queued' ? when(row.nextAttemptAt) : '—'}</td>
                <td>{when(row.sentAt)}</td>
                <td className={styles.error}>{row.lastError ?? '—'}</td>
                <td>
                  {row.status === 'failed' ? (
                    <RequeueForm id={row.id} to={row.to} status={query.status ?? ''} page={list.page} />
                  ) : null}
                </td>
              </tr>
            ))}
          </Table>
        </>
      )}
      {list.pageCount > 1 ? (
        <nav aria-label={t('pagination')} className={adminStyles.pagination}>
          {list.page > 1 ? (
            <Link href={href(query.status, Math.min(list.page - 1, list.pageCount))} rel="prev">
              {t('previous')}
            </Link>
          ) : null}
          {list.page < list.pageCount ? (
            <Link href={href(query.status, list.page + 1)} rel="next">
              {t('next')}
            </Link>
          ) : null}
        </nav>
      ) : null}
    </>
  );
}
