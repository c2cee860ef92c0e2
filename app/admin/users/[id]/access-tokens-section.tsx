import { getFormatter, getTranslations } from 'next-intl/server';
import type { ReactNode } from 'react';
import { Table } from '@/components/ui/table';
import { getDb } from '@/db/client';
import { listAccessTokens } from '@/lib/access-tokens';
import { systemClock } from '@/lib/clock';
import { AdminRevokeAccessTokenForm } from './access-token-forms';
import styles from './user.module.css';

/**
 * The account's personal access tokens on its admin page, each with a revoke button. Rendered by
 * the page after its role check; the revoke action checks the role again itself (S45).
 */
export async function AccessTokensSection({
  userId,
  username,
  timeZone,
  revoked,
}: {
  userId: string;
  username: string;
  timeZone: string;
  revoked: boolean;
}) {
  const [t, format, tokens] = await Promise.all([
    getTranslations('adminAccessTokens'),
    getFormatter(),
    getDb().then((db) => listAccessTokens(db, userId, systemClock)),
  ]);
  const when = (date: Date | null): ReactNode =>
    date ? (
      <time dateTime={date.toISOString()}>
        {format.dateTime(date, { dateStyle: 'medium', timeStyle: 'short', timeZone })}
      </time>
    ) : (
      t('never')
    );
  return (
    <section aria-labelledby="access-tokens-title" className={styles.section}>
      <h2 id="access-tokens-title">{t('title')}</h2>
      {revoked ? <p role="status">{t('revoked')}</p> : null}
      {tokens.length === 0 ? (
        <p>{t('none', { username })}</p>
      ) : (
        <Table
          caption={t('caption', { username })}
          captionVisible
          columns={[
            t('name'),
            t('prefix'),
            t('scopes'),
            t('created'),
            t('expires'),
            t('lastUsed'),
            t('action'),
          ]}
          className={styles.table}
        >
          {tokens.map((token) => (
            <tr key={token.id}>
              <th scope="row">{token.name}</th>
              <td>
                <code translate="no">{token.prefix}</code>
              </td>
              <td>
                <code translate="no">{token.scopes.join(', ')}</code>
              </td>
              <td>{when(token.createdAt)}</td>
              <td>
                {when(token.expiresAt)}
                {token.expired ? ` ${t('expired')}` : null}
              </td>
              <td>
                {when(token.lastUsedAt)}
                {token.lastUsedIp ? ` ${t('fromAddress', { ip: token.lastUsedIp })}` : null}
              </td>
              <td>
                <AdminRevokeAccessTokenForm userId={userId} tokenId={token.id} name={token.name} />
              </td>
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
}
