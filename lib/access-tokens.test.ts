import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { accessTokens, auditEvents, users } from '@/db/schema';
import { adminRevokeSessions, changeRole } from '@/lib/admin-user-actions';
import { MINUTE, DAY, ManualClock } from '@/lib/clock';
import { deleteAccount } from '@/lib/account-deletion';
import { lockUser, unlockUser } from '@/lib/account-lock';
import { createAccessTokenSchema, type AccessTokenScope } from '@/lib/validation/access-tokens';
import { setUpMailbox } from '@/tests/helpers/mail';
import { setUpTestDatabase } from '@/tests/helpers/test-db';
import { createTestUser, freshContext, TEST_PASSWORD } from '@/tests/helpers/users';
import {
  ACCESS_TOKEN_PREFIX,
  adminRevokeAccessToken,
  authenticateAccessToken,
  createAccessToken,
  listAccessTokens,
  revokeAccessToken,
} from './access-tokens';

const database = setUpTestDatabase();
const mailbox = setUpMailbox();
const clock = new ManualClock(new Date('2026-12-01T10:00:00Z'));
let serial = 0;

async function makeUser(role: 'user' | 'admin' = 'user') {
  serial += 1;
  return createTestUser(database.db, clock, `tokenowner${serial}`, { role });
}

async function makeToken(
  userId: string,
  scopes: AccessTokenScope[] = ['profile:read'],
  expiresInDays = 30,
): Promise<{ token: string; tokenId: string }> {
  const created = await createAccessToken(
    database.db,
    { userId, name: 'CI script', expiresInDays, scopes, currentPassword: TEST_PASSWORD },
    freshContext(),
    clock,
  );
  if (!created.ok) throw new Error(`create failed: ${created.code}`);
  return created;
}

async function tokenRow(tokenId: string) {
  const [row] = await database.db.select().from(accessTokens).where(eq(accessTokens.id, tokenId));
  return row;
}

describe('creating a token', () => {
  it('stores only the SHA-256 of a recognisable gth_ token, and shows the raw token once', async () => {
    const user = await makeUser();
    const { token, tokenId } = await makeToken(user.id, ['profile:read', 'profile:write']);
    expect(token).toMatch(/^gth_[A-Za-z0-9_-]{43}$/);
    expect(token.startsWith(ACCESS_TOKEN_PREFIX)).toBe(true);
    const row = await tokenRow(tokenId);
    expect(row?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(token.slice(ACCESS_TOKEN_PREFIX.length));
    expect(row?.prefix).toBe(token.slice(0, 8));
    expect(row?.scopes).toEqual(['profile:read', 'profile:write']);
    expect(row?.expiresAt).toEqual(new Date(clock.now().getTime() + 30 * DAY));
    const listed = await listAccessTokens(database.db, user.id, clock);
    expect(listed).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(row!.tokenHash);
  });

  it('needs the current password: a wrong one makes nothing and counts as a failed sign-in', async () => {
    const user = await makeUser();
    const result = await createAccessToken(
      database.db,
      {
        userId: user.id,
        name: 'x',
        expiresInDays: 7,
        scopes: ['profile:read'],
        currentPassword: 'wrong one',
      },
      freshContext(),
      clock,
    );
    expect(result).toEqual({ ok: false, code: 'wrong_password' });
    expect(await listAccessTokens(database.db, user.id, clock)).toEqual([]);
    const [row] = await database.db.select().from(users).where(eq(users.id, user.id));
    expect(row?.failedLoginCount).toBe(1);
  });

  it('gives admin scopes to administrators only', async () => {
    const user = await makeUser();
    const refused = await createAccessToken(
      database.db,
      {
        userId: user.id,
        name: 'x',
        expiresInDays: 7,
        scopes: ['admin:read'],
        currentPassword: TEST_PASSWORD,
      },
      freshContext(),
      clock,
    );
    expect(refused).toEqual({ ok: false, code: 'admin_scope_forbidden' });
    const admin = await makeUser('admin');
    const { token } = await makeToken(admin.id, ['admin:read', 'admin:write']);
    const auth = await authenticateAccessToken(database.db, token, clock);
    expect(auth).toMatchObject({ ok: true, userId: admin.id, scopes: ['admin:read', 'admin:write'] });
  });

  it('refuses lifetimes other than the offered ones and unknown scopes', async () => {
    const user = await makeUser();
    for (const [expiresInDays, scopes] of [
      [3650, ['profile:read']],
      [30, ['root' as AccessTokenScope]],
      [30, []],
    ] as const) {
      const result = await createAccessToken(
        database.db,
        { userId: user.id, name: 'x', expiresInDays, scopes: [...scopes], currentPassword: TEST_PASSWORD },
        freshContext(),
        clock,
      );
      expect(result).toEqual({ ok: false, code: 'invalid_input' });
    }
  });

  it('is audited and mails the owner a notice that names the token and never carries it (S60)', async () => {
    const user = await makeUser();
    const { token } = await makeToken(user.id);
    const [event] = await database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.userId, user.id), eq(auditEvents.action, 'access_token.created')));
    expect(event?.meta).toMatchObject({
      prefix: token.slice(0, 8),
      name: 'CI script',
      scopes: ['profile:read'],
    });
    await mailbox.deliver(database.db, clock);
    const mail = await mailbox.catcher.waitForMail(user.email);
    expect(mail.subject).toBe('A new access token was created for your Gatehouse account');
    expect(mail.text).toContain('CI script');
    expect(mail.text).toContain('profile:read');
    expect(mail.text).toContain('/account/tokens');
    expect(mail.text + mail.html).not.toContain(token);
  });

  it('the form schema turns ticked boxes into scopes and the lifetime into days', () => {
    const parsed = createAccessTokenSchema.parse({
      name: ' deploy ',
      expiresInDays: '90',
      scope_profile_read: 'on',
      scope_admin_write: 'on',
      currentPassword: 'pw',
    });
    expect(parsed).toEqual({
      name: 'deploy',
      expiresInDays: 90,
      scopes: ['profile:read', 'admin:write'],
      currentPassword: 'pw',
    });
    const none = createAccessTokenSchema.safeParse({ name: 'x', expiresInDays: '7', currentPassword: 'pw' });
    expect(none.error?.issues[0]?.message).toBe('accessTokens.errors.noScope');
    expect(
      createAccessTokenSchema.safeParse({
        name: 'x',
        expiresInDays: '5',
        scope_profile_read: 'on',
        currentPassword: 'pw',
      }).success,
    ).toBe(false);
  });
});

