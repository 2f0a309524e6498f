import { applyPatch, type DataPatch, type SessionRecord } from '../../core/session.js';
import type {
  CreateOptions,
  CreateResult,
  RefreshAdvance,
  RefreshExpectation,
  RefreshFamilyRecord,
  RotateUpdate,
  TouchUpdate,
  UpdateOptions,
  UpdateResult,
} from '../../core/store.js';
import { overLimit } from '../shared/data-size.js';
import type { SqliteDatabase } from './driver.js';
import { familyToRow, recordToRow, rowToRecord } from './rows.js';
import type { Statements } from './statements.js';

/** Every write of the SQLite store, each one IMMEDIATE transaction whose failed commit throws. */
export interface Writes {
  create(record: SessionRecord, options: CreateOptions): CreateResult;
  touch(id: string, update: TouchUpdate): boolean;
  rotate(id: string, update: RotateUpdate): SessionRecord | null;
  updateData(id: string, patch: DataPatch, options: UpdateOptions): UpdateResult;
  delete(id: string): SessionRecord | null;
  deleteBySubject(subject: string, exceptId: string | null): string[];
  deleteExpired(before: number, limit: number): number;
  deleteAllSessions(): number;
  setSubjectNotBefore(subject: string, notBefore: number, expiresAt: number): void;
  useOnce(key: string, expiresAt: number, now: number): boolean;
  createRefreshFamily(record: RefreshFamilyRecord): void;
  advanceRefreshFamily(familyId: string, expected: RefreshExpectation, next: RefreshAdvance): boolean;
  revokeRefreshFamily(familyId: string, now: number): boolean;
}

/**
 * Builds the store's writes. Each runs in `db.immediate(...).immediate`: the write lock is taken up front
 * (the cap and versioned updates stay atomic across processes) and the commit is its own COMMIT statement,
 * whose failure (SQLITE_FULL on a full disk, an I/O error) throws and rolls the write back.
 *
 * Write statements are stepped to completion (`.run()`, `.all()`), never `.get()`: `.get()` steps once and
 * resets the statement, and better-sqlite3 ignores the reset's result. For an autocommit `UPDATE/DELETE …
 * RETURNING` the commit happens in that reset, so a failed commit would vanish and a rolled-back revoke
 * or rotation would be reported as done.
 */
export function prepareWrites(db: SqliteDatabase, sql: Statements): Writes {
  return {
    create: db.immediate((record: SessionRecord, options: CreateOptions): CreateResult => {
      const evicted: string[] = [];
      if (options.maxPerSubject !== null) {
        const live = sql.liveIdsOfSubject.all(record.subject, options.now);
        const excess = live.length + 1 - options.maxPerSubject;
        if (excess > 0) {
          if (options.overflow === 'refuse') return { created: false, reason: 'limit' };
          for (const id of live.slice(0, excess)) {
            sql.deleteSessionId.run(id);
            evicted.push(id);
          }
        }
      }
      // A duplicate id throws SQLITE_CONSTRAINT_PRIMARYKEY, which rolls the evictions back too.
      sql.insertSession.run(recordToRow(record));
      return { created: true, evicted };
    }),

    touch: db.immediate((id: string, update: TouchUpdate): boolean => {
      const result = sql.touch.run({
        id,
        now: update.now,
        expected: update.expectedSecretHash,
        last_seen_at: update.lastSeenAt,
        idle_expires_at: update.idleExpiresAt,
      });
      return result.changes === 1;
    }),

    rotate: db.immediate((id: string, update: RotateUpdate): SessionRecord | null => {
      const setLevel = update.level !== undefined;
      const [row] = sql.rotate.all({
        id,
        now: update.now,
        expected: update.expectedSecretHash,
        secret_hash: update.secretHash,
        previous_secret_hash: update.previousSecretHash,
        previous_secret_valid_until: update.previousSecretValidUntil,
        rotated_at: update.rotatedAt,
        last_seen_at: update.lastSeenAt,
        idle_expires_at: update.idleExpiresAt,
        set_level: setLevel ? 1 : 0,
        level: setLevel ? (update.level as number) : null,
        level_at: setLevel ? (update.levelAt ?? null) : null,
        absolute_expires_at: update.absoluteExpiresAt ?? null,
      });
      return row === undefined ? null : rowToRecord(row);
    }),

    updateData: db.immediate((id: string, patch: DataPatch, options: UpdateOptions): UpdateResult => {
      const row = sql.getLiveSession.get(id, options.now);
      if (row === undefined) return { status: 'not_found' };
      if (options.expectedVersion !== null && options.expectedVersion !== row.version) {
        return { status: 'conflict', version: row.version };
      }
      const record = rowToRecord(row);
      record.data = applyPatch(record.data, patch);
      const json = JSON.stringify(record.data);
      // Inside the IMMEDIATE transaction: the size is of the data this write would store, never a stale read.
      const bytes = Buffer.byteLength(json);
      if (overLimit(bytes, options.maxDataBytes)) return { status: 'too_large', bytes };
      record.version += 1;
      sql.writeData.run(json, id, row.version);
      return { status: 'ok', record };
    }),

    delete: db.immediate((id: string): SessionRecord | null => {
      const [row] = sql.deleteSession.all(id);
      return row === undefined ? null : rowToRecord(row);
    }),

    deleteBySubject: db.immediate((subject: string, exceptId: string | null): string[] =>
      sql.deleteBySubject.all(subject, exceptId),
    ),

    deleteExpired: db.immediate((before: number, limit: number): number => {
      let removed = sql.deleteExpiredSessions.run(before, limit).changes;
      if (removed < limit) removed += sql.deleteExpiredFamilies.run(before, limit - removed).changes;
      if (removed < limit) removed += sql.deleteExpiredNotBefore.run(before, limit - removed).changes;
      if (removed < limit) removed += sql.deleteExpiredOnce.run(before, limit - removed).changes;
      return removed;
    }),

    // Sessions and families in one transaction: a failed commit leaves both, and throws.
    deleteAllSessions: db.immediate((): number => {
      const removed = sql.deleteAllSessions.run().changes;
      sql.deleteAllFamilies.run();
      return removed;
    }),

    // One statement: the insert, or the take-over of an expired record, or nothing (a replay).
    useOnce: db.immediate((key: string, expiresAt: number, now: number): boolean => {
      return sql.useOnce.run(key, expiresAt, now).changes === 1;
    }),

    setSubjectNotBefore: db.immediate((subject: string, notBefore: number, expiresAt: number): void => {
      sql.setNotBefore.run(subject, notBefore, expiresAt);
    }),

    createRefreshFamily: db.immediate((record: RefreshFamilyRecord): void => {
      sql.insertFamily.run(familyToRow(record));
    }),

    advanceRefreshFamily: db.immediate(
      (familyId: string, expected: RefreshExpectation, next: RefreshAdvance): boolean =>
        sql.advanceFamily.run({
          family_id: familyId,
          expected_generation: expected.generation,
          expected_hash: expected.currentHash,
          generation: next.generation,
          current_hash: next.currentHash,
          previous_hash: next.previousHash,
          rotated_at: next.rotatedAt,
        }).changes === 1,
    ),

    revokeRefreshFamily: db.immediate(
      (familyId: string, now: number): boolean => sql.revokeFamily.run(now, familyId).changes === 1,
    ),
  };
}
