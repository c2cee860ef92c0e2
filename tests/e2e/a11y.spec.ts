import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page, TestInfo } from '@playwright/test';
import {
  approvalQueue,
  expect,
  fillRegistration,
  linkIn,
  PASSWORD,
  registerAndConfirm,
  signInAdmin,
  signInOk,
  test,
  type Person,
} from './fixtures';

/**
 * Issue 8: every page passes axe-core with no violation in the light and the dark theme, has no
 * horizontal scrolling at 360 px, and leaves a screenshot at 360 and 1280 px in each theme under
 * test-results/e2e-pglite/screenshots/ (see docs/accessibility.md). The pages opened from a link in mail are
 * audited twice: with a live link from a real mail, and with none.
 */
test.describe.configure({ mode: 'serial' });

const admin: Person = { username: 'a11y-admin', email: 'a11y-admin@gatehouse.test', fullName: 'Ally Admin' };
const plain: Person = { username: 'a11y-plain', email: 'a11y-plain@example.test', fullName: 'Plain Ally' };
/** Left waiting, so that the approval queue is on the page when it is audited. */
const waiting: Person = {
  username: 'a11y-waiting',
  email: 'a11y-waiting-with-a-rather-long-address@example.test',
  fullName: 'Wanda Waiting',
  comment: 'Please let me in: I run the lab on the third floor.',
};
/** Registers and never confirms: the confirmation page is audited with the link from that mail. */
const unconfirmed: Person = {
  username: 'a11y-unconfirmed',
  email: 'a11y-unconfirmed@example.test',
  fullName: 'Una Confirmed',
};
/** Created by the admin: the set-password page is audited with the link from that mail. */
const invited = { username: 'a11y-invited', email: 'a11y-invited@example.test', fullName: 'Ivo Invited' };
const themes = ['light', 'dark'] as const;
type Theme = (typeof themes)[number];
const widths = [360, 1280] as const;

/**
 * WCAG 2.x A and AA and best practices, every rule. Legacy mode runs axe.run() in the page itself,
 * where the default mode runs it per frame and then again in a blank page it opens for the purpose:
 * the same rules and results for pages without frames, in well under half the time. Only violations
 * are asserted, so axe is not asked to gather the passing nodes (docs/decisions/015).
 */
const axe = (page: Page) =>
  new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
    .setLegacyMode()
    .options({ resultTypes: ['violations'] });

