import { routeHandlers } from '@/lib/api/endpoint';
import { reject } from '@/lib/api/operations/admin';

export const { POST, OPTIONS } = routeHandlers(reject);
