import type BetterSqlite3 from 'better-sqlite3';
import { loadDriver } from '../../shared/driver.js';
import { runtimeKind, runtimeName } from './builtin.js';
import type { SqliteDatabase, SqliteOpener, SqliteStatement } from '../driver.js';

/**
 * better-sqlite3 (Node; a native addon, an optional peer dependency). Its statements already have the
 * interface's shape (`get` gives `undefined` for no row, `run` gives `{ changes }`, bare named parameters,
 * numbers for integers), so they are handed out as they are: no wrapper on the request path. Its
 * `transaction(fn).immediate` is the interface's `immediate`.
 */
export function loadBetterSqlite3(): SqliteOpener {
  const Driver = loadOnThisRuntime();
  return (path, options): SqliteDatabase => {
    const db = new Driver(path, { timeout: options.busyTimeoutMs });
    return {
      driver: 'better-sqlite3',
      prepare: <P extends unknown[], R>(sql: string) => db.prepare(sql) as unknown as SqliteStatement<P, R>,
      pluck: <P extends unknown[], V>(sql: string) =>
        db.prepare(sql).pluck() as unknown as SqliteStatement<P, V>,
      exec: (sql) => {
        db.exec(sql);
      },
      pragma: (name) => db.pragma(name, { simple: true }),
      immediate: (fn) => db.transaction(fn).immediate,
      close: () => {
        db.close();
      },
    };
  };
}

/**
 * The package, loaded. Bun and Deno load no nan addon (Bun: "not yet supported", Deno: "only Node-API addons"),
 * so there a load failure is reworded to name the built-in driver to use instead, the runtime's error kept as
 * the cause; a runtime that learns to load it just works. On Node, `loadDriver`'s errors as they are.
 */
function loadOnThisRuntime(): typeof BetterSqlite3 {
  const runtime = runtimeKind();
  if (runtime === 'node') return loadDriver<typeof BetterSqlite3>('better-sqlite3', 'SQLite store');
  try {
    const Driver = loadDriver<typeof BetterSqlite3>('better-sqlite3', 'SQLite store');
    // The addon itself loads on the first open: try one in memory, before any file is created.
    new Driver(':memory:').close();
    return Driver;
  } catch (error) {
    const instead =
      runtime === 'bun'
        ? "'bun:sqlite' (the default here) or 'node:sqlite'"
        : "'node:sqlite' (the default here)";
    throw new TypeError(
      `tessera: the SQLite store's driver better-sqlite3 does not load on ${runtimeName()}: use driver ${instead}`,
      { cause: error },
    );
  }
}
