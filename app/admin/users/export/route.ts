import { getDb } from '@/db/client';
import { parseUserQuery } from '@/lib/admin-users';
import { systemClock } from '@/lib/clock';
import { exportFilteredUsers } from '@/lib/user-export';
import { contextFromHeaders } from '@/lib/web/request-info';
import { currentSession } from '@/lib/web/session';

/**
 * GET /admin/users/export?q=&state=: the accounts the user list shows for the same search and filter,
 * as a CSV attachment (decision 031). The role is checked here, not by a layout (S45).
 */
export async function GET(request: Request): Promise<Response> {
  const session = await currentSession();
  if (!session)
    return new Response(null, { status: 303, headers: { Location: '/login?next=%2Fadmin%2Fusers' } });
  if (session.user.role !== 'admin') return new Response('Forbidden', { status: 403 });
  const url = new URL(request.url);
  const query = parseUserQuery(Object.fromEntries(url.searchParams));
  const chunks = await exportFilteredUsers(
    await getDb(),
    { adminId: session.user.id, query },
    contextFromHeaders(request.headers),
    systemClock,
  );
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
  });
  return new Response(body, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': 'attachment; filename="users.csv"',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  });
}
