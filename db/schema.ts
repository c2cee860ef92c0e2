import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

export const userRole = pgEnum('user_role', ['user', 'admin']);

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // Stored lower-cased and trimmed; the check keeps a buggy caller from creating a case twin.
    email: text('email').notNull(),
    username: text('username').notNull(),
    // Null until the user sets one (accounts created by an admin or the CLI).
    passwordHash: text('password_hash'),
    fullName: text('full_name').notNull().default(''),
    phone: text('phone').notNull().default(''),
    address: text('address').notNull().default(''),
    city: text('city').notNull().default(''),
    country: text('country').notNull().default(''),
    locale: text('locale').notNull().default('en'),
    timezone: text('timezone').notNull().default('UTC'),
    theme: text('theme').notNull().default('system'),
    emailNotifications: boolean('email_notifications').notNull().default(true),
    role: userRole('role').notNull().default('user'),
    emailVerifiedAt: timestamptz('email_verified_at'),
    approvedAt: timestamptz('approved_at'),
    rejectedAt: timestamptz('rejected_at'),
    lockedAt: timestamptz('locked_at'),
    lockReason: text('lock_reason'),
    signupComment: text('signup_comment').notNull().default(''),
    lastLoginAt: timestamptz('last_login_at'),
    failedLoginCount: integer('failed_login_count').notNull().default(0),
    loginThrottledUntil: timestamptz('login_throttled_until'),
    // Wrong one-time codes over the account's life: past the cap only emailed links work (lib/tokens.ts).
    codeFailureCount: integer('code_failure_count').notNull().default(0),
    recoveryPhraseHash: text('recovery_phrase_hash'),
    // Wrong second-factor codes over the account's life, apart from the reset codes' count: a stranger
    // guessing reset codes must not be able to shut the owner out of their own sign-in (lib/two-factor.ts).
    twoFactorFailureCount: integer('two_factor_failure_count').notNull().default(0),
    // The words of the full name, for the admin search; stored so a search never recomputes them.
    nameWords: tsvector('name_words')
      .notNull()
      .generatedAlwaysAs(sql`to_tsvector('simple', full_name)`),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('users_email_unique').on(t.email),
    // Usernames are unique regardless of case: "Alice" and "alice" are one person to a reader.
    uniqueIndex('users_username_lower_unique').on(sql`lower(${t.username})`),
    index('users_created_at_idx').on(t.createdAt),
    // Admin search (lib/admin-users.ts): prefix matches on email and username, a suffix match on
    // the email for "@domain" searches, and word prefixes in the full name.
    index('users_email_prefix_idx').on(t.email.op('text_pattern_ops')),
    index('users_email_suffix_idx').using('btree', sql`reverse(${t.email}) text_pattern_ops`),
    index('users_username_prefix_idx').using('btree', sql`lower(${t.username}) text_pattern_ops`),
    // fastupdate off: without it new rows wait in a pending list every search scans in full until
    // a vacuum, which the embedded database never runs on its own.
    index('users_name_words_idx').using('gin', t.nameWords).with({ fastupdate: false }),
    index('users_last_login_idx').on(t.lastLoginAt.desc().nullsLast()),
    // One partial index per rare state, newest first, so a filtered page never walks the whole table.
    index('users_state_unverified_idx')
      .on(t.createdAt)
      .where(sql`${t.rejectedAt} is null and ${t.lockedAt} is null and ${t.emailVerifiedAt} is null`),
    index('users_state_pending_idx')
      .on(t.createdAt)
      .where(
        sql`${t.rejectedAt} is null and ${t.lockedAt} is null and ${t.emailVerifiedAt} is not null and ${t.approvedAt} is null`,
      ),
    index('users_state_locked_idx')
      .on(t.createdAt)
      .where(sql`${t.rejectedAt} is null and ${t.lockedAt} is not null`),
    index('users_state_rejected_idx')
      .on(t.createdAt)
      .where(sql`${t.rejectedAt} is not null`),
    index('users_role_admin_idx')
      .on(t.createdAt)
      .where(sql`${t.role} = 'admin'`),
    check('users_email_lower', sql`${t.email} = lower(${t.email})`),
    check('users_theme_valid', sql`${t.theme} in ('light', 'dark', 'system')`),
  ],
);

/**
 * Accounts by state without counting the users table (the admin overview, lib/admin-overview.ts):
 * triggers on `users` (migration user_state_counts) add a row +1 for the state an account enters and
 * -1 for the one it leaves, in the transaction that changes it; the count of a state is the sum of
 * its rows. Appending rather than updating one counter row per state means two sign-ups never wait
 * on each other's lock; the maintenance folds the rows back into one per state
 * (compactUserStateCounts). Docs/decisions/033.
 */
