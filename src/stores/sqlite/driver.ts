/**
 * The few SQLite operations the store runs, so one store works on better-sqlite3 (Node), `node:sqlite`
 * (Node ≥ 22.13, Deno, Bun) and `bun:sqlite` (Bun). Each driver file in `drivers/` adapts its library to this
 * shape; `open-driver.ts` picks one. Statements take positional values (`?`) or one object of named values
 * written `@name` in the SQL and bare (`{ name }`) in the object.
 */

/** The SQLite drivers the store runs on. */
export type SqliteDriverName = 'better-sqlite3' | 'node:sqlite' | 'bun:sqlite';

/** Every driver name, in the order `SqliteStoreOptions.driver` documents them. */
export const SQLITE_DRIVERS: readonly SqliteDriverName[] = ['better-sqlite3', 'node:sqlite', 'bun:sqlite'];

/** A prepared statement. Integers come back as JS numbers (no driver reads BigInts here). */
export interface SqliteStatement<P extends unknown[] = unknown[], R = unknown> {
  /** Steps to completion; `changes` counts the rows written (a number: no driver here reads BigInts). */
  run(...params: P): { changes: number };
  /** The first row, or `undefined` when there is none (`bun:sqlite`'s `null` is mapped to `undefined`). */
  get(...params: P): R | undefined;
  /** Every row, stepping the statement to completion. */
  all(...params: P): R[];
}

/** An open database connection. */
export interface SqliteDatabase {
  readonly driver: SqliteDriverName;
  /** Prepares a statement whose rows are objects keyed by column name. */
  prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): SqliteStatement<P, R>;
  /** Prepares a statement whose rows are the value of their first column. */
  pluck<P extends unknown[] = unknown[], V = unknown>(sql: string): SqliteStatement<P, V>;
  /** Runs one or more statements that take no parameters (schema steps, `PRAGMA x = y`). */
  exec(sql: string): void;
  /** The value of a pragma that reads one value (`user_version`, `journal_mode`). */
  pragma(name: string): unknown;
  /**
   * Wraps `fn` in `BEGIN IMMEDIATE` … `COMMIT`: the write lock is taken up front, a throw rolls back, and a
   * failed COMMIT (SQLITE_FULL, an I/O error) throws after the rollback. Not reentrant: the store never nests.
   */
  immediate<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
  close(): void;
}

/** What every driver is opened with. */
export interface SqliteOpenOptions {
  /** The busy timeout, also set as `PRAGMA busy_timeout` by `openDatabase` (drivers differ in the option). */
  busyTimeoutMs: number;
}

/** Opens a connection on one driver's module (loaded by `open-driver.ts`). */
export type SqliteOpener = (path: string, options: SqliteOpenOptions) => SqliteDatabase;
