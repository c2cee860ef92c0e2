import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { auditEvents, users } from '@/db/schema';
import type { AuditAction } from './audit';
import type { Clock } from './clock';
import { describeUserAgent, type DeviceLabel } from './session-management';
import { listLiveSessions } from './sessions';
import { secondFactorsOf } from './pending-sign-in';

/**
 * The security checkup on /account: where a person stands, at a glance, each row with the page that
 * fixes it. Three reads, side by side: the account row, the live sessions, and the latest of each
 * kind of event from the person's own audit trail (docs/decisions/033).
 */

/** Every way a password gets stored: its age is the time since the latest of them. */
const PASSWORD_SET_ACTIONS = [
  'user.registered',
  'password.changed',
  'password.reset_completed',
  'recovery_phrase.used',
] as const satisfies readonly AuditAction[];

/**
 * Two-factor sign-in as the checkup shows it. Until a second factor exists in the code the row says
 * "not available yet"; the helper that adds it changes the one line in accountOverview that sets it.
 */
/** An authenticator app confirmed (lib/two-factor.ts): sign-in asks for its code after the password. */
export type TwoFactorStatus = { enabled: boolean };

export interface SignInEvent {
  at: Date;
  ip: string | null;
  device: DeviceLabel;
}

export interface AccountOverview {
  emailConfirmedAt: Date | null;
  /** False for an account made by an admin or an import whose owner has not chosen one yet. */
  hasPassword: boolean;
  /** When the password was last stored; null when the trail no longer says (older than its retention). */
  passwordSetAt: Date | null;
  recoveryPhraseSet: boolean;
  twoFactor: TwoFactorStatus;
  devices: { count: number; current: (DeviceLabel & { signedInAt: Date }) | null };
  lastSignIn: SignInEvent | null;
  lastFailedSignIn: SignInEvent | null;
}

export async function accountOverview(
  db: Db,
  input: { userId: string; currentSessionId: string },
  clock: Clock,
): Promise<AccountOverview | null> {
  const kind = sql<'password' | 'signIn' | 'failedSignIn'>`case
    when ${auditEvents.action} = 'login.succeeded' then 'signIn'
    when ${auditEvents.action} = 'login.failed' then 'failedSignIn'
    else 'password' end`;
  const [[user], live, latest, twoFactor] = await Promise.all([
    db
      .select({
        emailVerifiedAt: users.emailVerifiedAt,
        hasPassword: sql<boolean>`${users.passwordHash} is not null`,
        recoveryPhraseSet: sql<boolean>`${users.recoveryPhraseHash} is not null`,
      })
      .from(users)
      .where(eq(users.id, input.userId)),
    listLiveSessions(db, input.userId, clock),
    // The newest row of each kind; walks this person's rows on audit_events_user_idx only.
    db
      .selectDistinctOn([kind], {
        kind,
        at: auditEvents.at,
        ip: auditEvents.ip,
        userAgent: auditEvents.userAgent,
      })
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.userId, input.userId),
          inArray(auditEvents.action, [...PASSWORD_SET_ACTIONS, 'login.succeeded', 'login.failed']),
        ),
      )
      .orderBy(kind, desc(auditEvents.at)),
    secondFactorsOf(db, input.userId),
  ]);
  if (!user) return null;
  const byKind = new Map(latest.map((row) => [row.kind, row]));
  const signInEvent = (row: (typeof latest)[number] | undefined): SignInEvent | null =>
    row ? { at: row.at, ip: row.ip, device: describeUserAgent(row.userAgent) } : null;
  const current = live.find((session) => session.id === input.currentSessionId);
  return {
    emailConfirmedAt: user.emailVerifiedAt,
    hasPassword: user.hasPassword,
    passwordSetAt: user.hasPassword ? (byKind.get('password')?.at ?? null) : null,
    recoveryPhraseSet: user.recoveryPhraseSet,
    // A passkey is a second step after the password too (decision 035).
    twoFactor: { enabled: twoFactor.totp || twoFactor.passkeys },
    devices: {
      count: live.length,
      current: current ? { ...describeUserAgent(current.userAgent), signedInAt: current.createdAt } : null,
    },
    lastSignIn: signInEvent(byKind.get('signIn')),
    lastFailedSignIn: signInEvent(byKind.get('failedSignIn')),
  };
}
