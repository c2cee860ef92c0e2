import { test as base, expect, type Browser, type Page } from '@playwright/test';
import { linksIn, startSmtpCatcher, type CaughtMail, type SmtpCatcher } from '../helpers/smtp-catcher';

/**
 * The app under test sends real SMTP to this catcher (see playwright.config.ts); it lives in the
 * worker, so every test of the run reads the same mailbox.
 */
let clients = 0;
/**
 * Each browser context is another client, as on the internet: its own address in X-Forwarded-For
 * (the hop a proxy in front of the app would add), so per-IP limits count per person, not per run.
 */
const nextClientIp = () => `198.51.100.${(clients += 1) % 250}`;

export const test = base.extend<object, { mailbox: SmtpCatcher }>({
  extraHTTPHeaders: async ({}, use) => {
    await use({ 'x-forwarded-for': nextClientIp() });
  },
  browser: [
    async ({ browser }, use) => {
      const newContext = browser.newContext.bind(browser);
      browser.newContext = (options = {}) =>
        newContext({
          ...options,
          extraHTTPHeaders: { 'x-forwarded-for': nextClientIp(), ...options.extraHTTPHeaders },
        });
      await use(browser);
    },
    { scope: 'worker' },
  ],
  mailbox: [
    async ({}, use) => {
      const catcher = await startSmtpCatcher({ port: Number(process.env.E2E_SMTP_PORT) });
      await use(catcher);
      await catcher.stop();
    },
    { scope: 'worker', auto: true },
  ],
});

export { expect };

export const PASSWORD = 'correct horse battery staple';

/** The link in a mail whose path is `path`, as a path + query the page can go to. */
export function linkIn(mail: CaughtMail, path: string): string {
  const link = linksIn(mail).find((l) => new URL(l).pathname === path);
  if (!link) throw new Error(`no ${path} link in "${mail.subject}"`);
  const url = new URL(link);
  return url.pathname + url.search;
}

export interface Person {
  username: string;
  email: string;
  fullName: string;
  comment?: string;
}

export async function fillRegistration(page: Page, person: Person) {
  await page.goto('/register');
  await page.getByLabel('Username').fill(person.username);
  await page.getByLabel('Email address').fill(person.email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Type the password again').fill(PASSWORD);
  await page.getByLabel('Full name').fill(person.fullName);
  if (person.comment) await page.getByLabel('A note for the administrator (optional)').fill(person.comment);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { name: 'Check your inbox' })).toBeVisible();
}

/**
 * On the page a confirmation link opens: proves the account's password is the confirmer's by typing
 * the one given at sign-up (S56), and confirms.
 */
export async function confirmWithPassword(page: Page, password = PASSWORD) {
  await page.getByLabel('Password chosen at sign-up').fill(password);
  await page.getByRole('button', { name: 'Confirm my email address' }).click();
}

/** Registers, follows the emailed link and confirms with the sign-up password. */
export async function registerAndConfirm(page: Page, mailbox: SmtpCatcher, person: Person) {
  await fillRegistration(page, person);
  const mail = await mailbox.waitForMail(person.email);
  await page.goto(linkIn(mail, '/verify-email'));
  await confirmWithPassword(page);
  await expect(page.getByRole('heading', { name: 'Address confirmed' })).toBeVisible();
}

export async function signIn(page: Page, identifier: string, password = PASSWORD) {
  await page.goto('/login');
  await page.getByLabel('Email or username').fill(identifier);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Signs in and waits until the account page is there: a sign-in that must succeed. */
export async function signInOk(page: Page, identifier: string, password = PASSWORD) {
  await signIn(page, identifier, password);
  await expect(page).toHaveURL(/\/account$/);
}

/**
 * Signs in an administrator named in ADMIN_EMAILS (playwright.config.ts), registering and
 * confirming the address first when this run has not made the account yet.
 */
export async function signInAdmin(page: Page, mailbox: SmtpCatcher, admin: Person) {
  await signIn(page, admin.email);
  // Whichever answer comes first: waiting out a timeout for the account page cost seconds per admin.
  const refused = page.getByRole('heading', { name: 'There is a problem' });
  await expect(page.getByRole('heading', { name: 'Your account', level: 1 }).or(refused)).toBeVisible();
  if (await refused.isVisible()) {
    await registerAndConfirm(page, mailbox, admin);
    await signIn(page, admin.email);
  }
  await expect(page).toHaveURL(/\/account$/);
}

/** The approval queue on /admin/users. */
export const approvalQueue = (page: Page) => page.getByRole('region', { name: /Waiting for approval/ });

/**
 * A new account that can sign in, in a browser context of its own: registered and confirmed by its
 * owner, approved by `admin` (created on the spot when this file runs alone).
 */
export async function activeUser(browser: Browser, mailbox: SmtpCatcher, admin: Person, name: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await registerAndConfirm(page, mailbox, {
    username: name,
    email: `${name}@example.test`,
    fullName: `${name} Person`,
  });
  const adminContext = await browser.newContext();
  const adminPage = await adminContext.newPage();
  await signInAdmin(adminPage, mailbox, admin);
  await adminPage.goto('/admin/users');
  await adminPage.getByRole('button', { name: `Approve ${name}` }).click();
  await expect(approvalQueue(adminPage).getByText(`${name}@example.test`)).toHaveCount(0);
  await mailbox.waitForMail(`${name}@example.test`);
  await adminContext.close();
  return { context, page, email: `${name}@example.test` };
}
