import 'server-only';
import { cookies } from 'next/headers';
import NextAuth, { CredentialsSignin, type NextAuthConfig } from 'next-auth';
import { encode } from 'next-auth/jwt';
import Credentials from 'next-auth/providers/credentials';
import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { env } from '@/lib/env';
import { log } from '@/lib/log';
import { logIn, type LoginResult } from '@/lib/login';
import { logOut } from '@/lib/logout';
import { signInWithPasskey } from '@/lib/passkeys';
import { appSecret } from '@/lib/secrets';
import { SESSION_ABSOLUTE_MS, validateSession, type LiveSession } from '@/lib/sessions';
import { deliverMailAfterResponse } from './mail';
import { setPendingSignInCookie } from './pending-sign-in-cookie';
import { contextFromHeaders, requestContext } from './request-info';
import { webauthnHandleFromHeaders } from './webauthn-cookie';
import { authenticationResponseSchema, webauthnResponseField } from '@/lib/validation/passkeys';

/**
 * Auth.js with the Credentials provider and JWT sessions whose only claim is our session id. Every
 * request checks the row (validateSession), so revocation is immediate; the JWT is just a signed
 * envelope for the id.
 *
 * The id is a bearer secret and never leaves the server (S57): the session JSON of
 * GET /api/auth/session holds no id, and no request chooses the session its cookie points at (the
 * jwt callback ignores the data of POST /api/auth/session; rotation sets the cookie here, with
 * Auth.js's own encoding: setSessionCookie). docs/decisions/017.
 */

/** A refused sign-in; `code` says why, in words safe to show (never "wrong password" vs "no such user"). */
export class LoginRefused extends CredentialsSignin {
  constructor(code: string) {
    super();
    this.code = code;
  }
}

/** A sign-in's result as Auth.js wants it: the user for the jwt callback, or the refusal thrown. */
async function signedInUser(result: LoginResult): Promise<{ id: string; sessionId: string }> {
  if (result.ok) {
    // The new-device notice goes out after the answer, not at the next timer tick.
    if (result.mailQueued) deliverMailAfterResponse();
    return { id: result.user.id, sessionId: result.sessionId };
  }
  if (result.code === 'second_factor_required') {
    // No session yet: the browser gets only the pending sign-in's id, then /login/two-factor.
    await setPendingSignInCookie(result.pendingToken);
    throw new LoginRefused('second_factor');
  }
  if (result.code === 'busy' || result.code === 'rate_limited') {
    throw new LoginRefused(`${result.code}:${result.retryAfterSeconds}`);
  }
  throw new LoginRefused(result.code);
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
  /** Read with the session (validateSession): requireUser sends the person to enrol a second factor. */
  twoFactorEnrolmentDue: boolean;
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

/** Secure cookies follow APP_URL, not the request: behind a proxy that ends TLS requests arrive as http. */
function secureCookies(): boolean {
  return env().APP_URL.startsWith('https://');
}

/** Auth.js's own name for the session cookie; `__Secure-` over https (S49). */
function sessionCookieName(): string {
  return `${secureCookies() ? '__Secure-' : ''}authjs.session-token`;
}

const SESSION_MAX_AGE_SECONDS = SESSION_ABSOLUTE_MS / 1000;

/**
 * Auth.js calls this with the request for its HTTP endpoints (/api/auth/*), and with nothing when our
 * own server code calls auth(), signIn() or signOut(). Only the latter may see the session id.
 */
const config = (request?: Request): NextAuthConfig => ({
  secret: appSecret(),
  // Auth.js only uses the host for its own endpoints; mail links come from APP_URL (S34).
  trustHost: true,
  useSecureCookies: secureCookies(),
  session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_SECONDS },
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
        return signedInUser(result);
      },
    }),
    // Sign-in with a passkey alone (lib/passkeys.ts): the browser's assertion as JSON, checked against
    // the challenge this browser's cookie names. Same session, same refusals as the password.
    Credentials({
      id: 'passkey',
      credentials: { response: {} },
      async authorize(credentials, request) {
        const response = webauthnResponseField(authenticationResponseSchema).safeParse(credentials.response);
        if (!response.success) throw new LoginRefused('invalid_credentials');
        const result = await signInWithPasskey(
          await getDb(),
          { handle: webauthnHandleFromHeaders(request.headers), response: response.data },
          contextFromHeaders(request.headers),
          systemClock,
        );
        return signedInUser(result);
      },
    }),
  ],
  events: {
    // Every sign-out ends the row (S58): the /logout button (signOut() below) and Auth.js's own
    // POST /api/auth/signout alike. With JWT sessions Auth.js hands over the decoded cookie.
    async signOut(message) {
      const token = 'token' in message ? message.token : null;
      await logOut(
        await getDb(),
        { sessionId: token?.sid },
        request ? contextFromHeaders(request.headers) : await requestContext(),
        systemClock,
      );
    },
  },
  callbacks: {
    async jwt({ token, user }) {
      // At sign-in: the cookie gets the new session id and nothing else about the person.
      if (user) return { sid: (user as { sessionId: string }).sessionId };
      // Anything else, POST /api/auth/session (`update`, with whatever `data` its caller sent)
      // included, only ever keeps the session the cookie already names, if it is still live (S57).
      const live = await validateSession(await getDb(), token.sid, systemClock);
      if (!live) return null;
      const next = { sid: live.session.id };
      checked.set(next, live);
      return next;
    },
    async session({ session, token }) {
      const live = checked.get(token);
      if (!live) return { expires: session.expires } as never;
      // Over HTTP: that a session is live and until when, nothing more (S57). The app itself reads
      // the session through auth() on the server.
      if (request) return { expires: live.session.expiresAt.toISOString() } as never;
      const { user } = live;
      return {
        sid: live.session.id,
        expires: live.session.expiresAt.toISOString(),
        twoFactorEnrolmentDue: live.twoFactorEnrolmentDue,
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

export const { handlers, auth, signIn, signOut } = NextAuth(config);

/**
 * Points this browser's session cookie at a session our own code just made (S48: re-authentication
 * rotates the id). Encoded as Auth.js encodes it, under the name and options Auth.js uses, so Auth.js
 * reads it back as its own; never reachable from a request's data (S57).
 */
export async function setSessionCookie(sessionId: string): Promise<void> {
  const name = sessionCookieName();
  const value = await encode({
    token: { sid: sessionId },
    secret: appSecret(),
    salt: name,
    maxAge: SESSION_MAX_AGE_SECONDS,
  });
  (await cookies()).set(name, value, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: secureCookies(),
    expires: new Date(systemClock.now().getTime() + SESSION_MAX_AGE_SECONDS * 1000),
  });
}

/** Forgets this browser's session cookie, for a sign-out that ended the row itself (the JSON API). */
export async function clearSessionCookie(): Promise<void> {
  (await cookies()).delete({ name: sessionCookieName(), path: '/', secure: secureCookies() });
}
