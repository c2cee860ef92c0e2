import { openApiDocument } from '@/lib/api/openapi';

/** The OpenAPI 3.1 document of /api/v1, written from the operations' own declarations. */
export function GET() {
  return Response.json(openApiDocument(), { headers: { 'Cache-Control': 'no-cache' } });
}
