import { routeHandlers } from '@/lib/api/endpoint';
import { lock } from '@/lib/api/operations/admin';

export const { POST, OPTIONS } = routeHandlers(lock);
