import type { SqliteDatabase, SqliteOpener, SqliteStatement } from '../driver.js';
import { loadBuiltin, runtimeKind, runtimeName } from './builtin.js';
import { firstColumn, immediateTransaction } from './transaction.js';

/** The part of `bun:sqlite` the store uses (typed here, so the build needs no Bun types). */
interface BunStatement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): Record<string, unknown> | null;
  all(...params: unknown[]): Record<string, unknown>[];
}
interface BunDatabase {
  prepare(sql: string): BunStatement;
  exec(sql: string): void;
  close(): void;
  readonly inTransaction: boolean;
}
interface BunSqliteModule {
  Database: new (path: string, options?: { create?: boolean; strict?: boolean }) => BunDatabase;
}

/**
 * `bun:sqlite` (Bun only). Opened with `strict: true`, so named parameters bind from bare keys (`{ id }` for
 * `@id`) and a missing one is an error; `get` answers `null` for no row, mapped to `undefined` here. The busy
 * timeout has no constructor option: `openDatabase` sets `PRAGMA busy_timeout`, as for every driver.
 */
export function loadBunSqlite(): SqliteOpener {
  const loaded = runtimeKind() === 'bun' ? loadBuiltin<BunSqliteModule>('bun:sqlite') : null;
  if (loaded === null || 'error' in loaded) {
    const instead =
      runtimeKind() === 'deno'
        ? 'node:sqlite'
        : 'better-sqlite3 (npm i better-sqlite3) or, on Node ≥ 22.13, node:sqlite';
    throw new TypeError(
      `tessera: the SQLite store's driver bun:sqlite runs only on Bun, and this is ${runtimeName()}: use ${instead}`,
      loaded === null ? undefined : { cause: loaded.error },
    );
  }
  const { Database } = loaded.module;
  return (path): SqliteDatabase => {
    const db = new Database(path, { create: true, strict: true });
    const begin = db.prepare('BEGIN IMMEDIATE');
    const commit = db.prepare('COMMIT');
    const rollback = db.prepare('ROLLBACK');
    return {
      driver: 'bun:sqlite',
      prepare: <P extends unknown[], R>(sql: string): SqliteStatement<P, R> => {
        const statement = db.prepare(sql);
        // Rows are already objects: only `get` needs its null mapped, so `all` and `run` stay Bun's own.
        return {
          run: statement.run.bind(statement),
          get: (...params: P) => (statement.get(...params) ?? undefined) as R | undefined,
          all: statement.all.bind(statement) as (...params: P) => R[],
        };
      },
      pluck: <P extends unknown[], V>(sql: string): SqliteStatement<P, V> => {
        const statement = db.prepare(sql);
        return {
          run: (...params) => statement.run(...params),
          get: (...params) => {
            const row = statement.get(...params);
            return row === null ? undefined : (firstColumn(row) as V);
          },
          all: (...params) => statement.all(...params).map((row) => firstColumn(row) as V),
        };
      },
      exec: (sql) => {
        db.exec(sql);
      },
      pragma: (name) => {
        const row = db.prepare(`PRAGMA ${name}`).get();
        return row === null ? undefined : firstColumn(row);
      },
      immediate: immediateTransaction({
        begin: () => begin.run(),
        commit: () => commit.run(),
        rollback: () => rollback.run(),
        inTransaction: () => db.inTransaction,
      }),
      close: () => {
        db.close();
      },
    };
  };
}
