import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, emailOutbox, passkeys, sessions, users, type User } from '@/db/schema';
import { ManualClock } from '@/lib/clock';
import {
  beginPasskeyRegistration,
  beginPasskeySignIn,
  beginPasskeyVerification,
  type BeginAssertionResult,
  CHALLENGE_TTL_MS,
  finishPasskeyRegistration,
  listPasskeys,
  relyingParty,
  removePasskey,
  renamePasskey,
  signInWithPasskey,
  verifyPasskeyForUser,
} from '@/lib/passkeys';
import { verifyReauthentication } from '@/lib/reauth';
import { SoftwarePasskey } from '@/tests/helpers/software-passkey';
import { addTestPasskey } from '@/tests/helpers/passkey-users';
import { createTestDatabase, type TestDatabase } from '@/tests/helpers/test-db';
import { createTestUser, freshContext, TEST_PASSWORD } from '@/tests/helpers/users';

let t: TestDatabase;
const clock = new ManualClock(new Date());

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.close();
});

/** A user with one passkey registered through the real flow. */
async function userWithPasskey(username: string, over: Partial<User> = {}) {
  const user = await createTestUser(t.db, clock, username, over);
  return { user, ...(await addTestPasskey(t.db, clock, user)) };
}

/** The key's answer to a sign-in challenge, sent with `handle` (the browser's cookie) as given. */
function answer(key: SoftwarePasskey, begun: BeginAssertionResult, handle: string | undefined) {
  return signInWithPasskey(
    t.db,
    { handle, response: key.authenticate(begun.options) },
    freshContext(),
    clock,
  );
}

async function signIn(key: SoftwarePasskey) {
  const begun = await beginPasskeySignIn(t.db, clock);
  return answer(key, begun, begun.handle);
}

async function mailsTo(email: string, template: string) {
  return t.db
    .select()
    .from(emailOutbox)
    .where(and(eq(emailOutbox.to, email), eq(emailOutbox.template, template)));
}

describe('adding a passkey', () => {
  it('needs the current password first', async () => {
    const user = await createTestUser(t.db, clock, 'pk_wrongpw');
    const begun = await beginPasskeyRegistration(
      t.db,
      { userId: user.id, currentPassword: 'not the password at all' },
      freshContext(),
      clock,
    );
    expect(begun).toEqual({ ok: false, code: 'wrong_password' });
  });

  it('asks for a discoverable, user-verified credential on the APP_URL relying party', async () => {
    const user = await createTestUser(t.db, clock, 'pk_options');
    const begun = await beginPasskeyRegistration(
      t.db,
      { userId: user.id, currentPassword: TEST_PASSWORD },
      freshContext(),
      clock,
    );
    if (!begun.ok) throw new Error(begun.code);
    expect(begun.options.rp.id).toBe(relyingParty().id);
    expect(begun.options.authenticatorSelection).toMatchObject({
      residentKey: 'required',
      userVerification: 'required',
    });
  });

  it('stores the passkey, audits it and mails the owner', async () => {
    const { user, passkeyId } = await userWithPasskey('pk_add');
    const list = await listPasskeys(t.db, user.id);
    expect(list.map((p) => [p.id, p.name])).toEqual([[passkeyId, 'Laptop']]);
    expect(await mailsTo(user.email, 'passkey-added')).toHaveLength(1);
    const [event] = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.userId, user.id), eq(auditEvents.action, 'passkey.added')));
    expect(event?.meta).toMatchObject({ passkeyId });
  });

  it('refuses a challenge issued for another account', async () => {
    const owner = await createTestUser(t.db, clock, 'pk_reg_owner');
    const other = await createTestUser(t.db, clock, 'pk_reg_other');
    const begun = await beginPasskeyRegistration(
      t.db,
      { userId: owner.id, currentPassword: TEST_PASSWORD },
      freshContext(),
      clock,
    );
    if (!begun.ok) throw new Error(begun.code);
    const key = new SoftwarePasskey(relyingParty().origin);
    const finished = await finishPasskeyRegistration(
      t.db,
      { userId: other.id, handle: begun.handle, name: 'Stolen', response: key.register(begun.options) },
      freshContext(),
      clock,
    );
    expect(finished).toEqual({ ok: false, code: 'expired' });
    expect(await listPasskeys(t.db, other.id)).toEqual([]);
  });

  it('refuses an answer signed for another origin', async () => {
    const user = await createTestUser(t.db, clock, 'pk_origin');
    const begun = await beginPasskeyRegistration(
      t.db,
      { userId: user.id, currentPassword: TEST_PASSWORD },
      freshContext(),
      clock,
    );
    if (!begun.ok) throw new Error(begun.code);
    const phishing = new SoftwarePasskey('https://gatehouse.example.net');
    const finished = await finishPasskeyRegistration(
      t.db,
      { userId: user.id, handle: begun.handle, name: 'Phished', response: phishing.register(begun.options) },
      freshContext(),
      clock,
    );
    expect(finished).toEqual({ ok: false, code: 'invalid' });
  });
});

