import type { Db } from '@/db/client';
import type { Clock } from './clock';
import { log } from './log';
import { GLOBAL_SUBJECT, hit, limits } from './rate-limit';
import { getSetting } from './settings';

/**
 * The hourly budget of mail that strangers can cause (sign-up, resend, forgot-password, "someone
 * tried to sign up with your address"), all addresses together: per-IP and per-address limits stop
 * one sender, this stops a crowd from using the app to spam or to burn the mail provider's quota.
 *
 * Over budget, the flow answers exactly as usual (no one learns anything about an address) and only
 * the mail is left out. One warning per hour, across every instance, tells the operator.
 */
export async function spendMailBudget(db: Db, clock: Clock): Promise<boolean> {
  const max = await getSetting(db, 'mail_hourly_budget');
  const spent = await hit(db, { ...limits.mailGlobal, max }, GLOBAL_SUBJECT, clock);
  if (spent.ok) return true;
  const firstThisHour = await hit(db, limits.mailBudgetWarning, GLOBAL_SUBJECT, clock);
  if (firstThisHour.ok) {
    log.warn('mail.budget_exhausted', {
      budgetPerHour: max,
      retryAfterSeconds: spent.retryAfterSeconds,
      hint: 'stranger-triggered mail is skipped until the hour ends; raise the mail_hourly_budget setting if this is real traffic',
    });
  }
  return false;
}
