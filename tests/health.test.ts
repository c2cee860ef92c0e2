import { afterEach, describe, expect, it, vi } from 'vitest';

const getDatabase = vi.fn();
vi.mock('@/db/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/db/client')>()),
  getDatabase: () => getDatabase(),
}));

const { GET } = await import('@/app/api/health/route');
const { createTestDatabase } = await import('@/tests/helpers/test-db');

afterEach(() => getDatabase.mockReset());

describe('GET /api/health', () => {
  it('liveness answers "ok" without touching the database', async () => {
    getDatabase.mockRejectedValue(new Error('must not be called'));
    const response = await GET(new Request('http://localhost/api/health'));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.text()).toContain('"status":"ok"');
    expect(getDatabase).not.toHaveBeenCalled();
  });

  it('readiness answers 503 "database" when the database cannot be opened, without its URL', async () => {
    getDatabase.mockRejectedValue(new Error('Cannot open postgres://gatehouse:hunter2@db:5432/gatehouse'));
    const response = await GET(new Request('http://localhost/api/health?ready=1'));
    expect(response.status).toBe(503);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = await response.text();
    expect(JSON.parse(body)).toEqual({ status: 'not_ready', reason: 'database' });
    expect(body).not.toMatch(/hunter2|postgres:/);
  });

  it('readiness answers 200 "ready" on a migrated database', async () => {
    const t = await createTestDatabase();
    try {
      getDatabase.mockResolvedValue(t);
      const response = await GET(new Request('http://localhost/api/health?ready=1'));
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.json()).toEqual({ status: 'ready' });
    } finally {
      await t.close();
    }
  });
});
