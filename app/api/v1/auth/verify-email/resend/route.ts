import { routeHandlers } from '@/lib/api/endpoint';
import { resendVerificationMail } from '@/lib/api/operations/auth';

export const { POST, OPTIONS } = routeHandlers(resendVerificationMail);
