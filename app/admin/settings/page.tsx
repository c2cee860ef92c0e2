import { getTranslations } from 'next-intl/server';
import { getDb } from '@/db/client';
import { loadSettingsView, type ActiveTransport } from '@/lib/admin-settings';
import { logoPath } from '@/lib/brand';
import { getSetting } from '@/lib/settings';
import { currentBrand } from '@/lib/web/brand';
import { requireAdmin } from '@/lib/web/session';
import { BrandSettingsForm } from './brand-form';
import { GeneralSettingsForm, MailSettingsForm, TestEmailForm } from './settings-form';
import styles from './settings.module.css';

export const dynamic = 'force-dynamic';

export async function generateMetadata() {
  const t = await getTranslations('adminSettings');
  return { title: t('title') };
}

type Translate = Awaited<ReturnType<typeof getTranslations<'adminSettings'>>>;

/** What sends mail right now, whichever of the environment or the saved settings decided it. */
function activeTransport(t: Translate, active: ActiveTransport): string {
  switch (active.transport) {
    case 'smtp': {
      const sentence = t('active.smtp', {
        host: active.host,
        encryption: t(`active.encryption.${active.encryption}`, { port: active.port }),
        oauth: active.oauth ? 'yes' : 'no',
        source: active.source,
      });
      return active.tlsReadAsImplicit ? `${sentence} ${t('active.tlsReadAsImplicit')}` : sentence;
    }
    case 'resend':
      return t('active.resend', { source: active.source });
    case 'dev':
      return t('active.dev', { source: active.source });
    case 'none':
      return t('active.none');
    case 'unreadable':
      return t('active.unreadable');
  }
}

export default async function AdminSettingsPage() {
  const { user } = await requireAdmin('/admin/settings');
  const db = await getDb();
  const [t, tBrand, view, brandSettings, brand] = await Promise.all([
    getTranslations('adminSettings'),
    getTranslations('brandSettings'),
    loadSettingsView(db),
    getSetting(db, 'brand'),
    currentBrand(),
  ]);
  return (
    <>
      <h1>{t('title')}</h1>
      <p>{t('lead')}</p>

      <section aria-labelledby="settings-general" className={styles.section}>
        <h2 id="settings-general">{t('general.title')}</h2>
        <GeneralSettingsForm values={view.general} />
      </section>

      <section aria-labelledby="settings-brand" className={styles.section}>
        <h2 id="settings-brand">{tBrand('title')}</h2>
        <p>{tBrand('lead')}</p>
        <BrandSettingsForm
          values={{
            productName: brandSettings.name ?? '',
            accentColor: brandSettings.accent ?? '',
            supportEmail: brandSettings.supportEmail ?? '',
            logo: logoPath(brand),
          }}
        />
      </section>

      <section aria-labelledby="settings-mail" className={styles.section}>
        <h2 id="settings-mail">{t('mail.title')}</h2>
        <p className={view.active.transport === 'unreadable' ? styles.warning : undefined}>
          {activeTransport(t, view.active)}
        </p>
        <p>{t('mail.lead')}</p>
        <MailSettingsForm values={view.mail} allowDev={view.allowDev} version={view.version} />
      </section>

      <section aria-labelledby="settings-test" className={styles.section}>
        <h2 id="settings-test">{t('test.title')}</h2>
        <TestEmailForm email={user.email} />
      </section>
    </>
  );
}
