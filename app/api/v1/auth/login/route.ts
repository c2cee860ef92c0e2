import { routeHandlers } from '@/lib/api/endpoint';
import { login } from '@/lib/api/operations/auth';

export const { POST, OPTIONS } = routeHandlers(login);
