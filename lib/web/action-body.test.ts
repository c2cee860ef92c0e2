import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ACTION_BODY_LIMIT, checkActionBody } from './action-body';

const { encodeReply } = createRequire(import.meta.url)(
  'next/dist/compiled/react-server-dom-turbopack/client.edge',
) as { encodeReply: (value: unknown) => Promise<FormData | string> };

/** A body as the browser sends it: through Request, so multipart gets its real boundary. */
async function asBody(value: FormData | string | Uint8Array, contentType?: string) {
  const request = new Request('http://app.test/login', {
    method: 'POST',
    body: value as BodyInit,
    ...(contentType ? { headers: { 'content-type': contentType } } : {}),
  });
  const type = request.headers.get('content-type') ?? '';
  return { type, body: request.body };
}

async function verdictOf(value: FormData | string | Uint8Array, contentType?: string, action = true) {
  const { type, body } = await asBody(value, contentType);
  return checkActionBody(type, null, body, action);
}

describe('checkActionBody', () => {
  it('takes what React sends for our actions: previous state and the form, or plain values', async () => {
    const form = new FormData();
    form.append('email', 'a@example.test');
    form.append('note', '$dollar at the start');
    const state = { status: 'error', errors: { email: ['Bad'] }, values: { when: new Date(0), n: 1n } };
    expect(await verdictOf(await encodeReply([state, form]))).toEqual({ ok: true });
    expect(await verdictOf(await encodeReply(['dark']))).toEqual({ ok: true });
    expect(await verdictOf(await encodeReply([]))).toEqual({ ok: true });
    expect(await verdictOf(await encodeReply([undefined, -0, NaN, Infinity]))).toEqual({ ok: true });
  });

  it('takes a readable form posted without JavaScript, whatever its fields', async () => {
    const form = new FormData();
    form.append('$ACTION_ID_abc', '');
    form.append('email', '\u0000\u202e');
    expect(await verdictOf(form, undefined, false)).toEqual({ ok: true });
  });

  it.each([
    ['broken JSON', 'text/plain', '[{"status":', 400],
    ['text that is not JSON', 'text/plain', 'email=a@b.c', 400],
    ['a JSON content type', 'application/json', '[]', 415],
    ['form encoding', 'application/x-www-form-urlencoded', 'a=b', 415],
    ['no content type', '', new TextEncoder().encode('[]'), 415],
    ['a broken boundary', 'multipart/form-data; boundary=zzz', '--yyy\r\n', 400],
    ['invalid UTF-8', 'text/plain', new Uint8Array([0x5b, 0xc3, 0x28, 0x5d]), 400],
  ])('refuses %s', async (_label, contentType, body, status) => {
    expect(await verdictOf(body, contentType)).toMatchObject({ ok: false, status });
  });

  it.each([
    ['a root that is not JSON', '[{'],
    ['a promise', '["$@1"]'],
    ['a map', '["$Q7"]'],
    ['a temporary reference', '["$T"]'],
    ['a server reference', '["$F1"]'],
    ['an outlined model', '["$1"]'],
    ['a BigInt that is not one', '["$n1e999"]'],
    ['a date that is not one', '["$Dnever"]'],
    ['a deep nesting', `${'['.repeat(5000)}${']'.repeat(5000)}`],
  ])('refuses a multipart reply with %s', async (_label, root) => {
    const form = new FormData();
    form.append('0', root);
    expect(await verdictOf(form)).toMatchObject({ ok: false, status: 400 });
  });

  it('refuses a multipart action with no root', async () => {
    const form = new FormData();
    form.append('1_email', 'a@b.c');
    expect(await verdictOf(form)).toMatchObject({ ok: false, status: 400 });
  });

  it('refuses a body over the limit, by its length header or by reading it', async () => {
    expect(await checkActionBody('text/plain', String(ACTION_BODY_LIMIT + 1), null, true)).toMatchObject({
      status: 413,
    });
    const big = JSON.stringify(['x'.repeat(ACTION_BODY_LIMIT)]);
    expect(await verdictOf(big, 'text/plain')).toMatchObject({ ok: false, status: 413 });
    const form = new FormData();
    form.append('$ACTION_ID_abc', '');
    form.append('city', 'x'.repeat(ACTION_BODY_LIMIT));
    expect(await verdictOf(form, undefined, false)).toMatchObject({ ok: false, status: 413 });
  });
});
