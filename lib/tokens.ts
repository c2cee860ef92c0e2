import { createHash, timingSafeEqual } from 'node:crypto';
import { and, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { tokens, users, type Token, type TokenPurpose } from '@/db/schema';
import { addMs, type Clock } from './clock';
import { randomDigits, randomToken } from './random';
import { hit, limits, unhit, type Limit } from './rate-limit';

/**
 * Single-use, expiring, purpose-bound tokens. The clear token travels only in the mail; the database
 * keeps its SHA-256. Consumption is one atomic UPDATE … WHERE used_at IS NULL AND expires_at > now
 * RETURNING, so two concurrent uses of one token can never both succeed.
 */

export const TOKEN_BYTES = 32;
/** 32 bytes in base64url without padding. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const CODE_PATTERN = /^[0-9]{6}$/;
export const MAX_CODE_ATTEMPTS = 5;

export type TokenFailure = { ok: false; code: 'invalid_or_expired' };
export type TokenResult = { ok: true; token: Token } | TokenFailure;

const invalid: TokenFailure = { ok: false, code: 'invalid_or_expired' };

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

// Salting the code hash with the row id keeps two users' equal codes from sharing a hash.
function hashCode(tokenId: string, code: string): string {
  return createHash('sha256').update(`${tokenId}:${code}`, 'utf8').digest('hex');
}

export interface IssueTokenInput {
  userId: string;
  purpose: TokenPurpose;
  ttlMs: number;
  clock: Clock;
  /** Also issue a 6-digit code for entering on another device. */
  withCode?: boolean;
  newEmail?: string;
  /** Void the user's earlier unused tokens of this purpose: the newest request wins. */
  voidPrevious?: boolean;
}

export interface IssuedToken {
  id: string;
  token: string;
  code?: string;
  expiresAt: Date;
}

/** Creates a token row. Pass a transaction as `db` to issue it atomically with the change that needs it. */
export async function issueToken(db: Db, input: IssueTokenInput): Promise<IssuedToken> {
  const now = input.clock.now();
  const token = randomToken(TOKEN_BYTES);
  const code = input.withCode ? randomDigits(6) : undefined;
  if (input.voidPrevious) {
    await db
      .update(tokens)
      .set({ usedAt: now })
      .where(and(eq(tokens.userId, input.userId), eq(tokens.purpose, input.purpose), isNull(tokens.usedAt)));
  }
  const [row] = await db
    .insert(tokens)
    .values({
      userId: input.userId,
      purpose: input.purpose,
      tokenHash: hashToken(token),
      newEmail: input.newEmail,
      expiresAt: addMs(now, input.ttlMs),
      createdAt: now,
    })
    .returning({ id: tokens.id, expiresAt: tokens.expiresAt });
  if (!row) throw new Error('token insert returned no row');
  if (code !== undefined) {
    await db
      .update(tokens)
      .set({ codeHash: hashCode(row.id, code) })
      .where(eq(tokens.id, row.id));
  }
  return { id: row.id, token, code, expiresAt: row.expiresAt };
}

/** Whether a string can be a token at all: refuses wrong lengths and charsets before touching the database. */
export function isWellFormedToken(token: unknown): token is string {
  return typeof token === 'string' && TOKEN_PATTERN.test(token);
}

/**
 * Uses a token once. Expired, used, voided, unknown, tampered and wrong-purpose tokens all give the same
 * `invalid_or_expired`, so the answer says nothing about which.
 */
export async function consumeToken(
  db: Db,
  input: { token: unknown; purpose: TokenPurpose; clock: Clock },
): Promise<TokenResult> {
  if (!isWellFormedToken(input.token)) return invalid;
  const now = input.clock.now();
  const [row] = await db
    .update(tokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(tokens.tokenHash, hashToken(input.token)),
        eq(tokens.purpose, input.purpose),
        isNull(tokens.usedAt),
        gt(tokens.expiresAt, now),
      ),
    )
    .returning();
  return row ? { ok: true, token: row } : invalid;
}

/** Looks a token up without using it: for pages that check a link before showing a form. */
export async function findLiveToken(
  db: Db,
  input: { token: unknown; purpose: TokenPurpose; clock: Clock },
): Promise<TokenResult> {
  if (!isWellFormedToken(input.token)) return invalid;
  const now = input.clock.now();
  const [row] = await db
    .select()
    .from(tokens)
    .where(
      and(
        eq(tokens.tokenHash, hashToken(input.token)),
        eq(tokens.purpose, input.purpose),
        isNull(tokens.usedAt),
        gt(tokens.expiresAt, now),
      ),
    )
    .limit(1);
  return row ? { ok: true, token: row } : invalid;
}

/** Why a code was refused; the caller audits it, the visitor only ever sees `invalid_or_expired`. */
export type CodeFailureReason = 'no_live_code' | 'wrong_code' | 'capped';
export type CodeResult = { ok: true; token: Token } | (TokenFailure & { reason: CodeFailureReason });

const refused = (reason: CodeFailureReason): TokenFailure & { reason: CodeFailureReason } => ({
  ...invalid,
  reason,
});

/**
 * Uses the 6-digit code of the user's newest live token of a purpose.
 *
 * Every attempt is reserved before the code is compared (S61), each reservation one conditional
 * UPDATE, so parallel guesses cannot share one count:
 * - on the token: at most MAX_CODE_ATTEMPTS; the attempt that takes the last one voids the token (and
 *   its link) if it is wrong (S20);
 * - on the account: at most limits.codeFailuresPerAccountDaily a day and CODE_FAILURES_LIFETIME ever.
 *   Past either, no code is compared any more and only the emailed link works: 10 guesses an hour
 *   forever would otherwise give an attacker about an 8% chance a year against each account.
 * A right code gives back its account reservations: the caps count wrong codes only.
 * Pass the flow's transaction as `db`: the row locks then keep each account's attempts in line.
 */
