import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { auth } from '@/lib/auth.mjs';

/** The signed-in page: reads the session (and its user) server-side on every request. */
export default async function DashboardPage() {
  const session = await auth.api.getSession({ headers: await headers() });
  if (!session) redirect('/sign-in');
  return (
    <main>
      <h1>Your account</h1>
      <p>
        {session.user.name} ({session.user.email})
      </p>
    </main>
  );
}
