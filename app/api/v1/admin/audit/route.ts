import { routeHandlers } from '@/lib/api/endpoint';
import { audit } from '@/lib/api/operations/admin';

export const { GET, OPTIONS } = routeHandlers(audit);