export async function consumeCode(
  db: Db,
  input: { userId: string; code: unknown; purpose: TokenPurpose; clock: Clock },
): Promise<CodeResult> {
  const { userId, clock } = input;
  const now = clock.now();
  const live = and(
    eq(tokens.userId, userId),
    eq(tokens.purpose, input.purpose),
    isNull(tokens.usedAt),
    gt(tokens.expiresAt, now),
    sql`${tokens.codeHash} is not null`,
  );
  const [candidate] = await db
    .select({ id: tokens.id })
    .from(tokens)
    .where(live)
    .orderBy(sql`${tokens.createdAt} desc`)
    .limit(1);
  if (!candidate) return refused('no_live_code');

  if (!(await reserveAccountCodeAttempt(db, userId, RESET_CODE_BUDGET, clock))) return refused('capped');

  const [reserved] = await db
    .update(tokens)
    .set({ attempts: sql`${tokens.attempts} + 1` })
    .where(and(eq(tokens.id, candidate.id), live, lt(tokens.attempts, MAX_CODE_ATTEMPTS)))
    .returning({ attempts: tokens.attempts, codeHash: tokens.codeHash });
  if (!reserved?.codeHash) {
    // Voided, used or spent since it was found: nothing was guessed, so nothing counts.
    await releaseAccountCodeAttempt(db, userId, RESET_CODE_BUDGET, clock);
    return refused('no_live_code');
  }

  const wellFormed = typeof input.code === 'string' && CODE_PATTERN.test(input.code);
  if (wellFormed && safeEqualHex(hashCode(candidate.id, input.code as string), reserved.codeHash)) {
    const [row] = await db
      .update(tokens)
      .set({ usedAt: now })
      .where(and(eq(tokens.id, candidate.id), isNull(tokens.usedAt), gt(tokens.expiresAt, now)))
      .returning();
    // Right either way: it gives its account reservation back, used or not.
    await releaseAccountCodeAttempt(db, userId, RESET_CODE_BUDGET, clock);
    return row ? { ok: true, token: row } : refused('no_live_code');
  }

  if (reserved.attempts >= MAX_CODE_ATTEMPTS) {
    await db
      .update(tokens)
      .set({ usedAt: now })
      .where(and(eq(tokens.id, candidate.id), isNull(tokens.usedAt)));
  }
  return refused('wrong_code');
}

/** Wrong codes an account may ever enter; past it only links work (see consumeCode). */
export const CODE_FAILURES_LIFETIME = 100;

/**
 * An account's budget of wrong codes of one kind: so many a day (a rate limit) and so many ever (a
 * counter on the user row). Reset codes and second-factor codes each have their own, so that a
 * stranger guessing one kind cannot spend the owner's budget of the other.
 */
export interface AccountCodeBudget {
  daily: Limit;
  counter: 'codeFailureCount' | 'twoFactorFailureCount';
  lifetime: number;
}

export const RESET_CODE_BUDGET: AccountCodeBudget = {
  daily: limits.codeFailuresPerAccountDaily,
  counter: 'codeFailureCount',
  lifetime: CODE_FAILURES_LIFETIME,
};

/** Takes one attempt from the account's daily and lifetime budgets, or says they are spent. */
export async function reserveAccountCodeAttempt(
  db: Db,
  userId: string,
  budget: AccountCodeBudget,
  clock: Clock,
): Promise<boolean> {
  const today = await hit(db, budget.daily, userId, clock);
  if (!today.ok) return false;
  const counter = users[budget.counter];
  const [ever] = await db
    .update(users)
    .set({ [budget.counter]: sql`${counter} + 1` })
    .where(and(eq(users.id, userId), lt(counter, budget.lifetime)))
    .returning({ id: users.id });
  if (ever) return true;
  await unhit(db, budget.daily, userId, clock);
  return false;
}

/** Gives back a reservation that was not a wrong code. */
export async function releaseAccountCodeAttempt(
  db: Db,
  userId: string,
  budget: AccountCodeBudget,
  clock: Clock,
): Promise<void> {
  await unhit(db, budget.daily, userId, clock);
  const counter = users[budget.counter];
  await db
    .update(users)
    .set({ [budget.counter]: sql`greatest(${counter} - 1, 0)` })
    .where(eq(users.id, userId));
}

function safeEqualHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Ends the links a password or address change must end (S62): every unused reset, set-password and
 * confirmation link of the account, and a pending email change, which may have been started by
 * whoever the change locks out. The old address's "this wasn't me" links stay by default: they only
 * ever reach the owner. Pass the transaction that makes the change; returns how many were voided.
 */
export async function voidAccountLinks(
  db: Db,
  userId: string,
  clock: Clock,
  purposes: readonly TokenPurpose[] = ['reset_password', 'set_password', 'verify_email', 'change_email'],
): Promise<number> {
  const purposeList = sql.join(
    purposes.map((purpose) => sql`${purpose}`),
    sql`, `,
  );
  const voided = await db
    .update(tokens)
    .set({ usedAt: clock.now() })
    .where(and(eq(tokens.userId, userId), isNull(tokens.usedAt), sql`${tokens.purpose} in (${purposeList})`))
    .returning({ id: tokens.id });
  return voided.length;
}
