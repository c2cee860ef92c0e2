import { routeHandlers } from '@/lib/api/endpoint';
import { listMySessions } from '@/lib/api/operations/users-me';

export const { GET, OPTIONS } = routeHandlers(listMySessions);