describe('authenticateAccessToken', () => {
  it('accepts a live token and answers who and what', async () => {
    const user = await makeUser();
    const { token, tokenId } = await makeToken(user.id, ['profile:read', 'profile:write']);
    expect(await authenticateAccessToken(database.db, token, clock)).toEqual({
      ok: true,
      userId: user.id,
      tokenId,
      scopes: ['profile:read', 'profile:write'],
    });
  });

  it('refuses unknown, malformed and tampered tokens alike', async () => {
    const user = await makeUser();
    const { token } = await makeToken(user.id);
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    for (const raw of [
      '',
      'gth_',
      `${token}x`,
      `${token.slice(0, -1)}${last}`,
      token.replace('gth_', 'ghp_'),
    ]) {
      expect(await authenticateAccessToken(database.db, raw, clock)).toEqual({
        ok: false,
        code: 'invalid_token',
      });
    }
  });

  it('refuses an expired token', async () => {
    const user = await makeUser();
    const expiring = new ManualClock(clock.now());
    const created = await createAccessToken(
      database.db,
      {
        userId: user.id,
        name: 'week',
        expiresInDays: 7,
        scopes: ['profile:read'],
        currentPassword: TEST_PASSWORD,
      },
      freshContext(),
      expiring,
    );
    if (!created.ok) throw new Error(created.code);
    expiring.advance(7 * DAY - 1000);
    expect((await authenticateAccessToken(database.db, created.token, expiring)).ok).toBe(true);
    expiring.advance(1000);
    expect(await authenticateAccessToken(database.db, created.token, expiring)).toEqual({
      ok: false,
      code: 'invalid_token',
    });
    expect((await listAccessTokens(database.db, user.id, expiring))[0]?.expired).toBe(true);
  });

  it('refuses a revoked token at once, and the owner is mailed (S60)', async () => {
    const user = await makeUser();
    const { token, tokenId } = await makeToken(user.id);
    expect(await revokeAccessToken(database.db, { userId: user.id, tokenId }, freshContext(), clock)).toEqual(
      {
        ok: true,
      },
    );
    expect(await authenticateAccessToken(database.db, token, clock)).toEqual({
      ok: false,
      code: 'invalid_token',
    });
    expect(await listAccessTokens(database.db, user.id, clock)).toEqual([]);
    expect((await tokenRow(tokenId))?.revokedBy).toBe(user.id);
    await mailbox.deliver(database.db, clock);
    const revoked = await mailbox.catcher.waitForMail(user.email, {
      predicate: (mail) => mail.subject.includes('revoked'),
    });
    expect(revoked.text).toContain('CI script');
  });

  it('S60: an admin lock refuses the token at once and revokes it, so unlocking does not bring it back', async () => {
    const admin = await makeUser('admin');
    const user = await makeUser();
    const { token, tokenId } = await makeToken(user.id);
    expect(
      await lockUser(
        database.db,
        { adminId: admin.id, userId: user.id, reason: 'abuse' },
        freshContext(),
        clock,
      ),
    ).toEqual({ ok: true });
    expect(await authenticateAccessToken(database.db, token, clock)).toEqual({
      ok: false,
      code: 'invalid_token',
    });
    expect((await tokenRow(tokenId))?.revokedBy).toBe(admin.id);
    await unlockUser(database.db, { adminId: admin.id, userId: user.id }, freshContext(), clock);
    expect(await authenticateAccessToken(database.db, token, clock)).toEqual({
      ok: false,
      code: 'invalid_token',
    });
  });

  it('refuses the token of an owner locked by any route, checked on every call (not cached)', async () => {
    const user = await makeUser();
    const { token } = await makeToken(user.id);
    expect((await authenticateAccessToken(database.db, token, clock)).ok).toBe(true);
    // A lock written straight to the row, as no flow would: the check reads the owner every time.
    await database.db.update(users).set({ lockedAt: clock.now() }).where(eq(users.id, user.id));
    expect(await authenticateAccessToken(database.db, token, clock)).toEqual({
      ok: false,
      code: 'invalid_token',
    });
    await database.db.update(users).set({ lockedAt: null, approvedAt: null }).where(eq(users.id, user.id));
    expect(await authenticateAccessToken(database.db, token, clock)).toEqual({
      ok: false,
      code: 'invalid_token',
    });
  });

  it('drops admin scopes once the owner is demoted, and keeps the rest', async () => {
    const other = await makeUser('admin');
    const admin = await makeUser('admin');
    const { token } = await makeToken(admin.id, ['profile:read', 'admin:read', 'admin:write']);
    const demoted = await changeRole(
      database.db,
      { adminId: other.id, userId: admin.id, role: 'user' },
      freshContext(),
      clock,
    );
    expect(demoted).toEqual({ ok: true });
    expect(await authenticateAccessToken(database.db, token, clock)).toMatchObject({
      ok: true,
      scopes: ['profile:read'],
    });
  });

  it('dies with its owner: deleting the account deletes its tokens', async () => {
    const user = await makeUser();
    const { token, tokenId } = await makeToken(user.id);
    const deleted = await deleteAccount(
      database.db,
      { userId: user.id, currentPassword: TEST_PASSWORD },
      freshContext(),
      clock,
    );
    expect(deleted).toEqual({ ok: true });
    expect(await tokenRow(tokenId)).toBeUndefined();
    expect(await authenticateAccessToken(database.db, token, clock)).toEqual({
      ok: false,
      code: 'invalid_token',
    });
  });

  it('writes the last use at most once a minute', async () => {
    const user = await makeUser();
    const { token, tokenId } = await makeToken(user.id);
    const using = new ManualClock(clock.now());
    const context = { ip: '203.0.113.9', userAgent: 'script' };
    await authenticateAccessToken(database.db, token, using, context);
    const first = using.now();
    expect(await tokenRow(tokenId)).toMatchObject({ lastUsedAt: first, lastUsedIp: '203.0.113.9' });
    using.advance(MINUTE - 1000);
    await authenticateAccessToken(database.db, token, using, { ip: '203.0.113.10', userAgent: null });
    expect(await tokenRow(tokenId)).toMatchObject({ lastUsedAt: first, lastUsedIp: '203.0.113.9' });
    using.advance(1000);
    await authenticateAccessToken(database.db, token, using, { ip: '203.0.113.10', userAgent: null });
    expect(await tokenRow(tokenId)).toMatchObject({ lastUsedAt: using.now(), lastUsedIp: '203.0.113.10' });
  });
});

