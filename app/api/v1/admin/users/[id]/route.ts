import { routeHandlers } from '@/lib/api/endpoint';
import { deleteUser, editUser, getUser } from '@/lib/api/operations/admin';

export const { GET, PATCH, DELETE, OPTIONS } = routeHandlers(getUser, editUser, deleteUser);
