import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { exportOwnData } from '@/lib/own-data';
import { verifyCurrentPassword } from '@/lib/reauth';
import { contextFromHeaders } from '@/lib/web/request-info';
import { currentSession } from '@/lib/web/session';

/** Back to the form with why, never with what was typed. */
function backToForm(error: 'wrong_password' | 'busy'): Response {
  return new Response(null, { status: 303, headers: { Location: `/account/export?error=${error}` } });
}

/**
 * POST /account/export/download: the signed-in person's data as a JSON attachment, after their
 * current password (decision 031). A wrong one counts as a failed sign-in (lib/reauth.ts). The proxy
 * has already refused a cross-site post (S25); GET is not a route here (S43).
 */
export async function POST(request: Request): Promise<Response> {
  const session = await currentSession();
  if (!session) {
    return new Response(null, { status: 303, headers: { Location: '/login?next=%2Faccount%2Fexport' } });
  }
  const form = await request.formData().catch(() => null);
  const password = form?.get('password');
  if (typeof password !== 'string' || password === '' || password.length > 4096) {
    return backToForm('wrong_password');
  }
  const db = await getDb();
  const context = contextFromHeaders(request.headers);
  const proof = await verifyCurrentPassword(db, session.user.id, password, context, systemClock);
  if (!proof.ok) return backToForm(proof.code);
  const result = await exportOwnData(db, { userId: session.user.id }, context, systemClock);
  if (!result.ok) return new Response(null, { status: 404 });
  const day = result.data.exportedAt.slice(0, 10);
  return new Response(`${JSON.stringify(result.data, null, 2)}\n`, {
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Disposition': `attachment; filename="my-account-data-${day}.json"`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  });
}
