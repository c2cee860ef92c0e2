import { createHash } from 'node:crypto';
import { and, count, desc, eq, gt, isNull, lte, or } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { accessTokens, users } from '@/db/schema';
import { accountState } from './account-state';
import { userLocale } from './admins';
import { recordAudit } from './audit';
import { addMs, DAY, MINUTE, type Clock } from './clock';
import { enqueueMail, enqueueRequiredMail } from './mail/outbox';
import { randomToken } from './random';
import { reauthProofOf, verifyReauthentication, type ReauthInput } from './reauth';
import { noRequestContext, type RequestContext } from './request-context';
import { appUrl } from './urls';
import {
  ACCESS_TOKEN_LIFETIME_DAYS,
  ACCESS_TOKEN_SCOPES,
  ADMIN_SCOPES,
  type AccessTokenScope,
} from './validation/access-tokens';

export type { AccessTokenScope } from './validation/access-tokens';

/**
 * Personal access tokens: bearer credentials for the JSON API (issue 13), made by their owner at
 * /account/tokens. The raw token is shown once; the database keeps its SHA-256. Every use checks the
 * token and its owner afresh: a locked, unapproved, rejected or deleted owner is refused at once, and
 * admin scopes count only while the owner is an admin. Decisions: docs/decisions/025-access-tokens.md.
 */

/**
 * "gth_" makes a leaked token recognisable to secret scanners (as GitHub's "ghp_" does) and to a
 * person reading a log; 32 random bytes in base64url follow.
 */
export const ACCESS_TOKEN_PREFIX = 'gth_';
const TOKEN_BYTES = 32;
const RAW_TOKEN_PATTERN = /^gth_[A-Za-z0-9_-]{43}$/;
/** Shown in the list to tell tokens apart: the marker and 4 random characters (24 bits, no use to a thief). */
const DISPLAY_PREFIX_LENGTH = ACCESS_TOKEN_PREFIX.length + 4;
/** A busy script would otherwise write the token's row on every request. */
export const LAST_USE_WRITE_INTERVAL_MS = MINUTE;
/** Enough for every script a person runs; a bound on what one stolen session can mint. */
export const MAX_LIVE_ACCESS_TOKENS = 50;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function hashAccessToken(raw: string): string {
  return createHash('sha256').update(raw, 'utf8').digest('hex');
}

export type AccessTokenAuth =
  | { ok: true; userId: string; tokenId: string; scopes: AccessTokenScope[] }
  | { ok: false; code: 'invalid_token' };

const invalidToken = { ok: false, code: 'invalid_token' } as const;

function knownScopes(scopes: readonly string[]): AccessTokenScope[] {
  return ACCESS_TOKEN_SCOPES.filter((scope) => scopes.includes(scope));
}

/**
 * Resolves a raw bearer token; refuses unknown/expired/revoked tokens and owners who are not
 * active; admin scopes are dropped unless the owner is an admin now; records last use.
 * Unknown, malformed, expired, revoked and refused-owner tokens all answer alike. The last use is
 * written at most once a minute per token, by one conditional UPDATE, so concurrent requests with
 * one token never queue on its row. `context` gives the address recorded with the last use.
 */
export async function authenticateAccessToken(
  db: Db,
  raw: string,
  clock: Clock,
  context: RequestContext = noRequestContext,
): Promise<AccessTokenAuth> {
  if (typeof raw !== 'string' || !RAW_TOKEN_PATTERN.test(raw)) return invalidToken;
  const now = clock.now();
  const [found] = await db
    .select({ token: accessTokens, owner: users })
    .from(accessTokens)
    .innerJoin(users, eq(users.id, accessTokens.userId))
    .where(
      and(
        eq(accessTokens.tokenHash, hashAccessToken(raw)),
        isNull(accessTokens.revokedAt),
        gt(accessTokens.expiresAt, now),
      ),
    )
    .limit(1);
  if (!found || accountState(found.owner) !== 'active') return invalidToken;

  await db
    .update(accessTokens)
    .set({ lastUsedAt: now, lastUsedIp: context.ip })
    .where(
      and(
        eq(accessTokens.id, found.token.id),
        or(
          isNull(accessTokens.lastUsedAt),
          lte(accessTokens.lastUsedAt, addMs(now, -LAST_USE_WRITE_INTERVAL_MS)),
        ),
      ),
    );

  const scopes = knownScopes(found.token.scopes).filter(
    (scope) => found.owner.role === 'admin' || !ADMIN_SCOPES.includes(scope),
  );
  return { ok: true, userId: found.owner.id, tokenId: found.token.id, scopes };
}

