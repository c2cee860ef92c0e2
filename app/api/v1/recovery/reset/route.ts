import { routeHandlers } from '@/lib/api/endpoint';
import { recoveryReset } from '@/lib/api/operations/password-reset';

export const { POST, OPTIONS } = routeHandlers(recoveryReset);
