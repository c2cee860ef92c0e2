import { and, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { auditEvents, settings, tokens, users } from '@/db/schema';
import { ManualClock, DAY } from '@/lib/clock';
import {
  invitedAddress,
  listOpenInvites,
  MAX_OPEN_INVITES_PER_USER,
  revokeInvite,
  sendInvite,
} from '@/lib/invites';
import { logIn } from '@/lib/login';
import { registerUser } from '@/lib/registration';
import { setSetting } from '@/lib/settings';
import { hashToken } from '@/lib/tokens';
import { registrationSchema } from '@/lib/validation/registration';
import { linkTo, setUpMailbox } from '@/tests/helpers/mail';
import { setUpTestDatabase } from '@/tests/helpers/test-db';
import { createTestUser, freshContext, TEST_PASSWORD } from '@/tests/helpers/users';

const t = setUpTestDatabase();
const mailbox = setUpMailbox();
const clock = new ManualClock(new Date());
const ctx = { ip: '192.0.2.50', userAgent: 'vitest' };

function signUp(username: string, email: string, inviteToken?: string) {
  const input = registrationSchema(15).parse({
    username,
    email,
    password: TEST_PASSWORD,
    confirmPassword: TEST_PASSWORD,
    fullName: 'Invited Person',
  });
  return registerUser(t.db, { ...input, inviteToken }, freshContext(), clock);
}

/** Sends an invite and returns the clear token from the mail that arrived. */
async function invite(inviterId: string, email: string): Promise<string> {
  const sent = await sendInvite(t.db, { inviterId, email, locale: 'en' }, ctx, clock);
  expect(sent.ok).toBe(true);
  await mailbox.deliver(t.db, clock);
  const mail = await mailbox.catcher.waitForMail(email);
  return linkTo(mail, '/register').searchParams.get('token')!;
}

const userByEmail = async (email: string) =>
  (await t.db.select().from(users).where(eq(users.email, email)))[0];

afterEach(async () => {
  await t.db.delete(settings);
});

describe('invites', () => {
  it('an admin invites; the link creates an active account with the invited address, once', async () => {
    const admin = await createTestUser(t.db, clock, 'inviteadmin', { role: 'admin' });
    await setSetting(t.db, 'signup_mode', 'invite');
    const token = await invite(admin.id, 'guest1@example.com');
    expect(await invitedAddress(t.db, token, clock)).toBe('guest1@example.com');
    // Only the hash is stored.
    const [row] = await t.db
      .select()
      .from(tokens)
      .where(eq(tokens.tokenHash, hashToken(token)));
    expect(row).toMatchObject({ purpose: 'invite', userId: admin.id, newEmail: 'guest1@example.com' });

    // The typed address is ignored: the invite binds it.
    expect(await signUp('guest1', 'someone-else@example.com', token)).toEqual({ ok: true });
    expect(await userByEmail('someone-else@example.com')).toBeUndefined();
    const user = await userByEmail('guest1@example.com');
    expect(user?.emailVerifiedAt).not.toBeNull();
    expect(user?.approvedAt).not.toBeNull();
    await mailbox.deliver(t.db, clock);
    expect((await mailbox.catcher.waitForMail('guest1@example.com')).subject).toMatch(/welcome/i);
    const login = await logIn(t.db, { identifier: 'guest1', password: TEST_PASSWORD }, ctx, clock);
    expect(login.ok).toBe(true);

    // Single use.
    expect(await signUp('guest1b', 'guest1@example.com', token)).toEqual({
      ok: false,
      code: 'invite_invalid',
    });
    const accepted = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'invite.accepted'), eq(auditEvents.userId, user!.id)));
    expect(accepted).toHaveLength(1);
  });

  it('a user may invite only when the setting allows, and sees only their own invites', async () => {
    const alice = await createTestUser(t.db, clock, 'inviter_alice');
    const bob = await createTestUser(t.db, clock, 'inviter_bob');
    expect(
      await sendInvite(t.db, { inviterId: alice.id, email: 'a@example.com', locale: 'en' }, ctx, clock),
    ).toEqual({
      ok: false,
      code: 'not_allowed',
    });
    await setSetting(t.db, 'users_may_invite', true);
    await invite(alice.id, 'friend-of-alice@example.com');
    const mine = await listOpenInvites(t.db, { sentBy: alice.id }, clock);
    expect(mine.map((i) => i.email)).toEqual(['friend-of-alice@example.com']);
    expect(await listOpenInvites(t.db, { sentBy: bob.id }, clock)).toEqual([]);
    // Bob cannot revoke Alice's invite: to him it does not exist.
    expect(
      await revokeInvite(t.db, { actorId: bob.id, inviteId: mine[0]!.id, asAdmin: false }, ctx, clock),
    ).toEqual({
      ok: false,
      code: 'not_found',
    });
  });

  it('a revoked invite no longer opens sign-up; an admin may revoke anyone’s', async () => {
    const admin = await createTestUser(t.db, clock, 'revokeadmin', { role: 'admin' });
    const carol = await createTestUser(t.db, clock, 'inviter_carol');
    await setSetting(t.db, 'users_may_invite', true);
    await setSetting(t.db, 'signup_mode', 'invite');
    const token = await invite(carol.id, 'revoked@example.com');
    const [open] = await listOpenInvites(t.db, { sentBy: carol.id }, clock);
    expect(
      await revokeInvite(t.db, { actorId: admin.id, inviteId: open!.id, asAdmin: true }, ctx, clock),
    ).toEqual({
      ok: true,
    });
    expect(await signUp('revoked', 'revoked@example.com', token)).toEqual({
      ok: false,
      code: 'invite_invalid',
    });
    const [event] = await t.db.select().from(auditEvents).where(eq(auditEvents.action, 'invite.revoked'));
    expect(event).toMatchObject({ actorId: admin.id, meta: { inviteId: open!.id, sentBy: carol.id } });
  });

  it('an invite expires', async () => {
    const admin = await createTestUser(t.db, clock, 'expireadmin', { role: 'admin' });
    await setSetting(t.db, 'signup_mode', 'invite');
    const token = await invite(admin.id, 'late@example.com');
    clock.advance(8 * DAY);
    expect(await signUp('late', 'late@example.com', token)).toEqual({ ok: false, code: 'invite_invalid' });
  });

  it('invites obey the domain rules and closed sign-up', async () => {
    const admin = await createTestUser(t.db, clock, 'domainadmin', { role: 'admin' });
    await setSetting(t.db, 'signup_blocked_domains', ['blocked.example']);
    expect(
      await sendInvite(t.db, { inviterId: admin.id, email: 'x@blocked.example', locale: 'en' }, ctx, clock),
    ).toEqual({
      ok: false,
      code: 'domain_not_allowed',
    });
    await setSetting(t.db, 'signup_mode', 'closed');
    expect(
      await sendInvite(t.db, { inviterId: admin.id, email: 'x@example.com', locale: 'en' }, ctx, clock),
    ).toEqual({
      ok: false,
      code: 'signup_closed',
    });
  });

  it('a user has at most a fixed number of open invites', async () => {
    const dave = await createTestUser(t.db, clock, 'inviter_dave');
    await setSetting(t.db, 'users_may_invite', true);
    for (let i = 0; i < MAX_OPEN_INVITES_PER_USER; i += 1) {
      expect(
        (await sendInvite(t.db, { inviterId: dave.id, email: `d${i}@example.com`, locale: 'en' }, ctx, clock))
          .ok,
      ).toBe(true);
    }
    expect(
      await sendInvite(t.db, { inviterId: dave.id, email: 'one-more@example.com', locale: 'fr' }, ctx, clock),
    ).toEqual({
      ok: false,
      code: 'too_many_open',
    });
  });
});
