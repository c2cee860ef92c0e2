import { routeHandlers } from '@/lib/api/endpoint';
import { confirmEmail } from '@/lib/api/operations/email-change';

export const { POST, OPTIONS } = routeHandlers(confirmEmail);
