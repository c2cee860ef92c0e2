import { getTranslations } from 'next-intl/server';
import formStyles from '@/components/form/form.module.css';
import { requireUser } from '@/lib/web/session';
import { Button } from '@/components/ui/button';

export async function generateMetadata() {
  const t = await getTranslations('ownExport');
  return { title: t('title') };
}

const ERRORS = { wrong_password: 'errors.wrongPassword', busy: 'errors.busy' } as const;

/**
 * The download of everything stored about the person (decision 031). A plain form posted to the
 * route handler beside this page, which answers with the JSON file: it works the same with or without
 * JavaScript. The current password is asked for, so a session left open elsewhere cannot take it all.
 */
export default async function ExportPage({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  const { user } = await requireUser('/account/export');
  const [t, { error }] = await Promise.all([getTranslations('ownExport'), searchParams]);
  const problem = error === 'wrong_password' || error === 'busy' ? ERRORS[error] : undefined;
  return (
    <>
      <h1>{t('title')}</h1>
      <p>{t('lead')}</p>
      <ul>
        <li>{t('includes.profile')}</li>
        <li>{t('includes.sessions')}</li>
        <li>{t('includes.activity')}</li>
        <li>{t('includes.mails')}</li>
        <li>{t('includes.invites')}</li>
      </ul>
      <p>{t('excludes')}</p>
      <form method="post" action="/account/export/download" className={formStyles.form}>
        {/* Which account the password is for, so a password manager fills the right one. */}
        <input type="text" autoComplete="username" value={user.username} readOnly hidden />
        <div className={problem ? `${formStyles.field} ${formStyles.fieldInvalid}` : formStyles.field}>
          <label htmlFor="export-password" className={formStyles.label}>
            {t('password')}
          </label>
          <p id="export-password-hint" className={formStyles.description}>
            {t('passwordHint')}
          </p>
          {problem ? (
            <p id="export-password-error" className={formStyles.error} role="alert">
              {t(problem)}
            </p>
          ) : null}
          <input
            id="export-password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            aria-invalid={problem ? true : undefined}
            aria-describedby={problem ? 'export-password-hint export-password-error' : 'export-password-hint'}
            className={formStyles.input}
          />
        </div>
        <Button>{t('submit')}</Button>
      </form>
    </>
  );
}
