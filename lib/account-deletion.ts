import { and, eq, inArray, isNotNull, isNull, or, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { auditEvents, emailOutbox, tokens, users, type User } from '@/db/schema';
import { userLocale } from './admins';
import { recordAudit } from './audit';
import type { Clock } from './clock';
import { enqueueRequiredMail } from './mail/outbox';
import { reauthProofOf, verifyReauthentication, type ReauthInput } from './reauth';
import type { RequestContext } from './request-context';

export type DeleteAccountInput = { userId: string } & ReauthInput;

export type DeleteAccountResult =
  | { ok: true }
  | { ok: false; code: 'wrong_password' | 'passkey_refused' }
  | { ok: false; code: 'busy'; retryAfterSeconds: number }
  | { ok: false; code: 'last_admin' };

const activeAdmin = and(
  eq(users.role, 'admin'),
  isNotNull(users.emailVerifiedAt),
  isNotNull(users.approvedAt),
  isNull(users.lockedAt),
  isNull(users.rejectedAt),
);

/**
 * True when the user is an active administrator and no other is: deleting them would leave nobody
 * able to approve sign-ups or change settings. Inside a transaction pass `lock`, so that two admins
 * deleting themselves at once cannot both see the other one still there.
 */
export async function isLastActiveAdmin(db: Db, userId: string, options: { lock?: boolean } = {}) {
  const query = db.select({ id: users.id }).from(users).where(activeAdmin);
  const admins = options.lock ? await query.for('update') : await query;
  return admins.length === 1 && admins[0]!.id === userId;
}

/** Who deletes an account: its owner, or an administrator acting from a request of their own. */
export type Deleter = { by: 'self' } | { by: 'admin'; adminId: string; context: RequestContext };

/**
 * A user deletes their own account (S41: the current password, or one of their passkeys; a wrong
 * password is counted like a failed sign-in); the rest is removeAccount's.
 */
export async function deleteAccount(
  db: Db,
  input: DeleteAccountInput,
  context: RequestContext,
  clock: Clock,
): Promise<DeleteAccountResult> {
  const proof = await verifyReauthentication(
    db,
    { userId: input.userId, proof: reauthProofOf(input), purpose: 'account_deletion' },
    context,
    clock,
  );
  if (!proof.ok) return proof;

  return db.transaction(async (tx): Promise<DeleteAccountResult> => {
    const [user] = await tx.select().from(users).where(eq(users.id, input.userId)).for('update');
    // Deleted by a concurrent request after the password check: answered like verifyCurrentPassword
    // answers for a missing account.
    if (!user) return { ok: false, code: 'wrong_password' };
    if (await isLastActiveAdmin(tx, user.id, { lock: true })) return { ok: false, code: 'last_admin' };
    await removeAccount(tx, user, { by: 'self' }, clock);
    return { ok: true };
  });
}

/**
 * What deleting an account does, whoever deletes it, inside the caller's transaction and on the row
 * it has locked and checked. Every mail that names one of the account's addresses (its own, one it
 * changed from, one a change would have moved it to) leaves the outbox, whoever it was addressed to
 * (the admins' sign-up and lock notices carry the address too); then the `account-deleted` mail is
 * queued to the address while it is still known (outbox rows do not reference users). The addresses
 * are scrubbed from the audit trail's meta and the owner's IP addresses and browser strings wiped,
 * `user.deleted` is recorded with the id alone, and the row goes; sessions and tokens go with it
 * (foreign keys cascade), so every live session ends (S46).
 */
export async function removeAccount(tx: Db, user: User, deleter: Deleter, clock: Clock): Promise<void> {
  const addresses = await accountAddresses(tx, user);
  const named = or(
    ...addresses.map((address) => {
      const pattern = addressPattern(address);
      return or(
        eq(emailOutbox.to, address),
        sql`${emailOutbox.subject} ~* ${pattern}`,
        sql`${emailOutbox.html} ~* ${pattern}`,
        sql`${emailOutbox.text} ~* ${pattern}`,
      );
    }),
  );
  await tx.delete(emailOutbox).where(named);
  await scrubAuditAddresses(tx, user.id, addresses);

  // An address nobody confirmed may not be the owner's: an admin's deletion does not write to it.
  // Owners deleting their own account are signed in, which takes a confirmed address (lib/login.ts).
  if (deleter.by === 'self' || user.emailVerifiedAt) {
    await enqueueRequiredMail(tx, {
      to: user.email,
      template: 'account-deleted',
      locale: userLocale(user),
      props: { username: user.username },
      clock,
    });
  }

  // What the person did, or what was done to the account by nobody known (which is mostly them
  // signing in): the network details are theirs. Rows an administrator made keep the admin's.
  await tx
    .update(auditEvents)
    .set({ ip: null, userAgent: null })
    .where(
      or(eq(auditEvents.actorId, user.id), and(eq(auditEvents.userId, user.id), isNull(auditEvents.actorId))),
    );
  // The owner's own request details would put back what was just wiped; an admin's are the admin's.
  const actor =
    deleter.by === 'self' ? { actorId: user.id } : { actorId: deleter.adminId, ...deleter.context };
  await recordAudit(
    tx,
    { action: 'user.deleted', userId: user.id, meta: { by: deleter.by }, ...actor },
    clock,
  );
  await tx.delete(users).where(eq(users.id, user.id));
}

/** Audit actions whose meta may name an address (meta.newEmail, meta.previousEmail). */
const ADDRESS_ACTIONS = [
  'email.change_requested',
  'email.changed',
  'email.change_cancelled',
  'user.locked',
  'user.lock_skipped',
] as const;

/**
 * Every address the account is known by: its own, the ones its email changes came from or went to
 * (confirmed, pending, cancelled or lapsed), from its tokens and its own audit rows.
 */
async function accountAddresses(tx: Db, user: User): Promise<string[]> {
  const found = new Set([user.email]);
  const changes = await tx
    .select({ newEmail: tokens.newEmail })
    .from(tokens)
    .where(and(eq(tokens.userId, user.id), isNotNull(tokens.newEmail)));
  for (const { newEmail } of changes) if (newEmail) found.add(newEmail.toLowerCase());
  const events = await tx
    .select({ meta: auditEvents.meta })
    .from(auditEvents)
    .where(and(eq(auditEvents.userId, user.id), inArray(auditEvents.action, [...ADDRESS_ACTIONS])));
  for (const { meta } of events) {
    for (const key of ['newEmail', 'previousEmail']) {
      const value = meta[key];
      if (typeof value === 'string' && value.includes('@')) found.add(value.toLowerCase());
    }
  }
  return [...found];
}

/**
 * A case-insensitive regular expression (Postgres ARE and JavaScript alike) that finds the address
 * as a whole, not inside a longer one: "bob@example.com" must not match "jimbob@example.com".
 */
function addressPattern(address: string): string {
  const escaped = address.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return `(?<![a-z0-9._%+-])${escaped}(?![a-z0-9-]|\\.[a-z0-9])`;
}

/**
 * Rewrites audit meta so that none of the addresses remains: in the account's own rows (as target
 * or actor), and in other accounts' email-change rows that named one of them (someone who tried to
 * move to this address). Each occurrence becomes "[deleted]"; the rest of the row stays.
 */
async function scrubAuditAddresses(tx: Db, userId: string, addresses: string[]): Promise<void> {
  const patterns = addresses.map(addressPattern);
  const mentions = or(...patterns.map((pattern) => sql`${auditEvents.meta}::text ~* ${pattern}`));
  const rows = await tx
    .select({ id: auditEvents.id, meta: auditEvents.meta })
    .from(auditEvents)
    .where(
      and(
        or(
          eq(auditEvents.userId, userId),
          eq(auditEvents.actorId, userId),
          inArray(auditEvents.action, [...ADDRESS_ACTIONS]),
        ),
        mentions,
      ),
    );
  const expressions = patterns.map((pattern) => new RegExp(pattern, 'gi'));
  const scrub = (value: unknown): unknown => {
    if (typeof value === 'string') {
      return expressions.reduce((text, expression) => text.replace(expression, '[deleted]'), value);
    }
    if (Array.isArray(value)) return value.map(scrub);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, scrub(inner)]));
    }
    return value;
  };
  for (const row of rows) {
    await tx
      .update(auditEvents)
      .set({ meta: scrub(row.meta) as Record<string, unknown> })
      .where(eq(auditEvents.id, row.id));
  }
}
