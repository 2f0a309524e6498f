import { invalidField } from '../http-errors.js';

/**
 * Readers for the console API's query parameters. Each refuses with 400 `invalid_request` naming the
 * parameter and its rule, as the JSON field readers do (fields.ts).
 */

/** Refuses parameters the endpoint does not take, and any given twice (which one would win is a guess). */
export function allowParams(query: URLSearchParams, allowed: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of query.keys()) {
    const shown = name.length > 64 ? `${name.slice(0, 64)}…` : name;
    if (!allowed.includes(name))
      throw invalidField(shown, `is not a known parameter (expected ${allowed.join(', ')})`);
    if (seen.has(name)) throw invalidField(shown, 'is given more than once');
    seen.add(name);
  }
}

/** A string parameter, trimmed; null when absent or empty. */
export function stringParam(query: URLSearchParams, name: string, max: number): string | null {
  const value = query.get(name)?.trim() ?? '';
  if (value.length > max) throw invalidField(name, `must be at most ${max} characters`);
  return value === '' ? null : value;
}

export function integerParam(query: URLSearchParams, name: string, min: number, max: number): number | null {
  const value = query.get(name);
  if (value === null || value === '') return null;
  if (!/^\d{1,16}$/.test(value) || Number(value) < min || Number(value) > max) {
    throw invalidField(name, `must be an integer from ${min} to ${max}`);
  }
  return Number(value);
}

export function oneOfParam<T extends string>(
  query: URLSearchParams,
  name: string,
  values: readonly T[],
  fallback: T,
): T {
  const value = query.get(name);
  if (value === null || value === '') return fallback;
  if (!(values as readonly string[]).includes(value))
    throw invalidField(name, `must be one of ${values.join(', ')}`);
  return value as T;
}
