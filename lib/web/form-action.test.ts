import { notFound, redirect } from 'next/navigation';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { formData } from '@/tests/helpers/forms';
import { createFormAction, formDataToObject, type FormState } from './form-action';
import { MAX_FIELD_LENGTH } from './form-validation';

// The marker package throws outside a React Server Components bundle; the module under test is fine here.
vi.mock('server-only', () => ({}));

const schema = z
  .object({
    email: z.email('form.errors.invalidEmail').max(254),
    name: z.string().trim().min(1).max(100),
    password: z.string().min(12, 'password.tooShort').max(1000),
    confirmPassword: z.string(),
  })
  .refine((data) => data.password === data.confirmPassword, {
    message: 'form.errors.mismatch',
    path: ['confirmPassword'],
  });

const idle: FormState = { status: 'idle' };

const valid = {
  email: 'ada@example.com',
  name: 'Ada',
  password: 'correct horse battery',
  confirmPassword: 'correct horse battery',
};

function errorState(state: FormState) {
  if (state.status !== 'error') throw new Error(`expected an error state, got ${state.status}`);
  return state;
}

describe('createFormAction', () => {
  it('calls the handler with the parsed data when the input is valid', async () => {
    const handler = vi.fn(async (_data: unknown) => undefined);
    const action = createFormAction(schema, handler);
    const state = await action(idle, formData({ ...valid, name: '  Ada  ' }));
    expect(state).toEqual({ status: 'success' });
    expect(handler).toHaveBeenCalledOnce();
    expect(handler.mock.calls[0]?.[0]).toEqual({ ...valid, name: 'Ada' });
  });

  it('passes a success state from the handler through', async () => {
    const action = createFormAction(schema, async () => ({
      status: 'success' as const,
      message: { key: 'form.saved' },
      extra: { id: 7 },
    }));
    expect(await action(idle, formData(valid))).toEqual({
      status: 'success',
      message: { key: 'form.saved' },
      extra: { id: 7 },
    });
  });

  it('answers missing fields with "required" and does not call the handler', async () => {
    const handler = vi.fn(async (_data: unknown) => undefined);
    const state = errorState(
      await createFormAction(schema, handler)(idle, formData({ email: 'ada@example.com' })),
    );
    expect(state.fieldErrors).toMatchObject({
      name: { key: 'form.errors.required' },
      password: { key: 'form.errors.required' },
      confirmPassword: { key: 'form.errors.required' },
    });
    expect(state.fieldErrors.email).toBeUndefined();
    expect(handler).not.toHaveBeenCalled();
  });

  it('maps zod built-in issues and domain keys to message keys with their parameters', async () => {
    const action = createFormAction(schema, async () => undefined);
    const state = errorState(
      await action(
        idle,
        formData({
          email: 'not an address',
          name: 'x'.repeat(101),
          password: 'short',
          confirmPassword: 'short',
        }),
      ),
    );
    expect(state.fieldErrors).toEqual({
      email: { key: 'form.errors.invalidEmail' },
      name: { key: 'form.errors.tooLong', params: { max: 100 } },
      password: { key: 'password.tooShort', params: { min: 12 } },
    });
  });

  it('reports a refinement on the path it names', async () => {
    const action = createFormAction(schema, async () => undefined);
    const state = errorState(await action(idle, formData({ ...valid, confirmPassword: 'something else' })));
    expect(state.fieldErrors).toEqual({ confirmPassword: { key: 'form.errors.mismatch' } });
  });

  it('never echoes a password, but echoes what else was typed', async () => {
    const action = createFormAction(schema, async () => undefined);
    const state = errorState(await action(idle, formData({ ...valid, email: 'nope', password: 'hunter2' })));
    expect(state.values).toEqual({ email: 'nope', name: 'Ada' });
    expect(JSON.stringify(state)).not.toContain('hunter2');
    expect(JSON.stringify(state)).not.toContain('correct horse');
  });

  it('strips secrets from values a handler sends back, and echoes the rest', async () => {
    const action = createFormAction(schema, async (data) => ({
      status: 'error' as const,
      formError: { key: 'login.failed' },
      values: { password: data.password },
    }));
    const state = errorState(await action(idle, formData(valid)));
    expect(state.formError).toEqual({ key: 'login.failed' });
    expect(state.values).toEqual({ email: 'ada@example.com', name: 'Ada' });
  });

  it('honours a custom list of secret fields', async () => {
    const action = createFormAction(schema, async () => undefined, {
      secretFields: ['password', 'confirmPassword', 'email'],
    });
    const state = errorState(await action(idle, formData({ ...valid, name: '' })));
    expect(state.values).toEqual({ name: '' });
  });

  it('refuses an oversized value with a field error instead of truncating or throwing', async () => {
    const handler = vi.fn(async (_data: unknown) => undefined);
    const action = createFormAction(z.object({ note: z.string() }), handler);
    const state = errorState(await action(idle, formData({ note: 'a'.repeat(MAX_FIELD_LENGTH + 1) })));
    expect(state.fieldErrors).toEqual({
      note: { key: 'form.errors.tooLong', params: { max: MAX_FIELD_LENGTH } },
    });
    expect(state.values).toEqual({});
    expect(handler).not.toHaveBeenCalled();
  });

  it('keeps the last of repeated values and ignores files', async () => {
    const data = formData(valid);
    data.append('name', 'Grace');
    data.append('email', new File(['x'], 'x.txt'));
    const handler = vi.fn(async (_data: unknown) => undefined);
    await createFormAction(schema, handler)(idle, data);
    expect(handler.mock.calls[0]?.[0]).toMatchObject({ name: 'Grace', email: 'ada@example.com' });

    const onlyFile = new FormData();
    onlyFile.append('note', new Blob(['x']));
    const state = errorState(await createFormAction(z.object({ note: z.string() }), handler)(idle, onlyFile));
    expect(state.fieldErrors).toEqual({ note: { key: 'form.errors.required' } });
  });

  it('answers a body that is not valid UTF-8 with a field error', async () => {
    // Decoded the way the server decodes a real request: bad bytes become U+FFFD.
    const request = new Request('http://localhost/', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=ada%40example.com&name=%FF%FEAda&password=correct+horse+battery&confirmPassword=correct+horse+battery',
    });
    const handler = vi.fn(async (_data: unknown) => undefined);
    const state = errorState(await createFormAction(schema, handler)(idle, await request.formData()));
    expect(state.fieldErrors).toEqual({ name: { key: 'form.errors.invalidCharacters' } });
    expect(state.values).toEqual({ email: 'ada@example.com' });
    expect(handler).not.toHaveBeenCalled();
  });

  it('answers control characters and lone surrogates with a field error', async () => {
    const action = createFormAction(schema, async () => undefined);
    const nul = errorState(await action(idle, formData({ ...valid, name: 'Ada\u0000' })));
    expect(nul.fieldErrors).toEqual({ name: { key: 'form.errors.invalidCharacters' } });
    const surrogate = errorState(await action(idle, formData({ ...valid, name: 'Ada\ud800' })));
    expect(surrogate.fieldErrors).toEqual({ name: { key: 'form.errors.invalidCharacters' } });
    // Line breaks and tabs are ordinary text.
    expect(await action(idle, formData({ ...valid, name: 'Ada\r\n\tLovelace' }))).toEqual({
      status: 'success',
    });
  });

  it('answers a request whose argument is not FormData instead of throwing', async () => {
    const action = createFormAction(schema, async () => undefined);
    const crafted = { email: ['a', 'b'], password: 'hunter2' } as unknown as FormData;
    expect(await action(idle, crafted)).toEqual({
      status: 'error',
      fieldErrors: {},
      formError: { key: 'form.errors.invalid' },
      values: {},
    });
  });

  it('turns an exception in the handler into a generic error and logs only its name', async () => {
    // Installed over the setup's spy, so this one expected log line does not fail the test.
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const action = createFormAction(schema, async () => {
      throw new TypeError('connection to postgres://admin:s3cret@db failed');
    });
    const state = errorState(await action(idle, formData(valid)));
    expect(state.formError).toEqual({ key: 'form.errors.unexpected' });
    expect(state.fieldErrors).toEqual({});
    expect(state.values).toEqual({ email: 'ada@example.com', name: 'Ada' });
    expect(JSON.stringify(state)).not.toContain('s3cret');

    expect(consoleError).toHaveBeenCalledOnce();
    const line = JSON.parse(String(consoleError.mock.calls[0]?.[0]));
    expect(line).toMatchObject({ level: 'error', event: 'form_action.failed', name: 'TypeError' });
    expect(JSON.stringify(line)).not.toContain('s3cret');
  });

  it('lets redirect() and notFound() from the handler through', async () => {
    const redirecting = createFormAction(schema, async () => redirect('/welcome'));
    await expect(redirecting(idle, formData(valid))).rejects.toMatchObject({
      digest: expect.stringMatching(/^NEXT_REDIRECT;.*;\/welcome;/),
    });
    const missing = createFormAction(schema, async () => notFound());
    await expect(missing(idle, formData(valid))).rejects.toMatchObject({
      digest: expect.stringMatching(/^NEXT_HTTP_ERROR_FALLBACK;404/),
    });
  });
});

describe('formDataToObject', () => {
  it('keeps only text fields, drops Next.js internals and can be limited to known names', () => {
    const data = formData({ email: 'a@example.com', $ACTION_ID_abc: '', '$ACTION_1:0': '{}', extra: 'x' });
    data.append('avatar', new File(['x'], 'a.png'));
    expect(formDataToObject(data)).toEqual({ email: 'a@example.com', extra: 'x' });
    expect(formDataToObject(data, ['email'])).toEqual({ email: 'a@example.com' });
  });

  it('keeps a field named __proto__ as a plain field', () => {
    const data = new FormData();
    data.append('__proto__', 'x');
    const values = formDataToObject(data);
    expect(Object.getPrototypeOf(values)).toBe(Object.prototype);
    expect(Object.hasOwn(values, '__proto__')).toBe(true);
  });
});
