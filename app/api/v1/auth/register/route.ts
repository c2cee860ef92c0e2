import { routeHandlers } from '@/lib/api/endpoint';
import { register } from '@/lib/api/operations/auth';

export const { POST, OPTIONS } = routeHandlers(register);
