import { SQLITE_DRIVERS, type SqliteDriverName, type SqliteOpener } from './driver.js';
import { loadBetterSqlite3 } from './drivers/better-sqlite3.js';
import { runtimeKind } from './drivers/builtin.js';
import { loadBunSqlite } from './drivers/bun-sqlite.js';
import { loadNodeSqlite } from './drivers/node-sqlite.js';

const LOADERS: Record<SqliteDriverName, () => SqliteOpener> = {
  'better-sqlite3': loadBetterSqlite3,
  'node:sqlite': loadNodeSqlite,
  'bun:sqlite': loadBunSqlite,
};

/** A loaded driver: its name and how to open a connection on it. */
export interface LoadedDriver {
  name: SqliteDriverName;
  open: SqliteOpener;
}

/** True for the names `SqliteStoreOptions.driver` accepts. */
export function isSqliteDriverName(value: unknown): value is SqliteDriverName {
  return SQLITE_DRIVERS.includes(value as SqliteDriverName);
}

/**
 * Loads the driver asked for, or the runtime's own when none is: Bun → `bun:sqlite`, Deno → `node:sqlite`
 * (neither runtime loads better-sqlite3's addon); Node → better-sqlite3 when the app installed it (an
 * explicit install is the app's choice, and `node:sqlite` still warns as experimental on some Node
 * versions), else `node:sqlite` when this Node has it. With neither, the error names the package to install.
 * Throws a `TypeError` when the driver is missing.
 * `runtime` and `loaders` are this process's own; tests pass others to walk every branch.
 */
export function loadSqliteDriver(
  requested: SqliteDriverName | undefined,
  runtime: 'bun' | 'deno' | 'node' = runtimeKind(),
  loaders: Readonly<Record<SqliteDriverName, () => SqliteOpener>> = LOADERS,
): LoadedDriver {
  const load = (name: SqliteDriverName): LoadedDriver => ({ name, open: loaders[name]() });
  if (requested !== undefined) return load(requested);
  if (runtime === 'bun') return load('bun:sqlite');
  if (runtime === 'deno') return load('node:sqlite');
  try {
    return load('better-sqlite3');
  } catch (missing) {
    // Only a missing package falls through (a TypeError); a broken native build is rethrown as is.
    if (!(missing instanceof TypeError)) throw missing;
    try {
      return load('node:sqlite');
    } catch {
      // Neither: the one line that says what to install, as on every Node without node:sqlite.
      throw missing;
    }
  }
}
