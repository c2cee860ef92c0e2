import { routeHandlers } from '@/lib/api/endpoint';
import { reset } from '@/lib/api/operations/password-reset';

export const { POST, OPTIONS } = routeHandlers(reset);
