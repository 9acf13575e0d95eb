/** Small readers for values that the two engines return differently (booleans as 0/1 on SQLite, JSON as text). */

/** SQLite returns 0/1, PostgreSQL true/false. */
export function toBool(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || v === 't';
}

/** Parses a JSON text column, with a fallback for NULL or damaged values. */
export function parseJson<T>(v: unknown, fallback: T): T {
  if (v === null || v === undefined || v === '') return fallback;
  if (typeof v !== 'string') return v as T;
  try {
    return JSON.parse(v) as T;
  } catch {
    return fallback;
  }
}

/** A nullable numeric column as number | null. */
export function toNumOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}
