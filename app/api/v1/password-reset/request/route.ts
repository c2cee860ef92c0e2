import { routeHandlers } from '@/lib/api/endpoint';
import { requestReset } from '@/lib/api/operations/password-reset';

export const { POST, OPTIONS } = routeHandlers(requestReset);
