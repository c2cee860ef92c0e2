import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { locales } from '../lib/i18n/config';
import en from '../lib/i18n/messages/en/emails.json';
import { formatLifetime } from './components/i18n';
import { previewAppUrl } from './components/layout';
import {
  isTemplateName,
  previewProps,
  renderEmail,
  templateNames,
  UnknownTemplateError,
  type TemplateName,
} from './index';

const base = 'https://accounts.example.test';

const secretTemplates: TemplateName[] = [
  'verify-email',
  'verify-email-resend',
  'reset-password',
  'email-change-confirm',
  'email-change-notice',
  'set-password',
  'invite',
];

function hrefs(html: string): string[] {
  return [...html.matchAll(/href="([^"]*)"/g)].map((m) => (m[1] ?? '').replaceAll('&amp;', '&'));
}

function htmlLang(html: string): string | undefined {
  return /<html\b[^>]*\blang="([^"]*)"/.exec(html)?.[1];
}

function textUrls(text: string): string[] {
  return [...text.matchAll(/https?:\/\/[^\s<>"'\])]+/g)].map((m) => m[0]);
}

describe('preview props', () => {
  it('use the test base URL', () => {
    expect(previewAppUrl).toBe(base);
  });
});

describe.each(templateNames.map((name) => [name]))('%s', (name) => {
  it('renders a subject, html and text with only links to the app', async () => {
    const mail = await renderEmail(name, previewProps(name), 'en');

    expect(mail.subject.trim()).not.toBe('');
    expect(mail.subject).not.toMatch(/[{}]/);
    expect(mail.subject).not.toMatch(/[\r\n]/);

    expect(htmlLang(mail.html)).toBe('en');
    // No unresolved ICU argument anywhere (the preview props hold no braces of their own).
    expect(mail.html).not.toMatch(/[{}]/);
    expect(mail.text).not.toMatch(/[{}]/);

    const links = [...hrefs(mail.html), ...textUrls(mail.text)];
    for (const link of links) {
      if (/^https?:/i.test(link)) expect(link.startsWith(`${base}/`)).toBe(true);
      else expect.fail(`non-http link in ${name}: ${link}`);
    }

    expect(mail.text).toMatchSnapshot();
  });

  it(`is ${secretTemplates.includes(name) ? '' : 'not '}flagged as holding a secret`, async () => {
    const mail = await renderEmail(name, previewProps(name), 'en');
    expect(mail.containsSecret).toBe(secretTemplates.includes(name));
  });

  it('has its strings in every catalogue', async () => {
    expect(Object.keys(en)).toContain(name);
    for (const locale of locales) {
      const mail = await renderEmail(name, previewProps(name), locale);
      expect(htmlLang(mail.html)).toBe(locale);
    }
  });
});

describe('reset-password', () => {
  it('shows the 6-digit code in both parts and the link in the text part', async () => {
    const props = previewProps('reset-password');
    expect(props.code).toMatch(/^[0-9]{6}$/);
    const mail = await renderEmail('reset-password', props, 'en');
    expect(mail.text).toContain(props.code);
    expect(mail.html).toContain(props.code);
    expect(mail.text).toContain(props.resetUrl);
    expect(mail.text).toContain('30 minutes');
  });
});

describe('recovery phrase notices (S60)', () => {
  it('say whether the phrase is new or replaced, in the subject and the heading', async () => {
    const props = previewProps('recovery-phrase-created');
    for (const locale of locales) {
      const created = await renderEmail('recovery-phrase-created', { ...props, replaced: false }, locale);
      const replaced = await renderEmail('recovery-phrase-created', { ...props, replaced: true }, locale);
      expect(replaced.subject).not.toBe(created.subject);
      expect(replaced.text).not.toBe(created.text);
      expect(created.text).toContain(props.forgotPasswordUrl);
    }
  });

  it('give the reason a phrase was removed, a different one for each', async () => {
    const props = previewProps('recovery-phrase-removed');
    for (const locale of locales) {
      const texts = new Set<string>();
      for (const reason of ['email_change_not_me', 'admin_lock', 'password_reset'] as const) {
        const mail = await renderEmail('recovery-phrase-removed', { ...props, reason }, locale);
        expect(mail.text).toContain(props.securityUrl);
        texts.add(mail.text);
      }
      expect(texts.size).toBe(3);
    }
  });
});

describe('links', () => {
  it('show each action URL in the text part, so it works without HTML', async () => {
    const cases: [TemplateName, string][] = [
      ['verify-email', previewProps('verify-email').verifyUrl],
      ['account-exists', previewProps('account-exists').loginUrl],
      ['account-exists', previewProps('account-exists').forgotPasswordUrl],
      ['email-change-notice', previewProps('email-change-notice').cancelUrl],
      ['admin-new-signup', previewProps('admin-new-signup').adminUserUrl],
    ];
    for (const [name, url] of cases) {
      const mail = await renderEmail(name, previewProps(name), 'en');
      expect(mail.text).toContain(url);
      expect(hrefs(mail.html)).toContain(url);
    }
  });

  it('use exactly the URLs the caller gives (another origin passes through, nothing is rebuilt)', async () => {
    const mail = await renderEmail(
      'welcome',
      { username: 'ada', loginUrl: 'https://id.example.org/login?next=%2Fhome&x=1' },
      'en',
    );
    expect(hrefs(mail.html)).toContain('https://id.example.org/login?next=%2Fhome&x=1');
    expect(mail.text).toContain('https://id.example.org/login?next=%2Fhome&x=1');
  });
});

describe('escaping', () => {
  it('escapes what a new user typed in the admin notification', async () => {
    const mail = await renderEmail(
      'admin-new-signup',
      {
        ...previewProps('admin-new-signup'),
        fullName: '<b>Mallory</b>',
        comment: '<script>alert(1)</script>',
      },
      'en',
    );
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<b>Mallory');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.html).toContain('&lt;b&gt;Mallory&lt;/b&gt;');
    // The text part is not HTML: it shows what was typed, as typed.
    expect(mail.text).toContain('<script>alert(1)</script>');
  });

  it('keeps the line breaks of a comment, and says so when there is none', async () => {
    const withLines = await renderEmail(
      'admin-new-signup',
      { ...previewProps('admin-new-signup'), comment: 'first line\nsecond line' },
      'en',
    );
    expect(withLines.text).toMatch(/first line\nsecond line/);
    const none = await renderEmail(
      'admin-new-signup',
      { ...previewProps('admin-new-signup'), comment: null },
      'en',
    );
    expect(none.text).toContain('Comment: (none)');
  });

  it('keeps a subject on one line whatever the user typed', async () => {
    const mail = await renderEmail(
      'admin-new-signup',
      { ...previewProps('admin-new-signup'), username: 'eve\r\nBcc: victim@example.test' },
      'en',
    );
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.subject).toContain('eve Bcc: victim@example.test');
  });
});

describe('unknown templates', () => {
  it.each(['nope', '', '__proto__', 'toString', 'constructor', 'VERIFY-EMAIL'])(
    'rejects %j with UnknownTemplateError',
    async (name) => {
      expect(isTemplateName(name)).toBe(false);
      await expect(renderEmail(name as TemplateName, {} as never, 'en')).rejects.toBeInstanceOf(
        UnknownTemplateError,
      );
      expect(() => previewProps(name as TemplateName)).toThrow(UnknownTemplateError);
    },
  );

  it('isTemplateName rejects what is not a string', () => {
    for (const value of [undefined, null, 1, {}, ['verify-email']]) expect(isTemplateName(value)).toBe(false);
  });

  it('falls back to the default language for a locale no longer supported', async () => {
    const mail = await renderEmail('welcome', previewProps('welcome'), 'xx' as never);
    expect(htmlLang(mail.html)).toBe('en');
  });
});

describe('registry', () => {
  it('lists every template file in emails/, and nothing else', () => {
    const dir = fileURLToPath(new URL('.', import.meta.url));
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.tsx') && !f.endsWith('.test.tsx'))
      .map((f) => f.replace(/\.tsx$/, ''))
      .sort();
    expect(files).toEqual([...templateNames].sort());
  });

  it('is what docs/emails.md lists, in the same order', () => {
    const doc = readFileSync(new URL('../docs/emails.md', import.meta.url), 'utf8');
    const listed = [...doc.matchAll(/^\| `([a-z-]+)` +\|/gm)].map((m) => m[1]);
    expect(listed).toEqual([...templateNames]);
  });
});

describe('formatLifetime', () => {
  it.each([
    [30, '30 minutes'],
    [1, '1 minute'],
    [60, '1 hour'],
    [90, '90 minutes'],
    [120, '2 hours'],
    [1440, '1 day'],
    [4320, '3 days'],
  ])('%i minutes → %s', (minutes, expected) => {
    expect(formatLifetime('en', minutes)).toBe(expected);
  });
});

describe('two-factor-changed (S60)', () => {
  it('has its own subject for each event, and counts the recovery codes left after one is used', async () => {
    const props = previewProps('two-factor-changed');
    const events = [
      'added',
      'removed',
      'recovery_code_used',
      'recovery_codes_replaced',
      'reset_by_admin',
    ] as const;
    for (const locale of locales) {
      const subjects = new Set<string>();
      for (const event of events) {
        const mail = await renderEmail('two-factor-changed', { ...props, event }, locale);
        expect(mail.text).toContain(props.forgotPasswordUrl);
        subjects.add(mail.subject);
      }
      expect(subjects.size).toBe(events.length);
    }
    const used = await renderEmail(
      'two-factor-changed',
      { ...props, event: 'recovery_code_used', recoveryCodesLeft: 3 },
      'en',
    );
    expect(used.text).toContain('3 recovery codes are left');
  });
});
