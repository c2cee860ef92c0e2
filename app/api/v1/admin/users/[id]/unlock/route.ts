import { routeHandlers } from '@/lib/api/endpoint';
import { unlock } from '@/lib/api/operations/admin';

export const { POST, OPTIONS } = routeHandlers(unlock);