describe('challenges', () => {
  it('are single use: a second answer to one challenge is refused', async () => {
    const { key } = await userWithPasskey('pk_single_use');
    const begun = await beginPasskeySignIn(t.db, clock);
    const first = await answer(key, begun, begun.handle);
    expect(first.ok).toBe(true);
    const second = await answer(key, begun, begun.handle);
    expect(second).toEqual({ ok: false, code: 'invalid_credentials' });
  });

  it('expire after five minutes', async () => {
    const { key } = await userWithPasskey('pk_expiry');
    const begun = await beginPasskeySignIn(t.db, clock);
    clock.advance(CHALLENGE_TTL_MS + 1);
    const late = await answer(key, begun, begun.handle);
    expect(late).toEqual({ ok: false, code: 'invalid_credentials' });
  });

  it('answer nothing without the handle of the browser that asked', async () => {
    const { key } = await userWithPasskey('pk_no_handle');
    const begun = await beginPasskeySignIn(t.db, clock);
    const result = await answer(key, begun, undefined);
    expect(result).toEqual({ ok: false, code: 'invalid_credentials' });
  });
});

describe('signing in with a passkey alone', () => {
  it('opens a session, counts the sign-in and moves the counter', async () => {
    const { user, key, passkeyId } = await userWithPasskey('pk_signin');
    key.counter = 5;
    const result = await signIn(key);
    if (!result.ok) throw new Error(result.code);
    expect(result.user.id).toBe(user.id);
    const [session] = await t.db.select().from(sessions).where(eq(sessions.id, result.sessionId));
    expect(session?.userId).toBe(user.id);
    const [row] = await t.db.select().from(passkeys).where(eq(passkeys.id, passkeyId));
    expect(row?.counter).toBe(5);
    expect(row?.lastUsedAt).not.toBeNull();
    const [after] = await t.db.select().from(users).where(eq(users.id, user.id));
    expect(after?.lastLoginAt).not.toBeNull();
  });

  it('refuses a counter that goes backwards (a cloned authenticator)', async () => {
    const { key } = await userWithPasskey('pk_counter');
    key.counter = 10;
    expect((await signIn(key)).ok).toBe(true);
    key.counter = 9;
    expect(await signIn(key)).toEqual({ ok: false, code: 'invalid_credentials' });
    key.counter = 10;
    expect(await signIn(key)).toEqual({ ok: false, code: 'invalid_credentials' });
  });

  it('refuses a removed passkey', async () => {
    const { user, key, passkeyId } = await userWithPasskey('pk_removed');
    await removePasskey(t.db, { userId: user.id, passkeyId, actorId: user.id }, freshContext(), clock);
    expect(await signIn(key)).toEqual({ ok: false, code: 'invalid_credentials' });
  });

  it('refuses an assertion whose user handle names another account', async () => {
    const { key } = await userWithPasskey('pk_handle_a');
    const other = await createTestUser(t.db, clock, 'pk_handle_b');
    const begun = await beginPasskeySignIn(t.db, clock);
    const otherHandle = Buffer.from(other.id.replaceAll('-', ''), 'hex').toString('base64url');
    const result = await signInWithPasskey(
      t.db,
      { handle: begun.handle, response: key.authenticate(begun.options, otherHandle) },
      freshContext(),
      clock,
    );
    expect(result).toEqual({ ok: false, code: 'invalid_credentials' });
  });

  it('gives no session to a locked account, and says nothing of the lock', async () => {
    const { key } = await userWithPasskey('pk_locked');
    await t.db.update(users).set({ lockedAt: clock.now() }).where(eq(users.username, 'pk_locked'));
    expect(await signIn(key)).toEqual({ ok: false, code: 'invalid_credentials' });
  });

  it('tells a pending account its state, as password sign-in does', async () => {
    const { user, key } = await userWithPasskey('pk_pending');
    await t.db.update(users).set({ approvedAt: null }).where(eq(users.id, user.id));
    expect(await signIn(key)).toMatchObject({ ok: false, code: 'pending' });
  });
});

