import { routeHandlers } from '@/lib/api/endpoint';
import { sendReset } from '@/lib/api/operations/admin';

export const { POST, OPTIONS } = routeHandlers(sendReset);