export const userStateChanges = pgTable('user_state_changes', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  state: text('state').notNull(),
  delta: bigint('delta', { mode: 'number' }).notNull(),
});

export const tokenPurpose = pgEnum('token_purpose', [
  'verify_email',
  'reset_password',
  'change_email',
  'cancel_email_change',
  'set_password',
  // An invitation to sign up: user_id is whoever sent it, new_email the address it is bound to.
  'invite',
]);

export const tokens = pgTable(
  'tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: tokenPurpose('purpose').notNull(),
    // SHA-256 of the token, hex. The token itself exists only in the mail that carried it.
    tokenHash: text('token_hash').notNull(),
    // SHA-256 of a 6-digit code, salted with the token id so equal codes hash differently.
    codeHash: text('code_hash'),
    newEmail: text('new_email'),
    attempts: integer('attempts').notNull().default(0),
    expiresAt: timestamptz('expires_at').notNull(),
    usedAt: timestamptz('used_at'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('tokens_token_hash_unique').on(t.tokenHash),
    index('tokens_user_purpose_idx').on(t.userId, t.purpose),
  ],
);

export const sessions = pgTable(
  'sessions',
  {
    // 256 random bits, base64url. Carried inside the signed Auth.js JWT and nowhere else.
    id: text('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    lastSeenAt: timestamptz('last_seen_at').notNull().defaultNow(),
    expiresAt: timestamptz('expires_at').notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    revokedAt: timestamptz('revoked_at'),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/**
 * Personal access tokens for the JSON API (lib/access-tokens.ts, docs/decisions/025). The raw token
 * is shown once; only its SHA-256 is kept. A token never outlives its owner's row.
 */
export const accessTokens = pgTable(
  'access_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    // SHA-256 of the whole raw token (prefix included), hex.
    tokenHash: text('token_hash').notNull(),
    // The first characters of the raw token, for a person to tell their tokens apart; not a secret.
    prefix: text('prefix').notNull(),
    scopes: text('scopes').array().notNull(),
    expiresAt: timestamptz('expires_at').notNull(),
    lastUsedAt: timestamptz('last_used_at'),
    lastUsedIp: text('last_used_ip'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    revokedAt: timestamptz('revoked_at'),
    // Who revoked it (the owner or an admin). No foreign key: like the audit trail, it outlives accounts.
    revokedBy: uuid('revoked_by'),
  },
  (t) => [
    uniqueIndex('access_tokens_token_hash_unique').on(t.tokenHash),
    index('access_tokens_user_idx').on(t.userId, t.createdAt),
  ],
);

/**
 * An authenticator app (TOTP, RFC 6238): one per account. The row exists from the moment enrolment
 * starts; only a confirmed one asks for a code at sign-in.
 */
export const totpFactors = pgTable('totp_factors', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  // encryptSecret() output (lib/secrets.ts): the shared key must be usable, so it cannot be hashed.
  secretEncrypted: text('secret_encrypted').notNull(),
  confirmedAt: timestamptz('confirmed_at'),
  // The time step of the last accepted code: a code is accepted once, and never one older than it.
  lastUsedStep: bigint('last_used_step', { mode: 'number' }),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
});

/** Single-use recovery codes of the second factor, SHA-256 salted with the account id. */
export const twoFactorRecoveryCodes = pgTable(
  'two_factor_recovery_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    usedAt: timestamptz('used_at'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('two_factor_recovery_codes_hash_unique').on(t.userId, t.codeHash)],
);

/**
 * A sign-in that passed the password and waits for its second factor. The browser holds the random
 * id in an HttpOnly cookie; only its SHA-256 is stored. Short-lived, single use, a few attempts.
 */
export const pendingSignIns = pgTable(
  'pending_sign_ins',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    attempts: integer('attempts').notNull().default(0),
    expiresAt: timestamptz('expires_at').notNull(),
    usedAt: timestamptz('used_at'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('pending_sign_ins_token_hash_unique').on(t.tokenHash),
    index('pending_sign_ins_expires_idx').on(t.expiresAt),
  ],
);

export const outboxStatus = pgEnum('outbox_status', ['queued', 'sending', 'sent', 'failed']);

export const emailOutbox = pgTable(
  'email_outbox',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    to: text('to').notNull(),
    template: text('template').notNull(),
    locale: text('locale').notNull(),
    subject: text('subject').notNull(),
    html: text('html'),
    text: text('text'),
    // True when the body carries a link with a token: such bodies are wiped once delivered.
    containsSecret: boolean('contains_secret').notNull().default(false),
    status: outboxStatus('status').notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamptz('next_attempt_at').notNull().defaultNow(),
    // Set while a worker holds the row; a row stuck in 'sending' past a lease is taken back.
    claimedAt: timestamptz('claimed_at'),
    lastError: text('last_error'),
    transport: text('transport'),
    providerMessageId: text('provider_message_id'),
    sentAt: timestamptz('sent_at'),
    scrubbedAt: timestamptz('scrubbed_at'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('email_outbox_due_idx').on(t.status, t.nextAttemptAt),
    index('email_outbox_created_idx').on(t.createdAt),
  ],
);

/** The development mailbox: mail delivered by the `dev` transport, shown at /dev/mailbox. */
export const devMailbox = pgTable(
  'dev_mailbox',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    from: text('from').notNull(),
    to: text('to').notNull(),
    subject: text('subject').notNull(),
    html: text('html').notNull(),
    text: text('text').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [index('dev_mailbox_created_idx').on(t.createdAt)],
);

export const rateLimits = pgTable(
  'rate_limits',
  {
    key: text('key').notNull(),
    windowStart: timestamptz('window_start').notNull(),
    count: integer('count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.key, t.windowStart] }), index('rate_limits_window_idx').on(t.windowStart)],
);

export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamptz('at').notNull().defaultNow(),
    // No foreign keys: the trail outlives the accounts it mentions (deletion keeps only the id).
    actorId: uuid('actor_id'),
    userId: uuid('user_id'),
    action: text('action').notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    meta: jsonb('meta').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    index('audit_events_at_idx').on(t.at),
    index('audit_events_user_idx').on(t.userId, t.at),
    index('audit_events_actor_idx').on(t.actorId, t.at),
    index('audit_events_action_idx').on(t.action, t.at),
    // The sign-ins chart of the admin overview (lib/admin-overview.ts) counts each day's sign-ins from
    // the index alone: most rows are sign-ins, so counting them through the two indexes above reads
    // the table as well (docs/decisions/033).
    index('audit_events_sign_in_at_idx')
      .on(t.at)
      .where(sql`${t.action} = 'login.succeeded'`),
  ],
);

export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  updatedBy: uuid('updated_by'),
});

