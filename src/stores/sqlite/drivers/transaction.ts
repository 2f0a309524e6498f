import type { SqliteDatabase } from '../driver.js';

/** The three statements of a transaction, prepared once per connection, and whether one is open. */
export interface TransactionControl {
  begin(): void;
  commit(): void;
  rollback(): void;
  inTransaction(): boolean;
}

/**
 * `BEGIN IMMEDIATE` … `COMMIT` for drivers without better-sqlite3's `transaction().immediate`. A throw from
 * `fn` or from COMMIT rolls back when SQLite left the transaction open (after SQLITE_FULL it may already have
 * rolled back on its own), and the first error is the one rethrown.
 */
export function immediateTransaction(control: TransactionControl): SqliteDatabase['immediate'] {
  return <A extends unknown[], R>(fn: (...args: A) => R) =>
    (...args: A): R => {
      control.begin();
      try {
        const result = fn(...args);
        control.commit();
        return result;
      } catch (error) {
        if (control.inTransaction()) {
          try {
            control.rollback();
          } catch {
            // The original error says what went wrong; a failed rollback leaves SQLite to roll back on close.
          }
        }
        throw error;
      }
    };
}

/** The value of the first column of `row` (rows are plain or null-prototype objects in column order). */
export function firstColumn(row: Record<string, unknown>): unknown {
  for (const key in row) return row[key];
  return undefined;
}
