import type { SqliteDatabase, SqliteOpener, SqliteStatement } from '../driver.js';
import { loadBuiltin, runtimeName } from './builtin.js';
import { firstColumn, immediateTransaction } from './transaction.js';

/** The part of `node:sqlite` the store uses (typed here: @types/node 20 has no `node:sqlite`). */
interface NodeSqliteStatement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): Record<string, unknown> | undefined;
  all(...params: unknown[]): Record<string, unknown>[];
  setAllowBareNamedParameters?(enabled: boolean): void;
}
interface NodeSqliteDatabase {
  prepare(sql: string): NodeSqliteStatement;
  exec(sql: string): void;
  close(): void;
  readonly isTransaction?: boolean;
}
interface NodeSqliteModule {
  DatabaseSync: new (path: string, options?: { timeout?: number }) => NodeSqliteDatabase;
}

/**
 * `node:sqlite` (`DatabaseSync`): Node ≥ 22.13 (22.5 with `--experimental-sqlite`), Deno 2 and Bun; nothing
 * to install or build. Its statements return `undefined` for no row and `{ changes }` from `run`, so they are
 * handed out as they are; bare named parameters are switched on where a version has them off. It binds every
 * JS number as a REAL: the INTEGER columns store integral values as integers again, and reads give numbers.
 */
export function loadNodeSqlite(): SqliteOpener {
  const loaded = loadBuiltin<NodeSqliteModule>('node:sqlite');
  if ('error' in loaded) {
    throw new TypeError(
      `tessera: the SQLite store's driver node:sqlite needs Node ≥ 22.13 (22.5 with --experimental-sqlite), ` +
        `Deno or Bun, and this is ${runtimeName()}: use better-sqlite3 (npm i better-sqlite3)`,
      { cause: loaded.error },
    );
  }
  const { DatabaseSync } = loaded.module;
  return (path, options): SqliteDatabase => {
    const db = new DatabaseSync(path, { timeout: options.busyTimeoutMs });
    const prepare = (sql: string): NodeSqliteStatement => {
      const statement = db.prepare(sql);
      statement.setAllowBareNamedParameters?.(true);
      return statement;
    };
    const begin = prepare('BEGIN IMMEDIATE');
    const commit = prepare('COMMIT');
    const rollback = prepare('ROLLBACK');
    let open = false;
    return {
      driver: 'node:sqlite',
      prepare: <P extends unknown[], R>(sql: string) => prepare(sql) as unknown as SqliteStatement<P, R>,
      pluck: <P extends unknown[], V>(sql: string): SqliteStatement<P, V> => {
        const statement = prepare(sql);
        return {
          run: (...params) => statement.run(...params),
          get: (...params) => {
            const row = statement.get(...params);
            return row === undefined ? undefined : (firstColumn(row) as V);
          },
          all: (...params) => statement.all(...params).map((row) => firstColumn(row) as V),
        };
      },
      exec: (sql) => {
        db.exec(sql);
      },
      pragma: (name) => {
        const row = db.prepare(`PRAGMA ${name}`).get();
        return row === undefined ? undefined : firstColumn(row);
      },
      immediate: immediateTransaction({
        begin: () => {
          begin.run();
          open = true;
        },
        commit: () => {
          commit.run();
          open = false;
        },
        rollback: () => {
          open = false;
          rollback.run();
        },
        // `isTransaction` (Node ≥ 22.16, Deno, Bun) is SQLite's own answer; older versions: what we began.
        inTransaction: () => db.isTransaction ?? open,
      }),
      close: () => {
        db.close();
      },
    };
  };
}
