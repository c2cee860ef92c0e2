import { getDatabase } from '@/db/client';
import { checkReadiness } from '@/lib/readiness';

export const dynamic = 'force-dynamic';

const NO_STORE = { 'Cache-Control': 'no-store' };

/**
 * Liveness (`GET /api/health`): the process serves requests, nothing more; no database, so it stays
 * cheap and a slow database never gets the instance restarted. Readiness (`?ready=1`): the database
 * answers and every migration is applied (lib/readiness.ts); 503 says which part is missing.
 */
export async function GET(request: Request) {
  if (!new URL(request.url).searchParams.has('ready')) {
    return Response.json({ status: 'ok' }, { headers: NO_STORE });
  }
  const readiness = await getDatabase().then(
    ({ db }) => checkReadiness(db),
    () => ({ ready: false, reason: 'database' }) as const,
  );
  if (readiness.ready) return Response.json({ status: 'ready' }, { headers: NO_STORE });
  return Response.json({ status: 'not_ready', reason: readiness.reason }, { status: 503, headers: NO_STORE });
}
