import Link from 'next/link';
import { notFound } from 'next/navigation';
import { getFormatter, getTranslations } from 'next-intl/server';
import type { ReactNode } from 'react';
import { Table } from '@/components/ui/table';
import { getDb } from '@/db/client';
import { accountState } from '@/lib/account-state';
import { adminUserOverview, type AdminSessionEntry } from '@/lib/admin-user-actions';
import { systemClock } from '@/lib/clock';
import { twoFactorStatus } from '@/lib/two-factor';
import { isLocale } from '@/lib/i18n/config';
import { listPasskeys } from '@/lib/passkeys';
import { requireAdmin } from '@/lib/web/session';
import adminStyles from '../../admin.module.css';
import { AccessTokensSection } from './access-tokens-section';
import { DONE_FLAGS, userActionSchema, type DoneFlag } from '@/lib/validation/admin-user';
import styles from './user.module.css';
import {
  ApproveForm,
  DeleteUserForm,
  DemoteForm,
  EditProfileForm,
  LockForm,
  PasswordLinkForm,
  PromoteForm,
  RejectForm,
  RemoveUserPasskeyForm,
  ResetTwoFactorForm,
  SignOutEverywhereForm,
  UnlockForm,
  VerificationForm,
} from './user-forms';

// Never prerendered or cached: it shows one person's data to an admin (proxy.ts adds no-store).
export const dynamic = 'force-dynamic';

export async function generateMetadata() {
  // No lookup here: the title must not say anything about an account before the role is checked.
  const t = await getTranslations('adminUser');
  return { title: t('metaTitle') };
}

type Params = Promise<{ id: string }>;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

function doneFlag(value: string | string[] | undefined): DoneFlag | undefined {
  return (DONE_FLAGS as readonly string[]).includes(String(value)) ? (value as DoneFlag) : undefined;
}

type Translate = Awaited<ReturnType<typeof getTranslations<'adminUser'>>>;

function deviceName(t: Translate, { device }: AdminSessionEntry): string {
  const { browser, os } = device;
  if (browser && os) return t('sessions.deviceName', { browser, os });
  if (browser) return browser;
  if (os) return t('sessions.deviceOsOnly', { os });
  return t('sessions.deviceUnknown');
}

