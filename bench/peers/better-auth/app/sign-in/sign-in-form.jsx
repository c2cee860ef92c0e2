'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { authClient } from '@/lib/auth-client.mjs';

/** The form Better Auth's docs show: the client posts JSON to /api/auth/sign-in/email, then navigates. */
export function SignInForm() {
  const router = useRouter();
  const [error, setError] = useState('');
  async function onSubmit(event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const { error: failure } = await authClient.signIn.email({
      email: String(form.get('email')),
      password: String(form.get('password')),
    });
    if (failure) setError(failure.message ?? 'Sign-in failed');
    else router.push('/dashboard');
  }
  return (
    <form onSubmit={onSubmit}>
      <label>
        Email <input name="email" type="email" autoComplete="username" required />
      </label>
      <label>
        Password <input name="password" type="password" autoComplete="current-password" required />
      </label>
      {error ? <p role="alert">{error}</p> : null}
      <button type="submit">Sign in</button>
    </form>
  );
}
