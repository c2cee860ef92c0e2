import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from '@playwright/test';
import { startOnOwnPostgres, type OwnPostgresServer } from '../helpers/own-postgres';
import { errorLines } from '../helpers/own-server';
import { startSmtpCatcher, type CaughtMail, type SmtpCatcher } from '../helpers/smtp-catcher';
import { expect, PASSWORD, registerAndConfirm, signInOk, test, type Person } from './fixtures';

/**
 * The operator's own brand (decision 029), on a server and database of its own so that no other spec
 * sees it: an admin names the product, picks a colour, a support address and a logo; every page and
 * every mail then carries them, in English and French, and no "Gatehouse" is left in what a person
 * sees. An SVG carrying a script is refused. Needs Postgres, as two-instances.spec.ts does.
 */
test.describe.configure({ mode: 'serial' });

const admin: Person = {
  username: 'brand-admin',
  email: 'brand-admin@acme.example',
  fullName: 'Brand Admin',
};
const member: Person = {
  username: 'brand-member',
  email: 'brand-member@acme.example',
  fullName: 'Bea Member',
};
const PRODUCT = 'Acme Accounts';
const ACCENT = '#0b6e4f';
const SUPPORT = 'help@acme.example';
// A 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const SVG_WITH_SCRIPT = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(document.domain)</script></svg>',
);

/** The rules tests/e2e/a11y.spec.ts audits with. */
const axe = (page: Page) =>
  new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
    .options({ resultTypes: ['violations'] });

let own: OwnPostgresServer | undefined;
let catcher: SmtpCatcher | undefined;
let skipBecause = '';

test.beforeAll(async () => {
  test.setTimeout(180_000);
  catcher = await startSmtpCatcher({ port: 0 });
  try {
    own = await startOnOwnPostgres('brand', () => ({
      ADMIN_EMAILS: admin.email,
      SMTP_PORT: String(catcher!.port),
    }));
  } catch (error) {
    skipBecause = `no server on its own Postgres database (${String(error).slice(0, 300)})`;
    if (process.env.CI) throw error;
  }
});

test.afterAll(async () => {
  await own?.stop();
  await catcher?.stop();
});

test.beforeEach(() => {
  test.skip(Boolean(skipBecause), skipBecause);
});

async function brandSection(page: Page) {
  await page.goto('/admin/settings');
  return page.getByRole('region', { name: 'Brand' });
}

/** What a person sees on a page: its title and its text. */
async function seen(page: Page, path: string): Promise<string> {
  const response = await page.goto(path);
  expect(response?.status(), path).toBeLessThan(500);
  return `${await page.title()}\n${await page.locator('body').innerText()}`;
}

const mailParts = (mail: CaughtMail) => [mail.from.name, mail.subject, mail.html, mail.text];

async function newContext(browser: Browser, locale: 'en-GB' | 'fr-FR') {
  return browser.newContext({ baseURL: own!.server.url, locale });
}

test('an admin sets the name, colour, support address and logo; an SVG with a script is refused', async ({
  browser,
}) => {
  const context = await newContext(browser, 'en-GB');
  const page = await context.newPage();
  await registerAndConfirm(page, catcher!, admin);
  await signInOk(page, admin.username);
  await expect(page).toHaveTitle(/Gatehouse/);

  let brand = await brandSection(page);
  await brand.getByLabel('Product name').fill(PRODUCT);
  await brand.getByLabel('Accent colour').fill('#ffd400');
  await brand.getByLabel('Support address').fill(SUPPORT);
  await brand
    .getByLabel('Image file')
    .setInputFiles({ name: 'logo.svg', mimeType: 'image/svg+xml', buffer: SVG_WITH_SCRIPT });
  await brand.getByRole('button', { name: 'Save brand' }).click();
  // The colour is refused in the browser before anything is sent.
  await expect(
    brand.getByText('This colour is too light to read as text on a light page.').first(),
  ).toBeVisible();
  await brand.getByLabel('Accent colour').fill(ACCENT);
  await brand.getByRole('button', { name: 'Save brand' }).click();
  await expect(brand.getByText('SVG images are not accepted: they can carry scripts.').first()).toBeVisible();
  // Nothing of that post was kept.
  await page.reload();
  await expect(page.getByRole('link', { name: 'Gatehouse' })).toBeVisible();

  // A PNG that claims to be an SVG is judged by its bytes, and kept.
  brand = await brandSection(page);
  await brand.getByLabel('Product name').fill(PRODUCT);
  await brand.getByLabel('Accent colour').fill(ACCENT);
  await brand.getByLabel('Support address').fill(SUPPORT);
  await brand
    .getByLabel('Image file')
    .setInputFiles({ name: 'logo.svg', mimeType: 'image/svg+xml', buffer: PNG });
  await brand.getByRole('button', { name: 'Save brand' }).click();
  await expect(brand.getByText('Saved: 2 settings changed.')).toBeVisible();
  await page.reload();
  await expect(page.getByRole('link', { name: PRODUCT }).first()).toBeVisible();
  await expect(page).toHaveTitle(`Platform settings · ${PRODUCT}`);
  // The settings page with the current logo shown passes axe.
  expect((await axe(page).analyze()).violations.map((v) => v.id)).toEqual([]);

  const logo = page.locator('header img');
  const src = await logo.getAttribute('src');
  expect(src).toMatch(/^\/api\/brand\/logo\?v=[0-9a-f]{16}$/);
  const served = await page.request.get(src!);
  expect(served.headers()['content-type']).toBe('image/png');
  expect(served.headers()['x-content-type-options']).toBe('nosniff');
  expect(served.headers()['content-security-policy']).toMatch(/default-src 'none'.*sandbox/);
  expect(Buffer.from(await served.body()).equals(PNG)).toBe(true);
  await context.close();
});

