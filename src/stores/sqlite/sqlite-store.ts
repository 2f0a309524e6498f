import type { Database } from 'better-sqlite3';
import { StoreUnavailableError } from '../../core/errors.js';
import { overLimit } from '../shared/data-size.js';
import { applyPatch, type DataPatch, type SessionRecord } from '../../core/session.js';
import type {
  CreateOptions,
  CreateResult,
  RefreshAdvance,
  RefreshExpectation,
  RefreshFamilyRecord,
  RotateUpdate,
  SessionStore,
  TouchUpdate,
  UpdateOptions,
  UpdateResult,
} from '../../core/store.js';
import { openDatabase } from './open-database.js';
import { familyToRow, recordToRow, rowToFamily, rowToRecord } from './rows.js';
import { prepareStatements, type Statements } from './statements.js';

export interface SqliteStoreOptions {
  /** Database file (its folder is created), or `:memory:` for a private in-process database. */
  path: string;
  /**
   * How long a write waits for another process holding the lock before failing (SQLITE_BUSY).
   * @default 5000
   */
  busyTimeoutMs?: number;
  /**
   * `full` fsyncs every commit, so an acknowledged login or logout survives power loss; `normal` survives
   * process crashes only, and writes faster.
   * @default 'full'
   */
  synchronous?: 'full' | 'normal';
}

/**
 * The embedded default store: one SQLite file (better-sqlite3, WAL). Every multi-step operation runs in
 * one IMMEDIATE transaction, which takes the write lock up front, so the per-subject cap and versioned
 * updates stay atomic even when several processes share the file. Single statements are atomic on their own.
 */
export class SqliteStore implements SessionStore {
  readonly kind = 'sqlite';
  readonly #db: Database;
  readonly #sql: Statements;
  readonly #create: (record: SessionRecord, options: CreateOptions) => CreateResult;
  readonly #update: (id: string, patch: DataPatch, options: UpdateOptions) => UpdateResult;
  readonly #deleteExpired: (before: number, limit: number) => number;
  #closed = false;

  constructor(options: SqliteStoreOptions) {
    if (typeof options?.path !== 'string') throw new TypeError('tessera: SqliteStore needs a path');
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
      throw new TypeError('tessera: busyTimeoutMs must be a non-negative integer');
    }
    const synchronous = options.synchronous ?? 'full';
    if (synchronous !== 'full' && synchronous !== 'normal') {
      throw new TypeError("tessera: synchronous must be 'full' or 'normal'");
    }
    this.#db = openDatabase({ path: options.path, busyTimeoutMs, synchronous });
    const sql = prepareStatements(this.#db);
    this.#sql = sql;

    const create = (record: SessionRecord, opts: CreateOptions): CreateResult => {
      const evicted: string[] = [];
      if (opts.maxPerSubject !== null) {
        const live = sql.liveIdsOfSubject.all(record.subject, opts.now);
        const excess = live.length + 1 - opts.maxPerSubject;
        if (excess > 0) {
          if (opts.overflow === 'refuse') return { created: false, reason: 'limit' };
          for (const id of live.slice(0, excess)) {
            sql.deleteSessionId.run(id);
            evicted.push(id);
          }
        }
      }
      // A duplicate id throws SQLITE_CONSTRAINT_PRIMARYKEY, which rolls the evictions back too.
      sql.insertSession.run(recordToRow(record));
      return { created: true, evicted };
    };
    this.#create = this.#db.transaction(create).immediate;

    const update = (id: string, patch: DataPatch, opts: UpdateOptions): UpdateResult => {
      const row = sql.getLiveSession.get(id, opts.now);
      if (row === undefined) return { status: 'not_found' };
      if (opts.expectedVersion !== null && opts.expectedVersion !== row.version) {
        return { status: 'conflict', version: row.version };
      }
      const record = rowToRecord(row);
      record.data = applyPatch(record.data, patch);
      const json = JSON.stringify(record.data);
      // Inside the IMMEDIATE transaction: the size is of the data this write would store, never a stale read.
      const bytes = Buffer.byteLength(json);
      if (overLimit(bytes, opts.maxDataBytes)) return { status: 'too_large', bytes };
      record.version += 1;
      sql.writeData.run(json, id, row.version);
      return { status: 'ok', record };
    };
    this.#update = this.#db.transaction(update).immediate;

    const deleteExpired = (before: number, limit: number): number => {
      let removed = sql.deleteExpiredSessions.run(before, limit).changes;
      if (removed < limit) removed += sql.deleteExpiredFamilies.run(before, limit - removed).changes;
      if (removed < limit) removed += sql.deleteExpiredNotBefore.run(before, limit - removed).changes;
      return removed;
    };
    this.#deleteExpired = this.#db.transaction(deleteExpired).immediate;
  }

