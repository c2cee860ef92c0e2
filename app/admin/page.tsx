import { redirect } from 'next/navigation';
import { requireAdmin } from '@/lib/web/session';

export const dynamic = 'force-dynamic';

/** The console opens on the users list; the role is still checked first (S45). */
export default async function AdminHome() {
  await requireAdmin('/admin');
  redirect('/admin/users');
}