// --- Creating -------------------------------------------------------------------------------------

export type CreateAccessTokenInput = {
  userId: string;
  name: string;
  expiresInDays: number;
  scopes: AccessTokenScope[];
} & ReauthInput;

export type CreateAccessTokenResult =
  | {
      ok: true;
      /** Shown to the owner once; never stored, never logged. */
      token: string;
      tokenId: string;
      expiresAt: Date;
    }
  | {
      ok: false;
      code:
        | 'wrong_password'
        | 'passkey_refused'
        | 'admin_scope_forbidden'
        | 'invalid_input'
        | 'too_many'
        | 'not_active';
    }
  | { ok: false; code: 'busy'; retryAfterSeconds: number };

/**
 * Makes a token: the current password first (S41, counted like a failed sign-in when wrong), then in
 * one transaction the row, the audit event and the owner's "new access token" mail (S60). Admin
 * scopes only for an administrator. A mail that cannot be queued leaves no token.
 */
export async function createAccessToken(
  db: Db,
  input: CreateAccessTokenInput,
  context: RequestContext,
  clock: Clock,
): Promise<CreateAccessTokenResult> {
  const name = input.name.trim();
  const scopes = knownScopes(input.scopes);
  if (
    name === '' ||
    scopes.length !== input.scopes.length ||
    scopes.length === 0 ||
    !(ACCESS_TOKEN_LIFETIME_DAYS as readonly number[]).includes(input.expiresInDays)
  ) {
    return { ok: false, code: 'invalid_input' };
  }

  const reauth = await verifyReauthentication(
    db,
    { userId: input.userId, proof: reauthProofOf(input), purpose: 'access_token' },
    context,
    clock,
  );
  if (!reauth.ok) return reauth;

  return db.transaction(async (tx): Promise<CreateAccessTokenResult> => {
    const [owner] = await tx.select().from(users).where(eq(users.id, input.userId)).for('update');
    if (!owner || accountState(owner) !== 'active') return { ok: false, code: 'not_active' };
    if (owner.role !== 'admin' && scopes.some((scope) => ADMIN_SCOPES.includes(scope))) {
      return { ok: false, code: 'admin_scope_forbidden' };
    }
    const now = clock.now();
    const [live] = await tx
      .select({ n: count() })
      .from(accessTokens)
      .where(
        and(
          eq(accessTokens.userId, owner.id),
          isNull(accessTokens.revokedAt),
          gt(accessTokens.expiresAt, now),
        ),
      );
    if ((live?.n ?? 0) >= MAX_LIVE_ACCESS_TOKENS) return { ok: false, code: 'too_many' };

    const token = `${ACCESS_TOKEN_PREFIX}${randomToken(TOKEN_BYTES)}`;
    const prefix = token.slice(0, DISPLAY_PREFIX_LENGTH);
    const expiresAt = addMs(now, input.expiresInDays * DAY);
    const [row] = await tx
      .insert(accessTokens)
      .values({
        userId: owner.id,
        name,
        tokenHash: hashAccessToken(token),
        prefix,
        scopes,
        expiresAt,
        createdAt: now,
      })
      .returning({ id: accessTokens.id });
    const tokenId = row!.id;
    await recordAudit(
      tx,
      {
        action: 'access_token.created',
        userId: owner.id,
        actorId: owner.id,
        // Named by its display prefix: the audit log drops any key that looks like a secret's ("token…").
        meta: { prefix, name, scopes, expiresInDays: input.expiresInDays },
        ...context,
      },
      clock,
    );
    await enqueueRequiredMail(tx, {
      to: owner.email,
      template: 'access-token-created',
      props: {
        username: owner.username,
        tokenName: name,
        scopes,
        expiresInDays: input.expiresInDays,
        tokensUrl: appUrl('/account/tokens'),
      },
      locale: userLocale(owner),
      clock,
    });
    return { ok: true, token, tokenId, expiresAt };
  });
}

// --- Listing --------------------------------------------------------------------------------------

export interface AccessTokenEntry {
  id: string;
  name: string;
  /** The token's first characters, for telling tokens apart; never enough to use it. */
  prefix: string;
  scopes: AccessTokenScope[];
  createdAt: Date;
  expiresAt: Date;
  expired: boolean;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
}

/**
 * A user's tokens that were not revoked, newest first. Expired ones stay listed, marked, so that the
 * owner sees why a script stopped; revoking one removes it from the list. The same list serves the
 * owner's page and the admin's (the caller checks who may see it).
 */
