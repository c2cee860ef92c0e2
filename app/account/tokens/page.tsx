import { getFormatter, getTranslations } from 'next-intl/server';
import { getDb } from '@/db/client';
import { listAccessTokens } from '@/lib/access-tokens';
import { systemClock } from '@/lib/clock';
import { secondFactorsOf } from '@/lib/pending-sign-in';
import { requireUser } from '@/lib/web/session';
import { CreateAccessTokenForm, RevokeAccessTokenForm } from './token-forms';
import styles from './tokens.module.css';

export async function generateMetadata() {
  const t = await getTranslations('accessTokens');
  return { title: t('title') };
}

export default async function AccessTokensPage({
  searchParams,
}: {
  searchParams: Promise<{ revoked?: string }>;
}) {
  const { user } = await requireUser('/account/tokens');
  const [t, format, { revoked }, tokens] = await Promise.all([
    getTranslations('accessTokens'),
    getFormatter(),
    searchParams,
    getDb().then((db) => listAccessTokens(db, user.id, systemClock)),
  ]);
  const factors = await secondFactorsOf(await getDb(), user.id);
  const when = (date: Date) => (
    <time dateTime={date.toISOString()}>
      {format.dateTime(date, { dateStyle: 'medium', timeStyle: 'short', timeZone: user.timezone })}
    </time>
  );
  return (
    <>
      <h1>{t('title')}</h1>
      {revoked ? <p role="status">{t('revoked')}</p> : null}
      <p>{t('lead')}</p>
      <section aria-labelledby="create-token-title">
        <h2 id="create-token-title">{t('createTitle')}</h2>
        <CreateAccessTokenForm isAdmin={user.role === 'admin'} hasPasskeys={factors.passkeys} />
      </section>
      <section aria-labelledby="token-list-title">
        <h2 id="token-list-title">{t('listTitle')}</h2>
        {tokens.length === 0 ? (
          <p>{t('none')}</p>
        ) : (
          <ul className={styles.list}>
            {tokens.map((token) => (
              <li key={token.id} className={styles.item}>
                <h3 className={styles.name}>{token.name}</h3>
                {token.expired ? (
                  <p>
                    <strong>{t('expired')}</strong>
                  </p>
                ) : null}
                <dl className={styles.details}>
                  <dt>{t('prefix')}</dt>
                  <dd>
                    <code translate="no">{token.prefix}</code>
                  </dd>
                  <dt>{t('scopesLabel')}</dt>
                  <dd>
                    <code translate="no">{token.scopes.join(', ')}</code>
                  </dd>
                  <dt>{t('createdAt')}</dt>
                  <dd>{when(token.createdAt)}</dd>
                  <dt>{t('expiresAt')}</dt>
                  <dd>{when(token.expiresAt)}</dd>
                  <dt>{t('lastUsed')}</dt>
                  <dd>
                    {token.lastUsedAt ? when(token.lastUsedAt) : t('neverUsed')}
                    {token.lastUsedAt && token.lastUsedIp
                      ? ` ${t('fromAddress', { ip: token.lastUsedIp })}`
                      : null}
                  </dd>
                </dl>
                <RevokeAccessTokenForm tokenId={token.id} name={token.name} />
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
