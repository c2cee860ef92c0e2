import type { Page } from '@playwright/test';
import { expect, linkIn, signIn, test } from '../e2e/fixtures';

/**
 * S56 in the browser, against the production build: a stranger signs up with someone else's address
 * and their own password. The confirmation link lands in the owner's inbox; opening it must not be
 * enough to confirm. The owner's own password is refused (it is not the row's), and choosing a new
 * password on the page, with JavaScript off, confirms the address with that password only.
 */

const VICTIM = 'hijack-victim@example.test';
const STRANGER = 'a stranger picked this passphrase';
const OWNER = 'the owner picks another passphrase';

async function register(page: Page, username: string, email: string, password: string) {
  await page.goto('/register');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Type the password again').fill(password);
  await page.getByLabel('Full name').fill('Not The Owner');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { name: 'Check your inbox' })).toBeVisible();
}

test("S56: the stranger's link confirms nothing without proof; a new password set without JavaScript is the only one that works", async ({
  browser,
  mailbox,
}) => {
  const strangerContext = await browser.newContext();
  await register(await strangerContext.newPage(), 'hijacker', VICTIM, STRANGER);
  await strangerContext.close();
  const mail = await mailbox.waitForMail(VICTIM);

  // With JavaScript: the owner tries their own password, which is not the one on the row.
  const ownerContext = await browser.newContext();
  const owner = await ownerContext.newPage();
  await owner.goto(linkIn(mail, '/verify-email'));
  await owner.getByLabel('Password chosen at sign-up').fill(OWNER);
  await owner.getByRole('button', { name: 'Confirm my email address' }).click();
  await expect(owner.getByRole('heading', { name: 'There is a problem' })).toBeVisible();
  await expect(owner.getByText('This is not the password given at sign-up.').first()).toBeVisible();
  await ownerContext.close();

  // Without JavaScript, the same link (still live): a new password, typed twice, confirms.
  const plainContext = await browser.newContext({ javaScriptEnabled: false });
  const plain = await plainContext.newPage();
  await plain.goto(linkIn(mail, '/verify-email'));
  await plain.getByLabel('New password', { exact: true }).fill(OWNER);
  await plain.getByLabel('Repeat the new password').fill(OWNER);
  await plain.getByRole('button', { name: 'Set this password and confirm' }).click();
  await expect(plain.getByRole('heading', { name: 'Address confirmed' })).toBeVisible();

  // The stranger's password gets the generic refusal; the owner's is right (told to wait, S21).
  await signIn(plain, VICTIM, STRANGER);
  await expect(
    plain.getByText('The email, username or password is not right.', { exact: false }),
  ).toBeVisible();
  await signIn(plain, VICTIM, OWNER);
  await expect(
    plain.getByText('Your account is waiting for an administrator’s approval.', { exact: false }),
  ).toBeVisible();
  await plainContext.close();
});
