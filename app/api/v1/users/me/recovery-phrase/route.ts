import { routeHandlers } from '@/lib/api/endpoint';
import { createMyRecoveryPhrase } from '@/lib/api/operations/users-me';

export const { POST, OPTIONS } = routeHandlers(createMyRecoveryPhrase);