  async create(record: SessionRecord, options: CreateOptions): Promise<CreateResult> {
    this.#open();
    return this.#create(record, options);
  }

  async get(id: string): Promise<SessionRecord | null> {
    this.#open();
    const row = this.#sql.getSession.get(id);
    return row === undefined ? null : rowToRecord(row);
  }

  async touch(id: string, update: TouchUpdate): Promise<boolean> {
    this.#open();
    const result = this.#sql.touch.run({
      id,
      now: update.now,
      expected: update.expectedSecretHash,
      last_seen_at: update.lastSeenAt,
      idle_expires_at: update.idleExpiresAt,
    });
    return result.changes === 1;
  }

  async rotate(id: string, update: RotateUpdate): Promise<SessionRecord | null> {
    this.#open();
    const setLevel = update.level !== undefined;
    const row = this.#sql.rotate.get({
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
    });
    return row === undefined ? null : rowToRecord(row);
  }

  async updateData(id: string, patch: DataPatch, options: UpdateOptions): Promise<UpdateResult> {
    this.#open();
    return this.#update(id, patch, options);
  }

  async delete(id: string): Promise<SessionRecord | null> {
    this.#open();
    const row = this.#sql.deleteSession.get(id);
    return row === undefined ? null : rowToRecord(row);
  }

  async deleteBySubject(subject: string, exceptId: string | null): Promise<string[]> {
    this.#open();
    return this.#sql.deleteBySubject.all(subject, exceptId);
  }

  async listBySubject(subject: string, now: number): Promise<SessionRecord[]> {
    this.#open();
    return this.#sql.listBySubject.all(subject, now).map(rowToRecord);
  }

  async deleteExpired(before: number, limit: number): Promise<number> {
    this.#open();
    if (!Number.isInteger(limit) || limit < 1) return 0;
    return this.#deleteExpired(before, limit);
  }

  async getSubjectNotBefore(subject: string): Promise<number | null> {
    this.#open();
    return this.#sql.getNotBefore.get(subject) ?? null;
  }

  async setSubjectNotBefore(subject: string, notBefore: number, expiresAt: number): Promise<void> {
    this.#open();
    this.#sql.setNotBefore.run(subject, notBefore, expiresAt);
  }

  async createRefreshFamily(record: RefreshFamilyRecord): Promise<void> {
    this.#open();
    this.#sql.insertFamily.run(familyToRow(record));
  }

  async getRefreshFamily(familyId: string): Promise<RefreshFamilyRecord | null> {
    this.#open();
    const row = this.#sql.getFamily.get(familyId);
    return row === undefined ? null : rowToFamily(row);
  }

  async advanceRefreshFamily(
    familyId: string,
    expected: RefreshExpectation,
    next: RefreshAdvance,
  ): Promise<boolean> {
    this.#open();
    const result = this.#sql.advanceFamily.run({
      family_id: familyId,
      expected_generation: expected.generation,
      expected_hash: expected.currentHash,
      generation: next.generation,
      current_hash: next.currentHash,
      previous_hash: next.previousHash,
      rotated_at: next.rotatedAt,
    });
    return result.changes === 1;
  }

  async revokeRefreshFamily(familyId: string, now: number): Promise<boolean> {
    this.#open();
    return this.#sql.revokeFamily.run(now, familyId).changes === 1;
  }

  async ping(): Promise<void> {
    this.#open();
    this.#sql.ping.get();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Folds the WAL back into the main file so a copied .sqlite file is complete on its own.
    try {
      this.#db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.#db.close();
    }
  }

  #open(): void {
    if (this.#closed) throw new StoreUnavailableError('sqlite store is closed');
  }
}
