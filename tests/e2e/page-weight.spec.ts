import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

/**
 * Decision 037: the sign-in and sign-up pages load zod, react-hook-form and the WebAuthn library only
 * once the form is used, and still check the form in the browser before sending it. `npm run bench:pages`
 * measures the weight; this proves what is left out of the first load and that the check still works.
 */

// Strings each library carries in its minified build: zod's error class, a method of react-hook-form's
// form control (a property name, so minifying keeps it) and @simplewebauthn/browser's abort message.
const ZOD = '$ZodError';
const REACT_HOOK_FORM = '_removeUnmounted';
const SIMPLEWEBAUTHN = 'Cancelling existing WebAuthn API call for new one';

/** The bodies of the scripts the page has downloaded so far, by URL. */
function recordScripts(page: Page): Map<string, Promise<string>> {
  const scripts = new Map<string, Promise<string>>();
  page.on('response', (response) => {
    if (response.request().resourceType() === 'script') scripts.set(response.url(), response.text());
  });
  return scripts;
}

async function loadedContaining(scripts: Map<string, Promise<string>>, marker: string): Promise<string[]> {
  const found: string[] = [];
  for (const [url, body] of scripts) if ((await body).includes(marker)) found.push(url);
  return found;
}

test('sign-in: zod and react-hook-form are not in the first load; focusing the form loads them and the empty form is refused in the browser', async ({
  page,
}) => {
  const scripts = recordScripts(page);
  // Posts of the password form (the passkey suggestions post their own request for a challenge).
  const formPosts: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.postData()?.includes('name="identifier"')) {
      formPosts.push(request.url());
    }
  });
  await page.goto('/login');
  await page.waitForLoadState('networkidle');
  expect(await loadedContaining(scripts, ZOD)).toEqual([]);
  expect(await loadedContaining(scripts, REACT_HOOK_FORM)).toEqual([]);

  await page.getByLabel('Email or username').focus();
  await expect.poll(async () => (await loadedContaining(scripts, ZOD)).length).toBeGreaterThan(0);
  await expect.poll(async () => (await loadedContaining(scripts, REACT_HOOK_FORM)).length).toBeGreaterThan(0);

  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  // The summary takes focus and links to both fields.
  const summary = page.locator(':focus');
  await expect(summary.getByRole('heading', { name: 'There is a problem' })).toBeVisible();
  await expect(summary.getByRole('link')).toHaveCount(2);
  // The browser's own check refused it: nothing was posted.
  expect(formPosts).toEqual([]);
});

test('sign-up: zod and react-hook-form are not in the first load, and the browser still refuses a short password with the rule', async ({
  page,
}) => {
  const scripts = recordScripts(page);
  await page.goto('/register');
  await page.waitForLoadState('networkidle');
  expect(await loadedContaining(scripts, ZOD)).toEqual([]);
  expect(await loadedContaining(scripts, REACT_HOOK_FORM)).toEqual([]);

  const password = page.getByLabel('Password', { exact: true });
  const passwordError = page.locator('a[href="#register-password"]');
  await password.fill('short');
  // Nothing is checked before the first submission (react-hook-form's onSubmit mode)…
  await expect(page.getByRole('heading', { name: 'There is a problem' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(passwordError).toHaveText(/Use at least \d+ characters/);
  // …then the field is checked again as it changes (reValidateMode onChange), through the control.
  await password.fill('a much longer passphrase, 2026');
  await expect(passwordError).toHaveCount(0);
  await password.fill('short again');
  await expect(passwordError).toHaveText(/Use at least \d+ characters/);
});

test('sign-in: neither zod, react-hook-form nor the WebAuthn library is in a script the page’s HTML loads', async ({
  page,
}) => {
  const html = await (await page.request.get('/login')).text();
  const ownScripts = [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map(([, src]) => src!);
  expect(ownScripts.length).toBeGreaterThan(0);
  for (const src of ownScripts) {
    const body = await (await page.request.get(src.replace(/&amp;/g, '&'))).text();
    expect(body.includes(SIMPLEWEBAUTHN), src).toBe(false);
    expect(body.includes(ZOD), src).toBe(false);
    expect(body.includes(REACT_HOOK_FORM), src).toBe(false);
  }
});
