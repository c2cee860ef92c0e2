import { routeHandlers } from '@/lib/api/endpoint';
import { confirmMyRecoveryPhrase } from '@/lib/api/operations/users-me';

export const { POST, OPTIONS } = routeHandlers(confirmMyRecoveryPhrase);
