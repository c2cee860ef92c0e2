import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { expect } from '@playwright/test';

/**
 * An HTTP client for /api/v1 that checks every answer against the OpenAPI document the server
 * publishes: the status must be one the operation documents, and the body must match that
 * response's schema. It keeps cookies like a browser would, per person, and records which
 * operations answered with which statuses, so a test can tell that every operation was exercised.
 */

export interface Schema {
  [keyword: string]: unknown;
  properties?: Record<string, Schema>;
  anyOf?: Schema[];
}
export interface Operation {
  operationId: string;
  security: unknown[];
  parameters?: { name: string; in: string; schema: Schema }[];
  requestBody?: { content: { 'application/json': { schema: Schema } } };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}

/** One item of a list answer: a session, an account or an audit event. */
export interface ApiItem {
  id: string;
  current?: boolean;
  username?: string;
  state?: string;
}

/** An answer's body, loosely typed: the document's schema has already checked its shape. */
export interface ApiBody {
  [field: string]: unknown;
  code?: string;
  state?: string;
  id?: string;
  next?: string | null;
  items?: ApiItem[];
  user?: { email: string };
  timezone?: string;
}
export interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: { Problem: Schema } };
}

export class ApiContract {
  readonly seen = new Map<string, Set<number>>();
  readonly #ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  readonly #validators = new Map<Schema, ValidateFunction>();

  constructor(
    readonly baseUrl: string,
    readonly document: Document,
  ) {}

  /** The operation a method and a concrete path answer to, by the document's path templates. */
  operationFor(method: string, path: string): Operation | undefined {
    for (const [template, methods] of Object.entries(this.document.paths)) {
      const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
      if (pattern.test(path)) return methods[method.toLowerCase()];
    }
    return undefined;
  }

  #validate(schema: Schema, body: unknown): string | null {
    const resolved =
      schema.$ref === '#/components/schemas/Problem' ? this.document.components.schemas.Problem : schema;
    let validate = this.#validators.get(resolved);
    if (!validate) {
      validate = this.#ajv.compile(resolved);
      this.#validators.set(resolved, validate);
    }
    return validate(body) ? null : this.#ajv.errorsText(validate.errors);
  }

  /** Whether `schema` refuses `value`: the fuzz only sends what the document says is wrong. */
  refuses(schema: Schema, value: unknown): boolean {
    const numeric = ['integer', 'number'].includes(String(schema.type));
    const sent = numeric && typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
    return this.#validate(schema, sent) !== null;
  }

  /** Checks one answer against the document and records it. */
  async check(method: string, path: string, response: Response): Promise<unknown> {
    const operation = this.operationFor(method, path.split('?')[0]!);
    expect(operation, `${method} ${path} is in the document`).toBeDefined();
    const status = response.status;
    const documented = operation!.responses[String(status)];
    const text = await response.text();
    expect(documented, `${method} ${path} documents ${status} (got: ${text.slice(0, 300)})`).toBeDefined();
    const contentType = (response.headers.get('content-type') ?? '').split(';')[0]!;
    let body: unknown = undefined;
    if (documented!.content) {
      expect(Object.keys(documented!.content)).toContain(contentType);
      body = JSON.parse(text);
      const problem = this.#validate(documented!.content[contentType]!.schema, body);
      expect(
        problem,
        `${method} ${path} ${status} body matches the document: ${text.slice(0, 300)}`,
      ).toBeNull();
    } else {
      expect(text, `${method} ${path} ${status} has no body`).toBe('');
    }
    if (!this.seen.has(operation!.operationId)) this.seen.set(operation!.operationId, new Set());
    this.seen.get(operation!.operationId)!.add(status);
    return body;
  }
}

/** One caller: a cookie jar (a browser's, same origin) or a bearer token. */
export class Caller {
  readonly cookies = new Map<string, string>();

  constructor(
    readonly contract: ApiContract,
    readonly headers: Record<string, string> = {},
  ) {}

  async call(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: ApiBody; headers: Headers }> {
    const headers: Record<string, string> = { ...this.headers };
    if (this.cookies.size > 0) {
      headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    }
    // A browser sends its origin with every unsafe request; the API asks for it with a cookie.
    if (method !== 'GET') headers.origin ??= this.contract.baseUrl;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.contract.baseUrl}/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: 'manual',
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at);
      const value = pair!.slice(at + 1);
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const parsed = await this.contract.check(method, path, response);
    return { status: response.status, body: (parsed ?? {}) as ApiBody, headers: response.headers };
  }
}
