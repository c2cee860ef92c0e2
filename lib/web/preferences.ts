import 'server-only';
import { cookies } from 'next/headers';
import { isTheme, type Theme } from '@/lib/theme';
import { currentSession } from './session';

export const THEME_COOKIE = 'gatehouse-theme';

/**
 * The visitor's theme, read on the server so the first byte of HTML already has the right colours: a
 * signed-in person's saved choice, else the cookie.
 */
export async function currentTheme(): Promise<Theme> {
  const saved = (await currentSession())?.user.theme;
  if (isTheme(saved)) return saved;
  const value = (await cookies()).get(THEME_COOKIE)?.value;
  return isTheme(value) ? value : 'system';
}

export async function rememberPreference(name: string, value: string): Promise<void> {
  (await cookies()).set(name, value, {
    httpOnly: true,
    sameSite: 'lax',
    secure: process.env.NODE_ENV === 'production',
    path: '/',
    maxAge: 60 * 60 * 24 * 365,
  });
}
