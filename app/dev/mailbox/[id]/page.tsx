import Link from 'next/link';
import { notFound } from 'next/navigation';
import { getFormatter, getTranslations } from 'next-intl/server';
import { getDb } from '@/db/client';
import { getDevMail } from '@/lib/mail/dev-mailbox';
import { requireDevelopment } from '@/lib/web/dev-only';
import styles from '../mailbox.module.css';

export const dynamic = 'force-dynamic';

export default async function DevMailPage({ params }: { params: Promise<{ id: string }> }) {
  requireDevelopment();
  const { id } = await params;
  const mail = await getDevMail(await getDb(), id);
  if (!mail) notFound();
  const [t, format] = await Promise.all([getTranslations('devMailbox'), getFormatter()]);
  // The mail's HTML runs in a sandbox with no scripts; <base target="_top"> makes its links open the app itself.
  const srcDoc = `<base target="_top">${mail.html}`;
  return (
    <>
      <p>
        <Link href="/dev/mailbox">{t('back')}</Link>
      </p>
      <h1>{mail.subject}</h1>
      <dl className={styles.meta}>
        <dt>{t('from')}</dt>
        <dd>{mail.from}</dd>
        <dt>{t('to')}</dt>
        <dd>{mail.to}</dd>
        <dt>{t('received')}</dt>
        <dd>{format.dateTime(mail.createdAt, { dateStyle: 'medium', timeStyle: 'medium' })}</dd>
      </dl>
      <h2>{t('htmlPart')}</h2>
      <iframe
        title={t('htmlFrameTitle')}
        className={styles.frame}
        sandbox="allow-popups allow-top-navigation-by-user-activation"
        srcDoc={srcDoc}
      />
      <h2>{t('textPart')}</h2>
      <pre className={styles.text}>{mail.text}</pre>
    </>
  );
}
