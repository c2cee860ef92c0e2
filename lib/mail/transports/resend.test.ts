import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MailError, type MailMessage } from '../message';
import { createResendTransport, formatMailbox } from './resend';

interface Captured {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
  body: unknown;
}

type Reply = { status: number; body: string; contentType?: string } | 'hang';

// A stand-in for api.resend.com: records each request and answers with whatever the test queued.
let api: Server;
let apiUrl: string;
const requests: Captured[] = [];
let reply: Reply = { status: 200, body: JSON.stringify({ id: 'email_123' }) };
const savedBaseUrl = process.env.RESEND_BASE_URL;

beforeAll(async () => {
  api = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      requests.push({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: JSON.parse(raw || 'null'),
      });
      if (reply === 'hang') return;
      res.writeHead(reply.status, { 'content-type': reply.contentType ?? 'application/json' });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});

afterAll(async () => {
  api.closeAllConnections();
  await new Promise<void>((resolve) => api.close(() => resolve()));
});

beforeEach(() => {
  requests.length = 0;
  reply = { status: 200, body: JSON.stringify({ id: 'email_123' }) };
  // The SDK reads this in its constructor, so it must be set before createResendTransport.
  process.env.RESEND_BASE_URL = apiUrl;
});

afterEach(() => {
  if (savedBaseUrl === undefined) delete process.env.RESEND_BASE_URL;
  else process.env.RESEND_BASE_URL = savedBaseUrl;
});

const LINK = 'https://accounts.example.test/verify-email?token=abc_-123';

function mail(overrides: Partial<MailMessage> = {}): MailMessage {
  return {
    from: { name: 'Gatehouse Accounts', address: 'accounts@example.test' },
    to: 'ada@example.test',
    subject: 'Verify your email address',
    html: `<p><a href="${LINK}">Verify</a></p>`,
    text: `Verify: ${LINK}`,
    ...overrides,
  };
}

function apiError(status: number, name: string, message: string): Reply {
  return { status, body: JSON.stringify({ statusCode: status, name, message }) };
}

async function sendError(message: MailMessage = mail(), config = {}): Promise<MailError> {
  const error = await createResendTransport({ apiKey: 're_test_key', ...config })
    .send(message)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(error).toBeInstanceOf(MailError);
  return error as MailError;
}

describe('createResendTransport', () => {
  it('posts the message to /emails with the API key and returns the email id', async () => {
    const resend = createResendTransport({ apiKey: 're_test_key' });
    const result = await resend.send(mail({ headers: { 'X-Gatehouse-Purpose': 'verify-email' } }));

    expect(result).toEqual({ messageId: 'email_123' });
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/emails');
    expect(request?.headers.authorization).toBe('Bearer re_test_key');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.body).toEqual({
      from: '"Gatehouse Accounts" <accounts@example.test>',
      to: 'ada@example.test',
      subject: 'Verify your email address',
      html: `<p><a href="${LINK}">Verify</a></p>`,
      text: `Verify: ${LINK}`,
      headers: { 'X-Gatehouse-Purpose': 'verify-email' },
    });
  });

  it('prefers an explicit baseUrl over RESEND_BASE_URL', async () => {
    process.env.RESEND_BASE_URL = 'http://127.0.0.1:9';
    await createResendTransport({ apiKey: 're_test_key', baseUrl: apiUrl }).send(mail());
    expect(requests).toHaveLength(1);
  });

  it('turns a 422 into a permanent error carrying the API’s message', async () => {
    reply = apiError(
      422,
      'validation_error',
      'Invalid `to` field. The email address needs to follow the format.',
    );
    const error = await sendError();
    expect(error).toMatchObject({ code: 'rejected', permanent: true, status: 422 });
    expect(error.message).toContain('Invalid `to` field. The email address needs to follow the format.');
  });

  it.each([
    [500, apiError(500, 'internal_server_error', 'An unexpected error occurred.'), 'deferred'],
    [502, { status: 502, body: '<html>Bad gateway</html>', contentType: 'text/html' }, 'deferred'],
    [429, apiError(429, 'rate_limit_exceeded', 'Too many requests.'), 'rate_limited'],
    [401, apiError(401, 'missing_api_key', 'Missing API key in the authorization header.'), 'auth_failed'],
    [403, apiError(403, 'invalid_api_key', 'API key is invalid.'), 'auth_failed'],
  ] as const)('turns a %i into a temporary error', async (status, answer, code) => {
    reply = answer;
    const error = await sendError();
    expect(error).toMatchObject({ code, permanent: false, status });
  });

  it('fails temporarily when the API cannot be reached', async () => {
    const error = await sendError(mail(), { baseUrl: 'http://127.0.0.1:9' });
    expect(error).toMatchObject({ code: 'connection_failed', permanent: false, status: undefined });
  });

  it('gives up on a request that never answers', async () => {
    reply = 'hang';
    const error = await sendError(mail(), { timeoutMs: 100 });
    expect(error).toMatchObject({ code: 'timeout', permanent: false });
    expect(error.message).toBe('The Resend API did not answer within 100 ms.');
    api.closeAllConnections();
  });

  it('refuses an invalid message without calling the API', async () => {
    const error = await sendError(mail({ to: 'ada@example.test\r\nBcc: evil@example.com' }));
    expect(error).toMatchObject({ code: 'invalid_recipient', permanent: true });
    expect(requests).toHaveLength(0);
  });
});

describe('formatMailbox', () => {
  it('quotes the name so a comma or quote in it cannot make a second mailbox', () => {
    expect(formatMailbox('Acme, Inc. "Accounts"', 'a@example.test')).toBe(
      '"Acme, Inc. \\"Accounts\\"" <a@example.test>',
    );
    expect(formatMailbox('', 'a@example.test')).toBe('a@example.test');
  });
});
