import { isIP } from 'node:net';

/**
 * Which request header carries the client's address, and how far to trust it (docs/decisions/011).
 *
 * Every forwarding header can be written by the client. Only the proxies in front of the app make it
 * trustworthy, and only the part they write: a proxy appends the address it saw to X-Forwarded-For,
 * so with `hops` proxies in front the client is the entry `hops` from the right, and anything left of
 * it is whatever the client claimed. X-Real-IP and CF-Connecting-IP are set (overwritten) by the one
 * proxy that owns them. With `none`, every forwarding header is ignored and no request has an address:
 * per-IP limits then do not apply at all (decision 018), rather than counting every client in one
 * shared bucket that a single noisy client could fill for everyone.
 */
export interface TrustedProxy {
  header: 'x-forwarded-for' | 'x-real-ip' | 'cf-connecting-ip' | 'none';
  hops: number;
}

export function clientIpFrom(headers: Headers, proxy: TrustedProxy): string | null {
  if (proxy.header === 'none') return null;
  const value = headers.get(proxy.header);
  if (!value) return null;
  if (proxy.header !== 'x-forwarded-for') return normalise(value);
  const entries = value.split(',').map((entry) => entry.trim());
  // Fewer entries than proxies: the request did not come through all of them, so nothing is trusted.
  if (entries.length < proxy.hops) return null;
  return normalise(entries[entries.length - proxy.hops]!);
}

/** Only a well-formed address counts; garbage would otherwise be a fresh rate-limit key per request. */
function normalise(value: string): string | null {
  let address = value.trim();
  // "[2001:db8::1]:443" and "192.0.2.1:443" as some proxies write them.
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) address = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(':'));
  if (address.toLowerCase().startsWith('::ffff:') && isIP(address.slice(7)) === 4) address = address.slice(7);
  return isIP(address) ? address.toLowerCase() : null;
}

/**
 * The rate-limit bucket of an address (S59): an IPv4 address is its own bucket, an IPv6 address counts
 * with its whole /64, because one subscriber or host is usually handed a /64 and can pick any address
 * in it. IPv4-mapped IPv6 (::ffff:192.0.2.1) counts as the IPv4 address. Anything that is not an
 * address is returned as given.
 */
export function addressBucket(address: string): string {
  const value = address.trim().toLowerCase();
  if (isIP(value) !== 6) return value;
  const groups = expandIpv6(value);
  const mapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  if (mapped) return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address, "::" and a trailing dotted IPv4 part expanded. */
function expandIpv6(address: string): number[] {
  let value = address.split('%')[0]!;
  const dotted = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(value);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    value = `${value.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = value.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}
