import { NextResponse, type NextRequest } from 'next/server';
import { env } from '@/lib/env';
import { LOCALE_COOKIE, visitorLocale, type Locale } from '@/lib/i18n/config';
import en from '@/lib/i18n/messages/en/ui.json';
import fr from '@/lib/i18n/messages/fr/ui.json';
import { problemResponse } from '@/lib/api/problem';
import { log } from '@/lib/log';
import { shouldShed } from '@/lib/overload';
import { checkActionBody } from '@/lib/web/action-body';
import {
  ACTION_REFUSAL_CONTENT_TYPE,
  actionRefusalBody,
  proxyRefusalFor,
  refusalResponse,
} from '@/lib/web/http-refusal';
import { LINK_TOKEN_COOKIE, TOKEN_PAGES } from '@/lib/web/link-token';
import { checkOrigin, isUnsafeMethod } from '@/lib/web/origin-check';
import { securityHeaders } from '@/lib/web/security-headers';

const NO_STORE = 'no-store';
const BUSY_PAGE: Record<Locale, typeof en.busyPage> = { en: en.busyPage, fr: fr.busyPage };
const REFUSAL_PAGE: Record<Locale, typeof en.refusalPage> = { en: en.refusalPage, fr: fr.refusalPage };
const PROTECTED = ['/account', '/admin'];
/** Auth.js's session cookie, `__Secure-` over https, `.0`, `.1`… when chunked. */
const SESSION_COOKIE = /^(__Secure-)?authjs\.session-token(\.\d+)?$/;
/** Where a stranger's post starts an argon2 hash: shed first under overload (lib/overload.ts). */
const HASHING_POSTS = new Set([
  '/api/auth/callback/credentials',
  '/login',
  '/register',
  '/reset-password',
  '/set-password',
  '/verify-email',
  '/forgot-password/phrase',
  '/api/v1/auth/login',
  '/api/v1/auth/register',
  '/api/v1/auth/verify-email',
  '/api/v1/password-reset/reset',
  '/api/v1/recovery/reset',
]);
/** The JSON API: its refusals are problem details (lib/api/problem.ts), not text or pages. */
const JSON_API = '/api/v1/';
/** The API's reference is a page (with the page headers and CSP), not a route. */
const API_REFERENCE = '/api/docs';

/**
 * Before any page renders or any route runs:
 * - a POST, PUT, PATCH or DELETE from another origin is refused (S25, S43): every server action and
 *   route handler is behind this, not only the ones that remember to check;
 * - under overload, a post that would hash a password is refused with 503 before it costs anything
 *   (lib/overload.ts), and a server action's body that Next.js could not decode gets a 4xx here,
 *   not a 500 from the framework (lib/web/action-body.ts, S52);
 * - every page gets a fresh CSP nonce and the security headers (S27);
 * - links from mail: the token moves from the URL into a cookie for that page (lib/web/link-token.ts);
 * - the signed-in areas: no session cookie, no page. Pages, actions and routes check the session and
 *   role themselves (S45); this only spares them the work for strangers.
 *
 * Every request passes through here (see `config`): no header, path spelling or method lets an unsafe
 * request skip these checks (S63). Only safe requests for static files and prefetches leave at once.
 */
