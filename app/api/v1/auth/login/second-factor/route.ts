import { routeHandlers } from '@/lib/api/endpoint';
import { loginSecondFactor } from '@/lib/api/operations/auth';

export const { POST, OPTIONS } = routeHandlers(loginSecondFactor);
