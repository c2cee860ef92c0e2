import { isIP } from 'node:net';

/**
 * Which request header carries the client's address, and how far to trust it (docs/decisions/011).
 *
 * Every forwarding header can be written by the client. Only the proxies in front of the app make it
 * trustworthy, and only the part they write: a proxy appends the address it saw to X-Forwarded-For,
 * so with `hops` proxies in front the client is the entry `hops` from the right, and anything left of
 * it is whatever the client claimed. X-Real-IP and CF-Connecting-IP are set (overwritten) by the one
 * proxy that owns them. With `none`, every forwarding header is ignored: a per-IP limit then counts all
 * clients as one ("unknown"), which is strict but cannot be dodged by making up addresses.
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