export async function proxy(request: NextRequest) {
  const { pathname, searchParams } = request.nextUrl;
  const unsafe = isUnsafeMethod(request.method);
  if (!unsafe && (isStaticAsset(pathname) || isPrefetch(request.headers))) return NextResponse.next();
  // Behind a proxy that ends TLS the request arrives as http; APP_URL says how people reach the app.
  const https = request.nextUrl.protocol === 'https:' || env().APP_URL.startsWith('https://');
  const api = (pathname === '/api' || pathname.startsWith('/api/')) && pathname !== API_REFERENCE;
  // Next.js answers a route handler whose path does not decode (`/api/v1/admin/users/%ff`) with a bare
  // 500 before any of our code runs: such a path names nothing, so it is the caller's mistake.
  if (api && !decodablePath(pathname)) {
    const refusal = {
      status: 400,
      reason: 'path_undecodable',
      text: 'The path is not valid percent-encoding.',
    };
    return refuse(request, refusal, api, https);
  }
  if (unsafe) {
    const verdict = checkOrigin(request.headers, allowedOrigins());
    // A request naming no origin comes from no browser, so it carries no one's cookies by accident:
    // the API takes those (Auth.js still wants its CSRF token, the cron route its secret). A server
    // action is only ever posted by a browser, which always sends Origin on a POST.
    if (verdict === 'foreign' || (verdict === 'missing' && !api)) {
      return refuse(
        request,
        { status: 403, reason: `origin_${verdict}`, text: 'Cross-origin request refused.' },
        api,
        https,
      );
    }
  }
  if (unsafe && HASHING_POSTS.has(pathname)) {
    const busy = shouldShed();
    if (busy) return busyResponse(request, api, busy.retryAfterSeconds, https);
  }
  if (api) return withHeaders(NextResponse.next(), apiHeaders(https));
  if (unsafe) {
    // Next.js runs a server action for a POST with this header, or with a multipart body naming one,
    // on any page path (a 404 included); no other method runs one, but their bodies are checked too.
    const action = request.headers.has('next-action');
    const contentType = request.headers.get('content-type') ?? '';
    if (action || contentType.toLowerCase().startsWith('multipart/form-data')) {
      const verdict = await checkActionBody(
        contentType,
        request.headers.get('content-length'),
        request.clone().body,
        action,
      );
      if (!verdict.ok) {
        const refusal = {
          status: verdict.status,
          reason: verdict.reason,
          text: `Request refused: ${verdict.reason}.`,
        };
        return refuse(request, refusal, api, https);
      }
    }
  }

  const headers = pageHeaders(https);

  if ((TOKEN_PAGES as readonly string[]).includes(pathname) && searchParams.has('token')) {
    return withHeaders(moveTokenToCookie(request, searchParams.get('token')!, https), headers);
  }

  const requestHeaders = new Headers(request.headers);
  // Next.js reads the nonce from the request's CSP header and puts it on its own scripts.
  requestHeaders.set('Content-Security-Policy', headers['Content-Security-Policy']!);
  const next = () => NextResponse.next({ request: { headers: requestHeaders } });

  if (PROTECTED.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`))) {
    // No session cookie at all: the login page. A cookie is checked by the page itself (against the
    // sessions table, once per request); checking it here too would double that work for every
    // signed-in page view.
    if (!request.cookies.getAll().some((cookie) => SESSION_COOKIE.test(cookie.name))) {
      const login = new URL('/login', request.url);
      login.searchParams.set('next', pathname + request.nextUrl.search);
      return withHeaders(NextResponse.redirect(login), headers);
    }
    // Nothing a signed-in page shows may be kept by a shared cache or the back button (S50).
    return withHeaders(next(), { ...headers, 'Cache-Control': NO_STORE });
  }
  if ((TOKEN_PAGES as readonly string[]).includes(pathname)) {
    return withHeaders(next(), { ...headers, 'Cache-Control': NO_STORE });
  }
  return withHeaders(next(), headers);
}

/** Safe requests for files that are not pages: nothing to check and no page headers to add. */
function isStaticAsset(pathname: string): boolean {
  return pathname.startsWith('/_next/static/') || pathname === '/_next/image' || pathname === '/favicon.ico';
}

/** Next.js's prefetch of a page (RSC data, no HTML): it needs neither a nonce nor a redirect. */
function isPrefetch(headers: Headers): boolean {
  return headers.has('next-router-prefetch') || headers.get('purpose') === 'prefetch';
}

type Refusal = { status: number; reason: string; text: string };

function decodablePath(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}

/**
 * Every refusal is logged once, with its reason (no query string, no body: tokens travel there), and
 * answered as its asker can show it: plain text for an API client; for a form posted by React, plain
 * text that Next.js hands to the form as the error (lib/web/http-refusal.ts, components/form); for a
 * form posted without JavaScript, a short page in the visitor's language with a way back.
 */
function refuse(request: NextRequest, refusal: Refusal, api: boolean, https: boolean): Response {
  log.warn('request.refused', {
    status: refusal.status,
    reason: refusal.reason,
    method: request.method.slice(0, 16),
    path: request.nextUrl.pathname.slice(0, 200),
    origin: (request.headers.get('origin') ?? request.headers.get('referer'))?.slice(0, 200) ?? null,
  });
  if (request.nextUrl.pathname.startsWith(JSON_API)) {
    const code = refusal.reason.startsWith('origin_') ? 'origin_refused' : refusal.reason;
    return withHeaders(problemResponse(refusal.status, code, { detail: refusal.text }), apiHeaders(https));
  }
  if (api) return plainRefusal(refusal.status, refusal.text, https);
  if (request.headers.has('next-action')) {
    const headers = { 'Content-Type': ACTION_REFUSAL_CONTENT_TYPE, 'Cache-Control': NO_STORE };
    const body = actionRefusalBody(refusal.status, refusal.text);
    return withHeaders(new Response(body, { status: refusal.status, headers }), apiHeaders(https));
  }
  const text = REFUSAL_PAGE[locale(request)];
  const kind = proxyRefusalFor(refusal.status);
  const why = kind === 'origin' ? text.origin : kind === 'tooLarge' ? text.tooLarge : text.unreadable;
  return refusalPage(request, refusal.status, { title: text.title, body: why, back: text.back }, https);
}

function locale(request: NextRequest): Locale {
  return visitorLocale(request.cookies.get(LOCALE_COOKIE)?.value, request.headers.get('accept-language'));
}

/**
 * 503 with Retry-After: JSON for the HTTP sign-in (like lib/web/http-refusal.ts), plain text for a
 * form posted by React, a short page in the visitor's language for a form posted without JavaScript.
 */
function busyResponse(request: NextRequest, api: boolean, retryAfterSeconds: number, https: boolean) {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  log.warn('request.refused', {
    status: 503,
    reason: 'busy',
    method: request.method.slice(0, 16),
    path: request.nextUrl.pathname,
    retryAfterSeconds: seconds,
  });
  if (request.nextUrl.pathname.startsWith(JSON_API)) {
    return withHeaders(problemResponse(503, 'busy', { retryAfterSeconds: seconds }), apiHeaders(https));
  }
  if (api) return withHeaders(refusalResponse('busy', retryAfterSeconds), apiHeaders(https));
  if (request.headers.has('next-action')) {
    const headers = {
      'Content-Type': ACTION_REFUSAL_CONTENT_TYPE,
      'Retry-After': String(seconds),
      'Cache-Control': NO_STORE,
    };
    const body = actionRefusalBody(503, 'The server is busy.');
    return withHeaders(new Response(body, { status: 503, headers }), apiHeaders(https));
  }
  const text = BUSY_PAGE[locale(request)];
  const response = refusalPage(request, 503, text, https, '/login');
  response.headers.set('Retry-After', String(seconds));
  return response;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** A small page, with the page headers (its CSP allows no script: it has none). */
function refusalPage(
  request: NextRequest,
  status: number,
  text: { title: string; body: string; back: string },
  https: boolean,
  backTo = request.nextUrl.pathname,
): Response {
  const lang = locale(request);
  const page =
    `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>${text.title}</title></head>` +
    `<body><main><h1>${text.title}</h1><p>${text.body}</p>` +
    `<p><a href="${escapeHtml(backTo)}">${text.back}</a></p></main></body></html>`;
  const headers = { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': NO_STORE };
  return withHeaders(new Response(page, { status, headers }), pageHeaders(https));
}

/** A refusal in plain text, with the headers of a route handler's answer. */
function plainRefusal(status: number, text: string, https: boolean): Response {
  const headers = { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': NO_STORE };
  return withHeaders(new Response(text, { status, headers }), apiHeaders(https));
}

/** The security headers of a page, with a fresh CSP nonce (S27). */
function pageHeaders(https: boolean): Record<string, string> {
  return securityHeaders(Buffer.from(crypto.randomUUID()).toString('base64'), {
    https,
    development: process.env.NODE_ENV === 'development',
  });
}

/** APP_URL's origin and ALLOWED_ORIGINS: the only pages that may post to this app. */
function allowedOrigins(): string[] {
  const { APP_URL, ALLOWED_ORIGINS } = env();
  return [new URL(APP_URL).origin, ...ALLOWED_ORIGINS];
}

/** Route handlers answer JSON or redirects, never a page: the headers that matter without a CSP. */
function apiHeaders(https: boolean): Record<string, string> {
  const headers = securityHeaders('', { https, development: process.env.NODE_ENV === 'development' });
  delete headers['Content-Security-Policy'];
  return headers;
}

function withHeaders<R extends Response>(response: R, headers: Record<string, string>): R {
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

function moveTokenToCookie(request: NextRequest, token: string, secure: boolean) {
  const target = request.nextUrl.clone();
  target.searchParams.delete('token');
  const response = NextResponse.redirect(target, 303);
  response.cookies.set(LINK_TOKEN_COOKIE, token.slice(0, 200), {
    httpOnly: true,
    // Like the session cookie: APP_URL says https even when a TLS-ending proxy forwards plain http.
    secure,
    sameSite: 'lax',
    path: request.nextUrl.pathname,
    maxAge: 30 * 60,
  });
  // The one response whose URL holds the token (S35).
  response.headers.set('Referrer-Policy', 'no-referrer');
  response.headers.set('Cache-Control', NO_STORE);
  return response;
}

/**
 * Every path. A matcher cannot name a method, and any exclusion by path or header (the prefetch
 * headers were one) let a crafted POST past every check, to a server action on whatever page answers
 * it, a 404 included (S63). Safe requests for static files and prefetches return at the top instead.
 */
export const config = {
  matcher: '/:path*',
};
