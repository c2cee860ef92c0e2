import { describe, expect, it } from 'vitest';
import { addressBucket, clientIpFrom, type TrustedProxy } from './client-ip';
import { parseEnv } from './env';

const xff = (value: string, more: Record<string, string> = {}) =>
  new Headers({ 'x-forwarded-for': value, ...more });
const oneProxy: TrustedProxy = { header: 'x-forwarded-for', hops: 1 };

describe('client address from a trusted proxy header (docs/decisions/011)', () => {
  it('S14: a forged leftmost X-Forwarded-For entry is ignored; the one the proxy appended counts', () => {
    // The client sent "X-Forwarded-For: 1.2.3.4"; the proxy in front appended the address it saw.
    expect(clientIpFrom(xff('1.2.3.4, 203.0.113.9'), oneProxy)).toBe('203.0.113.9');
    expect(clientIpFrom(xff('1.2.3.4, 5.6.7.8, 203.0.113.9'), oneProxy)).toBe('203.0.113.9');
  });

  it('S14: with two proxies the client is the second entry from the right, whatever it prepended', () => {
    const twoProxies: TrustedProxy = { header: 'x-forwarded-for', hops: 2 };
    expect(clientIpFrom(xff('9.9.9.9, 198.51.100.4, 10.0.0.2'), twoProxies)).toBe('198.51.100.4');
    // Fewer entries than proxies: the request skipped a proxy, so nothing in it is trusted.
    expect(clientIpFrom(xff('198.51.100.4'), twoProxies)).toBeNull();
  });

  it('S23: without a configured proxy, every forwarding header is ignored', () => {
    const none: TrustedProxy = { header: 'none', hops: 1 };
    const headers = xff('1.2.3.4', { 'x-real-ip': '5.6.7.8', 'cf-connecting-ip': '9.9.9.9' });
    expect(clientIpFrom(headers, none)).toBeNull();
  });

  it('S23: only the configured header is read (X-Real-IP, CF-Connecting-IP)', () => {
    const headers = xff('1.2.3.4', { 'x-real-ip': '198.51.100.7', 'cf-connecting-ip': '2001:DB8::1' });
    expect(clientIpFrom(headers, { header: 'x-real-ip', hops: 1 })).toBe('198.51.100.7');
    expect(clientIpFrom(headers, { header: 'cf-connecting-ip', hops: 1 })).toBe('2001:db8::1');
    expect(clientIpFrom(new Headers(), { header: 'x-real-ip', hops: 1 })).toBeNull();
  });

  it('S23: garbage is not an address, so it cannot mint a fresh rate-limit key per request', () => {
    expect(clientIpFrom(xff('1.2.3.4, not-an-ip'), oneProxy)).toBeNull();
    expect(clientIpFrom(xff(`1.2.3.4, ${'9'.repeat(200)}`), oneProxy)).toBeNull();
    expect(clientIpFrom(xff('203.0.113.9:51234'), oneProxy)).toBe('203.0.113.9');
    expect(clientIpFrom(xff('[2001:db8::2]:443'), oneProxy)).toBe('2001:db8::2');
    expect(clientIpFrom(xff('::ffff:203.0.113.9'), oneProxy)).toBe('203.0.113.9');
  });

  it('defaults: no proxy trusted, except on Vercel, which sets X-Forwarded-For itself', () => {
    expect(parseEnv({}).TRUSTED_PROXY_HEADER).toBe('none');
    expect(parseEnv({ VERCEL: '1', DATABASE_URL: 'postgres://u:p@db/x' }).TRUSTED_PROXY_HEADER).toBe(
      'x-forwarded-for',
    );
    expect(parseEnv({}).TRUSTED_PROXY_HOPS).toBe(1);
    expect(() => parseEnv({ TRUSTED_PROXY_HEADER: 'forwarded' })).toThrow(/TRUSTED_PROXY_HEADER/);
    expect(() => parseEnv({ TRUSTED_PROXY_HOPS: '0' })).toThrow(/TRUSTED_PROXY_HOPS/);
  });
});

describe('rate-limit bucket of an address (S59)', () => {
  it('S59: IPv6 counts per /64, IPv4 per address, IPv4-mapped IPv6 as IPv4', () => {
    expect(addressBucket('2001:db8:1:2::5')).toBe(addressBucket('2001:db8:1:2:ffff::9'));
    expect(addressBucket('2001:DB8:1:2:0:0:0:1')).toBe('2001:db8:1:2::/64');
    expect(addressBucket('2001:db8:1:3::1')).not.toBe(addressBucket('2001:db8:1:2::5'));
    expect(addressBucket('::1')).toBe('0:0:0:0::/64');
    expect(addressBucket('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(addressBucket('::ffff:cb00:7109')).toBe('203.0.113.9');
    expect(addressBucket('64:ff9b::203.0.113.9')).toBe('64:ff9b:0:0::/64');
    expect(addressBucket('203.0.113.9')).toBe('203.0.113.9');
    expect(addressBucket('203.0.113.10')).not.toBe(addressBucket('203.0.113.9'));
  });
});
