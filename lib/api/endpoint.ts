import 'server-only';
import { unstable_rethrow } from 'next/navigation';
import { z } from 'zod';
import { getDb, type Db } from '@/db/client';
import { authenticateAccessToken, type AccessTokenScope } from '@/lib/access-tokens';
import { systemClock } from '@/lib/clock';
import { env } from '@/lib/env';
import { log } from '@/lib/log';
import { hit, limits } from '@/lib/rate-limit';
import type { RequestContext } from '@/lib/request-context';
import { getSetting } from '@/lib/settings';
import { passwordProblemMessage, type PasswordProblem } from '@/lib/validation/password';
import { checkOrigin, isUnsafeMethod } from '@/lib/web/origin-check';
import { contextFromHeaders } from '@/lib/web/request-info';
import { currentSession } from '@/lib/web/session';
import { problemResponse, type ProblemFieldError } from './problem';

/**
 * One declaration per JSON operation (docs/decisions/024): method, path, the zod schemas of its
 * parameters, query, body and answer, who may call it, and the handler that calls the lib/ flow.
 * The same declaration writes the OpenAPI document (lib/api/openapi.ts) and answers the request
 * (routeHandlers), so the two cannot drift apart.
 */

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/**
 * `anonymous`: anyone. `session`: the browser's session cookie only (signing out ends it).
 * A scope: the session cookie (with every scope its role allows) or a bearer token holding it.
 */
export type Access = 'anonymous' | 'session' | { scope: AccessTokenScope };

export type Caller =
  | { via: 'session'; userId: string; sessionId: string; scopes: AccessTokenScope[] }
  | { via: 'bearer'; userId: string; tokenId: string; scopes: AccessTokenScope[] };

/** A body schema may depend on the minimum password length, an admin setting. */
type BodySchema = z.ZodType | ((minPasswordLength: number) => z.ZodType);

type Output<S> = S extends z.ZodType
  ? z.output<S>
  : S extends (n: number) => infer T
    ? z.output<T>
    : undefined;

export interface ApiAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface HandlerInput<P, Q, B, C> {
  params: P;
  query: Q;
  body: B;
  caller: C;
  db: Db;
  context: RequestContext;
}

export interface EndpointSpec<
  P extends z.ZodObject | undefined,
  Q extends z.ZodObject | undefined,
  B extends BodySchema | undefined,
  A extends Access,
> {
  method: HttpMethod;
  /** Under /api/v1, with `{name}` for path parameters. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: 'auth' | 'password-reset' | 'users-me' | 'admin';
  access: A;
  params?: P;
  query?: Q;
  body?: B;
  /** The success answers; a response without a schema has no body. */
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  /** The problem statuses this operation answers with, besides those every operation may give. */
  problems: number[];
  handler: (
    input: HandlerInput<
      P extends z.ZodObject ? z.output<P> : Record<string, never>,
      Q extends z.ZodObject ? z.output<Q> : Record<string, never>,
      Output<B>,
      A extends 'anonymous' ? Caller | null : Caller
    >,
  ) => Promise<ApiAnswer>;
}

export type Endpoint = EndpointSpec<
  z.ZodObject | undefined,
  z.ZodObject | undefined,
  BodySchema | undefined,
  Access
>;

export function defineEndpoint<
  P extends z.ZodObject | undefined = undefined,
  Q extends z.ZodObject | undefined = undefined,
  B extends BodySchema | undefined = undefined,
  A extends Access = Access,
>(spec: EndpointSpec<P, Q, B, A>): Endpoint {
  return spec as unknown as Endpoint;
}

/** The default minimum password length, for the document: the setting's own default. */
export const DOCUMENTED_MIN_PASSWORD_LENGTH = 15;

export function bodySchemaOf(endpoint: Endpoint, minPasswordLength: number): z.ZodType | undefined {
  const { body } = endpoint;
  if (!body) return undefined;
  return typeof body === 'function' ? body(minPasswordLength) : body;
}

/** What a signed-in role may do with the session cookie. */
const ROLE_SCOPES: Record<'user' | 'admin', AccessTokenScope[]> = {
  user: ['profile:read', 'profile:write'],
  admin: ['profile:read', 'profile:write', 'admin:read', 'admin:write'],
};

/** Bodies larger than this are refused unread: no operation takes more than a few kilobytes. */
const MAX_BODY_BYTES = 64 * 1024;

export const json = (body: unknown, status = 200): ApiAnswer => ({ status, body });
export const noContent = (): ApiAnswer => ({ status: 204 });

/** A refusal as an answer, for handlers. */
export function problem(
  status: number,
  code: string,
  extra: { errors?: ProblemFieldError[]; retryAfterSeconds?: number } = {},
): ApiAnswer {
  return { status, body: { problem: code, ...extra } };
}