test('every page shows the brand and says no "Gatehouse", in English and in French', async ({ browser }) => {
  // The brand's colours and logo pass axe in both themes ("system" follows the browser's scheme).
  for (const colorScheme of ['light', 'dark'] as const) {
    const context = await browser.newContext({ baseURL: own!.server.url, colorScheme });
    const page = await context.newPage();
    for (const path of ['/', '/login']) {
      await page.goto(path);
      const { violations } = await axe(page).analyze();
      expect(
        violations.map((v) => v.id),
        `${colorScheme} ${path}`,
      ).toEqual([]);
    }
    await context.close();
  }

  for (const locale of ['en-GB', 'fr-FR'] as const) {
    const context = await newContext(browser, locale);
    const page = await context.newPage();
    for (const path of ['/', '/login', '/register', '/forgot-password', '/no-such-page']) {
      const text = await seen(page, path);
      expect(text, `${locale} ${path}`).toContain(PRODUCT);
      expect(text, `${locale} ${path}`).not.toMatch(/gatehouse/i);
    }
    await expect(page.locator('footer').getByRole('link', { name: SUPPORT })).toHaveAttribute(
      'href',
      `mailto:${SUPPORT}`,
    );
    // The accent reaches the page's colours, with its own text colour on buttons.
    const accent = await page
      .locator('html')
      .evaluate((html) => getComputedStyle(html).getPropertyValue('--accent'));
    expect(accent).toContain(ACCENT);
    await context.close();
  }
});

test('a person signing up in French gets mail in the brand, from its name, and signed-in pages show it', async ({
  browser,
}) => {
  const context = await newContext(browser, 'fr-FR');
  const page = await context.newPage();
  await page.goto('/register');
  await page.getByLabel('Nom d’utilisateur').fill(member.username);
  await page.getByLabel('Adresse e-mail').fill(member.email);
  await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Saisissez à nouveau le mot de passe').fill(PASSWORD);
  await page.getByLabel('Nom complet').fill(member.fullName);
  await page.getByRole('button', { name: 'Créer le compte' }).click();
  const mail = await catcher!.waitForMail(member.email);
  expect(mail.subject).toBe(`Confirmez votre adresse e-mail pour ${PRODUCT}`);
  expect(mail.from.name).toBe(PRODUCT);
  for (const part of mailParts(mail)) expect(part).not.toMatch(/gatehouse/i);
  expect(mail.html).toMatch(new RegExp(`<img[^>]+src="${own!.server.url}/api/brand/logo\\?v=[0-9a-f]{16}"`));
  expect(mail.html).toContain(ACCENT);
  expect(mail.text).toContain(SUPPORT);
  await context.close();

  // Signed-in pages, as the admin (the member still waits for approval), in French then in English (the
  // language the admin keeps for the next test).
  const adminContext = await newContext(browser, 'en-GB');
  const adminPage = await adminContext.newPage();
  await signInOk(adminPage, admin.username);
  for (const language of ['Français', 'English']) {
    await adminPage.goto('/account');
    await adminPage.getByRole('button', { name: language }).click();
    await expect(adminPage.locator('html')).toHaveAttribute('lang', language === 'English' ? 'en' : 'fr');
    for (const path of [
      '/account',
      '/account/settings',
      '/account/security',
      '/account/sessions',
      '/logout',
    ]) {
      const text = await seen(adminPage, path);
      expect(text, `${language} ${path}`).toContain(PRODUCT);
      expect(text, `${language} ${path}`).not.toMatch(/gatehouse/i);
    }
  }
  await adminContext.close();
  expect(errorLines(own!.server.log())).toEqual([]);
});

test('with JavaScript off, the brand form uploads a new logo and refuses an SVG', async ({ browser }) => {
  const context = await browser.newContext({ baseURL: own!.server.url, javaScriptEnabled: false });
  const page = await context.newPage();
  await signInOk(page, admin.username);
  const before = await page.locator('header img').getAttribute('src');

  let brand = await brandSection(page);
  await brand
    .getByLabel('Image file')
    .setInputFiles({ name: 'logo.svg', mimeType: 'image/svg+xml', buffer: SVG_WITH_SCRIPT });
  await brand.getByRole('button', { name: 'Save brand' }).click();
  await expect(page.getByText('SVG images are not accepted: they can carry scripts.').first()).toBeVisible();
  expect(await page.locator('header img').getAttribute('src')).toBe(before);

  brand = await brandSection(page);
  // Another PNG: the same image with one more byte after its end.
  const another = Buffer.concat([PNG, Buffer.from([0])]);
  await brand
    .getByLabel('Image file')
    .setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: another });
  await brand.getByRole('button', { name: 'Save brand' }).click();
  await expect(page.getByText('Saved: 1 setting changed.')).toBeVisible();
  const after = await page.locator('header img').getAttribute('src');
  expect(after).toMatch(/^\/api\/brand\/logo\?v=[0-9a-f]{16}$/);
  expect(after).not.toBe(before);
  expect(Buffer.from(await (await page.request.get(after!)).body()).equals(another)).toBe(true);
  await context.close();
});