export default async function AdminUserPage({
  params,
  searchParams,
}: {
  params: Params;
  searchParams: SearchParams;
}) {
  const { id } = await params;
  const valid = userActionSchema.shape.userId.safeParse(id).success;
  // The role first (S45): a stranger learns nothing, not even whether the id could exist.
  const session = await requireAdmin(valid ? `/admin/users/${id}` : '/admin/users');
  if (!valid) notFound();

  const db = await getDb();
  const [t, tTwoFactor, twoFactor, languages, format, query, overview, passkeys] = await Promise.all([
    getTranslations('adminUser'),
    getTranslations('adminTwoFactor'),
    twoFactorStatus(db, id),
    getTranslations('languages'),
    getFormatter(),
    searchParams,
    adminUserOverview(db, id, systemClock),
    listPasskeys(db, id),
  ]);
  const done = doneFlag(query.done);

  if (!overview) {
    // Where a deletion lands: the account is gone, which is the news.
    if (done !== 'deleted') notFound();
    return (
      <>
        <p className={styles.back}>
          <Link href="/admin/users">{t('back')}</Link>
        </p>
        <h1>{t('deleted.title')}</h1>
        <p role="status" className={adminStyles.status}>
          {t('deleted.message')}
        </p>
      </>
    );
  }

  const { user, sessions, events, actors, lastActiveAdmin } = overview;
  const { username } = user;
  const target = { userId: user.id, username };
  const state = accountState(user);
  const self = user.id === session.user.id;
  const timeZone = session.user.timezone;
  const when = (date: Date | null): ReactNode =>
    date ? (
      <time dateTime={date.toISOString()}>
        {format.dateTime(date, { dateStyle: 'medium', timeStyle: 'short', timeZone })}
      </time>
    ) : (
      t('details.never')
    );
  const text = (value: string) => value || t('details.empty');
  const actorName = (actorId: string | null) => {
    if (!actorId) return t('activity.byNobody');
    return actors[actorId] ?? t('activity.byDeleted');
  };

  const canApprove = Boolean(user.emailVerifiedAt) && !user.approvedAt && !user.rejectedAt;
  const canReject = !user.approvedAt && !user.rejectedAt;
  const canMailPassword = Boolean(user.emailVerifiedAt) && !user.rejectedAt;
  const canResendVerification = !user.emailVerifiedAt && !user.rejectedAt;

  return (
    <>
      <p className={styles.back}>
        <Link href="/admin/users">{t('back')}</Link>
      </p>
      <h1 className={styles.title}>{username}</h1>
      <p role="status" className={done && done !== 'deleted' ? adminStyles.status : undefined}>
        {done && done !== 'deleted' ? t(`status.${done}`, { username }) : null}
      </p>

      <section aria-labelledby="details-title" className={styles.section}>
        <h2 id="details-title">{t('details.title')}</h2>
        <dl className={styles.details}>
          <dt>{t('details.fullName')}</dt>
          <dd>{user.fullName}</dd>
          <dt>{t('details.email')}</dt>
          <dd>{user.email}</dd>
          <dt>{t('details.state')}</dt>
          <dd>
            <strong>{t(`states.${state}`)}</strong>
          </dd>
          <dt>{t('details.role')}</dt>
          <dd>{t(`roles.${user.role}`)}</dd>
          {user.lockedAt ? (
            <>
              <dt>{t('details.lockReason')}</dt>
              <dd className={styles.prose}>{user.lockReason ?? t('details.none')}</dd>
            </>
          ) : null}
          <dt>{t('details.phone')}</dt>
          <dd>{text(user.phone)}</dd>
          <dt>{t('details.address')}</dt>
          <dd>{text(user.address)}</dd>
          <dt>{t('details.city')}</dt>
          <dd>{text(user.city)}</dd>
          <dt>{t('details.country')}</dt>
          <dd>{text(user.country)}</dd>
          <dt>{t('details.language')}</dt>
          <dd>{isLocale(user.locale) ? languages(user.locale) : user.locale}</dd>
          <dt>{t('details.timezone')}</dt>
          <dd>{user.timezone}</dd>
          {user.signupComment ? (
            <>
              <dt>{t('details.comment')}</dt>
              <dd className={styles.prose}>{user.signupComment}</dd>
            </>
          ) : null}
          <dt>{t('details.password')}</dt>
          <dd>{user.hasPassword ? t('details.passwordSet') : t('details.passwordNotSet')}</dd>
          <dt>{t('details.recoveryPhrase')}</dt>
          <dd>
            {user.hasRecoveryPhrase ? t('details.recoveryPhraseSet') : t('details.recoveryPhraseNotSet')}
          </dd>
          <dt>{t('details.failedLogins')}</dt>
          <dd>{format.number(user.failedLoginCount)}</dd>
          <dt>{t('details.created')}</dt>
          <dd>{when(user.createdAt)}</dd>
          <dt>{t('details.emailVerified')}</dt>
          <dd>{when(user.emailVerifiedAt)}</dd>
          <dt>{t('details.approved')}</dt>
          <dd>{when(user.approvedAt)}</dd>
          {user.rejectedAt ? (
            <>
              <dt>{t('details.rejected')}</dt>
              <dd>{when(user.rejectedAt)}</dd>
            </>
          ) : null}
          {user.lockedAt ? (
            <>
              <dt>{t('details.locked')}</dt>
              <dd>{when(user.lockedAt)}</dd>
            </>
          ) : null}
          <dt>{t('details.lastLogin')}</dt>
          <dd>{when(user.lastLoginAt)}</dd>
          <dt>{t('details.updated')}</dt>
          <dd>{when(user.updatedAt)}</dd>
        </dl>
      </section>

      <section aria-labelledby="two-factor-title" className={styles.section}>
        <h2 id="two-factor-title">{tTwoFactor('title')}</h2>
        {twoFactor.totp ? (
          <>
            <p>{tTwoFactor('on', { username, left: twoFactor.recoveryCodesLeft })}</p>
            <p>{tTwoFactor('lead')}</p>
            <ResetTwoFactorForm {...target} />
          </>
        ) : (
          <p>{tTwoFactor(passkeys.length > 0 ? 'passkeysOnly' : 'off', { username })}</p>
        )}
      </section>

      {canReject ? (
        <section aria-labelledby="approval-title" className={styles.section}>
          <h2 id="approval-title">{t('approval.title')}</h2>
          <p>{canApprove ? t('approval.lead', { username }) : t('approval.unverifiedLead', { username })}</p>
          <div className={styles.actions}>
            {canApprove ? <ApproveForm {...target} /> : null}
            <RejectForm {...target} />
          </div>
        </section>
      ) : null}

      {canResendVerification ? (
        <section aria-labelledby="verification-title" className={styles.section}>
          <h2 id="verification-title">{t('verification.title')}</h2>
          <p>{t('verification.lead', { email: user.email })}</p>
          <VerificationForm {...target} />
        </section>
      ) : null}

      {state === 'rejected' ? null : (
        <section aria-labelledby="lock-title" className={styles.section}>
          <h2 id="lock-title">{t('lock.title')}</h2>
          {user.lockedAt ? (
            <>
              <p>{t('lock.lockedLead', { username })}</p>
              <UnlockForm {...target} />
            </>
          ) : lastActiveAdmin ? (
            <p>{t('lock.lastAdmin', { username })}</p>
          ) : (
            <>
              <p>{t('lock.lead')}</p>
              <LockForm {...target} />
            </>
          )}
        </section>
      )}

      <section aria-labelledby="role-title" className={styles.section}>
        <h2 id="role-title">{t('role.title')}</h2>
        {user.role === 'admin' ? (
          <>
            <p>{t('role.isAdmin', { username })}</p>
            {lastActiveAdmin ? <p>{t('role.lastAdmin', { username })}</p> : <DemoteForm {...target} />}
          </>
        ) : (
          <>
            <p>{t('role.isUser', { username })}</p>
            {state === 'active' ? <PromoteForm {...target} /> : <p>{t('role.onlyActive')}</p>}
          </>
        )}
      </section>

      <section aria-labelledby="password-title" className={styles.section}>
        <h2 id="password-title">{t('password.title')}</h2>
        {canMailPassword ? (
          <>
            <p>{t('password.lead', { username })}</p>
            <PasswordLinkForm {...target} />
          </>
        ) : (
          <p>{t('password.unavailable')}</p>
        )}
      </section>

      <section aria-labelledby="sessions-title" className={styles.section}>
        <h2 id="sessions-title">{t('sessions.title')}</h2>
        {sessions.length === 0 ? (
          <p>{t('sessions.none', { username })}</p>
        ) : (
          <>
            <Table
              caption={t('sessions.caption', { username })}
              captionVisible
              columns={[
                t('sessions.device'),
                t('sessions.ip'),
                t('sessions.signedIn'),
                t('sessions.lastSeen'),
              ]}
              className={styles.table}
            >
              {sessions.map((entry) => (
                <tr key={entry.handle}>
                  <th scope="row">{deviceName(t, entry)}</th>
                  <td>{entry.ip ?? t('sessions.unknown')}</td>
                  <td>{when(entry.createdAt)}</td>
                  <td>{when(entry.lastSeenAt)}</td>
                </tr>
              ))}
            </Table>
            <SignOutEverywhereForm {...target} />
          </>
        )}
      </section>

      <AccessTokensSection
        userId={user.id}
        username={username}
        timeZone={timeZone}
        revoked={query.tokenRevoked === '1'}
      />
      <section aria-labelledby="passkeys-title" className={styles.section}>
        <h2 id="passkeys-title">{t('passkeys.title')}</h2>
        {passkeys.length === 0 ? (
          <p>{t('passkeys.none', { username })}</p>
        ) : (
          <Table
            caption={t('passkeys.caption', { username })}
            captionVisible
            columns={[t('passkeys.name'), t('passkeys.added'), t('passkeys.lastUsed'), t('passkeys.action')]}
            className={styles.table}
          >
            {passkeys.map((passkey) => (
              <tr key={passkey.id}>
                <th scope="row">{passkey.name}</th>
                <td>{when(passkey.createdAt)}</td>
                <td>{when(passkey.lastUsedAt)}</td>
                <td>
                  <RemoveUserPasskeyForm {...target} passkeyId={passkey.id} name={passkey.name} />
                </td>
              </tr>
            ))}
          </Table>
        )}
      </section>

      <section aria-labelledby="profile-title" className={styles.section}>
        <h2 id="profile-title">{t('profile.title')}</h2>
        <p>{t('profile.lead')}</p>
        <EditProfileForm
          {...target}
          values={{
            username: user.username,
            fullName: user.fullName,
            phone: user.phone,
            address: user.address,
            city: user.city,
            country: user.country,
          }}
        />
      </section>

      <section aria-labelledby="activity-title" className={styles.section}>
        <h2 id="activity-title">{t('activity.title')}</h2>
        {events.length === 0 ? (
          <p>{t('activity.none')}</p>
        ) : (
          <Table
            caption={t('activity.caption', { count: events.length, username })}
            captionVisible
            columns={[
              t('activity.when'),
              t('activity.event'),
              t('activity.by'),
              t('activity.ip'),
              t('activity.details'),
            ]}
            className={styles.table}
          >
            {events.map((event) => (
              <tr key={event.id}>
                <td>{when(event.at)}</td>
                <td>
                  <code>{event.action}</code>
                </td>
                <td>{actorName(event.actorId)}</td>
                <td>{event.ip ?? t('sessions.unknown')}</td>
                <td>
                  {Object.keys(event.meta).length > 0 ? (
                    <code className={styles.meta}>{JSON.stringify(event.meta)}</code>
                  ) : null}
                </td>
              </tr>
            ))}
          </Table>
        )}
      </section>

      <section aria-labelledby="delete-title" className={styles.section}>
        <h2 id="delete-title">{t('delete.title')}</h2>
        {self ? (
          <p>{t.rich('delete.self', { link: (chunks) => <Link href="/account/delete">{chunks}</Link> })}</p>
        ) : lastActiveAdmin ? (
          <p>{t('delete.lastAdmin', { username })}</p>
        ) : (
          <>
            <p>{t('delete.lead')}</p>
            <DeleteUserForm {...target} />
          </>
        )}
      </section>
    </>
  );
}