describe('revoking', () => {
  it("reaches only the user's own tokens", async () => {
    const owner = await makeUser();
    const stranger = await makeUser();
    const { token, tokenId } = await makeToken(owner.id);
    for (const id of [tokenId, 'not-a-uuid', '00000000-0000-4000-8000-000000000000']) {
      expect(
        await revokeAccessToken(database.db, { userId: stranger.id, tokenId: id }, freshContext(), clock),
      ).toEqual({
        ok: false,
        code: 'not_found',
      });
    }
    expect((await authenticateAccessToken(database.db, token, clock)).ok).toBe(true);
  });

  it("by an admin: any user's token, audited with the admin as actor", async () => {
    const admin = await makeUser('admin');
    const owner = await makeUser();
    const { token, tokenId } = await makeToken(owner.id);
    const context = freshContext();
    expect(
      await adminRevokeAccessToken(
        database.db,
        { adminId: admin.id, userId: owner.id, tokenId },
        context,
        clock,
      ),
    ).toEqual({ ok: true });
    expect(await authenticateAccessToken(database.db, token, clock)).toEqual({
      ok: false,
      code: 'invalid_token',
    });
    const [event] = await database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.userId, owner.id), eq(auditEvents.action, 'access_token.revoked')));
    expect(event).toMatchObject({
      actorId: admin.id,
      ip: context.ip,
      meta: { prefix: token.slice(0, 8), by: 'admin' },
    });
  });

  it("an admin's 'sign out everywhere' revokes every token of the account too", async () => {
    const admin = await makeUser('admin');
    const owner = await makeUser();
    const one = await makeToken(owner.id);
    const two = await makeToken(owner.id);
    expect(
      await adminRevokeSessions(database.db, { adminId: admin.id, userId: owner.id }, freshContext(), clock),
    ).toMatchObject({ ok: true });
    for (const { token } of [one, two]) {
      expect(await authenticateAccessToken(database.db, token, clock)).toEqual({
        ok: false,
        code: 'invalid_token',
      });
    }
  });
});
