import { routeHandlers } from '@/lib/api/endpoint';
import { changeMyEmail } from '@/lib/api/operations/users-me';

export const { POST, OPTIONS } = routeHandlers(changeMyEmail);
