import { sql } from 'drizzle-orm';
import { getDatabase } from '@/db/client';

export const dynamic = 'force-dynamic';

/** For load balancers and deploy checks: 200 when the database answers, 503 when it does not. */
export async function GET() {
  try {
    const { db, driver } = await getDatabase();
    await db.execute(sql`select 1`);
    return Response.json({ status: 'ok', database: driver }, { headers: { 'Cache-Control': 'no-store' } });
  } catch {
    return Response.json(
      { status: 'unavailable' },
      { status: 503, headers: { 'Cache-Control': 'no-store' } },
    );
  }
}
