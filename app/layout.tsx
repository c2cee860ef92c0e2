import type { Metadata, Viewport } from 'next';
import { NextIntlClientProvider } from 'next-intl';
import { getLocale, getTranslations } from 'next-intl/server';
import type { CSSProperties, ReactNode } from 'react';
import { SiteFooter } from '@/components/site-footer';
import { SiteHeader } from '@/components/site-header';
import { logoPath } from '@/lib/brand';
import { clientMessages } from '@/lib/i18n/messages';
import { currentBrand } from '@/lib/web/brand';
import { currentTheme } from '@/lib/web/preferences';
import { currentSession } from '@/lib/web/session';
import './globals.css';

export async function generateMetadata(): Promise<Metadata> {
  const [t, brand] = await Promise.all([getTranslations('meta'), currentBrand()]);
  return { title: { default: brand.name, template: `%s · ${brand.name}` }, description: t('description') };
}

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const [locale, theme, t, session, brand] = await Promise.all([
    getLocale(),
    currentTheme(),
    getTranslations('layout'),
    currentSession(),
    currentBrand(),
  ]);
  // The operator's accent, in both themes (lib/brand-palette.ts); CSP allows style attributes.
  const accent = brand.accent
    ? ({
        '--accent': `light-dark(${brand.accent.light.accent}, ${brand.accent.dark.accent})`,
        '--accent-fg': `light-dark(${brand.accent.light.text}, ${brand.accent.dark.text})`,
        '--focus': `light-dark(${brand.accent.light.accent}, ${brand.accent.dark.accent})`,
      } as CSSProperties)
    : undefined;
  const messages = await clientMessages(locale, 'public');
  return (
    <html lang={locale} data-theme={theme} style={accent}>
      <body>
        <a href="#main" className="skip-link">
          {t('skipToContent')}
        </a>
        <NextIntlClientProvider messages={messages}>
          <SiteHeader
            productName={brand.name}
            logo={logoPath(brand)}
            signedIn={Boolean(session)}
            admin={session?.user.role === 'admin'}
          />
          <main id="main" tabIndex={-1}>
            {children}
          </main>
          <SiteFooter theme={theme} supportEmail={brand.supportEmail} />
        </NextIntlClientProvider>
      </body>
    </html>
  );
}
