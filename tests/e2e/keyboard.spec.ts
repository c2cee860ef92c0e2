import type { Locator, Page } from '@playwright/test';
import { approvalQueue, expect, linkIn, PASSWORD, signInAdmin, test, type Person } from './fixtures';

/**
 * Issue 8: the main walks done with the keyboard alone (Tab, Shift+Tab, Enter, Space and typing).
 * Every element reached is checked for a visible focus ring, and a failed submission puts focus on
 * the error summary. Opening a mailed link is the only navigation by address, as it would be from
 * a mail client.
 */
test.describe.configure({ mode: 'serial' });

const admin: Person = { username: 'a11y-admin', email: 'a11y-admin@gatehouse.test', fullName: 'Ally Admin' };
const walker: Person = { username: 'keyboarder', email: 'keyboarder@example.test', fullName: 'Kay Board' };
const NEW_PASSWORD = 'a brand new keyboard passphrase';

/** True when the focused element shows an outline or a box-shadow (the focus ring). */
async function focusIsVisible(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return false;
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    return outline || style.boxShadow !== 'none';
  });
}

/**
 * Presses Tab (or Shift+Tab) until `target` has focus, checking the focus ring on every element on
 * the way; fails after 80 presses.
 */
async function tabTo(page: Page, target: Locator, key: 'Tab' | 'Shift+Tab' = 'Tab') {
  for (let i = 0; i < 80; i += 1) {
    await page.keyboard.press(key);
    const focused = page.locator(':focus');
    if ((await focused.count()) === 1) {
      expect(
        await focusIsVisible(page),
        `focus ring on ${await focused.evaluate((e) => e.outerHTML.slice(0, 120))}`,
      ).toBe(true);
    }
    if (await target.evaluate((el) => el === document.activeElement)) return;
  }
  throw new Error(`Tab never reached ${target.toString()}`);
}

async function typeInto(page: Page, field: Locator, text: string) {
  await tabTo(page, field);
  await page.keyboard.type(text);
}

async function expectSummaryFocused(page: Page) {
  const summary = page.locator(':focus');
  await expect(summary.getByRole('heading', { name: 'There is a problem' })).toBeVisible();
}

test('register by keyboard: an empty submit focuses the error summary; then the account is created', async ({
  page,
  mailbox,
}) => {
  await page.goto('/register');
  await tabTo(page, page.getByRole('button', { name: 'Create account' }));
  await page.keyboard.press('Enter');
  await expectSummaryFocused(page);
  // From the summary, a link leads into the field in error.
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(page.getByLabel('Username')).toBeFocused();
  await page.keyboard.type(walker.username);

  await typeInto(page, page.getByLabel('Email address'), walker.email);
  await typeInto(page, page.getByLabel('Password', { exact: true }), PASSWORD);
  await typeInto(page, page.getByLabel('Type the password again'), PASSWORD);
  await typeInto(page, page.getByLabel('Full name'), walker.fullName);
  await tabTo(page, page.getByRole('button', { name: 'Create account' }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Check your inbox' })).toBeVisible();

  await page.goto(linkIn(await mailbox.waitForMail(walker.email), '/verify-email'));
  await typeInto(page, page.getByLabel('Password chosen at sign-up'), PASSWORD);
  await tabTo(page, page.getByRole('button', { name: 'Confirm my email address' }));
  await page.keyboard.press('Space');
  await expect(page.getByRole('heading', { name: 'Address confirmed' })).toBeVisible();
});

test('an admin signs in and approves the pending user from /admin/users by keyboard', async ({
  browser,
  mailbox,
}) => {
  // The account may not exist yet when this file runs alone; signInAdmin makes it.
  const setup = await browser.newContext();
  await signInAdmin(await setup.newPage(), mailbox, admin);
  await setup.close();

  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto('/login');
  await typeInto(page, page.getByLabel('Email or username'), admin.email);
  await typeInto(page, page.getByLabel('Password'), PASSWORD);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/account$/);

  await tabTo(page, page.getByRole('link', { name: 'Administration', exact: true }));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/admin$/);
  // The overview says who is waiting and leads to the queue.
  await tabTo(page, page.getByRole('link', { name: 'Review the approval queue' }));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/admin\/users#pending-title$/);
  const approve = approvalQueue(page).getByRole('button', { name: `Approve ${walker.username}` });
  await tabTo(page, approve);
  await page.keyboard.press('Enter');
  await expect(approvalQueue(page).getByText(walker.email)).toHaveCount(0);
  await mailbox.waitForMail(walker.email, { predicate: (m) => /welcome/i.test(m.subject) });
  await context.close();
});

test('login by keyboard: a wrong password focuses the summary; the right one signs in', async ({ page }) => {
  await page.goto('/login');
  await typeInto(page, page.getByLabel('Email or username'), walker.username);
  await typeInto(page, page.getByLabel('Password'), 'not the password at all');
  await page.keyboard.press('Enter');
  await expectSummaryFocused(page);
  await expect(page.locator(':focus')).toContainText('The email, username or password is not right');

  await tabTo(page, page.getByLabel('Password'));
  await page.keyboard.press('Control+A');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/account$/);
});

test('password reset by keyboard: request the link, set a new password from it, sign in', async ({
  page,
  mailbox,
}) => {
  await page.goto('/forgot-password');
  await tabTo(page, page.getByRole('button', { name: 'Send me a link' }));
  await page.keyboard.press('Enter');
  await expectSummaryFocused(page);
  await tabTo(page, page.getByLabel('Email address'), 'Shift+Tab');
  await page.keyboard.type(walker.email);
  await page.keyboard.press('Enter');
  await expect(page.getByText('If that address belongs to an account')).toBeVisible();

  await page.goto(linkIn(await mailbox.waitForMail(walker.email), '/reset-password'));
  await typeInto(page, page.getByLabel('New password', { exact: true }), NEW_PASSWORD);
  await typeInto(page, page.getByLabel('Type it again'), 'something else entirely here');
  await page.keyboard.press('Enter');
  await expectSummaryFocused(page);
  await tabTo(page, page.getByLabel('Type it again'));
  await page.keyboard.press('Control+A');
  await page.keyboard.type(NEW_PASSWORD);
  await tabTo(page, page.getByRole('button', { name: 'Set new password' }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Password changed' })).toBeVisible();
  await tabTo(page, page.getByRole('link', { name: 'Go to sign in' }));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/login\?passwordReset=1/);

  await typeInto(page, page.getByLabel('Email or username'), walker.email);
  await typeInto(page, page.getByLabel('Password'), NEW_PASSWORD);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/account$/);
});
