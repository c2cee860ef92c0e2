import { routeHandlers } from '@/lib/api/endpoint';
import { role } from '@/lib/api/operations/admin';

export const { POST, OPTIONS } = routeHandlers(role);
