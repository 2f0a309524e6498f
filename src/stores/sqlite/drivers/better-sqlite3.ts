import type BetterSqlite3 from 'better-sqlite3';
import { loadDriver } from '../../shared/driver.js';
import type { SqliteDatabase, SqliteOpener, SqliteStatement } from '../driver.js';

/**
 * better-sqlite3 (Node; a native addon, an optional peer dependency). Its statements already have the
 * interface's shape (`get` gives `undefined` for no row, `run` gives `{ changes }`, bare named parameters,
 * numbers for integers), so they are handed out as they are: no wrapper on the request path. Its
 * `transaction(fn).immediate` is the interface's `immediate`.
 */
export function loadBetterSqlite3(): SqliteOpener {
  const Driver = loadDriver<typeof BetterSqlite3>('better-sqlite3', 'SQLite store');
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
