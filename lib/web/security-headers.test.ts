import { describe, expect, it } from 'vitest';
import { securityHeaders } from './security-headers';

describe('security headers (S27)', () => {
  it('S27: in production over https: HSTS for a year with subdomains, no framing, nosniff, permissions', () => {
    const headers = securityHeaders('abc', { https: true, development: false });
    expect(headers['Strict-Transport-Security']).toBe('max-age=31536000; includeSubDomains');
    expect(headers['Content-Security-Policy']).toContain("frame-ancestors 'none'");
    expect(headers['Content-Security-Policy']).toContain("'nonce-abc'");
    expect(headers['Content-Security-Policy']).toContain('upgrade-insecure-requests');
    expect(headers['X-Frame-Options']).toBe('DENY');
    expect(headers['X-Content-Type-Options']).toBe('nosniff');
    expect(headers['Permissions-Policy']).toContain('camera=()');
  });

  it('S27: no HSTS on plain http, nor in development even over https', () => {
    expect(securityHeaders('abc', { https: false, development: false })).not.toHaveProperty(
      'Strict-Transport-Security',
    );
    expect(securityHeaders('abc', { https: true, development: true })).not.toHaveProperty(
      'Strict-Transport-Security',
    );
  });
});
