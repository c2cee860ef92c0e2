/** Who is asking, for audit rows, rate limits and the sessions list. Flows take it instead of a Request. */
export interface RequestContext {
  ip: string | null;
  userAgent: string | null;
}

export const noRequestContext: RequestContext = { ip: null, userAgent: null };
