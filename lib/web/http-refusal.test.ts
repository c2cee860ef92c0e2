import { describe, expect, it } from 'vitest';
import { actionRefusalBody, actionRefusalOf, refusalInAuthRedirect, refusalResponse } from './http-refusal';

describe('HTTP refusals (docs/decisions/012)', () => {
  it('S14: a rate limit answers 429 with Retry-After', async () => {
    const response = refusalResponse('rate_limited', 61.2);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('62');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ error: 'rate_limited', retryAfterSeconds: 62 });
  });

  it('S23: a full hashing queue answers 503 with Retry-After, never 0', () => {
    const response = refusalResponse('busy', 0);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
  });

  it("S23: the refusal is read back from Auth.js's error redirect; other errors are left alone", () => {
    expect(refusalInAuthRedirect('http://x/login?error=CredentialsSignin&code=busy%3A3')).toEqual({
      code: 'busy',
      seconds: 3,
    });
    expect(refusalInAuthRedirect('/login?error=CredentialsSignin&code=rate_limited:900')).toEqual({
      code: 'rate_limited',
      seconds: 900,
    });
    expect(refusalInAuthRedirect('/login?error=CredentialsSignin&code=invalid_credentials')).toBeNull();
    expect(refusalInAuthRedirect('/account')).toBeNull();
    expect(refusalInAuthRedirect(null)).toBeNull();
  });

  it("S63: a refusal thrown by a form's action call is read back by its status; other errors are left alone", () => {
    // Next.js throws the text/plain body of a non-2xx answer as the Error's message.
    const thrown = (status: number) => new Error(actionRefusalBody(status, 'Refused.'));
    expect(actionRefusalOf(thrown(403))).toBe('origin');
    expect(actionRefusalOf(thrown(413))).toBe('tooLarge');
    expect(actionRefusalOf(thrown(415))).toBe('unreadable');
    expect(actionRefusalOf(thrown(400))).toBe('unreadable');
    expect(actionRefusalOf(thrown(503))).toBe('busy');
    expect(actionRefusalOf(new Error('An unexpected response was received from the server.'))).toBeNull();
    expect(actionRefusalOf(thrown(500))).toBeNull();
    expect(actionRefusalOf('403 not an error')).toBeNull();
  });
});
