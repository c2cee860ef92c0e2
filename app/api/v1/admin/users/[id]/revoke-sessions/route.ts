import { routeHandlers } from '@/lib/api/endpoint';
import { revokeSessions } from '@/lib/api/operations/admin';

export const { POST, OPTIONS } = routeHandlers(revokeSessions);
