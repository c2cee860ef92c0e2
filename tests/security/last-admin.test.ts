import { and, eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { auditEvents, emailOutbox, users } from '@/db/schema';
import { createAdmin } from '@/lib/admins';
import { DAY, ManualClock, MINUTE } from '@/lib/clock';
import {
  lockExpiredEmailChanges,
  requestEmailChange,
  UNCONFIRMED_CHANGE_LOCK_REASON,
} from '@/lib/email-change';
import { logIn } from '@/lib/login';
import { setPasswordWithToken } from '@/lib/set-password';
import { setUpTestDatabase } from '@/tests/helpers/test-db';
import { createTestUser, freshContext, TEST_PASSWORD } from '@/tests/helpers/users';

/**
 * The lapsed email change auto-lock (lock_on_unconfirmed_email_change, on by default) must not lock
 * the only active administrator: nobody would be left to unlock anyone. A stranger who knows an
 * admin's password could otherwise lock the platform by asking for a change and letting it lapse.
 */

const t = setUpTestDatabase();
const clock = new ManualClock(new Date('2026-12-04T12:00:00Z'));

const row = async (id: string) => (await t.db.select().from(users).where(eq(users.id, id)))[0]!;
const events = (userId: string, action: string) =>
  t.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.userId, userId), eq(auditEvents.action, action)));
const askChange = (userId: string, newEmail: string) =>
  requestEmailChange(t.db, { userId, currentPassword: TEST_PASSWORD, newEmail }, freshContext(), clock);

beforeEach(() => {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});

describe('the last active admin and the lapsed email change lock', () => {
  it('the only active admin is not locked when a change lapses; the skip is audited, nobody is told it was locked', async () => {
    const admin = await createTestUser(t.db, clock, 'solo', { role: 'admin' });
    expect(await askChange(admin.id, 'solo.elsewhere@example.com')).toEqual({ ok: true });
    clock.advance(DAY + MINUTE);

    expect(await lockExpiredEmailChanges(t.db, clock)).toBe(0);
    expect(await row(admin.id)).toMatchObject({ lockedAt: null, lockReason: null });
    expect(await events(admin.id, 'user.locked')).toHaveLength(0);
    const [skipped] = await events(admin.id, 'user.lock_skipped');
    expect(skipped!.meta).toEqual({ reason: UNCONFIRMED_CHANGE_LOCK_REASON, why: 'last_admin' });
    expect(
      await t.db.select().from(emailOutbox).where(eq(emailOutbox.template, 'email-change-expired')),
    ).toHaveLength(0);
    expect(
      (await logIn(t.db, { identifier: 'solo', password: TEST_PASSWORD }, freshContext(), clock)).ok,
    ).toBe(true);
    // Processed once: a second run neither locks nor audits again.
    expect(await lockExpiredEmailChanges(t.db, clock)).toBe(0);
    expect(await events(admin.id, 'user.lock_skipped')).toHaveLength(1);
  });

  it('with two admins lapsing at once, one is locked and the one left active is not', async () => {
    const first = await createTestUser(t.db, clock, 'duo1', { role: 'admin' });
    const second = await createTestUser(t.db, clock, 'duo2', { role: 'admin' });
    // The admin of the test above is still active: lock them by hand so these two are the only ones.
    await t.db.update(users).set({ lockedAt: clock.now() }).where(eq(users.username, 'solo'));
    await askChange(first.id, 'duo1.elsewhere@example.com');
    await askChange(second.id, 'duo2.elsewhere@example.com');
    clock.advance(DAY + MINUTE);

    expect(await lockExpiredEmailChanges(t.db, clock)).toBe(1);
    const locked = [await row(first.id), await row(second.id)].filter((user) => user.lockedAt !== null);
    expect(locked).toHaveLength(1);
    const active = await t.db
      .select()
      .from(users)
      .where(
        and(eq(users.role, 'admin'), eq(users.username, locked[0]!.username === 'duo1' ? 'duo2' : 'duo1')),
      );
    expect(active[0]!.lockedAt).toBeNull();
  });

  it('admin:create lifts a lock, so the operator always has a way back in', async () => {
    const admin = await createTestUser(t.db, clock, 'locked-out', {
      role: 'admin',
      lockedAt: clock.now(),
      lockReason: UNCONFIRMED_CHANGE_LOCK_REASON,
    });
    const made = await createAdmin(t.db, { email: admin.email }, freshContext(), clock);
    expect(await row(admin.id)).toMatchObject({ lockedAt: null, lockReason: null, role: 'admin' });
    const token = new URL(made.setPasswordUrl).searchParams.get('token');
    const chosen = 'a fresh passphrase for the operator';
    expect(
      await setPasswordWithToken(
        t.db,
        { token, password: chosen, purpose: 'set_password' },
        freshContext(),
        clock,
      ),
    ).toMatchObject({ ok: true });
    expect((await logIn(t.db, { identifier: admin.email, password: chosen }, freshContext(), clock)).ok).toBe(
      true,
    );
    const [promoted] = await events(admin.id, 'user.role_changed');
    expect(promoted!.meta).toMatchObject({ via: 'cli', unlocked: true });
  });
});
