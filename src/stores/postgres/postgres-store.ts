import pg from 'pg';
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
  SessionStore,
  TouchUpdate,
  UpdateOptions,
  UpdateResult,
} from '../../core/store.js';
import { quoteIdent, runMigrations } from './migrations.js';
import {
  type FamilyRow,
  recordParams,
  SESSION_COLUMNS,
  type SessionRow,
  toFamily,
  toRecord,
} from './rows.js';

export interface PostgresStoreOptions {
  /** `postgres://user:pass@host:5432/db`. Either this or `pool`. */
  connectionString?: string;
  /** A `pg.Pool` you created (and close yourself). Set `statement_timeout` on it yourself. */
  pool?: pg.Pool;
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

/** pg error codes for "this id exists" (the only fault that is the caller's, not the store's). */
const UNIQUE_VIOLATION = '23505';

/**
 * Sessions in PostgreSQL. Single-row changes are one conditional UPDATE (compare-and-set in the WHERE);
 * a capped create takes a per-subject transaction-scoped advisory lock and locks the subject's rows, so
 * concurrent nodes cannot both pass the cap; expired rows are removed in bounded batches with
 * `FOR UPDATE SKIP LOCKED`, so several nodes can sweep at once without blocking each other.
 */
export class PostgresStore implements SessionStore {
  readonly kind = 'postgres';
  readonly schema: string;
  readonly #pool: pg.Pool;
  readonly #owned: boolean;
  readonly #autoMigrate: boolean;
  readonly #t: { sessions: string; families: string; notBefore: string };
  #migrated: Promise<void> | null = null;
  #closed = false;

