import type pg from 'pg';
import { StoreUnavailableError } from '../../core/errors.js';
import type { DataPatch, SessionRecord } from '../../core/session.js';
import { isSessionId } from '../../core/token.js';
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
import { checkBrowse } from '../shared/browse.js';
import { checkOnceKey } from '../shared/once-key.js';
import { browseStatement, countStatement } from './browse.js';
import { LATEST_VERSION, quoteIdent, runMigrations } from './migrations.js';
import type { Connections } from './connections.js';
import { connect, openConnections, runQuery, runTransaction, unavailable } from './pool.js';
import { type FamilyRow, recordParams, type SessionRow, toFamily, toRecord } from './rows.js';
import { buildStatements, type Statements } from './statements.js';

export interface PostgresStoreOptions {
  /** `postgres://user:pass@host:5432/db`. One of this, `pool` and `newClient`. */
  connectionString?: string;
  /** A `pg.Pool` you created (and close yourself). Set `statement_timeout` on it yourself. */
  pool?: pg.Pool;
  /**
   * A new, unconnected `pg.Client` for each store call: the store connects it, runs the call (one statement or
   * one transaction) and ends it before the call returns. For Cloudflare Workers, where a connection opened in
   * one request cannot serve another, so neither a pool nor `connectionString` works for a store kept at module
   * scope (docs/stores.md, "On Cloudflare Workers"). Set `connectionTimeoutMillis`, `statement_timeout` and
   * `query_timeout` on the client yourself: `statementTimeoutMs`, `connectTimeoutMs` and `maxConnections`
   * only shape the pool this store creates.
   * @example
   * ```ts
   * new PostgresStore({
   *   newClient: () => new pg.Client({ connectionString: env.HYPERDRIVE.connectionString }),
   *   migrate: false,
   * });
   * ```
   */
  newClient?: () => pg.Client;
  /**
   * Schema holding Tessera's tables (created by the migration).
   * @default 'tessera'
   */
  schema?: string;
  /**
   * Server-side limit for one statement (ms); the client also gives up 1 s later, so a dead or stalled
   * server answers with StoreUnavailableError instead of a hang.
   * @default 5000
   */
  statementTimeoutMs?: number;
  /** Longest wait for a new connection (ms). @default 5000 */
  connectTimeoutMs?: number;
  /** Connections in the pool this store creates. @default 10 */
  maxConnections?: number;
  /**
   * Run the migration on first use. Turn off when deploys run `tessera migrate` instead.
   * @default true
   */
  migrate?: boolean;
}

/**
 * Sessions in PostgreSQL. Single-row changes are one conditional UPDATE (compare-and-set in the WHERE);
 * a capped create takes a per-subject transaction-scoped advisory lock and locks the subject's rows, so
 * concurrent nodes cannot both pass the cap; expired rows are removed in bounded batches with
 * `FOR UPDATE SKIP LOCKED`, so several nodes can sweep at once without blocking each other.
 */
export class PostgresStore implements SessionStore, BrowsableStore {
  readonly kind = 'postgres';
  readonly schema: string;
  readonly #connections: Connections;
  readonly #autoMigrate: boolean;
  readonly #sql: Statements;
  #migrated: Promise<void> | null = null;
  #closed = false;

  constructor(options: PostgresStoreOptions) {
    this.schema = options.schema ?? 'tessera';
    this.#sql = buildStatements(this.schema);
    this.#autoMigrate = options.migrate ?? true;
    this.#connections = openConnections(options);
  }

