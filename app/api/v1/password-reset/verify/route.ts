import { routeHandlers } from '@/lib/api/endpoint';
import { verifyReset } from '@/lib/api/operations/password-reset';

export const { POST, OPTIONS } = routeHandlers(verifyReset);
