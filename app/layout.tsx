import type { Metadata, Viewport } from 'next';
import { NextIntlClientProvider } from 'next-intl';
import { getLocale, getTranslations } from 'next-intl/server';
import type { ReactNode } from 'react';
import { SiteFooter } from '@/components/site-footer';
import { SiteHeader } from '@/components/site-header';
import { clientMessages } from '@/lib/i18n/messages';
import { currentTheme } from '@/lib/web/preferences';
import { currentSession } from '@/lib/web/session';
import './globals.css';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('meta');
  return { title: { default: t('title'), template: `%s · ${t('title')}` }, description: t('description') };
}

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const [locale, theme, t, session] = await Promise.all([
    getLocale(),
    currentTheme(),
    getTranslations('layout'),
    currentSession(),
  ]);
  const messages = await clientMessages(locale, 'public');
  return (
    <html lang={locale} data-theme={theme}>
      <body>
        <a href="#main" className="skip-link">
          {t('skipToContent')}
        </a>
        <NextIntlClientProvider messages={messages}>
          <SiteHeader signedIn={Boolean(session)} admin={session?.user.role === 'admin'} />
          <main id="main" tabIndex={-1}>
            {children}
          </main>
          <SiteFooter theme={theme} />
        </NextIntlClientProvider>
      </body>
    </html>
  );
}
