/**
 * RFC 9457 problem details: every refusal of the JSON API, from a route or from proxy.ts, has this
 * shape, with the flow's own stable `code` (docs/api.md lists them). Free of server-only imports so
 * that the proxy can answer with it too.
 */

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** One field a request got wrong: where (a JSON pointer into the request) and the message key. */
export interface ProblemFieldError {
  pointer: string;
  code: string;
}

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  errors?: ProblemFieldError[];
  retryAfterSeconds?: number;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problemDetails(
  status: number,
  code: string,
  extra: { detail?: string; errors?: ProblemFieldError[]; retryAfterSeconds?: number } = {},
): ProblemDetails {
  return {
    // A relative reference, resolved against the request: the reference page's entry for the code.
    type: `/api/docs#problem-${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    code,
    ...extra,
  };
}

export function problemResponse(
  status: number,
  code: string,
  extra: { detail?: string; errors?: ProblemFieldError[]; retryAfterSeconds?: number } = {},
  headers: Record<string, string> = {},
): Response {
  const body = problemDetails(status, code, extra);
  const all: Record<string, string> = {
    'Content-Type': PROBLEM_CONTENT_TYPE,
    'Cache-Control': 'no-store',
    ...headers,
  };
  if (extra.retryAfterSeconds !== undefined) all['Retry-After'] = String(extra.retryAfterSeconds);
  return new Response(JSON.stringify(body), { status, headers: all });
}
