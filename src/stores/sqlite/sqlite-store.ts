import { StoreUnavailableError } from '../../core/errors.js';
import { nonNegativeInteger } from '../../core/numbers.js';
import type { DataPatch, SessionRecord } from '../../core/session.js';
import type {
  CreateOptions,
  CreateResult,
  RefreshAdvance,
  RefreshExpectation,
  RefreshFamilyRecord,
  RotateUpdate,
  BrowsableStore,
  SessionBrowse,
  SessionStore,
  StoreInspection,
  TouchUpdate,
  UpdateOptions,
  UpdateResult,
} from '../../core/store.js';
import { SqliteBrowse } from './browse.js';
import type { SqliteDatabase, SqliteDriverName } from './driver.js';
import { isSqliteDriverName } from './open-driver.js';
import { openDatabase } from './open-database.js';
import { checkOnceKey } from '../shared/once-key.js';
import { SCHEMA_VERSION } from './schema.js';
import { rowToFamily, rowToRecord } from './rows.js';
import { prepareStatements, type Statements } from './statements.js';
import { prepareWrites, type Writes } from './writes.js';

/** Options of `SqliteStore`. */
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
  /**
   * The SQLite driver: `better-sqlite3` (Node; an optional peer dependency, a native addon), `node:sqlite`
   * (built into Node ≥ 22.13, Deno and Bun) or `bun:sqlite` (Bun). Left out, the runtime's own: Bun →
   * `bun:sqlite`, Deno → `node:sqlite`, Node → better-sqlite3 when installed, else `node:sqlite` when this
   * Node has it. Any other value is a `TypeError`; a driver this runtime lacks is a `TypeError` naming what
   * to install or which runtime it needs.
   * @default the runtime's own (see above)
   * @example new SqliteStore({ path: './data/tessera.sqlite', driver: 'node:sqlite' })
   */
  driver?: SqliteDriverName;
  /**
   * How much of the file SQLite reads through a memory map (`PRAGMA mmap_size`) instead of a `read` call and a
   * copy per page. A validation at 10⁶ sessions takes about a quarter less CPU with it (docs/bench.md), because
   * its lookups reach pages outside SQLite's own cache. The map is address space, not heap: what it holds is the
   * operating system's page cache, shared with every other reader of the file. The price: an I/O error while
   * reading through the map (a failing disk) ends the process with SIGBUS instead of failing the one call with
   * 503. `0` turns the map off. Ignored for `:memory:`. SQLite caps the map at its build's `SQLITE_MAX_MMAP_SIZE`
   * (2 GiB less 64 KiB in the usual builds: better-sqlite3, `node:sqlite`); the rest of a larger file is read as
   * before.
   * @default 2147483648 (2 GiB: as much as the usual builds map, a file of about 4.5 million sessions with the
   * scale bench's payload)
   */
  mmapBytes?: number;
  /**
   * The most memory SQLite's own page cache may hold (`PRAGMA cache_size`), for the pages SQLite does not read
   * through the memory map: those of a file larger than the map (above about 4.5 million sessions with the
   * scale bench's payload), and every page when the map is off. A lookup whose pages are beyond the map and
   * not in this cache costs a `read` call per page: at 10⁷ sessions, with 10,000 sessions in use, the 16 MiB
   * better-sqlite3 keeps by default read about 1.2 pages per lookup from the file system, 64 MiB none
   * (docs/bench.md). It is memory of the process (not the V8 heap), taken as pages are read, never more than
   * the file needs. `0` leaves SQLite its smallest cache. Applies to `:memory:` only as SQLite's limit for
   * pages it may drop, which it never does there.
   * @default 67108864 (64 MiB)
   */
  cacheBytes?: number;
}

/** Default `mmapBytes`: 2 GiB, which SQLite caps at its build's ceiling. */
const DEFAULT_MMAP_BYTES = 2 * 1024 * 1024 * 1024;
/** Default `cacheBytes`: 64 MiB. */
const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * The embedded default store: one SQLite file (WAL), on better-sqlite3, `node:sqlite` or `bun:sqlite` (driver.ts). Every write, single statement or not,
 * runs in one IMMEDIATE transaction (writes.ts), which takes the write lock up front, so the per-subject cap
 * and versioned updates stay atomic even when several processes share the file, and a commit that fails
 * (a full disk) throws instead of being acknowledged.
 */
export class SqliteStore implements SessionStore, BrowsableStore {
  readonly kind = 'sqlite';
  /** The driver this store runs on (the one asked for, or the runtime's own). */
  readonly driver: SqliteDriverName;
  /** The memory map SQLite applied (`PRAGMA mmap_size`, which a build may cap or lack: then smaller, or 0). */
  readonly mmapBytes: number;
  /** The page cache's limit SQLite applied (`PRAGMA cache_size`, in bytes). */
  readonly cacheBytes: number;
  readonly #db: SqliteDatabase;
  readonly #sql: Statements;
  readonly #writes: Writes;
  readonly #browse: SqliteBrowse;
  #closed = false;

