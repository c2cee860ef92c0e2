import { routeHandlers } from '@/lib/api/endpoint';
import { createUser, listUsers } from '@/lib/api/operations/admin';

export const { GET, POST, OPTIONS } = routeHandlers(listUsers, createUser);
