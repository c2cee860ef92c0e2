import Link from 'next/link';
import { getFormatter, getTranslations } from 'next-intl/server';
import { Button } from '@/components/ui/button';
import { Table } from '@/components/ui/table';
import { getDb } from '@/db/client';
import { searchAudit, type AuditFilterForm, type AuditPerson } from '@/lib/admin-audit';
import { AUDIT_ACTIONS } from '@/lib/audit';
import { requireAdmin } from '@/lib/web/session';
import adminStyles from '../admin.module.css';
import { actionLabel } from './action-label';
import styles from './audit.module.css';

export const dynamic = 'force-dynamic';

export async function generateMetadata() {
  const t = await getTranslations('adminAudit');
  return { title: t('title') };
}

type Params = Record<string, string | string[] | undefined>;

const FIELDS = ['actor', 'user', 'action', 'from', 'to'] as const;
const COLUMNS = ['at', 'action', 'actor', 'user', 'ip', 'details'] as const;

function pageHref(form: AuditFilterForm, before?: number): string {
  const query = new URLSearchParams();
  for (const field of FIELDS) if (form[field]) query.set(field, form[field]);
  if (before !== undefined) query.set('before', String(before));
  const text = query.toString();
  return text ? `/admin/audit?${text}` : '/admin/audit';
}

export default async function AdminAuditPage({ searchParams }: { searchParams: Promise<Params> }) {
  const { user } = await requireAdmin('/admin/audit');
  const [t, tAll, format, params, db] = await Promise.all([
    getTranslations('adminAudit'),
    getTranslations(),
    getFormatter(),
    searchParams,
    getDb(),
  ]);
  const search = await searchAudit(db, params, user.timezone);
  const { form, problems } = search;
  const problemFields = FIELDS.filter((field) => problems[field]);

  const person = (id: string | null) => {
    if (!id) return '—';
    const found: AuditPerson | undefined = search.people[id];
    return found ? (
      <>
        {found.username}
        <span className={styles.muted}>{found.email}</span>
      </>
    ) : (
      <>
        <code>{id}</code>
        <span className={styles.muted}>{t('deletedAccount')}</span>
      </>
    );
  };
  const error = (field: (typeof FIELDS)[number]) =>
    problems[field] ? (
      <p id={`audit-${field}-error`} className={styles.error}>
        {tAll(problems[field])}
      </p>
    ) : null;
  const describedBy = (field: (typeof FIELDS)[number], hint: boolean) =>
    [hint ? `audit-${field}-hint` : '', problems[field] ? `audit-${field}-error` : '']
      .filter(Boolean)
      .join(' ') || undefined;

  return (
    <>
      <h1>{t('title')}</h1>
      <p>{t('lead')}</p>

      <form method="get" action="/admin/audit" className={styles.filters}>
        <fieldset className={adminStyles.fieldset}>
          <legend className={adminStyles.legend}>{t('filters.legend')}</legend>
          <div className={styles.grid}>
            <div className={styles.field}>
              <label htmlFor="audit-actor">{t('filters.actor')}</label>
              <p id="audit-actor-hint" className={styles.hint}>
                {t('filters.actorHint')}
              </p>
              {error('actor')}
              <input
                id="audit-actor"
                name="actor"
                type="text"
                defaultValue={form.actor}
                maxLength={254}
                autoComplete="off"
                spellCheck={false}
                aria-invalid={problems.actor ? true : undefined}
                aria-describedby={describedBy('actor', true)}
              />
            </div>
            <div className={styles.field}>
              <label htmlFor="audit-user">{t('filters.user')}</label>
              <p id="audit-user-hint" className={styles.hint}>
                {t('filters.userHint')}
              </p>
              {error('user')}
              <input
                id="audit-user"
                name="user"
                type="text"
                defaultValue={form.user}
                maxLength={254}
                autoComplete="off"
                spellCheck={false}
                aria-invalid={problems.user ? true : undefined}
                aria-describedby={describedBy('user', true)}
              />
            </div>
            <div className={styles.field}>
              <label htmlFor="audit-action">{t('filters.action')}</label>
              {error('action')}
              <select
                id="audit-action"
                name="action"
                defaultValue={problems.action ? '' : form.action}
                aria-invalid={problems.action ? true : undefined}
                aria-describedby={describedBy('action', false)}
              >
                <option value="">{t('filters.anyAction')}</option>
                {AUDIT_ACTIONS.map((action) => (
                  <option key={action} value={action}>
                    {actionLabel(t, action)}
                  </option>
                ))}
              </select>
            </div>
            <div className={styles.field}>
              <label htmlFor="audit-from">{t('filters.from')}</label>
              <p id="audit-from-hint" className={styles.hint}>
                {t('filters.dateHint')}
              </p>
              {error('from')}
              <input
                id="audit-from"
                name="from"
                type="date"
                defaultValue={form.from}
                aria-invalid={problems.from ? true : undefined}
                aria-describedby={describedBy('from', true)}
              />
            </div>
            <div className={styles.field}>
              <label htmlFor="audit-to">{t('filters.to')}</label>
              <p id="audit-to-hint" className={styles.hint}>
                {t('filters.dateHint')}
              </p>
              {error('to')}
              <input
                id="audit-to"
                name="to"
                type="date"
                defaultValue={form.to}
                aria-invalid={problems.to ? true : undefined}
                aria-describedby={describedBy('to', true)}
              />
            </div>
          </div>
        </fieldset>
        <div className={styles.buttons}>
          <Button>{t('filters.submit')}</Button>
          <Link href="/admin/audit">{t('filters.clear')}</Link>
        </div>
      </form>

      {problemFields.length > 0 ? (
        <div role="alert" className={styles.alert}>
          <h2 className={styles.alertTitle}>{t('problemsTitle')}</h2>
          <ul>
            {problemFields.map((field) => (
              <li key={field}>
                <a href={`#audit-${field}`}>
                  {t('problem', { field: t(`filters.${field}`), message: tAll(problems[field]!) })}
                </a>
              </li>
            ))}
          </ul>
        </div>
      ) : null}

      <h2>{t('resultsTitle')}</h2>
      {search.events.length === 0 ? (
        <p>{problemFields.length > 0 ? t('noResultsProblems') : t('noResults')}</p>
      ) : (
        <Table
          caption={t('caption')}
          columns={COLUMNS.map((column) => t(`columns.${column}`))}
          className={styles.list}
        >
          {search.events.map((event) => (
            <tr key={event.id}>
              <td>
                <time dateTime={event.at.toISOString()}>
                  {format.dateTime(event.at, {
                    dateStyle: 'medium',
                    timeStyle: 'medium',
                    timeZone: user.timezone,
                  })}
                </time>
              </td>
              <td>
                {actionLabel(t, event.action)}
                <code className={styles.muted}>{event.action}</code>
              </td>
              <td>{person(event.actorId)}</td>
              <td>{person(event.userId)}</td>
              <td>{event.ip ?? '—'}</td>
              <td>
                {Object.keys(event.meta).length > 0 ? (
                  <code className={styles.meta}>{JSON.stringify(event.meta)}</code>
                ) : (
                  '—'
                )}
              </td>
            </tr>
          ))}
        </Table>
      )}
      {search.paged || search.nextBefore !== null ? (
        <nav aria-label={t('pagination')} className={adminStyles.pagination}>
          {search.paged ? <Link href={pageHref(form)}>{t('newest')}</Link> : null}
          {search.nextBefore !== null ? (
            <Link href={pageHref(form, search.nextBefore)} rel="next">
              {t('older')}
            </Link>
          ) : null}
        </nav>
      ) : null}
    </>
  );
}
