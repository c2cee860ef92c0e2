import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from '@playwright/test';
import { enrolAuthenticator, freshCode, totpCode } from '../helpers/totp';
import { activeUser, expect, PASSWORD, signIn, signInAdmin, signInOk, test, type Person } from './fixtures';

/**
 * Issue 14, the authenticator app: enrolment from the key's text, sign-in with password and code or
 * a recovery code, a reused code refused, the whole path without JavaScript, and an admin sent to
 * enrolment before /admin once the platform requires it. Codes are computed as an app would.
 */
// Each test signs in several times, and a fresh code may mean waiting for the app's next 30-second step.
test.describe.configure({ mode: 'serial', timeout: 180_000 });

const admin: Person = { username: 'totp-admin', email: 'totp-admin@gatehouse.test', fullName: 'Tess Admin' };

async function passwordStep(browser: Browser, identifier: string, options = { javaScriptEnabled: true }) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await signIn(page, identifier);
  await expect(page).toHaveURL(/\/login\/two-factor$/);
  await expect(page.getByRole('heading', { name: 'Two-step verification', level: 1 })).toBeVisible();
  return { context, page };
}

async function enterCode(page: Page, code: string) {
  await page.getByLabel('Code from the app').fill(code);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

const noViolations = async (page: Page) =>
  expect((await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze()).violations).toEqual([]);

test('enrol from the key as text, then sign in with password and code, with a recovery code, and not with a reused code', async ({
  browser,
  mailbox,
}) => {
  const { page, context, email } = await activeUser(browser, mailbox, admin, 'totp-owner');
  await signInOk(page, email);
  await page.goto('/account/two-factor');
  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Continue' }).click();
  // The QR code is inline SVG rendered on the server, and the page stays accessible with it.
  await expect(page.getByRole('img', { name: /QR code/ }).locator('svg')).toBeVisible();
  await noViolations(page);
  await page.goto('/account/two-factor');
  const { secret, recoveryCodes, step } = await enrolAuthenticator(page, PASSWORD);
  await expect(page.getByText('Two-factor sign-in is on. Keep these recovery codes.')).toBeVisible();
  const added = await mailbox.waitForMail(email, { predicate: (m) => /turned on/.test(m.subject) });
  expect(added.text).not.toContain(secret);
  await context.close();

  // Password and a code from the app.
  const first = await passwordStep(browser, email);
  await noViolations(first.page);
  const fresh = await freshCode(secret, step);
  await enterCode(first.page, fresh.code);
  await expect(first.page).toHaveURL(/\/account$/);
  await first.context.close();

  // The same code again, in another sign-in: refused, and no session.
  const replay = await passwordStep(browser, email);
  await enterCode(replay.page, fresh.code);
  await expect(replay.page.getByText(/That code is not right/).first()).toBeVisible();
  await replay.page.goto('/account');
  await expect(replay.page).toHaveURL(/\/login/);
  await replay.context.close();

  // A recovery code, typed in capitals: in, and the owner is mailed.
  const lost = await passwordStep(browser, email);
  await lost.page.getByLabel('Recovery code').fill(recoveryCodes[0]!.toUpperCase());
  await lost.page.getByRole('button', { name: 'Sign in with a recovery code' }).click();
  await expect(lost.page).toHaveURL(/\/account$/);
  const used = await mailbox.waitForMail(email, {
    predicate: (m) => /recovery code was used/.test(m.subject),
  });
  expect(used.text).toContain('9 recovery codes are left');
  await lost.page.goto('/account/two-factor');
  await expect(lost.page.getByText(/9 recovery codes are left/)).toBeVisible();
  await lost.context.close();

  // The spent recovery code does not work twice.
  const again = await passwordStep(browser, email);
  await again.page.getByLabel('Recovery code').fill(recoveryCodes[0]!);
  await again.page.getByRole('button', { name: 'Sign in with a recovery code' }).click();
  await expect(again.page.getByText(/That code is not right/).first()).toBeVisible();
  await again.context.close();
});

test('without JavaScript: enrol, see the QR code and the key, and sign in with password and code', async ({
  browser,
  mailbox,
}) => {
  const { context: setup, email } = await activeUser(browser, mailbox, admin, 'totp-nojs');
  await setup.close();
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signInOk(page, email);
  const { secret, step } = await enrolAuthenticator(page, PASSWORD);
  await context.close();

  const { page: second, context: secondContext } = await passwordStep(browser, email, {
    javaScriptEnabled: false,
  });
  // A wrong code is answered by the server, in place.
  const wrong = totpCode(secret, step + 40);
  await enterCode(second, wrong);
  await expect(second.getByText(/That code is not right\. 4 tries left\./).first()).toBeVisible();
  await enterCode(second, (await freshCode(secret, step)).code);
  await expect(second).toHaveURL(/\/account$/);
  await secondContext.close();
});

test('an admin without two-factor sign-in is sent to enrolment before /admin once it is required', async ({
  browser,
  mailbox,
}) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signInAdmin(page, mailbox, admin);
  const setRequirement = async (required: boolean) => {
    await page.goto('/admin/settings');
    const box = page.getByLabel('Require two-factor sign-in for administrators');
    if (required) await box.check();
    else await box.uncheck();
    await page.getByLabel('Grace period (days)').fill('0');
    await page.getByRole('button', { name: 'Save settings' }).first().click();
    // Once it applies to this admin, the answer to the save itself already leads to enrolment.
    await expect(
      page
        .getByText(/^Saved: \d+ settings? changed\.$/)
        .or(page.getByRole('heading', { name: 'Two-factor sign-in', level: 1 })),
    ).toBeVisible();
  };
  try {
    await setRequirement(true);
    await page.goto('/admin/users');
    await expect(page).toHaveURL(/\/account\/two-factor\?required=1$/);
    await expect(
      page.getByRole('alert').filter({ hasText: 'Your administrator requires two-factor sign-in' }),
    ).toBeVisible();
    // The other account pages lead there too.
    await page.goto('/account/profile');
    await expect(page).toHaveURL(/\/account\/two-factor\?required=1$/);

    await enrolAuthenticator(page, PASSWORD);
    await page.goto('/admin/users');
    await expect(page).toHaveURL(/\/admin\/users$/);
  } finally {
    await setRequirement(false);
    await context.close();
  }
});
