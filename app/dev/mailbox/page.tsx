import Link from 'next/link';
import { getFormatter, getTranslations } from 'next-intl/server';
import { PendingButton } from '@/components/ui/pending-button';
import { getDb } from '@/db/client';
import { listDevMail } from '@/lib/mail/dev-mailbox';
import { kickOutbox } from '@/lib/mail/worker';
import { requireDevelopment } from '@/lib/web/dev-only';
import { clearMailbox } from './actions';
import styles from './mailbox.module.css';

export const dynamic = 'force-dynamic';

export async function generateMetadata() {
  const t = await getTranslations('devMailbox');
  return { title: t('title') };
}

export default async function DevMailboxPage() {
  requireDevelopment();
  // Opening the mailbox delivers whatever is due, so a newcomer never waits for the timer.
  await kickOutbox();
  const [t, format, mails] = await Promise.all([
    getTranslations('devMailbox'),
    getFormatter(),
    getDb().then((db) => listDevMail(db)),
  ]);
  return (
    <>
      <h1>{t('title')}</h1>
      <p>{t('lead')}</p>
      {mails.length === 0 ? (
        <p>{t('empty')}</p>
      ) : (
        <>
          <table className={styles.table}>
            <caption className="visually-hidden">{t('caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('received')}</th>
                <th scope="col">{t('to')}</th>
                <th scope="col">{t('subject')}</th>
              </tr>
            </thead>
            <tbody>
              {mails.map((mail) => (
                <tr key={mail.id}>
                  <td>{format.dateTime(mail.createdAt, { dateStyle: 'short', timeStyle: 'medium' })}</td>
                  <td>{mail.to}</td>
                  <td>
                    <Link href={`/dev/mailbox/${mail.id}`}>{mail.subject}</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <form action={clearMailbox}>
            <PendingButton variant="danger">{t('clear')}</PendingButton>
          </form>
        </>
      )}
    </>
  );
}
