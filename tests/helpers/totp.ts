import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generateHOTP } from '@oslojs/otp';
import { expect, type Page } from '@playwright/test';

/**
 * An authenticator app for browser tests: codes from the key shown as text at enrolment, computed
 * with the same library the server checks them with.
 */

const STEP_MS = 30_000;
const currentStep = () => Math.floor(Date.now() / STEP_MS);

export function totpCode(secret: string, step: number): string {
  return generateHOTP(decodeBase32IgnorePadding(secret), BigInt(step), 6);
}

/**
 * A code the server has not accepted yet: of a step later than `after` (the last one used) and
 * within its window of one step either side of now, waiting for the clock when it must.
 */
export async function freshCode(secret: string, after: number): Promise<{ code: string; step: number }> {
  const step = Math.max(after + 1, currentStep());
  while (currentStep() < step - 1) {
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return { code: totpCode(secret, step), step };
}

/**
 * Turns two-factor sign-in on from /account/two-factor as its owner does: password, the key typed
 * from its text form, a first code; returns the key, the recovery codes shown and the step used.
 */
export async function enrolAuthenticator(page: Page, password: string) {
  await page.goto('/account/two-factor');
  await page.getByLabel('Current password').fill(password);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByTestId('totp-secret')).toHaveText(/^[A-Z2-7]{32}$/);
  const secret = (await page.getByTestId('totp-secret').textContent()) ?? '';
  const first = await freshCode(secret, 0);
  await page.getByLabel('Code from the app').fill(first.code);
  await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
  const shown = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
  await expect(shown).toHaveCount(10);
  const recoveryCodes = await shown.allTextContents();
  return { secret, recoveryCodes, step: first.step };
}
