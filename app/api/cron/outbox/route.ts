import { timingSafeEqual } from 'node:crypto';
import { env } from '@/lib/env';
import { kickOutbox, maintain } from '@/lib/mail/worker';

export const dynamic = 'force-dynamic';

function authorised(request: Request, secret: string): boolean {
  const given = Buffer.from(request.headers.get('authorization') ?? '');
  const expected = Buffer.from(`Bearer ${secret}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Vercel Cron calls this with GET and `Authorization: Bearer $CRON_SECRET`. It is the one GET that
 * does work, and only for a caller holding the secret: it delivers due mail and runs the periodic
 * maintenance (lapsed email changes), nothing a visitor chose.
 */
export async function GET(request: Request) {
  const secret = env().CRON_SECRET;
  const headers = { 'Cache-Control': 'no-store' };
  if (!secret) return Response.json({ error: 'cron_not_configured' }, { status: 404, headers });
  if (!authorised(request, secret)) return Response.json({ error: 'unauthorized' }, { status: 401, headers });
  await maintain();
  const summary = await kickOutbox();
  return Response.json({ ok: true, ...summary }, { headers });
}
