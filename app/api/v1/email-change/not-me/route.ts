import { routeHandlers } from '@/lib/api/endpoint';
import { emailChangeNotMe } from '@/lib/api/operations/email-change';

export const { POST, OPTIONS } = routeHandlers(emailChangeNotMe);
