export type Rows = Record<string, unknown>[];

/** The rows of a raw `db.execute`: postgres.js returns them as an array, PGlite as `{ rows }`. */
export function rowsOf(result: unknown): Rows {
  return Array.isArray(result) ? result : ((result as { rows: Rows }).rows ?? []);
}
