import { getFormatter, getTranslations } from 'next-intl/server';
import { getDb } from '@/db/client';
import { listPasskeys } from '@/lib/passkeys';
import { requireUser } from '@/lib/web/session';
import { AddPasskey, RemovePasskeyForm, RenamePasskeyForm } from './passkey-forms';
import styles from './passkeys.module.css';

export async function generateMetadata() {
  const t = await getTranslations('passkeys');
  return { title: t('title') };
}

const savedKeys = { added: 'savedAdded', renamed: 'savedRenamed', removed: 'savedRemoved' } as const;

export default async function PasskeysPage({ searchParams }: { searchParams: Promise<{ saved?: string }> }) {
  const { user } = await requireUser('/account/passkeys');
  const [t, format, { saved }, list] = await Promise.all([
    getTranslations('passkeys'),
    getFormatter(),
    searchParams,
    getDb().then((db) => listPasskeys(db, user.id)),
  ]);
  const when = (date: Date) => (
    <time dateTime={date.toISOString()}>
      {format.dateTime(date, { dateStyle: 'medium', timeStyle: 'short', timeZone: user.timezone })}
    </time>
  );
  const savedKey =
    saved && Object.hasOwn(savedKeys, saved) ? savedKeys[saved as keyof typeof savedKeys] : null;
  return (
    <>
      <h1>{t('title')}</h1>
      {savedKey ? <p role="status">{t(savedKey)}</p> : null}
      <p>{t('lead')}</p>
      <h2>{t('listHeading')}</h2>
      {list.length === 0 ? <p>{t('none')}</p> : null}
      <ul className={styles.list}>
        {list.map((passkey) => (
          <li key={passkey.id} className={styles.item}>
            <h3 className={styles.name}>{passkey.name}</h3>
            <dl className={styles.details}>
              <dt>{t('added')}</dt>
              <dd>{when(passkey.createdAt)}</dd>
              <dt>{t('lastUsed')}</dt>
              <dd>{passkey.lastUsedAt ? when(passkey.lastUsedAt) : t('neverUsed')}</dd>
            </dl>
            {passkey.backedUp ? <p>{t('synced')}</p> : null}
            <RenamePasskeyForm id={passkey.id} name={passkey.name} />
            <RemovePasskeyForm id={passkey.id} name={passkey.name} />
          </li>
        ))}
      </ul>
      <h2>{t('addHeading')}</h2>
      <AddPasskey />
    </>
  );
}