/** A page name safe for a file name: "/admin/users/<id>" → "admin-users-id". */
const slug = (name: string) => name.replace(/^\//, '').replace(/[^a-z0-9]+/gi, '-') || 'home';

/**
 * Audits the page that is open: axe at 1280 px (WCAG 2.x A and AA and best practices), then at each
 * width a full-page screenshot, and at 360 px no horizontal scrolling.
 */
async function audit(page: Page, name: string, theme: Theme, testInfo: TestInfo) {
  await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
  for (const width of widths) {
    await page.setViewportSize({ width, height: 800 });
    if (width === 1280) {
      const { violations } = await axe(page).analyze();
      const summary = violations.map((v) => ({
        rule: v.id,
        impact: v.impact,
        nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`.slice(0, 300)),
      }));
      // Soft: one run lists every page's problems, not only the first.
      expect.soft(summary, `axe on ${name} (${theme})`).toEqual([]);
    } else {
      const overflow = await page.evaluate(() => {
        const { scrollWidth, clientWidth } = document.documentElement;
        // The elements that stick out of the page while their parent does not: the culprits.
        const culprits = [...document.body.querySelectorAll('*')]
          .filter((el) => {
            const parent = el.parentElement;
            // Absolutely positioned boxes escape a scrolling parent that is not their containing block.
            const escapes = getComputedStyle(el).position === 'absolute';
            return (
              el.getBoundingClientRect().right > clientWidth + 1 &&
              parent !== null &&
              (parent.getBoundingClientRect().right <= clientWidth + 1 || escapes)
            );
          })
          .slice(0, 5)
          .map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
        return { scrollWidth, clientWidth, culprits };
      });
      expect
        .soft(
          overflow.scrollWidth,
          `horizontal scrolling on ${name} at ${width}px (${theme}): ${overflow.culprits.join(', ')}`,
        )
        .toBeLessThanOrEqual(overflow.clientWidth);
    }
    await page.screenshot({
      path: path.join(testInfo.project.outputDir, 'screenshots', `${slug(name)}-${width}-${theme}.png`),
      fullPage: true,
    });
  }
}

async function visitAll(page: Page, paths: string[], theme: Theme, testInfo: TestInfo, names = paths) {
  for (const [i, path] of paths.entries()) {
    await page.goto(path);
    await audit(page, names[i]!, theme, testInfo);
  }
}

const publicPages = [
  '/',
  '/login',
  '/login/two-factor',
  '/register',
  '/register/check-inbox',
  '/forgot-password',
  '/forgot-password/phrase',
  '/reset-password',
  '/reset-password/done',
  '/verify-email',
  '/verify-email/resend',
  '/set-password',
  '/email-change/confirm',
  '/email-change/not-me',
  '/api/docs',
  '/no-such-page',
];

const accountPages = [
  '/account',
  '/account/profile',
  '/account/security',
  '/account/email',
  '/account/sessions',
  '/account/settings',
  '/account/recovery',
  '/account/tokens',
  '/account/passkeys',
  '/account/two-factor',
  '/account/delete',
  '/account/activity',
  '/account/invites',
  '/account/export',
  '/logout',
];

let adminContext: BrowserContext;
let adminPage: Page;
let plainId = '';

async function signedInAdmin(browser: Browser, mailbox: Parameters<typeof signInAdmin>[1]) {
  adminContext = await browser.newContext();
  adminPage = await adminContext.newPage();
  await signInAdmin(adminPage, mailbox, admin);
}

/** Links to the pages opened from mail, each from a real mail of the set-up; audited while live. */
const liveLinks: { name: string; path: string; heading: string }[] = [];

test('set-up: people in every state, a 403 for a plain user, and a live link to every page opened from mail', async ({
  browser,
  mailbox,
}, testInfo) => {
  await signedInAdmin(browser, mailbox);
  const context = await browser.newContext();
  const page = await context.newPage();
  await registerAndConfirm(page, mailbox, plain);
  await registerAndConfirm(page, mailbox, waiting);
  await fillRegistration(page, unconfirmed);
  liveLinks.push({
    name: '/verify-email/live-link',
    path: linkIn(await mailbox.waitForMail(unconfirmed.email), '/verify-email'),
    heading: 'Confirm your email address',
  });

  await adminPage.goto('/admin/users');
  const row = approvalQueue(adminPage).getByRole('row').filter({ hasText: plain.email });
  plainId = (await row.getByRole('link', { name: plain.username }).getAttribute('href'))!.split('/').pop()!;
  await adminPage.getByRole('button', { name: `Approve ${plain.username}` }).click();
  await expect(approvalQueue(adminPage).getByText(plain.email)).toHaveCount(0);
  await page.goto('/forgot-password');
  await page.getByLabel('Email address').fill(plain.email);
  await page.getByRole('button', { name: 'Send me a link' }).click();
  await expect(page.getByText('If that address belongs to an account')).toBeVisible();
  const resetMail = await mailbox.waitForMail(plain.email, { predicate: (m) => /reset/i.test(m.subject) });
  liveLinks.push({
    name: '/reset-password/live-link',
    path: linkIn(resetMail, '/reset-password'),
    heading: 'Choose a new password',
  });
  await adminPage.goto('/admin/users/new');
  await adminPage.getByLabel('Email address').fill(invited.email);
  await adminPage.getByLabel('Username').fill(invited.username);
  await adminPage.getByLabel('Full name').fill(invited.fullName);
  await adminPage.getByRole('button', { name: 'Create user' }).click();
  await expect(adminPage.getByText(`${invited.username} has been created`)).toBeVisible();
  liveLinks.push({
    name: '/set-password/live-link',
    path: linkIn(await mailbox.waitForMail(invited.email), '/set-password'),
    heading: 'Choose your password',
  });

  await signInOk(page, plain.email);
  for (const theme of themes) {
    await page.getByRole('button', { name: theme === 'dark' ? 'Dark' : 'Light', exact: true }).click();
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    const response = await page.goto('/admin');
    expect(response?.status()).toBe(403);
    await audit(page, '403', theme, testInfo);
  }
  const newEmail = 'a11y-plain-moved@example.test';
  await page.goto('/account/email');
  await page.getByLabel('New email address').fill(newEmail);
  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Change email address' }).click();
  await expect(page.getByRole('heading', { name: 'Change waiting for confirmation' })).toBeVisible();
  liveLinks.push(
    {
      name: '/email-change/confirm/live-link',
      path: linkIn(await mailbox.waitForMail(newEmail), '/email-change/confirm'),
      heading: 'Confirm your new email address',
    },
    {
      name: '/email-change/not-me/live-link',
      path: linkIn(
        await mailbox.waitForMail(plain.email, { predicate: (m) => m.text.includes(newEmail) }),
        '/email-change/not-me',
      ),
      heading: 'Stop this email change',
    },
  );
  await context.close();
});

for (const theme of themes) {
  test(`public pages pass axe, fit 360 px and are photographed (${theme})`, async ({ browser }, testInfo) => {
    test.setTimeout(240_000);
    const context = await browser.newContext();
    await context.addCookies([{ name: 'gatehouse-theme', value: theme, url: testInfo.project.use.baseURL! }]);
    const page = await context.newPage();
    // Without a link first: following one leaves its token in a cookie for that page.
    await visitAll(page, publicPages, theme, testInfo);
    // The error summary and the messages beside the fields: the registration form sent empty.
    await page.goto('/register');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.getByRole('heading', { name: 'There is a problem' })).toBeVisible();
    await audit(page, '/register/with-errors', theme, testInfo);
    // Looking is free (S43): each link is still live for the other theme.
    for (const link of liveLinks) {
      await page.goto(link.path);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(link.heading);
      // The form that acts on the link, not the code form /reset-password shows without one
      // (/verify-email has two: the sign-up password, or a new one).
      await expect(page.locator('input[type="hidden"][name="token"]').first()).toBeAttached();
      await audit(page, link.name, theme, testInfo);
    }
    await context.close();
  });
}

test('"system" follows the browser: dark colours with a dark colour scheme, and still no violation', async ({
  browser,
}, testInfo) => {
  const context = await browser.newContext({ colorScheme: 'dark' });
  const page = await context.newPage();
  await page.goto('/login');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'system');
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(background).toBe('rgb(15, 17, 21)');
  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(violations.map((v) => v.id)).toEqual([]);
  await page.screenshot({
    path: path.join(testInfo.project.outputDir, 'screenshots', 'login-1280-system-dark.png'),
  });
  await context.close();
});

for (const theme of themes) {
  test(`account and admin pages pass axe, fit 360 px and are photographed (${theme})`, async ({
    browser,
    mailbox,
  }, testInfo) => {
    // Twenty pages, each audited and photographed twice.
    test.setTimeout(300_000);
    if (!adminPage) await signedInAdmin(browser, mailbox);
    // A signed-in person's saved theme wins over the cookie: choose it with the footer switcher.
    await adminPage.goto('/account');
    await adminPage.getByRole('button', { name: theme === 'dark' ? 'Dark' : 'Light', exact: true }).click();
    await expect(adminPage.locator('html')).toHaveAttribute('data-theme', theme);
    const adminPages = [
      '/admin',
      '/admin/users',
      `/admin/users/${plainId}`,
      '/admin/users/new',
      '/admin/users/invites',
      '/admin/settings',
      '/admin/mail',
      '/admin/audit',
    ];
    const names = [...accountPages, ...adminPages.map((p) => p.replace(plainId, 'id'))];
    await visitAll(adminPage, [...accountPages, ...adminPages], theme, testInfo, names);
  });
}

test.afterAll(async () => {
  await adminContext?.close();
});

test('with reduced motion asked for, nothing moves: no running animation, no transition longer than 0.01 ms', async ({
  browser,
}) => {
  const context = await browser.newContext({ reducedMotion: 'reduce' });
  const page = await context.newPage();
  for (const path of ['/', '/login', '/register', '/forgot-password']) {
    await page.goto(path);
    // The strength meter and the form react to typing: give them something to animate.
    if (path === '/register') await page.getByLabel('Password', { exact: true }).fill('some password');
    const motion = await page.evaluate(() => {
      const seconds = (value: string) =>
        Math.max(
          ...value
            .split(',')
            .map((part) => (part.trim().endsWith('ms') ? parseFloat(part) / 1000 : parseFloat(part))),
        );
      let longest = 0;
      for (const el of document.querySelectorAll('*')) {
        for (const pseudo of [null, '::before', '::after']) {
          const style = getComputedStyle(el, pseudo);
          longest = Math.max(longest, seconds(style.transitionDuration), seconds(style.animationDuration));
        }
      }
      return { longest, running: document.getAnimations().length };
    });
    expect(motion.running, path).toBe(0);
    expect(motion.longest, path).toBeLessThanOrEqual(0.00001);
  }
  await context.close();
});
