import type { Db } from '@/db/client';
import type { Clock } from './clock';

export type AccessTokenScope = 'profile:read' | 'profile:write' | 'admin:read' | 'admin:write';
export type AccessTokenAuth =
  | { ok: true; userId: string; tokenId: string; scopes: AccessTokenScope[] }
  | { ok: false; code: 'invalid_token' };
/** Resolves a raw bearer token; refuses unknown/expired/revoked tokens and owners who are not
 *  active; admin scopes are dropped unless the owner is an admin now; records last use. */
export async function authenticateAccessToken(
  _db: Db,
  _raw: string,
  _clock: Clock,
): Promise<AccessTokenAuth> {
  return { ok: false, code: 'invalid_token' };
}
