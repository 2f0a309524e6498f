import { createRequire } from 'node:module';

/** The database drivers Tessera's stores run on: optional peer dependencies, installed by the app. */
export type DriverName = 'better-sqlite3' | 'pg' | 'ioredis';

/** Made on the first load, not at import: a bundled Worker has no `import.meta.url` (workerd gives undefined). */
let requireFromHere: NodeJS.Require | null = null;

/**
 * Loads a store's driver when the store is constructed, not when its module is imported, so an app that
 * imports Tessera but never opens that store needs no driver installed (and the SQLite store's native
 * addon is never built for an app on the memory store). The drivers are CommonJS packages, so a
 * synchronous `require` keeps the store constructors synchronous.
 *
 * A driver that is not installed is a setup mistake of the caller: a `TypeError` naming the package to
 * install. Any other failure (a broken native build, a missing file inside the package) is rethrown as is.
 */
export function loadDriver<T>(name: DriverName, store: string): T {
  try {
    requireFromHere ??= createRequire(import.meta.url);
    return requireFromHere(name) as T;
  } catch (error) {
    if (isMissing(error, name)) {
      throw new TypeError(`tessera: the ${store} needs ${name}: npm i ${name}`, { cause: error });
    }
    throw error;
  }
}

/** True when `error` says the package `name` itself could not be found (not a file or module inside it). */
export function isMissing(error: unknown, name: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_MODULE_NOT_FOUND') return false;
  const message = error instanceof Error ? error.message : '';
  return message.includes(`'${name}'`) || message.includes(`"${name}"`);
}