/** The refusals most flows share, mapped the same way everywhere. */
export type FlowFailure =
  | { code: 'rate_limited' | 'busy' | 'cooldown'; retryAfterSeconds: number }
  | { code: 'password_policy'; problem: PasswordProblem }
  | { code: string };

/**
 * A flow's `{ ok: false, code }` as a problem. `statuses` names the status of the flow's own codes;
 * `fields` the request field a code is about (so a wrong current password is a field error).
 */
export function flowProblem(
  failure: FlowFailure,
  statuses: Record<string, number>,
  fields: Record<string, string> = {},
): ApiAnswer {
  if ('retryAfterSeconds' in failure) {
    const status = failure.code === 'busy' ? 503 : 429;
    return problem(status, failure.code, {
      retryAfterSeconds: Math.max(1, Math.ceil(failure.retryAfterSeconds)),
    });
  }
  if ('problem' in failure) {
    const message = passwordProblemMessage(failure.problem);
    return problem(422, 'password_policy', { errors: [{ pointer: '/password', code: message.key }] });
  }
  const status = statuses[failure.code] ?? 409;
  const field = fields[failure.code];
  return problem(
    status,
    failure.code,
    field ? { errors: [{ pointer: `/${field}`, code: failure.code }] } : {},
  );
}

function fieldErrors(error: z.ZodError, where: 'body' | 'query'): ProblemFieldError[] {
  return error.issues.map((issue) => ({
    pointer: `${where === 'query' ? '/query' : ''}/${issue.path.map(String).join('/')}`,
    code: issue.message,
  }));
}

function appOrigin(): string {
  return new URL(env().APP_URL).origin;
}

/**
 * The cookie is only ever taken from the app's own pages: a call from any other origin (even one in
 * ALLOWED_ORIGINS) is served with a bearer token or not at all, and an unsafe call must say where it
 * comes from (the same check as forms, lib/web/origin-check.ts).
 */
async function sessionCaller(request: Request): Promise<Caller | 'foreign' | null> {
  const origin = request.headers.get('origin');
  if (origin !== null && origin !== appOrigin()) return null;
  const session = await currentSession();
  if (!session) return null;
  if (isUnsafeMethod(request.method) && checkOrigin(request.headers, [appOrigin()]) !== 'allowed') {
    return 'foreign';
  }
  return {
    via: 'session',
    userId: session.user.id,
    sessionId: session.sid,
    scopes: ROLE_SCOPES[session.user.role],
  };
}

type Identified = { ok: true; caller: Caller | null } | { ok: false; response: Response };

async function identify(request: Request, db: Db): Promise<Identified> {
  const authorization = request.headers.get('authorization');
  if (authorization !== null) {
    const match = /^Bearer ([\x21-\x7e]{1,512})$/.exec(authorization);
    const auth = match
      ? await authenticateAccessToken(db, match[1]!, systemClock, contextFromHeaders(request.headers))
      : null;
    if (!auth?.ok) return { ok: false, response: unauthenticated('invalid_token') };
    return {
      ok: true,
      caller: { via: 'bearer', userId: auth.userId, tokenId: auth.tokenId, scopes: auth.scopes },
    };
  }
  const caller = await sessionCaller(request);
  if (caller === 'foreign') return { ok: false, response: problemResponse(403, 'origin_refused') };
  return { ok: true, caller };
}

function unauthenticated(code: string): Response {
  return problemResponse(401, code, {}, { 'WWW-Authenticate': 'Bearer' });
}

async function readJson(
  request: Request,
): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    return { ok: false, response: problemResponse(415, 'unsupported_media_type') };
  }
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > MAX_BODY_BYTES) return { ok: false, response: problemResponse(413, 'body_too_large') };
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
    return { ok: false, response: problemResponse(413, 'body_too_large') };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, response: problemResponse(400, 'malformed_json') };
  }
}

function toResponse(answer: ApiAnswer): Response {
  const body = answer.body as { problem?: unknown } | undefined;
  if (body && typeof body.problem === 'string') {
    const { problem: code, ...extra } = body as { problem: string } & Parameters<typeof problemResponse>[2];
    // A 401 says how to authenticate (RFC 9110), a refused sign-in included.
    const challenge: Record<string, string> = answer.status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {};
    return problemResponse(answer.status, code, extra, { ...challenge, ...answer.headers });
  }
  const headers = { 'Cache-Control': 'no-store', ...answer.headers };
  if (answer.body === undefined) return new Response(null, { status: answer.status, headers });
  return Response.json(answer.body, { status: answer.status, headers });
}

