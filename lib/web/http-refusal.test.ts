import { describe, expect, it } from 'vitest';
import { refusalInAuthRedirect, refusalResponse } from './http-refusal';

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
});
