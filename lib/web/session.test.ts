import { encode } from 'next-auth/jwt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { systemClock } from '@/lib/clock';
import { resetEnvCache } from '@/lib/env';
import { createSession } from '@/lib/sessions';
import { setSetting } from '@/lib/settings';
import { countingDb } from '@/tests/helpers/statement-counter';
import { createTestDatabase, type TestDatabase } from '@/tests/helpers/test-db';
import { createTestUser, freshContext } from '@/tests/helpers/users';

/**
 * Issue 15, end to end on the server side of a page view: the real Auth.js auth() decodes a real
 * session cookie, runs our jwt and session callbacks, and requireUser decides; every statement they
 * send to the database is counted (drizzle's query logger on the driver client the test database
 * uses). A signed-in page view must cost exactly one.
 */

const SECRET = 'issue-15-round-trip-test-secret-0123456789abcdef';
const COOKIE = 'authjs.session-token';

const request = vi.hoisted(() => ({ cookie: '', statements: [] as string[], db: undefined as unknown }));

vi.mock('server-only', () => ({}));
vi.mock('next/headers', () => ({
  headers: async () => new Headers({ cookie: request.cookie }),
  cookies: async () => {
    const jar = new Map(
      request.cookie
        .split('; ')
        .filter(Boolean)
        .map((pair) => pair.split('=') as [string, string]),
    );
    return {
      get: (name: string) => (jar.has(name) ? { name, value: jar.get(name) } : undefined),
      getAll: () => [...jar].map(([name, value]) => ({ name, value })),
      has: (name: string) => jar.has(name),
      set: () => undefined,
      delete: () => undefined,
    };
  },
}));
vi.mock('next/navigation', () => ({
  redirect: (to: string) => {
    throw new Error(`redirect ${to}`);
  },
  forbidden: () => {
    throw new Error('forbidden');
  },
}));
vi.mock('@/db/client', async (original) => ({
  ...(await original<typeof import('@/db/client')>()),
  getDb: async () => request.db,
}));

let t: TestDatabase;

beforeAll(async () => {
  process.env.AUTH_SECRET = SECRET;
  process.env.APP_URL = 'http://localhost:3000';
  resetEnvCache();
  t = await createTestDatabase();
  request.db = countingDb(t, request.statements);
});
afterAll(async () => {
  await t?.close();
});

/** A browser whose cookie names `sessionId`, as Auth.js itself encodes it. */
async function signedInAs(sessionId: string) {
  const value = await encode({ token: { sid: sessionId }, secret: SECRET, salt: COOKIE, maxAge: 3600 });
  request.cookie = `${COOKIE}=${value}`;
}

/**
 * One page view's server work: requireUser(). (React's cache(), which makes the layout's and the
 * page's calls one, holds only inside a server render; here each call is a page view of its own.)
 */
async function pageView(returnTo?: string) {
  const { requireUser } = await import('./session');
  request.statements.length = 0;
  const outcome = await requireUser(returnTo).then(
    (session) => ({ user: session.user.username }),
    (error: Error) => ({ refused: error.message }),
  );
  return { outcome, trips: request.statements.length };
}

describe('a signed-in page view', () => {
  it('costs one database statement for the session, its user and the two-factor check', async () => {
    const user = await createTestUser(t.db, systemClock, 'pageview');
    await signedInAs(await createSession(t.db, user.id, freshContext(), systemClock));
    const view = await pageView('/account');
    expect(view.outcome).toEqual({ user: 'pageview' });
    expect(view.trips).toBe(1);
  });

  it('still costs one when two-factor enrolment is due and the page sends the person to enrol', async () => {
    const admin = await createTestUser(t.db, systemClock, 'pageviewadmin', {
      role: 'admin',
      createdAt: new Date(Date.now() - 30 * 86_400_000),
    });
    await setSetting(t.db, 'two_factor_required_admins', true);
    await setSetting(t.db, 'two_factor_grace_days', 0);
    await signedInAs(await createSession(t.db, admin.id, freshContext(), systemClock));
    const view = await pageView('/admin');
    expect(view.outcome).toEqual({ refused: 'redirect /account/two-factor?required=1' });
    expect(view.trips).toBe(1);
    await setSetting(t.db, 'two_factor_required_admins', false);
  });

  it('costs one statement for a cookie whose session is gone, and the visitor goes to sign in', async () => {
    await signedInAs('x'.repeat(43));
    const view = await pageView('/account');
    expect(view.outcome).toEqual({ refused: 'redirect /login?next=%2Faccount' });
    expect(view.trips).toBe(1);
  });
});