/** WebAuthn credentials (passkeys): each one a public key the owner's authenticator holds the other half of. */
export const passkeys = pgTable(
  'passkeys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    // The authenticator's credential id, base64url: what an assertion names, unique across accounts.
    credentialId: text('credential_id').notNull(),
    // The COSE public key, base64url.
    publicKey: text('public_key').notNull(),
    // The authenticator's signature counter; up to 2^32 - 1, past what an integer column holds.
    counter: bigint('counter', { mode: 'number' }).notNull().default(0),
    transports: jsonb('transports').$type<string[]>().notNull().default([]),
    // 'singleDevice' (a security key) or 'multiDevice' (synced by a platform, e.g. a password manager).
    deviceType: text('device_type').notNull(),
    backedUp: boolean('backed_up').notNull().default(false),
    name: text('name').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    lastUsedAt: timestamptz('last_used_at'),
  },
  (t) => [
    uniqueIndex('passkeys_credential_id_unique').on(t.credentialId),
    index('passkeys_user_idx').on(t.userId),
  ],
);

export const webauthnChallengePurpose = pgEnum('webauthn_challenge_purpose', [
  'register',
  'sign_in',
  'verify_user',
]);

/**
 * WebAuthn challenges between the options and the browser's answer: in the database so that any
 * instance can finish what another began. Keyed by the SHA-256 of a random handle that only the
 * browser's HttpOnly cookie holds; deleted when used, useless once expired.
 */
export const webauthnChallenges = pgTable(
  'webauthn_challenges',
  {
    handleHash: text('handle_hash').primaryKey(),
    purpose: webauthnChallengePurpose('purpose').notNull(),
    // base64url, as the browser echoes it in clientDataJSON.
    challenge: text('challenge').notNull(),
    // Null for a username-less sign-in: the assertion names the account.
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: timestamptz('expires_at').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [index('webauthn_challenges_expires_idx').on(t.expiresAt)],
);

export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
export type Token = typeof tokens.$inferSelect;
export type TokenPurpose = (typeof tokenPurpose.enumValues)[number];
export type Session = typeof sessions.$inferSelect;
export type AccessToken = typeof accessTokens.$inferSelect;
export type OutboxRow = typeof emailOutbox.$inferSelect;
export type DevMail = typeof devMailbox.$inferSelect;
export type AuditEvent = typeof auditEvents.$inferSelect;
export type Setting = typeof settings.$inferSelect;
export type Passkey = typeof passkeys.$inferSelect;
export type WebauthnChallengePurpose = (typeof webauthnChallengePurpose.enumValues)[number];
export type TotpFactor = typeof totpFactors.$inferSelect;
export type PendingSignIn = typeof pendingSignIns.$inferSelect;
