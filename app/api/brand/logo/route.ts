import { getDb } from '@/db/client';
import { readLogo } from '@/lib/brand';

export const dynamic = 'force-dynamic';

/**
 * The operator's uploaded logo (decision 029), for the header and for mail clients. Only PNG, JPEG
 * and WebP are ever stored, checked by their bytes; the type stated here is the checked one, the
 * browser may not guess another (nosniff), and were the file opened as a page, it could run nothing.
 * Its address carries the logo's hash (?v=), so it can be cached for good.
 */
export async function GET(request: Request) {
  const logo = await readLogo(await getDb());
  if (!logo) return new Response('No logo.', { status: 404, headers: { 'Cache-Control': 'no-store' } });
  return new Response(new Uint8Array(logo.bytes), {
    headers: {
      'Content-Type': logo.contentType,
      'Content-Length': String(logo.bytes.length),
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'Cross-Origin-Resource-Policy': 'cross-origin',
      // Kept for good only under the current logo's own address: an older one may change meaning.
      'Cache-Control':
        new URL(request.url).searchParams.get('v') === logo.version
          ? 'public, max-age=31536000, immutable'
          : 'no-cache',
    },
  });
}