  /** Creates or upgrades the schema. Idempotent; safe to run from several nodes at once. */
  async migrate(): Promise<number[]> {
    this.#open();
    const lease = await connect(this.#connections, 'migrate');
    let broken = false;
    try {
      return await runMigrations(lease.client, this.schema);
    } catch (error) {
      broken = true;
      throw unavailable('migrate', error);
    } finally {
      await lease.release(broken);
    }
  }

  async create(record: SessionRecord, options: CreateOptions): Promise<CreateResult> {
    if (!isSessionId(record.id) || hasNul(record.subject)) {
      throw new TypeError('tessera: invalid session id or subject');
    }
    const sql = this.#sql;
    if (options.maxPerSubject === null) {
      await this.#query('create', sql.insertSession, recordParams(record));
      return { created: true, evicted: [] };
    }
    const cap = options.maxPerSubject;
    return this.#transaction('create', async (client) => {
      // The advisory lock also covers a subject with no rows yet (row locks cannot lock what does not exist).
      await client.query(sql.lockSubject, [this.schema, record.subject]);
      const live = await client.query<{ id: string }>(sql.liveIdsOfSubject, [record.subject, options.now]);
      const excess = live.rows.length + 1 - cap;
      const evicted: string[] = [];
      if (excess > 0) {
        if (options.overflow === 'refuse') return { created: false, reason: 'limit' };
        for (const row of live.rows.slice(0, excess)) evicted.push(row.id);
        await client.query(sql.deleteSessionIds, [evicted]);
      }
      await client.query(sql.insertSession, recordParams(record));
      return { created: true, evicted };
    });
  }

  async get(id: string): Promise<SessionRecord | null> {
    this.#open();
    if (!isSessionId(id)) return null;
    const result = await this.#query<SessionRow>('get', this.#sql.getSession, [id], this.#sql.getSessionName);
    const row = result.rows[0];
    return row === undefined ? null : toRecord(row);
  }

  async touch(id: string, update: TouchUpdate): Promise<boolean> {
    this.#open();
    if (!isSessionId(id)) return false;
    const result = await this.#query('touch', this.#sql.touch, [
      id,
      update.expectedSecretHash,
      update.lastSeenAt,
      update.idleExpiresAt,
      update.now,
    ]);
    return (result.rowCount ?? 0) > 0;
  }

  async rotate(id: string, update: RotateUpdate): Promise<SessionRecord | null> {
    this.#open();
    if (!isSessionId(id)) return null;
    const setLevel = update.level !== undefined;
    const result = await this.#query<SessionRow>('rotate', this.#sql.rotate, [
      id,
      update.expectedSecretHash,
      update.secretHash,
      update.previousSecretHash,
      update.previousSecretValidUntil,
      update.rotatedAt,
      update.lastSeenAt,
      update.idleExpiresAt,
      setLevel,
      setLevel ? update.level : null,
      setLevel ? (update.levelAt ?? null) : null,
      update.now,
      update.absoluteExpiresAt ?? null,
    ]);
    const row = result.rows[0];
    return row === undefined ? null : toRecord(row);
  }

  async updateData(id: string, patch: DataPatch, options: UpdateOptions): Promise<UpdateResult> {
    this.#open();
    if (!isSessionId(id)) return { status: 'not_found' };
    const limit = options.maxDataBytes ?? null;
    const params = [
      id,
      patch.unset ?? [],
      JSON.stringify(patch.set ?? {}),
      options.now,
      options.expectedVersion,
      limit,
    ];
    for (let attempt = 0; attempt < 20; attempt += 1) {
      // One UPDATE that merges the patch and checks the version and the size limit (see statements.ts).
      const result = await this.#query<SessionRow>('updateData', this.#sql.updateData, params);
      const row = result.rows[0];
      if (row !== undefined) return { status: 'ok', record: toRecord(row) };
      if (options.expectedVersion === null && limit === null) return { status: 'not_found' };
      // Why did it not write? Read-only: a refusal changes nothing.
      const current = await this.#query<{ version: number; bytes: number | null }>(
        'updateData',
        this.#sql.updateDataRefusal,
        [id, patch.unset ?? [], params[2], options.now, limit],
      );
      const found = current.rows[0];
      if (found === undefined) return { status: 'not_found' };
      const version = Number(found.version);
      if (options.expectedVersion !== null && version !== options.expectedVersion) {
        return { status: 'conflict', version };
      }
      const bytes = found.bytes === null ? null : Number(found.bytes);
      if (limit !== null && bytes !== null && bytes > limit) return { status: 'too_large', bytes };
      // Another patch changed the row between the two statements and the patch fits now: try again.
    }
    throw new StoreUnavailableError('postgres store: too many concurrent patches of one session');
  }

  async delete(id: string): Promise<SessionRecord | null> {
    this.#open();
    if (!isSessionId(id)) return null;
    const result = await this.#query<SessionRow>('delete', this.#sql.deleteSession, [id]);
    const row = result.rows[0];
    return row === undefined ? null : toRecord(row);
  }

  async deleteBySubject(subject: string, exceptId: string | null): Promise<string[]> {
    this.#open();
    if (hasNul(subject)) return [];
    const result = await this.#query<{ id: string }>('deleteBySubject', this.#sql.deleteBySubject, [
      subject,
      exceptId !== null && hasNul(exceptId) ? null : exceptId,
    ]);
    return result.rows.map((row) => row.id);
  }

  async listBySubject(subject: string, now: number): Promise<SessionRecord[]> {
    this.#open();
    if (hasNul(subject)) return [];
    const result = await this.#query<SessionRow>('listBySubject', this.#sql.listBySubject, [subject, now]);
    return result.rows.map(toRecord);
  }

  /** A scan of the live sessions (no index on the address or the orders): for an operator's search. */
  async browseSessions(query: SessionBrowse): Promise<SessionRecord[]> {
    this.#open();
    checkBrowse(query);
    if (query.ip !== null && hasNul(query.ip)) return [];
    if (query.after !== null && hasNul(query.after.id)) return [];
    const { sql, params } = browseStatement(this.schema, query);
    const result = await this.#query<SessionRow>('browseSessions', sql, params);
    return result.rows.map(toRecord);
  }

  async countSessions(now: number): Promise<number> {
    this.#open();
    const result = await this.#query<{ live: string }>('countSessions', countStatement(this.schema), [now]);
    return Number(result.rows[0]?.live ?? 0);
  }

  /**
   * Removes at most `limit` expired rows per table, found through the expiry index. SKIP LOCKED lets
   * several nodes sweep at once: each takes rows the others have not locked, none waits.
   */
  async deleteExpired(before: number, limit: number): Promise<number> {
    this.#open();
    let removed = 0;
    for (const statement of this.#sql.deleteExpired) {
      if (removed >= limit) break;
      const result = await this.#query('deleteExpired', statement, [before, limit - removed]);
      removed += result.rowCount ?? 0;
    }
    return removed;
  }

  /** One statement, so one transaction: READ COMMITTED removes every row committed when it starts. */
  async deleteAllSessions(): Promise<number> {
    this.#open();
    const result = await this.#query('deleteAllSessions', this.#sql.deleteAll, []);
    return result.rowCount ?? 0;
  }

  async getSubjectNotBefore(subject: string): Promise<number | null> {
    this.#open();
    if (hasNul(subject)) return null;
    const result = await this.#query<{ not_before: string }>('getSubjectNotBefore', this.#sql.getNotBefore, [
      subject,
    ]);
    const row = result.rows[0];
    return row === undefined ? null : Number(row.not_before);
  }

  async getLatestNotBefore(scopes: readonly string[]): Promise<number | null> {
    this.#open();
    const named = scopes.filter((scope) => !hasNul(scope));
    if (named.length === 0) return null;
    const result = await this.#query<{ not_before: string | null }>(
      'getLatestNotBefore',
      this.#sql.latestNotBefore,
      [named],
    );
    const value = result.rows[0]?.not_before ?? null;
    return value === null ? null : Number(value);
  }

  async useOnce(key: string, expiresAt: number, now: number): Promise<boolean> {
    this.#open();
    checkOnceKey(key, expiresAt, now);
    const result = await this.#query('useOnce', this.#sql.useOnce, [key, expiresAt, now]);
    return result.rowCount === 1;
  }

  async setSubjectNotBefore(subject: string, notBefore: number, expiresAt: number): Promise<void> {
    this.#open();
    if (hasNul(subject)) throw new TypeError('tessera: a subject must not contain NUL');
    await this.#query('setSubjectNotBefore', this.#sql.setNotBefore, [subject, notBefore, expiresAt]);
  }

  async createRefreshFamily(record: RefreshFamilyRecord): Promise<void> {
    this.#open();
    await this.#query('createRefreshFamily', this.#sql.insertFamily, [
      record.familyId,
      record.sessionId,
      record.subject,
      record.generation,
      record.currentHash,
      record.previousHash,
      record.rotatedAt,
      record.createdAt,
      record.expiresAt,
      record.revokedAt,
    ]);
  }

  async getRefreshFamily(familyId: string): Promise<RefreshFamilyRecord | null> {
    this.#open();
    if (hasNul(familyId)) return null;
    const result = await this.#query<FamilyRow>('getRefreshFamily', this.#sql.getFamily, [familyId]);
    const row = result.rows[0];
    return row === undefined ? null : toFamily(row);
  }

  async advanceRefreshFamily(
    familyId: string,
    expected: RefreshExpectation,
    next: RefreshAdvance,
  ): Promise<boolean> {
    this.#open();
    if (hasNul(familyId)) return false;
    const result = await this.#query('advanceRefreshFamily', this.#sql.advanceFamily, [
      familyId,
      expected.generation,
      expected.currentHash,
      next.generation,
      next.currentHash,
      next.previousHash,
      next.rotatedAt,
    ]);
    return (result.rowCount ?? 0) > 0;
  }

  async revokeRefreshFamily(familyId: string, now: number): Promise<boolean> {
    this.#open();
    if (hasNul(familyId)) return false;
    const result = await this.#query('revokeRefreshFamily', this.#sql.revokeFamily, [familyId, now]);
    return (result.rowCount ?? 0) > 0;
  }

  async ping(): Promise<void> {
    this.#open();
    await this.#query('ping', this.#sql.ping, []);
  }

  /**
   * The server's clock and the applied schema version, for `tessera doctor`. Unlike the other methods it never
   * migrates: an operator checking a database must not change it.
   */
  async inspect(): Promise<StoreInspection> {
    this.#open();
    // clock_timestamp(), not now(): now() is the start of the transaction.
    const time = await runQuery<{ ms: number }>(
      this.#connections,
      'inspect',
      'SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS ms',
      [],
    );
    const table = await runQuery<{ found: string | null }>(
      this.#connections,
      'inspect',
      "SELECT to_regclass($1 || '.tessera_migrations')::text AS found",
      [quoteIdent(this.schema)],
    );
    let version = 0;
    if (table.rows[0]?.found != null) {
      const applied = await runQuery<{ version: number | null }>(
        this.#connections,
        'inspect',
        `SELECT max(version) AS version FROM ${quoteIdent(this.schema)}.tessera_migrations`,
        [],
      );
      version = Number(applied.rows[0]?.version ?? 0);
    }
    return { serverTime: Number(time.rows[0]?.ms), schema: { version, latest: LATEST_VERSION } };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#connections.end();
  }

  async #ensureSchema(): Promise<void> {
    if (!this.#autoMigrate) return;
    this.#migrated ??= this.migrate().then(
      () => undefined,
      (error: unknown) => {
        this.#migrated = null; // retry on the next call once the server is back
        throw error;
      },
    );
    await this.#migrated;
  }

  async #query<Row extends pg.QueryResultRow = pg.QueryResultRow>(
    operation: string,
    sql: string,
    params: unknown[],
    prepareAs?: string,
  ): Promise<pg.QueryResult<Row>> {
    this.#open();
    await this.#ensureSchema();
    return runQuery<Row>(this.#connections, operation, sql, params, prepareAs);
  }

  async #transaction<T>(operation: string, body: (client: pg.ClientBase) => Promise<T>): Promise<T> {
    this.#open();
    await this.#ensureSchema();
    return runTransaction(this.#connections, operation, body);
  }

  #open(): void {
    if (this.#closed) throw new StoreUnavailableError('postgres store is closed');
  }
}

function hasNul(text: string): boolean {
  return text.includes('\u0000');
}
