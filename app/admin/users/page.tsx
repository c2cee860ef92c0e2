import Link from 'next/link';
import { getFormatter, getTranslations } from 'next-intl/server';
import { Button } from '@/components/ui/button';
import { Table } from '@/components/ui/table';
import { getDb } from '@/db/client';
import { accountState } from '@/lib/account-state';
import {
  listPendingUsers,
  MATCH_CAP,
  parseUserQuery,
  searchUsers,
  USER_FILTERS,
  USER_SORTS,
  type UserQuery,
} from '@/lib/admin-users';
import { requireAdmin } from '@/lib/web/session';
import { PendingQueue, type PendingRow } from './pending-queue';
import styles from './users.module.css';

export const dynamic = 'force-dynamic';

export async function generateMetadata() {
  const t = await getTranslations('adminUsers');
  return { title: t('title') };
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** The query string for another page of the same search; defaults are left out. */
function hrefFor(query: UserQuery, page: number): string {
  const params = new URLSearchParams();
  if (query.q) params.set('q', query.q);
  if (query.state) params.set('state', query.state);
  if (query.sort !== 'newest') params.set('sort', query.sort);
  if (page > 1) params.set('page', String(page));
  const search = params.toString();
  return search ? `/admin/users?${search}` : '/admin/users';
}

/** The CSV download of every page of this search: the same search and state filter, no page or sort. */
function exportHref(query: UserQuery): string {
  const params = new URLSearchParams();
  if (query.q) params.set('q', query.q);
  if (query.state) params.set('state', query.state);
  const search = params.toString();
  return search ? `/admin/users/export?${search}` : '/admin/users/export';
}

export default async function AdminUsersPage({ searchParams }: { searchParams: SearchParams }) {
  const session = await requireAdmin('/admin/users');
  const query = parseUserQuery(await searchParams);
  const db = await getDb();
  const [t, format, pending, result] = await Promise.all([
    getTranslations('adminUsers'),
    getFormatter(),
    listPendingUsers(db),
    searchUsers(db, query),
  ]);
  const timeZone = session.user.timezone;
  const when = (date: Date | null) =>
    date
      ? {
          iso: date.toISOString(),
          text: format.dateTime(date, { dateStyle: 'medium', timeStyle: 'short', timeZone }),
        }
      : null;
  const pendingRows: PendingRow[] = pending.rows.map((user) => ({
    id: user.id,
    username: user.username,
    fullName: user.fullName,
    email: user.email,
    comment: user.signupComment,
    confirmed: when(user.emailVerifiedAt),
  }));
  const first = (result.page - 1) * result.pageSize + 1;
  const last = first + result.rows.length - 1;

  return (
    <>
      <div className={styles.titleRow}>
        <h1>{t('title')}</h1>
        <p className={styles.titleActions}>
          <Link href="/admin/users/invites" className={styles.action}>
            {t('invite')}
          </Link>
          <Link href="/admin/users/new" className={styles.action}>
            {t('createUser')}
          </Link>
        </p>
      </div>

      <section aria-labelledby="pending-title">
        <h2 id="pending-title">{t('pendingTitle', { count: pending.total })}</h2>
        {pending.total === 0 ? (
          <p>{t('noPending')}</p>
        ) : (
          <>
            {pending.total > pending.rows.length ? (
              <p>{t('pendingMore', { shown: pending.rows.length, total: pending.total })}</p>
            ) : null}
            <PendingQueue rows={pendingRows} />
          </>
        )}
      </section>

      <section aria-labelledby="all-title">
        <h2 id="all-title">{t('allTitle')}</h2>
        <form method="get" action="/admin/users" role="search" className={styles.search}>
          <p className={styles.searchField}>
            <label htmlFor="user-search">{t('search.label')}</label>
            <input
              id="user-search"
              type="search"
              name="q"
              defaultValue={query.q}
              maxLength={1000}
              aria-describedby="user-search-hint"
            />
            <span id="user-search-hint" className={styles.muted}>
              {t('search.hint')}
            </span>
          </p>
          <p>
            <label htmlFor="user-state">{t('search.state')}</label>
            <select id="user-state" name="state" defaultValue={query.state ?? ''}>
              <option value="">{t('search.allStates')}</option>
              {USER_FILTERS.map((filter) => (
                <option key={filter} value={filter}>
                  {t(`filters.${filter}`)}
                </option>
              ))}
            </select>
          </p>
          <p>
            <label htmlFor="user-sort">{t('search.sort')}</label>
            <select id="user-sort" name="sort" defaultValue={query.sort}>
              {USER_SORTS.map((sort) => (
                <option key={sort} value={sort}>
                  {t(`sorts.${sort}`)}
                </option>
              ))}
            </select>
          </p>
          <p>
            <Button>{t('search.submit')}</Button>
          </p>
        </form>

        <div role="status" className={styles.summary}>
          {query.truncated ? <p>{t('search.truncated', { max: query.q.length })}</p> : null}
          <p>
            {result.total === 0
              ? t('summary.none')
              : result.capped
                ? t('summary.capped', { first, last, cap: MATCH_CAP })
                : t('summary.range', { first, last, total: result.total })}
          </p>
        </div>
        {result.total > 0 ? (
          <p>
            <a href={exportHref(query)} download>
              {t('exportCsv')}
            </a>
          </p>
        ) : null}

        {result.rows.length > 0 ? (
          <Table
            caption={t('allTitle')}
            columns={[t('username'), t('fullName'), t('email'), t('state'), t('createdAt'), t('lastLoginAt')]}
          >
            {result.rows.map((user) => {
              const created = when(user.createdAt);
              const lastLogin = when(user.lastLoginAt);
              return (
                <tr key={user.id}>
                  <td>
                    <Link href={`/admin/users/${user.id}`}>{user.username}</Link>
                    {user.role === 'admin' ? <span className={styles.badge}>{t('adminBadge')}</span> : null}
                  </td>
                  <td>{user.fullName}</td>
                  <td>{user.email}</td>
                  <td>
                    <span className={styles.state} data-state={accountState(user)}>
                      {t(`states.${accountState(user)}`)}
                    </span>
                  </td>
                  <td>{created ? <time dateTime={created.iso}>{created.text}</time> : null}</td>
                  <td>{lastLogin ? <time dateTime={lastLogin.iso}>{lastLogin.text}</time> : t('never')}</td>
                </tr>
              );
            })}
          </Table>
        ) : null}

        {result.pageCount > 1 ? (
          <nav aria-label={t('pages.label')} className={styles.pages}>
            <ul>
              {result.page > 1 ? (
                <>
                  <li>
                    <Link href={hrefFor(query, 1)}>{t('pages.first')}</Link>
                  </li>
                  <li>
                    <Link href={hrefFor(query, result.page - 1)} rel="prev">
                      {t('pages.previous')}
                    </Link>
                  </li>
                </>
              ) : null}
              <li aria-current="page">
                {t('pages.current', { page: result.page, count: result.pageCount })}
              </li>
              {result.page < result.pageCount ? (
                <>
                  <li>
                    <Link href={hrefFor(query, result.page + 1)} rel="next">
                      {t('pages.next')}
                    </Link>
                  </li>
                  <li>
                    <Link href={hrefFor(query, result.pageCount)}>{t('pages.last')}</Link>
                  </li>
                </>
              ) : null}
            </ul>
          </nav>
        ) : null}
      </section>
    </>
  );
}
