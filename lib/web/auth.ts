import 'server-only';
import NextAuth, { CredentialsSignin, type NextAuthConfig } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { env } from '@/lib/env';
import { log } from '@/lib/log';
import { logIn } from '@/lib/login';
import { appSecret } from '@/lib/secrets';
import { SESSION_ABSOLUTE_MS, validateSession, type LiveSession } from '@/lib/sessions';
import { contextFromHeaders } from './request-info';

/**
 * Auth.js with the Credentials provider and JWT sessions whose only claim is our session id. Every
 * request checks the row (validateSession), so revocation is immediate; the JWT is just a signed
 * envelope for the id.
 */

/** A refused sign-in; `code` says why, in words safe to show (never "wrong password" vs "no such user"). */
export class LoginRefused extends CredentialsSignin {
  constructor(code: string) {
    super();
    this.code = code;
  }
}

/**
 * What Auth.js reports when the caller sent something wrong (a request without its CSRF token, an
 * action or provider path that does not exist, a body that is not JSON): a refusal, answered with a
 * 400 or the error page, not a bug. Logged as a warning so errors stay for bugs and outages.
 */
const CALLER_ERRORS = new Set([
  'InvalidProvider',
  'MissingCSRF',
  'UnknownAction',
  'UnsupportedStrategy',
  'InvalidCallbackUrl',
  'InvalidCheck',
]);

// The session callback needs the row the jwt callback just checked, without a second query.
const checked = new WeakMap<object, LiveSession>();

export interface AppSession {
  sid: string;
  expires: string;
  user: {
    id: string;
    email: string;
    username: string;
    fullName: string;
    role: 'user' | 'admin';
    locale: string;
    timezone: string;
    theme: string;
  };
}

const config = (): NextAuthConfig => ({
  secret: appSecret(),
  // Auth.js only uses the host for its own endpoints; mail links come from APP_URL (S34).
  trustHost: true,
  useSecureCookies: env().APP_URL.startsWith('https://'),
  session: { strategy: 'jwt', maxAge: SESSION_ABSOLUTE_MS / 1000 },
  pages: { signIn: '/login', error: '/login' },
  logger: {
    error(error) {
      if (error instanceof CredentialsSignin) return;
      // By its `type`, not instanceof: the bundle may hold more than one copy of the error classes.
      const type = (error as { type?: unknown }).type;
      if ((typeof type === 'string' && CALLER_ERRORS.has(type)) || error instanceof SyntaxError) {
        log.warn('auth.refused', { type: typeof type === 'string' ? type : 'BadBody' });
        return;
      }
      log.error('auth.error', { name: error.name, message: error.message });
    },
    warn(code) {
      log.warn('auth.warning', { code });
    },
  },
  providers: [
    Credentials({
      credentials: { identifier: {}, password: {} },
      async authorize(credentials, request) {
        const identifier = typeof credentials.identifier === 'string' ? credentials.identifier : '';
        const password = typeof credentials.password === 'string' ? credentials.password : '';
        const result = await logIn(
          await getDb(),
          { identifier, password },
          contextFromHeaders(request.headers),
          systemClock,
        );
        if (result.ok) return { id: result.user.id, sessionId: result.sessionId };
        if (result.code === 'busy' || result.code === 'rate_limited') {
          throw new LoginRefused(`${result.code}:${result.retryAfterSeconds}`);
        }
        throw new LoginRefused(result.code);
      },
    }),
  ],
  callbacks: {
    async jwt({ token, user, trigger, session }) {
      // At sign-in: the cookie gets the new session id and nothing else about the person.
      if (user) return { sid: (user as { sessionId: string }).sessionId };
      // After re-authentication the caller has already made a new session row (S48).
      if (trigger === 'update' && typeof (session as { sid?: unknown })?.sid === 'string') {
        return { sid: (session as { sid: string }).sid };
      }
      const live = await validateSession(await getDb(), token.sid, systemClock);
      if (!live) return null;
      const next = { sid: live.session.id };
      checked.set(next, live);
      return next;
    },
    async session({ session, token }) {
      const live = checked.get(token);
      if (!live) return { expires: session.expires } as never;
      const { user } = live;
      return {
        sid: live.session.id,
        expires: live.session.expiresAt.toISOString(),
        user: {
          id: user.id,
          email: user.email,
          username: user.username,
          fullName: user.fullName,
          role: user.role,
          locale: user.locale,
          timezone: user.timezone,
          theme: user.theme,
        },
      } satisfies AppSession as never;
    },
  },
});

export const { handlers, auth, signIn, signOut, unstable_update } = NextAuth(config);
