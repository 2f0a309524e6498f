import type { StoredJwtKey } from './keys.js';

/** Parses `[StoredJwtKey, …]` (the key file's format, also accepted from an environment variable). */
export function parseKeyList(text: string, source: string): StoredJwtKey[] {
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value) || value.length === 0)
    throw new TypeError(`tessera: ${source} holds no JWT keys`);
  return value as StoredJwtKey[];
}
