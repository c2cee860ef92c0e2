import { and, desc, eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { auditEvents, emailOutbox, users } from '@/db/schema';
import { deleteAccount } from '@/lib/account-deletion';
import { adminDeleteUser } from '@/lib/admin-user-actions';
import { approveUser } from '@/lib/approval';
import { ManualClock, MINUTE } from '@/lib/clock';
import { confirmEmailChange, requestEmailChange } from '@/lib/email-change';
import { verifyEmail } from '@/lib/email-verification';
import { registerUser } from '@/lib/registration';
import { registrationSchema } from '@/lib/validation/registration';
import { setUpTestDatabase } from '@/tests/helpers/test-db';
import { createTestUser, freshContext, TEST_PASSWORD } from '@/tests/helpers/users';

/**
 * Deleting an account must not leave the person's addresses behind: not in mail waiting in or kept
 * by the outbox (to them, or to admins about them), not in the audit trail's meta. Every address the
 * account had counts: the current one, the one it changed from, the one a pending change names.
 */

const t = setUpTestDatabase();
const clock = new ManualClock(new Date('2026-12-04T12:00:00Z'));

/** The token of the newest queued mail to `to` that links to `path` (mail is not delivered here). */
async function queuedLink(to: string, path: string): Promise<string> {
  const rows = await t.db
    .select({ text: emailOutbox.text })
    .from(emailOutbox)
    .where(eq(emailOutbox.to, to))
    .orderBy(desc(emailOutbox.createdAt));
  for (const { text } of rows) {
    const match = new RegExp(`${path}\\?token=([A-Za-z0-9_-]{43})`).exec(text ?? '');
    if (match) return match[1]!;
  }
  throw new Error(`no queued link to ${path} for ${to}`);
}

/**
 * Outbox rows and audit meta that still name the address anywhere, as a whole address: the
 * neighbour "xnora@example.com" does not name "nora@example.com".
 */
async function traces(address: string) {
  const escaped = address.replace(/[.+]/g, '\\$&');
  const names = (value: unknown) =>
    new RegExp(`(?<![a-z0-9._%+-])${escaped}(?![a-z0-9-]|\\.[a-z0-9])`, 'i').test(JSON.stringify(value));
  const outbox = (await t.db.select().from(emailOutbox))
    .filter((row) => names([row.to, row.subject, row.html, row.text]))
    .map(({ to, template, status }) => ({ to, template, status }));
  const audit = (await t.db.select().from(auditEvents))
    .filter((row) => names(row.meta))
    .map(({ action, meta }) => ({ action, meta }));
  return { outbox, audit };
}

beforeEach(() => {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  clock.advance(5 * MINUTE);
});

describe('deleting an account removes its addresses', () => {
  it('no outbox row and no audit meta names any address of a deleted account, old, current or pending', async () => {
    const admin = await createTestUser(t.db, clock, 'keeper', { role: 'admin' });
    // A neighbour whose address contains the deleted one: their mail and trail must stay.
    const neighbour = await createTestUser(t.db, clock, 'neighbour', { email: 'xnora@example.com' });
    await requestEmailChange(
      t.db,
      { userId: neighbour.id, currentPassword: TEST_PASSWORD, newEmail: 'xnora.two@example.com' },
      freshContext(),
      clock,
    );

    const input = registrationSchema(15).parse({
      username: 'nora',
      email: 'nora@example.com',
      password: TEST_PASSWORD,
      confirmPassword: TEST_PASSWORD,
      fullName: 'Nora Example',
    });
    expect(await registerUser(t.db, input, freshContext(), clock)).toEqual({ ok: true });
    const verify = await queuedLink('nora@example.com', '/verify-email');
    // Pending: every admin gets admin-new-signup, which names the address in its body.
    expect(
      await verifyEmail(t.db, { token: verify, password: TEST_PASSWORD }, freshContext(), clock),
    ).toEqual({ ok: true, state: 'pending' });
    const [nora] = await t.db.select().from(users).where(eq(users.email, 'nora@example.com'));
    expect(await approveUser(t.db, { adminId: admin.id, userId: nora!.id }, freshContext(), clock)).toEqual({
      ok: true,
    });

    // One confirmed change (nora@ becomes old), then one left pending.
    await requestEmailChange(
      t.db,
      { userId: nora!.id, currentPassword: TEST_PASSWORD, newEmail: 'nora.two@example.com' },
      freshContext(),
      clock,
    );
    const change = await queuedLink('nora.two@example.com', '/email-change/confirm');
    expect((await confirmEmailChange(t.db, { token: change }, freshContext(), clock)).ok).toBe(true);
    clock.advance(MINUTE);
    await requestEmailChange(
      t.db,
      { userId: nora!.id, currentPassword: TEST_PASSWORD, newEmail: 'nora.three@example.com' },
      freshContext(),
      clock,
    );
    // Someone else tried to move to Nora's address: their trail names it too.
    await requestEmailChange(
      t.db,
      { userId: admin.id, currentPassword: TEST_PASSWORD, newEmail: 'nora.two@example.com' },
      freshContext(),
      clock,
    );
    for (const address of ['nora@example.com', 'nora.two@example.com', 'nora.three@example.com']) {
      const before = await traces(address);
      expect(before.outbox.length + before.audit.length).toBeGreaterThan(0);
    }
    const neighbourBefore = await traces('xnora@example.com');

    expect(
      await deleteAccount(t.db, { userId: nora!.id, currentPassword: TEST_PASSWORD }, freshContext(), clock),
    ).toEqual({ ok: true });

    // The deletion notice is the one mail left to the current address, queued to go out.
    expect(await traces('nora.two@example.com')).toEqual({
      outbox: [{ to: 'nora.two@example.com', template: 'account-deleted', status: 'queued' }],
      audit: [],
    });
    expect(await traces('nora@example.com')).toEqual({ outbox: [], audit: [] });
    expect(await traces('nora.three@example.com')).toEqual({ outbox: [], audit: [] });
    expect(await traces('xnora@example.com')).toEqual(neighbourBefore);
    // The trail keeps the events themselves, by id.
    const kept = await t.db
      .select({ action: auditEvents.action })
      .from(auditEvents)
      .where(and(eq(auditEvents.userId, nora!.id), eq(auditEvents.action, 'email.changed')));
    expect(kept).toHaveLength(1);
  });

  it("an admin's deletion of an unconfirmed sign-up leaves no mail naming its address", async () => {
    const admin = await createTestUser(t.db, clock, 'remover', { role: 'admin' });
    const input = registrationSchema(15).parse({
      username: 'pia',
      email: 'pia@example.com',
      password: TEST_PASSWORD,
      confirmPassword: TEST_PASSWORD,
      fullName: 'Pia Example',
    });
    await registerUser(t.db, input, freshContext(), clock);
    const [pia] = await t.db.select().from(users).where(eq(users.email, 'pia@example.com'));
    expect((await traces('pia@example.com')).outbox).toHaveLength(1);

    expect(
      await adminDeleteUser(t.db, { adminId: admin.id, userId: pia!.id }, freshContext(), clock),
    ).toEqual({
      ok: true,
    });
    expect(await traces('pia@example.com')).toEqual({ outbox: [], audit: [] });
  });
});
