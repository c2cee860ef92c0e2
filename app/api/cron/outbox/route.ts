import { timingSafeEqual } from 'node:crypto';
import { env } from '@/lib/env';
import { runPeriodicWork } from '@/lib/periodic';

export const dynamic = 'force-dynamic';

function authorised(request: Request, secret: string): boolean {
  const given = Buffer.from(request.headers.get('authorization') ?? '');
  const expected = Buffer.from(`Bearer ${secret}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Vercel Cron calls this with GET and `Authorization: Bearer $CRON_SECRET`. It is the one GET that
 * does work, and only for a caller holding the secret: the server's periodic work (lib/periodic.ts:
 * the maintenance, then due mail), the same a long-running server does on its timer, nothing a
 * visitor chose.
 */
export async function GET(request: Request) {
  const secret = env().CRON_SECRET;
  const headers = { 'Cache-Control': 'no-store' };
  if (!secret) return Response.json({ error: 'cron_not_configured' }, { status: 404, headers });
  if (!authorised(request, secret)) return Response.json({ error: 'unauthorized' }, { status: 401, headers });
  const summary = await runPeriodicWork();
  return Response.json({ ok: true, ...summary }, { headers });
}