async function answer(
  endpoint: Endpoint,
  request: Request,
  rawParams: Record<string, string>,
): Promise<Response> {
  const db = await getDb();
  const { access } = endpoint;
  let caller: Caller | null = null;
  // Operations open to anyone ignore credentials: a stale cookie must not refuse a sign-in.
  if (access !== 'anonymous') {
    const identified = await identify(request, db);
    if (!identified.ok) return identified.response;
    caller = identified.caller;
    if (!caller) return unauthenticated('unauthenticated');
    if (access === 'session' && caller.via !== 'session') return problemResponse(403, 'session_required');
    if (typeof access === 'object' && !caller.scopes.includes(access.scope)) {
      return problemResponse(403, 'insufficient_scope', { detail: `Needs the ${access.scope} scope.` });
    }
  }
  if (caller) {
    const limited = await hit(db, limits.apiPerCaller, caller.userId, systemClock);
    if (!limited.ok)
      return problemResponse(429, 'rate_limited', { retryAfterSeconds: limited.retryAfterSeconds });
  }

  const params = endpoint.params
    ? endpoint.params.safeParse(rawParams)
    : { success: true as const, data: {} };
  // A path naming nothing that could exist is "no such thing", like a wrong id.
  if (!params.success) return problemResponse(404, 'not_found');

  const url = new URL(request.url);
  const query = endpoint.query
    ? endpoint.query.safeParse(Object.fromEntries(url.searchParams))
    : { success: true as const, data: {} };
  if (!query.success) {
    return problemResponse(422, 'invalid_request', { errors: fieldErrors(query.error, 'query') });
  }

  let body: unknown = undefined;
  if (endpoint.body) {
    const read = await readJson(request);
    if (!read.ok) return read.response;
    const schema = bodySchemaOf(endpoint, await getSetting(db, 'password_min_length'))!;
    const parsed = await schema.safeParseAsync(read.value);
    if (!parsed.success) {
      return problemResponse(422, 'invalid_request', { errors: fieldErrors(parsed.error, 'body') });
    }
    body = parsed.data;
  }

  const result = await endpoint.handler({
    params: params.data as never,
    query: query.data as never,
    body: body as never,
    caller: caller as never,
    db,
    context: contextFromHeaders(request.headers),
  });
  return toResponse(result);
}

/**
 * Allowed cross-origin callers (ALLOWED_ORIGINS) get CORS headers without credentials: they call
 * with a bearer token. Closed by default; the app's own origin needs none.
 */
function corsHeaders(request: Request): Record<string, string> {
  const origin = request.headers.get('origin');
  if (!origin || !env().ALLOWED_ORIGINS.includes(origin)) return {};
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Expose-Headers': 'Retry-After, WWW-Authenticate',
  };
}

function withCors(request: Request, response: Response): Response {
  response.headers.append('Vary', 'Origin');
  for (const [name, value] of Object.entries(corsHeaders(request))) response.headers.set(name, value);
  return response;
}

type RouteContext = { params: Promise<Record<string, string | string[]>> };
type RouteHandler = (request: Request, context: RouteContext) => Promise<Response>;

/** The exports of one route file: a handler per declared method, and the CORS preflight. */
export function routeHandlers(...endpoints: Endpoint[]): Record<HttpMethod | 'OPTIONS', RouteHandler> {
  const methods = endpoints.map((endpoint) => endpoint.method).join(', ');
  const notAllowed: RouteHandler = async (request) =>
    withCors(request, problemResponse(405, 'method_not_allowed', {}, { Allow: `${methods}, OPTIONS` }));
  const handlers: Record<HttpMethod | 'OPTIONS', RouteHandler> = {
    GET: notAllowed,
    POST: notAllowed,
    PATCH: notAllowed,
    DELETE: notAllowed,
    OPTIONS: notAllowed,
  };
  for (const endpoint of endpoints) {
    handlers[endpoint.method] = async (request, context) => {
      const raw = Object.fromEntries(
        Object.entries((await context.params) ?? {}).map(([name, value]) => [name, String(value)]),
      );
      try {
        return withCors(request, await answer(endpoint, request, raw));
      } catch (error) {
        // redirect(), notFound() and dynamic-rendering bail-outs travel as exceptions: let them through.
        unstable_rethrow(error);
        log.error('api.failed', {
          operation: endpoint.operationId,
          name: error instanceof Error ? error.name : typeof error,
        });
        return withCors(request, problemResponse(500, 'internal_error'));
      }
    };
  }
  handlers.OPTIONS = async (request) => {
    const cors = corsHeaders(request);
    const headers: Record<string, string> = { Vary: 'Origin', Allow: `${methods}, OPTIONS` };
    if (cors['Access-Control-Allow-Origin']) {
      Object.assign(headers, cors, {
        'Access-Control-Allow-Methods': methods,
        'Access-Control-Allow-Headers': 'Authorization, Content-Type',
        'Access-Control-Max-Age': '600',
      });
    }
    return new Response(null, { status: 204, headers });
  };
  return handlers;
}
