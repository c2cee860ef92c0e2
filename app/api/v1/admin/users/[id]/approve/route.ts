import { routeHandlers } from '@/lib/api/endpoint';
import { approve } from '@/lib/api/operations/admin';

export const { POST, OPTIONS } = routeHandlers(approve);
