import { describe, expect, it } from 'vitest';
import { parseEnv } from '@/lib/env';
import { checkOrigin, isUnsafeMethod } from './origin-check';

const allowed = ['https://accounts.example.com', 'https://app.example.com'];
const check = (headers: Record<string, string>) => checkOrigin(new Headers(headers), allowed);

describe('origin check on state-changing requests (docs/decisions/011)', () => {
  it('S25: a POST from another site is refused, by Origin or, without one, by Referer', () => {
    expect(check({ origin: 'https://evil.example' })).toBe('foreign');
    expect(check({ origin: 'null' })).toBe('foreign');
    expect(check({ referer: 'https://evil.example/form' })).toBe('foreign');
    expect(check({ referer: 'not a url' })).toBe('foreign');
    // Origin wins over a Referer that happens to look right.
    expect(check({ origin: 'https://evil.example', referer: 'https://accounts.example.com/login' })).toBe(
      'foreign',
    );
  });

  it("S25: APP_URL's origin and ALLOWED_ORIGINS pass; a different scheme or port does not", () => {
    expect(check({ origin: 'https://accounts.example.com' })).toBe('allowed');
    expect(check({ origin: 'https://app.example.com' })).toBe('allowed');
    expect(check({ referer: 'https://accounts.example.com/register?x=1' })).toBe('allowed');
    expect(check({ origin: 'http://accounts.example.com' })).toBe('foreign');
    expect(check({ origin: 'https://accounts.example.com:8443' })).toBe('foreign');
    expect(check({ origin: 'https://accounts.example.com.evil.example' })).toBe('foreign');
  });

  it('S43: a request naming no origin is told apart, and only unsafe methods are checked', () => {
    expect(check({})).toBe('missing');
    expect(['POST', 'put', 'PATCH', 'DELETE', 'PROPFIND', 'MKCOL', 'TRACE'].every(isUnsafeMethod)).toBe(true);
    expect(['GET', 'HEAD', 'OPTIONS'].some(isUnsafeMethod)).toBe(false);
  });

  it('ALLOWED_ORIGINS is validated and reduced to origins', () => {
    expect(
      parseEnv({ ALLOWED_ORIGINS: 'https://a.example, http://b.example:8080/' }).ALLOWED_ORIGINS,
    ).toEqual(['https://a.example', 'http://b.example:8080']);
    expect(() => parseEnv({ ALLOWED_ORIGINS: 'https://a.example/path' })).toThrow(/ALLOWED_ORIGINS/);
    expect(() => parseEnv({ ALLOWED_ORIGINS: 'a.example' })).toThrow(/ALLOWED_ORIGINS/);
  });
});
