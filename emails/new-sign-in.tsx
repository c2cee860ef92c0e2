import type { Locale } from '../lib/i18n/config';
import { templateTranslator } from './components/i18n';
import {
  ActionButton,
  Detail,
  EmailLayout,
  Greeting,
  Paragraph,
  previewAppUrl,
  SecondaryLink,
  Title,
} from './components/layout';

/**
 * Sent when an account signs in from a browser none of its recent sessions had (and the owner has not
 * turned these notices off). Holds no secret: both links are public pages.
 */
export interface NewSignInProps {
  locale: Locale;
  username: string;
  /** Browser and system names from the user agent (lib/session-management.ts describeUserAgent). */
  device: { browser: string | null; os: string | null };
  signedInAt: Date;
  /** The account's time zone (an IANA name); the time is written in it. */
  timeZone: string;
  /** The client's address, when a trusted proxy gave one. */
  ip: string | null;
  /** Absolute URL of /account/sessions, where a session can be ended. */
  sessionsUrl: string;
  /** Absolute URL of /forgot-password. */
  forgotPasswordUrl: string;
}

export function subject({ locale }: NewSignInProps): string {
  return templateTranslator(locale, 'new-sign-in')('subject');
}

function formatTime(locale: Locale, at: Date, timeZone: string): string {
  const options: Intl.DateTimeFormatOptions = {
    weekday: 'long',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  };
  try {
    return new Intl.DateTimeFormat(locale, { ...options, timeZone }).format(at);
  } catch {
    // A zone this runtime does not know (stored by an older version): UTC says the same moment.
    return new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' }).format(at);
  }
}

export default function NewSignIn({
  locale,
  username,
  device,
  signedInAt,
  timeZone,
  ip,
  sessionsUrl,
  forgotPasswordUrl,
}: NewSignInProps) {
  const t = templateTranslator(locale, 'new-sign-in');
  const { browser, os } = device;
  const deviceName =
    browser && os
      ? t('device', { browser, os })
      : browser || (os ? t('deviceOsOnly', { os }) : t('deviceUnknown'));
  return (
    <EmailLayout locale={locale} preview={t('preview', { device: deviceName })} footer={t('footer')}>
      <Title>{t('heading')}</Title>
      <Greeting locale={locale} username={username} />
      <Paragraph>{t('intro')}</Paragraph>
      <Detail label={t('deviceLabel')}>{deviceName}</Detail>
      <Detail label={t('timeLabel')}>{formatTime(locale, signedInAt, timeZone)}</Detail>
      <Detail label={t('ipLabel')}>{ip ?? t('ipUnknown')}</Detail>
      <Paragraph>{t('ifYou')}</Paragraph>
      <SecondaryLink locale={locale} href={sessionsUrl} label={t('sessionsLink')} />
      <Paragraph>{t('warning')}</Paragraph>
      <ActionButton locale={locale} href={forgotPasswordUrl} label={t('button')} />
    </EmailLayout>
  );
}

NewSignIn.PreviewProps = {
  locale: 'en',
  username: 'ada',
  device: { browser: 'Firefox', os: 'Linux' },
  signedInAt: new Date('2026-03-14T09:26:00Z'),
  timeZone: 'Europe/Paris',
  ip: '203.0.113.7',
  sessionsUrl: `${previewAppUrl}/account/sessions`,
  forgotPasswordUrl: `${previewAppUrl}/forgot-password`,
} satisfies NewSignInProps;
