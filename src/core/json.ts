/** A value that survives `JSON.stringify` / `JSON.parse` unchanged. Session data is made of these. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Checks a value is JSON data (no functions, no NaN, no cycles beyond `maxDepth`). */
export function isJsonValue(value: unknown, maxDepth = 32): value is JsonValue {
  if (maxDepth < 0) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((item) => isJsonValue(item, maxDepth - 1));
  if (isPlainObject(value)) return Object.values(value).every((item) => isJsonValue(item, maxDepth - 1));
  return false;
}
