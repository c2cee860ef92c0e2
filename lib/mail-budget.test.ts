import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { emailOutbox, users } from '@/db/schema';
import { createTestDatabase, type TestDatabase } from '@/tests/helpers/test-db';
import { HOUR, ManualClock } from './clock';
import { resendVerification } from './email-verification';
import { spendMailBudget } from './mail-budget';
import { requestPasswordReset } from './password-reset';
import { registerUser } from './registration';
import { setSetting } from './settings';
import { registrationSchema } from './validation/registration';

let t: TestDatabase;
const clock = new ManualClock(new Date('2026-03-01T10:00:00Z'));
let octet = 0;
const fresh = () => ({ ip: `198.51.100.${(octet += 1)}`, userAgent: 'vitest' });
const PASSWORD = 'correct horse battery staple';
const outboxFor = async (to: string) =>
  (await t.db.select({ n: count() }).from(emailOutbox).where(eq(emailOutbox.to, to)))[0]!.n;

const signUp = (name: string) =>
  registerUser(
    t.db,
    registrationSchema(15).parse({
      username: name,
      email: `${name}@example.com`,
      password: PASSWORD,
      confirmPassword: PASSWORD,
      fullName: name,
    }),
    fresh(),
    clock,
  );

beforeAll(async () => {
  t = await createTestDatabase();
});

afterAll(async () => {
  await t?.close();
});

describe('hourly mail budget for stranger-triggered mail', () => {
  it('S14: over the budget the answer is unchanged, no mail is queued, and one warning per hour is logged', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await setSetting(t.db, 'mail_hourly_budget', 2);
    expect(await signUp('budget1')).toEqual({ ok: true });
    expect(await signUp('budget2')).toEqual({ ok: true });
    expect(await signUp('budget3')).toEqual({ ok: true });
    expect(await signUp('budget4')).toEqual({ ok: true });
    expect(await outboxFor('budget2@example.com')).toBe(1);
    expect(await outboxFor('budget3@example.com')).toBe(0);
    expect(await outboxFor('budget4@example.com')).toBe(0);
    // The account exists all the same: a resend once the budget refills gets it a link.
    const [row] = await t.db.select().from(users).where(eq(users.email, 'budget3@example.com'));
    expect(row).toBeDefined();

    // Resend and forgot-password answer as usual and queue nothing.
    expect(await resendVerification(t.db, 'budget3@example.com', fresh(), clock)).toEqual({ ok: true });
    await t.db
      .update(users)
      .set({ emailVerifiedAt: clock.now() })
      .where(eq(users.email, 'budget1@example.com'));
    const reset = await requestPasswordReset(t.db, 'budget1@example.com', fresh(), clock);
    expect(reset.ok).toBe(true);
    await reset.deliver();
    expect(await outboxFor('budget3@example.com')).toBe(0);
    expect(await outboxFor('budget1@example.com')).toBe(1);

    const warnings = warn.mock.calls.filter(([line]) => String(line).includes('mail.budget_exhausted'));
    expect(warnings).toHaveLength(1);

    // The next hour has a fresh budget.
    clock.advance(HOUR);
    expect(await resendVerification(t.db, 'budget3@example.com', fresh(), clock)).toEqual({ ok: true });
    expect(await outboxFor('budget3@example.com')).toBe(1);
  });

  it('the default budget is 1000 an hour', async () => {
    await setSetting(t.db, 'mail_hourly_budget', 1000);
    clock.advance(HOUR);
    expect(await spendMailBudget(t.db, clock)).toBe(true);
  });
});
