import 'server-only';
import { z } from 'zod';
import { problemSchema } from '@/lib/validation/api';
import { bodySchemaOf, DOCUMENTED_MIN_PASSWORD_LENGTH, type Endpoint } from './endpoint';
import { operations } from './operations';
import { PROBLEM_CONTENT_TYPE } from './problem';

/**
 * The OpenAPI 3.1 document of /api/v1, written from the same declarations and zod schemas that
 * answer the requests (lib/api/endpoint.ts): nothing here is typed by hand but the words.
 */

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    // Refinements and transforms have no JSON Schema: the document shows the shape they start from.
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}

const PROBLEM_WORDS: Record<number, string> = {
  400: 'The body is not JSON (`malformed_json`).',
  401: 'No valid session or token (`unauthenticated`, `invalid_token`), or a wrong sign-in (`invalid_credentials`).',
  403: 'Not allowed: a scope is missing (`insufficient_scope`), an account state, or an unsafe call with a session from another origin.',
  404: 'No such thing (`not_found`).',
  409: 'The account is not in a state that allows this.',
  413: 'The body is larger than 64 KiB (`body_too_large`).',
  415: 'The body is not `application/json` (`unsupported_media_type`).',
  422: 'The request is well-formed but refused: `errors` names each field and why.',
  429: 'Too many requests: wait `Retry-After` seconds.',
  503: 'The server is busy: wait `Retry-After` seconds.',
};

/** The statuses an operation may answer besides its own: those of the parts it has. */
export function problemStatuses(endpoint: Endpoint): number[] {
  const statuses = new Set(endpoint.problems);
  if (endpoint.body) [400, 413, 415, 422].forEach((status) => statuses.add(status));
  if (endpoint.query) statuses.add(422);
  if (endpoint.params) statuses.add(404);
  if (endpoint.access !== 'anonymous') [401, 403, 429].forEach((status) => statuses.add(status));
  return [...statuses].sort((a, b) => a - b);
}

function security(endpoint: Endpoint) {
  const { access } = endpoint;
  if (access === 'anonymous') return [];
  if (access === 'session') return [{ session: [] }];
  return [{ session: [] }, { bearer: [access.scope] }];
}

function operation(endpoint: Endpoint) {
  const parameters = [
    ...Object.entries(endpoint.params?.shape ?? {}).map(([name, schema]) => ({
      name,
      in: 'path',
      required: true,
      schema: jsonSchema(schema as z.ZodType, 'input'),
    })),
    ...Object.entries(endpoint.query?.shape ?? {}).map(([name, schema]) => ({
      name,
      in: 'query',
      required: !(schema as z.ZodType).safeParse(undefined).success,
      schema: jsonSchema(schema as z.ZodType, 'input'),
    })),
  ];
  const body = bodySchemaOf(endpoint, DOCUMENTED_MIN_PASSWORD_LENGTH);
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(endpoint.responses)) {
    responses[status] = {
      description: response.description,
      ...(response.schema
        ? { content: { 'application/json': { schema: jsonSchema(response.schema, 'output') } } }
        : {}),
    };
  }
  for (const status of problemStatuses(endpoint)) {
    responses[String(status)] = {
      description: PROBLEM_WORDS[status] ?? 'Refused.',
      content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
    };
  }
  return {
    operationId: endpoint.operationId,
    summary: endpoint.summary,
    ...(endpoint.description ? { description: endpoint.description } : {}),
    tags: [endpoint.tag],
    security: security(endpoint),
    ...(typeof endpoint.access === 'object' ? { 'x-scope': endpoint.access.scope } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(body, 'input') } },
          },
        }
      : {}),
    responses,
  };
}

export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const endpoint of operations) {
    paths[endpoint.path] ??= {};
    paths[endpoint.path]![endpoint.method.toLowerCase()] = operation(endpoint);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Gatehouse API',
      version: '1',
      description:
        'Every flow of the forms, as JSON. Refusals are RFC 9457 problem details with a stable `code`. See docs/api.md.',
    },
    servers: [{ url: '/api/v1' }],
    tags: [
      { name: 'auth', description: 'Sign up, confirm, sign in and out.' },
      { name: 'password-reset', description: 'A forgotten password: link, code or recovery phrase.' },
      { name: 'users-me', description: 'The signed-in account.' },
      { name: 'admin', description: 'The admin console: accounts and the audit log.' },
    ],
    paths,
    components: {
      securitySchemes: {
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'authjs.session-token',
          description: 'The browser session, same origin only; unsafe calls must send Origin.',
        },
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'A personal access token made at /account/tokens; the operation names its scope.',
        },
      },
      schemas: { Problem: jsonSchema(problemSchema, 'output') },
    },
  };
}

export type OpenApiDocument = ReturnType<typeof openApiDocument>;
