import { routeHandlers } from '@/lib/api/endpoint';
import { logout } from '@/lib/api/operations/auth';

export const { POST, OPTIONS } = routeHandlers(logout);
