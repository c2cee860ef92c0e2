import { createHash } from 'node:crypto';
import type { Db } from '@/db/client';
import { recordAudit } from './audit';
import type { Clock } from './clock';
import type { RequestContext } from './request-context';
import { listLiveSessions, revokeSession, revokeUserSessions } from './sessions';

/**
 * "Your devices": a user lists their live sessions and ends the ones they do not recognise (S51).
 * The session id is the bearer secret inside the cookie, so the page never shows it: each session
 * is named by a handle, a hash prefix of the id that is useless as a credential and only ever
 * resolved among the signed-in user's own sessions.
 */

/** 16 hex digits (64 bits): unique among one person's sessions, and short enough for a form field. */
export const SESSION_HANDLE_PATTERN = /^[0-9a-f]{16}$/;

export function sessionHandle(sessionId: string): string {
  return createHash('sha256').update(sessionId, 'utf8').digest('hex').slice(0, 16);
}

export interface DeviceLabel {
  /** A browser name, or null when the user agent names none we know. */
  browser: string | null;
  /** An operating system name, or null. */
  os: string | null;
}

// Order matters: Chromium-based browsers also say "Chrome" and "Safari", Chrome says "Safari",
// Android says "Linux" and iOS says "like Mac OS X".
const BROWSERS: readonly (readonly [RegExp, string])[] = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\b(?:OPR|OPiOS|Opera)\//, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\bVivaldi\//, 'Vivaldi'],
  [/\bYaBrowser\//, 'Yandex Browser'],
  [/\b(?:Firefox|FxiOS)\//, 'Firefox'],
  [/\bChromium\//, 'Chromium'],
  [/\b(?:Chrome|CriOS)\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
];

const SYSTEMS: readonly (readonly [RegExp, string])[] = [
  [/\b(?:iPhone|iPod)\b/, 'iOS'],
  [/\biPad\b/, 'iPadOS'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b|\bX11\b/, 'Linux'],
];

/**
 * A short label for a user agent string, like "Firefox" and "Linux": enough for a person to recognise
 * their own devices. A parsing library would add versions and device models nobody needs here. Names
 * are product names, not translated; the page puts them in a sentence.
 */
export function describeUserAgent(userAgent: string | null | undefined): DeviceLabel {
  const ua = (userAgent ?? '').slice(0, 512);
  const browser = BROWSERS.find(([pattern]) => pattern.test(ua))?.[1] ?? null;
  const os = SYSTEMS.find(([pattern]) => pattern.test(ua))?.[1] ?? null;
  return { browser, os };
}

export interface SessionListEntry {
  /** The public name of the session: pass it back to revokeOtherSession. Never the session id. */
  handle: string;
  /** The session this request came with. */
  current: boolean;
  device: DeviceLabel;
  ip: string | null;
  createdAt: Date;
  lastSeenAt: Date;
}

/** The user's live sessions, this one first, then the most recently used. */
export async function listSessionsForUser(
  db: Db,
  userId: string,
  currentSessionId: string,
  clock: Clock,
): Promise<SessionListEntry[]> {
  const live = await listLiveSessions(db, userId, clock);
  const entries = live.map((session) => ({
    handle: sessionHandle(session.id),
    current: session.id === currentSessionId,
    device: describeUserAgent(session.userAgent),
    ip: session.ip,
    createdAt: session.createdAt,
    lastSeenAt: session.lastSeenAt,
  }));
  // Stable sort: the rest keep listLiveSessions' most-recent-first order.
  return entries.sort((a, b) => Number(b.current) - Number(a.current));
}

export type RevokeOtherSessionResult =
  { ok: true } | { ok: false; code: 'not_found' } | { ok: false; code: 'current_session' };

/**
 * Ends one of the user's other sessions, named by its handle. A handle that is not one of this
 * user's live sessions (another person's, an ended one, a made-up one) is `not_found`: a user can
 * only ever reach their own sessions. The current session is refused; signing out is for that.
 */
export async function revokeOtherSession(
  db: Db,
  input: { userId: string; currentSessionId: string; handle: string },
  context: RequestContext,
  clock: Clock,
): Promise<RevokeOtherSessionResult> {
  if (!SESSION_HANDLE_PATTERN.test(input.handle)) return { ok: false, code: 'not_found' };
  const live = await listLiveSessions(db, input.userId, clock);
  const target = live.find((session) => sessionHandle(session.id) === input.handle);
  if (!target) return { ok: false, code: 'not_found' };
  if (target.id === input.currentSessionId) return { ok: false, code: 'current_session' };

  return db.transaction(async (tx): Promise<RevokeOtherSessionResult> => {
    const txDb = tx;
    // Scoped to the user again, and only if still live: a concurrent revocation makes this a no-op.
    if (!(await revokeSession(txDb, target.id, clock, input.userId))) return { ok: false, code: 'not_found' };
    await recordAudit(
      txDb,
      {
        action: 'session.revoked',
        userId: input.userId,
        actorId: input.userId,
        meta: { scope: 'one', session: input.handle },
        ...context,
      },
      clock,
    );
    return { ok: true };
  });
}

/** "Sign out all other devices": every session of the user but the current one ends. */
export async function revokeAllOtherSessions(
  db: Db,
  input: { userId: string; currentSessionId: string },
  context: RequestContext,
  clock: Clock,
): Promise<{ ok: true; count: number }> {
  return db.transaction(async (tx) => {
    const txDb = tx;
    const count = await revokeUserSessions(txDb, input.userId, clock, input.currentSessionId);
    if (count > 0) {
      await recordAudit(
        txDb,
        {
          action: 'session.revoked',
          userId: input.userId,
          actorId: input.userId,
          meta: { scope: 'others', count },
          ...context,
        },
        clock,
      );
    }
    return { ok: true as const, count };
  });
}