  constructor(options: SqliteStoreOptions) {
    if (typeof options?.path !== 'string') throw new TypeError('tessera: SqliteStore needs a path');
    const busyTimeoutMs = nonNegativeInteger('busyTimeoutMs', options.busyTimeoutMs, 5000);
    const synchronous = options.synchronous ?? 'full';
    if (synchronous !== 'full' && synchronous !== 'normal') {
      throw new TypeError("tessera: synchronous must be 'full' or 'normal'");
    }
    if (options.driver !== undefined && !isSqliteDriverName(options.driver)) {
      throw new TypeError("tessera: driver must be 'better-sqlite3', 'node:sqlite' or 'bun:sqlite'");
    }
    const mmapBytes = nonNegativeInteger('mmapBytes', options.mmapBytes, DEFAULT_MMAP_BYTES);
    const cacheBytes = nonNegativeInteger('cacheBytes', options.cacheBytes, DEFAULT_CACHE_BYTES);
    this.#db = openDatabase({
      path: options.path,
      busyTimeoutMs,
      synchronous,
      driver: options.driver,
      mmapBytes,
      cacheBytes,
    });
    this.driver = this.#db.driver;
    this.mmapBytes = Number(this.#db.pragma('mmap_size') ?? 0);
    // Negative: KiB; positive: pages (SQLite's two units for cache_size).
    const cache = Number(this.#db.pragma('cache_size'));
    this.cacheBytes = cache < 0 ? -cache * 1024 : cache * Number(this.#db.pragma('page_size'));
    this.#sql = prepareStatements(this.#db);
    this.#writes = prepareWrites(this.#db, this.#sql);
    this.#browse = new SqliteBrowse(this.#db);
  }

  async create(record: SessionRecord, options: CreateOptions): Promise<CreateResult> {
    this.#open();
    return this.#writes.create(record, options);
  }

  async get(id: string): Promise<SessionRecord | null> {
    this.#open();
    const row = this.#sql.getSession.get(id);
    return row === undefined ? null : rowToRecord(row);
  }

  async touch(id: string, update: TouchUpdate): Promise<boolean> {
    this.#open();
    return this.#writes.touch(id, update);
  }

  async rotate(id: string, update: RotateUpdate): Promise<SessionRecord | null> {
    this.#open();
    return this.#writes.rotate(id, update);
  }

  async updateData(id: string, patch: DataPatch, options: UpdateOptions): Promise<UpdateResult> {
    this.#open();
    return this.#writes.updateData(id, patch, options);
  }

  async delete(id: string): Promise<SessionRecord | null> {
    this.#open();
    return this.#writes.delete(id);
  }

  async deleteBySubject(subject: string, exceptId: string | null): Promise<string[]> {
    this.#open();
    return this.#writes.deleteBySubject(subject, exceptId);
  }

  async listBySubject(subject: string, now: number): Promise<SessionRecord[]> {
    this.#open();
    return this.#sql.listBySubject.all(subject, now).map(rowToRecord);
  }

  async browseSessions(query: SessionBrowse): Promise<SessionRecord[]> {
    this.#open();
    return this.#browse.browse(query);
  }

  async countSessions(now: number): Promise<number> {
    this.#open();
    return this.#browse.count(now);
  }

  async deleteExpired(before: number, limit: number): Promise<number> {
    this.#open();
    if (!Number.isInteger(limit) || limit < 1) return 0;
    return this.#writes.deleteExpired(before, limit);
  }

  async deleteAllSessions(): Promise<number> {
    this.#open();
    return this.#writes.deleteAllSessions();
  }

  async getSubjectNotBefore(subject: string): Promise<number | null> {
    this.#open();
    return this.#sql.getNotBefore.get(subject) ?? null;
  }

  async getLatestNotBefore(scopes: readonly string[]): Promise<number | null> {
    this.#open();
    return this.#sql.latestNotBefore(scopes.length).get(...scopes) ?? null;
  }

  async useOnce(key: string, expiresAt: number, now: number): Promise<boolean> {
    this.#open();
    checkOnceKey(key, expiresAt, now);
    return this.#writes.useOnce(key, expiresAt, now);
  }

  async setSubjectNotBefore(subject: string, notBefore: number, expiresAt: number): Promise<void> {
    this.#open();
    this.#writes.setSubjectNotBefore(subject, notBefore, expiresAt);
  }

  async createRefreshFamily(record: RefreshFamilyRecord): Promise<void> {
    this.#open();
    this.#writes.createRefreshFamily(record);
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
    return this.#writes.advanceRefreshFamily(familyId, expected, next);
  }

  async revokeRefreshFamily(familyId: string, now: number): Promise<boolean> {
    this.#open();
    return this.#writes.revokeRefreshFamily(familyId, now);
  }

  async ping(): Promise<void> {
    this.#open();
    this.#sql.ping.get();
  }

  /** The schema version (`PRAGMA user_version`), for `tessera doctor`; the clock is this host's own. */
  async inspect(): Promise<StoreInspection> {
    this.#open();
    const version = Number(this.#db.pragma('user_version'));
    return { serverTime: null, schema: { version, latest: SCHEMA_VERSION } };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Folds the WAL back into the main file so a copied .sqlite file is complete on its own.
    try {
      this.#db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    } finally {
      this.#db.close();
    }
  }

  #open(): void {
    if (this.#closed) throw new StoreUnavailableError('sqlite store is closed');
  }
}
