import { routeHandlers } from '@/lib/api/endpoint';
import { changeMyPassword } from '@/lib/api/operations/users-me';

export const { POST, OPTIONS } = routeHandlers(changeMyPassword);
