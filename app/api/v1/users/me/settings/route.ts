import { routeHandlers } from '@/lib/api/endpoint';
import { getSettings, patchSettings } from '@/lib/api/operations/users-me';

export const { GET, PATCH, OPTIONS } = routeHandlers(getSettings, patchSettings);