export async function listAccessTokens(db: Db, userId: string, clock: Clock): Promise<AccessTokenEntry[]> {
  const rows = await db
    .select()
    .from(accessTokens)
    .where(and(eq(accessTokens.userId, userId), isNull(accessTokens.revokedAt)))
    .orderBy(desc(accessTokens.createdAt));
  const now = clock.now();
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: knownScopes(row.scopes),
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    expired: row.expiresAt <= now,
    lastUsedAt: row.lastUsedAt,
    lastUsedIp: row.lastUsedIp,
  }));
}

// --- Revoking -------------------------------------------------------------------------------------

export type RevokeAccessTokenResult = { ok: true } | { ok: false; code: 'not_found' };

async function revokeOne(
  db: Db,
  input: { userId: string; tokenId: string; actorId: string; by: 'owner' | 'admin' },
  context: RequestContext,
  clock: Clock,
): Promise<RevokeAccessTokenResult> {
  // Not a uuid: no token of anyone's, and Postgres would refuse the comparison.
  if (!UUID_PATTERN.test(input.tokenId)) return { ok: false, code: 'not_found' };
  return db.transaction(async (tx): Promise<RevokeAccessTokenResult> => {
    const [token] = await tx
      .update(accessTokens)
      .set({ revokedAt: clock.now(), revokedBy: input.actorId })
      .where(
        and(
          eq(accessTokens.id, input.tokenId),
          eq(accessTokens.userId, input.userId),
          isNull(accessTokens.revokedAt),
        ),
      )
      .returning();
    if (!token) return { ok: false, code: 'not_found' };
    await recordAudit(
      tx,
      {
        action: 'access_token.revoked',
        userId: input.userId,
        actorId: input.actorId,
        meta: { prefix: token.prefix, name: token.name, by: input.by },
        ...context,
      },
      clock,
    );
    const [owner] = await tx.select().from(users).where(eq(users.id, input.userId)).limit(1);
    // A standing credential going is mailed like its creation (S60): if the owner did not do it,
    // someone holds their session; if an admin did, the owner's scripts stop and they hear why.
    if (owner) {
      await enqueueMail(tx, {
        to: owner.email,
        template: 'access-token-revoked',
        props: {
          username: owner.username,
          tokenName: token.name,
          byAdmin: input.by === 'admin',
          tokensUrl: appUrl('/account/tokens'),
        },
        locale: userLocale(owner),
        clock,
      });
    }
    return { ok: true };
  });
}

/**
 * The owner revokes one of their tokens; it stops working at once and the owner is mailed. A token that is not the user's,
 * or is already revoked, is `not_found`: a user only ever reaches their own tokens.
 */
export async function revokeAccessToken(
  db: Db,
  input: { userId: string; tokenId: string },
  context: RequestContext,
  clock: Clock,
): Promise<RevokeAccessTokenResult> {
  return revokeOne(db, { ...input, actorId: input.userId, by: 'owner' }, context, clock);
}

/**
 * An administrator revokes a token of any account (the role check is the caller's, S45); audited
 * with the admin as actor, and the owner is mailed.
 */
export async function adminRevokeAccessToken(
  db: Db,
  input: { adminId: string; userId: string; tokenId: string },
  context: RequestContext,
  clock: Clock,
): Promise<RevokeAccessTokenResult> {
  return revokeOne(
    db,
    { userId: input.userId, tokenId: input.tokenId, actorId: input.adminId, by: 'admin' },
    context,
    clock,
  );
}

/**
 * Revokes every live token of an account, for a lock or an admin's "sign out everywhere" (decision
 * 025): the caller mails and audits its own change; this records how many tokens went. Pass the
 * caller's transaction. Returns the number revoked.
 */
export async function revokeAllAccessTokens(
  db: Db,
  input: {
    userId: string;
    actorId: string | null;
    reason: 'lock' | 'admin_sign_out' | 'email_change_not_me';
  },
  context: RequestContext,
  clock: Clock,
): Promise<number> {
  const revoked = await db
    .update(accessTokens)
    .set({ revokedAt: clock.now(), revokedBy: input.actorId })
    .where(and(eq(accessTokens.userId, input.userId), isNull(accessTokens.revokedAt)))
    .returning({ id: accessTokens.id });
  if (revoked.length > 0) {
    await recordAudit(
      db,
      {
        action: 'access_token.revoked',
        userId: input.userId,
        ...context,
        actorId: input.actorId,
        meta: { scope: 'all', reason: input.reason, count: revoked.length },
      },
      clock,
    );
  }
  return revoked.length;
}
