import Link from 'next/link';
import { getFormatter, getTranslations } from 'next-intl/server';
import { getDb } from '@/db/client';
import { listOwnActivity, parseActivityCursor, type ActivityEntry } from '@/lib/own-data';
import { requireUser } from '@/lib/web/session';

export async function generateMetadata() {
  const t = await getTranslations('activity');
  return { title: t('title') };
}

type Translate = Awaited<ReturnType<typeof getTranslations<'activity'>>>;

function deviceText(t: Translate, entry: ActivityEntry): string | null {
  if (!entry.device) return null;
  const { browser, os } = entry.device;
  if (browser && os) return t('device', { browser, os });
  return browser ?? os ?? t('deviceUnknown');
}

/** The person's own security events (decision 031), newest first, in their time zone and language. */
export default async function ActivityPage({ searchParams }: { searchParams: Promise<{ before?: string }> }) {
  const { user } = await requireUser('/account/activity');
  const before = parseActivityCursor((await searchParams).before);
  const [t, format, page] = await Promise.all([
    getTranslations('activity'),
    getFormatter(),
    getDb().then((db) => listOwnActivity(db, { userId: user.id, before })),
  ]);
  return (
    <>
      <h1>{t('title')}</h1>
      <p>{t('lead', { timeZone: user.timezone })}</p>
      {page.entries.length === 0 ? (
        <p>{t('none')}</p>
      ) : (
        <ol>
          {page.entries.map((entry) => {
            const device = deviceText(t, entry);
            return (
              <li key={entry.id} data-action={entry.action}>
                <p>
                  <strong>
                    {t(`actions.${entry.action.replaceAll('.', '_')}` as Parameters<Translate>[0])}
                  </strong>
                  {' · '}
                  <time dateTime={entry.at.toISOString()}>
                    {format.dateTime(entry.at, {
                      dateStyle: 'medium',
                      timeStyle: 'medium',
                      timeZone: user.timezone,
                    })}
                  </time>
                </p>
                <p>
                  {entry.by === 'administrator'
                    ? t('byAdministrator')
                    : [device, entry.ip ? t('from', { ip: entry.ip }) : null].filter(Boolean).join(' · ') ||
                      t('noDetails')}
                </p>
              </li>
            );
          })}
        </ol>
      )}
      <nav aria-label={t('pages')}>
        <ul>
          {before !== undefined ? (
            <li>
              <Link href="/account/activity">{t('newest')}</Link>
            </li>
          ) : null}
          {page.nextBefore !== null ? (
            <li>
              <Link href={`/account/activity?before=${page.nextBefore}`} rel="next">
                {t('older')}
              </Link>
            </li>
          ) : null}
        </ul>
      </nav>
    </>
  );
}
