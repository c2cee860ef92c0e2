import 'server-only';
import { notFound } from 'next/navigation';
import { env } from '@/lib/env';

/** Development tools do not exist in production: not even their URL answers. */
export function requireDevelopment(): void {
  if (env().isProduction) notFound();
}
