import {
  Body,
  Button,
  Container,
  Head,
  Heading,
  Hr,
  Html,
  Img,
  Link,
  Preview,
  Section,
  Text,
} from '@react-email/components';
import { Fragment, type CSSProperties, type ReactNode } from 'react';
import type { Locale } from '../../lib/i18n/config';
import { mailBrand } from './brand';
import { commonTranslator, layoutTranslator, mailLocale } from './i18n';

/*
 * The shared frame of every mail and its building blocks. Named exports only: the preview server
 * (`email dev --dir emails`) takes any .tsx file here with a default export for a template.
 *
 * Light and plain on purpose: system fonts, inline styles, every colour pair at WCAG AA contrast or
 * better, one clear button per mail with the raw address under it for copy-paste.
 */

/** The origin the preview props use; tests check that every link stays on it. */
export const previewAppUrl = 'https://accounts.example.test';

const colors = {
  page: '#f3f4f6',
  card: '#ffffff',
  border: '#e5e7eb',
  text: '#1f2937',
  muted: '#4b5563',
  accent: '#1d4ed8',
  accentText: '#ffffff',
  codeBackground: '#eef2ff',
};

const fontFamily =
  "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', sans-serif";

const styles = {
  body: { backgroundColor: colors.page, margin: 0, padding: '24px 0', fontFamily, color: colors.text },
  container: { maxWidth: '560px', margin: '0 auto', padding: '0 12px' },
  header: { padding: '8px 4px 16px' },
  logo: { display: 'block', height: '40px', width: 'auto', margin: '0 0 8px' },
  product: { fontSize: '18px', lineHeight: '24px', fontWeight: 700, color: colors.text, margin: 0 },
  card: {
    backgroundColor: colors.card,
    border: `1px solid ${colors.border}`,
    borderRadius: '8px',
    padding: '28px 32px',
  },
  heading: { fontSize: '22px', lineHeight: '30px', fontWeight: 700, color: colors.text, margin: '0 0 16px' },
  paragraph: { fontSize: '16px', lineHeight: '24px', color: colors.text, margin: '0 0 16px' },
  buttonSection: { margin: '8px 0 24px' },
  button: {
    backgroundColor: colors.accent,
    color: colors.accentText,
    borderRadius: '6px',
    fontSize: '16px',
    fontWeight: 600,
    lineHeight: '24px',
    padding: '12px 20px',
    textDecoration: 'none',
    display: 'inline-block',
  },
  fallback: { fontSize: '14px', lineHeight: '20px', color: colors.muted, margin: '12px 0 0' },
  url: { color: colors.accent, textDecoration: 'underline', wordBreak: 'break-all' },
  link: { color: colors.accent, textDecoration: 'underline' },
  code: {
    fontFamily: "'SFMono-Regular', Menlo, Consolas, 'Liberation Mono', monospace",
    fontSize: '32px',
    lineHeight: '40px',
    fontWeight: 700,
    letterSpacing: '8px',
    color: colors.text,
    backgroundColor: colors.codeBackground,
    borderRadius: '6px',
    padding: '12px 16px',
    margin: '0 0 16px',
    textAlign: 'center',
  },
  label: { fontWeight: 700 },
  quote: {
    fontSize: '16px',
    lineHeight: '24px',
    color: colors.text,
    borderLeft: `4px solid ${colors.border}`,
    padding: '4px 0 4px 12px',
    margin: '0 0 16px',
  },
  monospace: { fontFamily: "'SFMono-Regular', Menlo, Consolas, 'Liberation Mono', monospace" },
  hr: { borderColor: colors.border, margin: '24px 0 12px' },
  footer: { fontSize: '13px', lineHeight: '20px', color: colors.muted, margin: '0 0 8px', padding: '0 4px' },
} satisfies Record<string, CSSProperties>;

export interface EmailLayoutProps {
  locale: Locale;
  /** The inbox preview line (shown next to the subject by most clients; not in the text part). */
  preview: string;
  /** Why this person got this mail. */
  footer: string;
  children: ReactNode;
}

