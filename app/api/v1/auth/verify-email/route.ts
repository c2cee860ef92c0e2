import { routeHandlers } from '@/lib/api/endpoint';
import { verifyEmailAddress } from '@/lib/api/operations/auth';

export const { POST, OPTIONS } = routeHandlers(verifyEmailAddress);
