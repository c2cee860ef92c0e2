import { DatabaseError } from '@/db/client';
import { EnvError } from '@/lib/env';

/**
 * The one paragraph a person reads when a server or a script cannot start. Kept apart from
 * lib/startup.ts so that the migration script compiled for the container (decision 028) carries the
 * database and environment modules only, not the mail and periodic work the server starts.
 */
export function describeStartupError(error: unknown): string {
  if (error instanceof EnvError || error instanceof DatabaseError) return error.message;
  return `Gatehouse cannot start: ${(error as Error)?.message ?? String(error)}`;
}
