import { expect, test } from '@playwright/test';
import { freePort, serverEnv, startOwnServer, type OwnServer } from '../helpers/own-server';

/**
 * A post refused by proxy.ts (foreign origin, unreadable body, overload) used to look like a crash:
 * "Something went wrong" with JavaScript, a line of English plain text without, nothing in the log.
 * Now each refusal is logged once with its reason and the person is told, in their language, beside
 * the form (JavaScript on) or on a small page with a way back (off). S25, S63.
 */
test.describe.configure({ mode: 'serial' });

let server: OwnServer;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  const port = freePort();
  // The app believes it is served from another port, so its own pages' posts carry a foreign Origin:
  // the situation of `npm run dev -- -p 3001` with APP_URL saying 3000.
  const elsewhere = freePort();
  server = await startOwnServer(
    port,
    serverEnv(port, {
      APP_URL: `http://localhost:${elsewhere}`,
      DATA_DIR: `/tmp/gatehouse-refusals-${process.pid}`,
      SMTP_PORT: '9',
    }),
  );
});

test.afterAll(async () => {
  await server?.stop();
});

function refusalLines(): string[] {
  return server
    .log()
    .split('\n')
    .filter((line) => line.includes('"event":"request.refused"'));
}

test('S25: with JavaScript, a refused post is explained beside the form, in French for a French reader', async ({
  browser,
}) => {
  const context = await browser.newContext({ baseURL: server.url, locale: 'fr-FR' });
  const page = await context.newPage();
  await page.goto('/forgot-password');
  const before = refusalLines().length;
  await page.getByLabel('Adresse e-mail').fill('someone@example.test');
  await page.getByRole('button', { name: 'M’envoyer un lien' }).click();
  await expect(
    page.getByText('Ce formulaire a été refusé car il ne venait pas d’une page de ce site.'),
  ).toBeVisible();
  // The form is still there, with what was typed.
  await expect(page.getByLabel('Adresse e-mail')).toHaveValue('someone@example.test');
  const lines = refusalLines().slice(before);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain('"level":"warn"');
  expect(lines[0]).toContain('"reason":"origin_foreign"');
  expect(lines[0]).toContain('"path":"/forgot-password"');
  await context.close();
});

test('S25: without JavaScript, a refused post gets a small page in the reader’s language with a way back', async ({
  browser,
}) => {
  for (const [locale, submit, title, back] of [
    ['en-GB', 'Send me a link', 'Your form was not sent', 'Open the page again'],
    ['fr-FR', 'M’envoyer un lien', 'Votre formulaire n’a pas été envoyé', 'Rouvrir la page'],
  ] as const) {
    const context = await browser.newContext({ baseURL: server.url, locale, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto('/forgot-password');
    const before = refusalLines().length;
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.getByRole('button', { name: submit }).click(),
    ]);
    expect(response.status()).toBe(403);
    await expect(page.getByRole('heading', { name: title })).toBeVisible();
    await page.getByRole('link', { name: back }).click();
    await expect(page).toHaveURL(/\/forgot-password$/);
    expect(refusalLines().length - before).toBe(1);
    await context.close();
  }
});
