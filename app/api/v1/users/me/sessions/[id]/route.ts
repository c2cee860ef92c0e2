import { routeHandlers } from '@/lib/api/endpoint';
import { revokeMySession } from '@/lib/api/operations/users-me';

export const { DELETE, OPTIONS } = routeHandlers(revokeMySession);