  constructor(options: PostgresStoreOptions) {
    this.schema = options.schema ?? 'tessera';
    const quoted = quoteIdent(this.schema);
    this.#t = {
      sessions: `${quoted}.sessions`,
      families: `${quoted}.refresh_families`,
      notBefore: `${quoted}.subject_not_before`,
    };
    this.#autoMigrate = options.migrate ?? true;
    if (options.pool !== undefined) {
      this.#pool = options.pool;
      this.#owned = false;
    } else if (typeof options.connectionString === 'string') {
      const statementTimeout = options.statementTimeoutMs ?? 5000;
      this.#pool = new pg.Pool({
        connectionString: options.connectionString,
        max: options.maxConnections ?? 10,
        connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
        statement_timeout: statementTimeout,
        query_timeout: statementTimeout + 1000,
        idle_in_transaction_session_timeout: statementTimeout * 2,
        keepAlive: true,
      });
      this.#owned = true;
    } else {
      throw new TypeError('tessera: PostgresStore needs a connectionString or a pool');
    }
    // An idle client that loses its connection emits 'error' on the pool; unhandled, it would crash the process.
    this.#pool.on('error', () => {});
  }

  /** Creates or upgrades the schema. Idempotent; safe to run from several nodes at once. */
  async migrate(): Promise<number[]> {
    this.#open();
    const client = await this.#connect('migrate');
    try {
      return await runMigrations(client, this.schema);
    } catch (error) {
      throw unavailable('migrate', error);
    } finally {
      client.release();
    }
  }

  async create(record: SessionRecord, options: CreateOptions): Promise<CreateResult> {
    if (!isSessionId(record.id) || hasNul(record.subject)) {
      throw new TypeError('tessera: invalid session id or subject');
    }
    const insert = `INSERT INTO ${this.#t.sessions} (${SESSION_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6::jsonb,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)`;
    if (options.maxPerSubject === null) {
      await this.#query('create', insert, recordParams(record));
      return { created: true, evicted: [] };
    }
    const cap = options.maxPerSubject;
    return this.#transaction('create', async (client) => {
      // The advisory lock also covers a subject with no rows yet (row locks cannot lock what does not exist).
      await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1 || ':' || $2, 0))", [
        this.schema,
        record.subject,
      ]);
      const live = await client.query<{ id: string }>(
        `SELECT id FROM ${this.#t.sessions} WHERE subject = $1 AND expires_at > $2 ORDER BY created_at, id FOR UPDATE`,
        [record.subject, options.now],
      );
      const excess = live.rows.length + 1 - cap;
      const evicted: string[] = [];
      if (excess > 0) {
        if (options.overflow === 'refuse') return { created: false, reason: 'limit' };
        for (const row of live.rows.slice(0, excess)) evicted.push(row.id);
        await client.query(`DELETE FROM ${this.#t.sessions} WHERE id = ANY($1::text[])`, [evicted]);
      }
      await client.query(insert, recordParams(record));
      return { created: true, evicted };
    });
  }

  async get(id: string): Promise<SessionRecord | null> {
    this.#open();
    if (!isSessionId(id)) return null;
    const result = await this.#query<SessionRow>(
      'get',
      `SELECT ${SESSION_COLUMNS} FROM ${this.#t.sessions} WHERE id = $1`,
      [id],
      `tessera_get_${this.schema}`,
    );
    const row = result.rows[0];
    return row === undefined ? null : toRecord(row);
  }

  async touch(id: string, update: TouchUpdate): Promise<boolean> {
    this.#open();
    if (!isSessionId(id)) return false;
    const result = await this.#query(
      'touch',
      `UPDATE ${this.#t.sessions} SET last_seen_at = $3, idle_expires_at = LEAST($4::bigint, absolute_expires_at)
       WHERE id = $1 AND secret_hash = $2 AND expires_at > $5`,
      [id, update.expectedSecretHash, update.lastSeenAt, update.idleExpiresAt, update.now],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async rotate(id: string, update: RotateUpdate): Promise<SessionRecord | null> {
    this.#open();
    if (!isSessionId(id)) return null;
    const setLevel = update.level !== undefined;
    const result = await this.#query<SessionRow>(
      'rotate',
      `UPDATE ${this.#t.sessions} SET secret_hash = $3, previous_secret_hash = $4, previous_secret_valid_until = $5,
         rotated_at = $6, last_seen_at = $7, idle_expires_at = LEAST($8::bigint, absolute_expires_at),
         level = CASE WHEN $9::boolean THEN $10::integer ELSE level END,
         level_at = CASE WHEN $9::boolean THEN $11::bigint ELSE level_at END
       WHERE id = $1 AND secret_hash = $2 AND expires_at > $12
       RETURNING ${SESSION_COLUMNS}`,
      [
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
      ],
    );
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
      // One UPDATE: `-` removes keys, `||` merges the set keys; the row lock serializes concurrent patches,
      // and each re-reads the latest row, so patches of different keys all survive. The size limit is in the
      // same WHERE, so it is checked on the row this UPDATE writes (re-checked after waiting for a lock): many
      // small patches cannot grow data past it. It measures jsonb::text, PostgreSQL's own JSON text, which has
      // a space after each ':' and ',' (a few bytes more than JSON.stringify).
      const result = await this.#query<SessionRow>(
        'updateData',
        `UPDATE ${this.#t.sessions} SET data = (data - $2::text[]) || $3::jsonb, version = version + 1
         WHERE id = $1 AND expires_at > $4 AND ($5::integer IS NULL OR version = $5)
           AND ($6::integer IS NULL OR octet_length(((data - $2::text[]) || $3::jsonb)::text) <= $6)
         RETURNING ${SESSION_COLUMNS}`,
        params,
      );
      const row = result.rows[0];
      if (row !== undefined) return { status: 'ok', record: toRecord(row) };
      if (options.expectedVersion === null && limit === null) return { status: 'not_found' };
      // Why did it not write? Read-only: a refusal changes nothing.
      const current = await this.#query<{ version: number; bytes: number | null }>(
        'updateData',
        `SELECT version, CASE WHEN $5::integer IS NULL THEN NULL
                ELSE octet_length(((data - $2::text[]) || $3::jsonb)::text) END AS bytes
         FROM ${this.#t.sessions} WHERE id = $1 AND expires_at > $4`,
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
    const result = await this.#query<SessionRow>(
      'delete',
      `DELETE FROM ${this.#t.sessions} WHERE id = $1 RETURNING ${SESSION_COLUMNS}`,
      [id],
    );
    const row = result.rows[0];
    return row === undefined ? null : toRecord(row);
  }

  async deleteBySubject(subject: string, exceptId: string | null): Promise<string[]> {
    this.#open();
    if (hasNul(subject)) return [];
    const result = await this.#query<{ id: string }>(
      'deleteBySubject',
      `DELETE FROM ${this.#t.sessions} WHERE subject = $1 AND ($2::text IS NULL OR id <> $2) RETURNING id`,
      [subject, exceptId !== null && hasNul(exceptId) ? null : exceptId],
    );
    return result.rows.map((row) => row.id);
  }

  async listBySubject(subject: string, now: number): Promise<SessionRecord[]> {
    this.#open();
    if (hasNul(subject)) return [];
    const result = await this.#query<SessionRow>(
      'listBySubject',
      `SELECT ${SESSION_COLUMNS} FROM ${this.#t.sessions} WHERE subject = $1 AND expires_at > $2 ORDER BY created_at, id`,
      [subject, now],
    );
    return result.rows.map(toRecord);
  }

  /**
   * Removes at most `limit` expired rows per table, found through the expiry index. SKIP LOCKED lets
   * several nodes sweep at once: each takes rows the others have not locked, none waits.
   */
  async deleteExpired(before: number, limit: number): Promise<number> {
    this.#open();
    let removed = 0;
    for (const table of [this.#t.sessions, this.#t.families, this.#t.notBefore]) {
      if (removed >= limit) break;
      const result = await this.#query(
        'deleteExpired',
        `DELETE FROM ${table} WHERE ctid = ANY(ARRAY(
           SELECT ctid FROM ${table} WHERE expires_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED))`,
        [before, limit - removed],
      );
      removed += result.rowCount ?? 0;
    }
    return removed;
  }

  async getSubjectNotBefore(subject: string): Promise<number | null> {
    this.#open();
    if (hasNul(subject)) return null;
    const result = await this.#query<{ not_before: string }>(
      'getSubjectNotBefore',
      `SELECT not_before FROM ${this.#t.notBefore} WHERE subject = $1`,
      [subject],
    );
    const row = result.rows[0];
    return row === undefined ? null : Number(row.not_before);
  }

  async setSubjectNotBefore(subject: string, notBefore: number, expiresAt: number): Promise<void> {
    this.#open();
    if (hasNul(subject)) throw new TypeError('tessera: a subject must not contain NUL');
    await this.#query(
      'setSubjectNotBefore',
      `INSERT INTO ${this.#t.notBefore} AS t (subject, not_before, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (subject) DO UPDATE SET not_before = GREATEST(t.not_before, EXCLUDED.not_before),
         expires_at = GREATEST(t.expires_at, EXCLUDED.expires_at)`,
      [subject, notBefore, expiresAt],
    );
  }

  async createRefreshFamily(record: RefreshFamilyRecord): Promise<void> {
    this.#open();
    await this.#query(
      'createRefreshFamily',
      `INSERT INTO ${this.#t.families} (family_id, session_id, subject, generation, current_hash, previous_hash,
         rotated_at, created_at, expires_at, revoked_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`,
      [
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
      ],
    );
  }

  async getRefreshFamily(familyId: string): Promise<RefreshFamilyRecord | null> {
    this.#open();
    if (hasNul(familyId)) return null;
    const result = await this.#query<FamilyRow>(
      'getRefreshFamily',
      `SELECT * FROM ${this.#t.families} WHERE family_id = $1`,
      [familyId],
    );
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
    const result = await this.#query(
      'advanceRefreshFamily',
      `UPDATE ${this.#t.families} SET generation = $4, current_hash = $5, previous_hash = $6, rotated_at = $7
       WHERE family_id = $1 AND revoked_at IS NULL AND generation = $2 AND current_hash = $3`,
      [
        familyId,
        expected.generation,
        expected.currentHash,
        next.generation,
        next.currentHash,
        next.previousHash,
        next.rotatedAt,
      ],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async revokeRefreshFamily(familyId: string, now: number): Promise<boolean> {
    this.#open();
    if (hasNul(familyId)) return false;
    const result = await this.#query(
      'revokeRefreshFamily',
      `UPDATE ${this.#t.families} SET revoked_at = COALESCE(revoked_at, $2) WHERE family_id = $1`,
      [familyId, now],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async ping(): Promise<void> {
    this.#open();
    await this.#query('ping', 'SELECT 1', []);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#owned) await this.#pool.end().catch(() => {});
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

  async #connect(operation: string): Promise<pg.PoolClient> {
    try {
      return await this.#pool.connect();
    } catch (error) {
      throw unavailable(operation, error);
    }
  }

  async #query<Row extends pg.QueryResultRow = pg.QueryResultRow>(
    operation: string,
    sql: string,
    params: unknown[],
    prepareAs?: string,
  ): Promise<pg.QueryResult<Row>> {
    this.#open();
    await this.#ensureSchema();
    try {
      // A named statement is parsed and planned once per connection (the validation hot path).
      return prepareAs === undefined
        ? await this.#pool.query<Row>(sql, params)
        : await this.#pool.query<Row>({ name: prepareAs, text: sql, values: params });
    } catch (error) {
      throw mapError(operation, error);
    }
  }

  async #transaction<T>(operation: string, body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    this.#open();
    await this.#ensureSchema();
    const client = await this.#connect(operation);
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await body(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw mapError(operation, error);
    } finally {
      // A client whose connection failed mid-transaction is discarded, not returned to the pool.
      client.release(broken);
    }
  }

  #open(): void {
    if (this.#closed) throw new StoreUnavailableError('postgres store is closed');
  }
}

function hasNul(text: string): boolean {
  return text.includes('\u0000');
}

function mapError(operation: string, error: unknown): Error {
  if ((error as { code?: string }).code === UNIQUE_VIOLATION) {
    return new Error(`postgres store: ${operation} would duplicate an existing id`, { cause: error });
  }
  return unavailable(operation, error);
}

/** Connection faults, timeouts (57014 statement timeout) and server errors: fail closed with 503. */
function unavailable(operation: string, error: unknown): StoreUnavailableError {
  if (error instanceof StoreUnavailableError) return error;
  return new StoreUnavailableError(`postgres store failed during ${operation}`, { cause: error });
}
