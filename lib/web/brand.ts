import { cache } from 'react';
import { getDb } from '@/db/client';
import { getBrand, type Brand } from '@/lib/brand';

/**
 * The brand for this request, read from the database once per request (React's cache lasts one
 * render): the layout, the page and its metadata share one read, and an admin's change shows on every
 * instance from the next request, with no process cache to go stale (decision 029 has the timings).
 */
export const currentBrand = cache(async (): Promise<Brand> => getBrand(await getDb()));
