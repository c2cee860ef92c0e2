import { getTranslations } from 'next-intl/server';
import type { ReactNode } from 'react';
import { SectionNav } from '@/components/section-nav';

const sections = [
  ['/account', 'overview'],
  ['/account/profile', 'profile'],
  ['/account/settings', 'settings'],
  ['/account/security', 'security'],
  ['/account/email', 'email'],
  ['/account/sessions', 'sessions'],
  ['/account/recovery', 'recovery'],
  ['/account/tokens', 'tokens'],
  ['/account/activity', 'activity'],
  ['/account/invites', 'invites'],
  ['/account/export', 'export'],
  ['/account/passkeys', 'passkeys'],
  ['/account/two-factor', 'twoFactor'],
  ['/account/delete', 'delete'],
] as const;

export default async function AccountLayout({ children }: { children: ReactNode }) {
  const t = await getTranslations('accountNav');
  return (
    <>
      <SectionNav label={t('label')} links={sections.map(([href, key]) => ({ href, text: t(key) }))} />
      {children}
    </>
  );
}
