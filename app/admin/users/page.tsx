import { getTranslations } from 'next-intl/server';
import { getDb } from '@/db/client';
import { accountState } from '@/lib/account-state';
import { listPendingUsers, listRecentUsers } from '@/lib/admin-users';
import { requireAdmin } from '@/lib/web/session';
import { DecisionForm } from './decision-form';
import styles from './users.module.css';

export const dynamic = 'force-dynamic';

export async function generateMetadata() {
  const t = await getTranslations('adminUsers');
  return { title: t('title') };
}

export default async function AdminUsersPage() {
  await requireAdmin('/admin/users');
  const db = await getDb();
  const [t, pending, recent] = await Promise.all([
    getTranslations('adminUsers'),
    listPendingUsers(db),
    listRecentUsers(db),
  ]);
  return (
    <>
      <h1>{t('title')}</h1>
      <h2>{t('pendingTitle')}</h2>
      {pending.length === 0 ? (
        <p>{t('noPending')}</p>
      ) : (
        <ul className={styles.queue}>
          {pending.map((user) => (
            <li key={user.id}>
              <p>
                <strong>{user.username}</strong> {user.fullName} {user.email}
              </p>
              {user.signupComment ? <blockquote>{user.signupComment}</blockquote> : null}
              <DecisionForm userId={user.id} username={user.username} />
            </li>
          ))}
        </ul>
      )}
      <h2>{t('allTitle')}</h2>
      <div className={styles.scroll}>
        <table className={styles.table}>
          <thead>
            <tr>
              <th scope="col">{t('username')}</th>
              <th scope="col">{t('fullName')}</th>
              <th scope="col">{t('email')}</th>
              <th scope="col">{t('state')}</th>
            </tr>
          </thead>
          <tbody>
            {recent.map((user) => (
              <tr key={user.id}>
                <td>{user.username}</td>
                <td>{user.fullName}</td>
                <td>{user.email}</td>
                <td>{t(`states.${accountState(user)}`)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
