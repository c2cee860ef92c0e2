import { routeHandlers } from '@/lib/api/endpoint';
import { deleteMe, getMe, patchMe } from '@/lib/api/operations/users-me';

export const { GET, PATCH, DELETE, OPTIONS } = routeHandlers(getMe, patchMe, deleteMe);