/** The button and links in the operator's accent, when one is set. */
function accented<S extends CSSProperties>(style: S, property: 'color' | 'backgroundColor'): S {
  const accent = mailBrand().accent;
  if (!accent) return style;
  return property === 'backgroundColor'
    ? { ...style, backgroundColor: accent.color, color: accent.text }
    : { ...style, color: accent.color };
}

export function EmailLayout({ locale, preview, footer, children }: EmailLayoutProps) {
  const t = layoutTranslator(locale);
  const brand = mailBrand();
  const product = brand.name ?? t('product');
  return (
    <Html lang={mailLocale(locale)} dir="ltr">
      <Head>
        <meta name="color-scheme" content="light" />
        <meta name="supported-color-schemes" content="light" />
      </Head>
      <Preview>{preview}</Preview>
      <Body style={styles.body}>
        <Container style={styles.container}>
          <Section style={styles.header}>
            {brand.logoUrl ? <Img src={brand.logoUrl} alt={product} height="40" style={styles.logo} /> : null}
            <Text style={styles.product}>{product}</Text>
          </Section>
          <Section style={styles.card}>{children}</Section>
          <Hr style={styles.hr} />
          <Text style={styles.footer}>{footer}</Text>
          <Text style={styles.footer}>{t('automated')}</Text>
          {brand.supportEmail ? (
            <Text style={styles.footer}>{t('support', { address: brand.supportEmail })}</Text>
          ) : null}
        </Container>
      </Body>
    </Html>
  );
}

export function Title({ children }: { children: ReactNode }) {
  return (
    <Heading as="h1" style={styles.heading}>
      {children}
    </Heading>
  );
}

export function Paragraph({ children }: { children: ReactNode }) {
  return <Text style={styles.paragraph}>{children}</Text>;
}

export function Greeting({ locale, username }: { locale: Locale; username: string }) {
  return <Paragraph>{commonTranslator(locale)('greeting', { username })}</Paragraph>;
}

/** The raw address under a link, for clients that mangle buttons; the text part already shows it. */
function UrlFallback({ locale, href }: { locale: Locale; href: string }) {
  return (
    <Text style={styles.fallback} data-skip-in-text="true">
      {commonTranslator(locale)('buttonFallback')}
      <br />
      <Link href={href} style={accented(styles.url, 'color')}>
        {href}
      </Link>
    </Text>
  );
}

/** The mail's main action: a button, then the raw URL. In the text part: "Label https://…". */
export function ActionButton({ locale, href, label }: { locale: Locale; href: string; label: string }) {
  return (
    <Section style={styles.buttonSection}>
      <Button href={href} style={accented(styles.button, 'backgroundColor')}>
        {label}
      </Button>
      <UrlFallback locale={locale} href={href} />
    </Section>
  );
}

/** A lesser action, as a plain link, with the raw URL under it. */
export function SecondaryLink({ locale, href, label }: { locale: Locale; href: string; label: string }) {
  return (
    <Section style={styles.buttonSection}>
      <Text style={{ ...styles.paragraph, margin: 0 }}>
        <Link href={href} style={accented(styles.link, 'color')}>
          {label}
        </Link>
      </Text>
      <UrlFallback locale={locale} href={href} />
    </Section>
  );
}

/** A one-time code, large and spaced so it reads at a glance. */
export function CodeBox({ code }: { code: string }) {
  return <Text style={styles.code}>{code}</Text>;
}

/** "Label: value" on one line. Values are text children, so React escapes them. */
export function Detail({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Text style={{ ...styles.paragraph, margin: '0 0 8px' }}>
      <strong style={styles.label}>{label}</strong> {children}
    </Text>
  );
}

/** Text someone typed (a sign-up comment, a lock reason): set apart, line breaks kept, escaped. */
export function Quote({ children }: { children: string }) {
  const lines = children.split(/\r\n|\r|\n/);
  return (
    <Text style={styles.quote}>
      {lines.map((line, i) => (
        <Fragment key={i}>
          {i > 0 && <br />}
          {line}
        </Fragment>
      ))}
    </Text>
  );
}

/** A value to set apart in running text: an address, a transport name. */
export function Mono({ children }: { children: ReactNode }) {
  return <span style={styles.monospace}>{children}</span>;
}