describe('verifying a passkey for a given account', () => {
  it("accepts the account's own passkey", async () => {
    const { user, key, passkeyId } = await userWithPasskey('pk_verify');
    const begun = await beginPasskeyVerification(t.db, { userId: user.id }, clock);
    if ('ok' in begun) throw new Error(begun.code);
    expect(begun.options.allowCredentials?.map((c) => c.id)).toEqual([key.credentialId]);
    const result = await verifyPasskeyForUser(
      t.db,
      { userId: user.id, handle: begun.handle, response: key.authenticate(begun.options), purpose: 'test' },
      freshContext(),
      clock,
    );
    expect(result).toEqual({ ok: true, passkeyId });
  });

  it("refuses another account's passkey, even with a valid signature", async () => {
    const victim = await userWithPasskey('pk_victim');
    const attacker = await userWithPasskey('pk_attacker');
    const begun = await beginPasskeyVerification(t.db, { userId: victim.user.id }, clock);
    if ('ok' in begun) throw new Error(begun.code);
    const result = await verifyPasskeyForUser(
      t.db,
      {
        userId: victim.user.id,
        handle: begun.handle,
        response: attacker.key.authenticate(begun.options),
        purpose: 'test',
      },
      freshContext(),
      clock,
    );
    expect(result).toEqual({ ok: false, code: 'invalid' });
  });

  it('refuses a sign-in challenge: challenges are bound to their purpose', async () => {
    const { user, key } = await userWithPasskey('pk_purpose');
    const begun = await beginPasskeySignIn(t.db, clock);
    const result = await verifyPasskeyForUser(
      t.db,
      { userId: user.id, handle: begun.handle, response: key.authenticate(begun.options), purpose: 'test' },
      freshContext(),
      clock,
    );
    expect(result).toEqual({ ok: false, code: 'expired' });
  });
});

describe('renaming and removing', () => {
  it("renames the owner's passkey and not another account's", async () => {
    const { user, passkeyId } = await userWithPasskey('pk_rename');
    const other = await createTestUser(t.db, clock, 'pk_rename_other');
    expect(
      await renamePasskey(t.db, { userId: other.id, passkeyId, name: 'Mine now' }, freshContext(), clock),
    ).toEqual({ ok: false, code: 'not_found' });
    expect(
      await renamePasskey(t.db, { userId: user.id, passkeyId, name: 'Phone' }, freshContext(), clock),
    ).toEqual({ ok: true });
    expect((await listPasskeys(t.db, user.id)).map((p) => p.name)).toEqual(['Phone']);
  });

  it('mails the owner when an admin removes a passkey', async () => {
    const { user, passkeyId } = await userWithPasskey('pk_admin_remove');
    const admin = await createTestUser(t.db, clock, 'pk_admin', { role: 'admin' });
    expect(
      await removePasskey(t.db, { userId: user.id, passkeyId, actorId: admin.id }, freshContext(), clock),
    ).toEqual({ ok: true });
    expect(await listPasskeys(t.db, user.id)).toEqual([]);
    const [mail] = await mailsTo(user.email, 'passkey-removed');
    expect(mail?.text).toContain('administrator');
    const [event] = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.userId, user.id), eq(auditEvents.action, 'passkey.removed')));
    expect(event?.actorId).toBe(admin.id);
  });
});

describe('re-authentication', () => {
  it('accepts a fresh assertion of an own passkey, and not a replayed one', async () => {
    const { user, key } = await userWithPasskey('pk_reauth');
    const begun = await beginPasskeyVerification(t.db, { userId: user.id }, clock);
    if ('ok' in begun) throw new Error(begun.code);
    const passkey = { handle: begun.handle, response: key.authenticate(begun.options) };
    const proof = { passkey };
    expect(
      await verifyReauthentication(t.db, { userId: user.id, proof, purpose: 'test' }, freshContext(), clock),
    ).toEqual({ ok: true });
    expect(
      await verifyReauthentication(t.db, { userId: user.id, proof, purpose: 'test' }, freshContext(), clock),
    ).toEqual({ ok: false, code: 'passkey_refused' });
  });

  it('still takes the password', async () => {
    const user = await createTestUser(t.db, clock, 'pk_reauth_pw');
    const proof = { password: TEST_PASSWORD };
    expect(
      await verifyReauthentication(t.db, { userId: user.id, proof, purpose: 'test' }, freshContext(), clock),
    ).toEqual({ ok: true });
  });
});
