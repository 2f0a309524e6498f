import type pg from 'pg';
import { StoreUnavailableError } from '../../core/errors.js';
import { loadDriver } from '../shared/driver.js';

/** pg error codes for "this id exists" (the only fault that is the caller's, not the store's). */
const UNIQUE_VIOLATION = '23505';

/** The connection part of `PostgresStoreOptions` (documented there). */
export interface PoolSource {
  connectionString?: string;
  pool?: pg.Pool;
  statementTimeoutMs?: number;
  connectTimeoutMs?: number;
  maxConnections?: number;
}

/** The pool a store runs on, and whether the store created it (and so ends it on close). */
export interface StorePool {
  pool: pg.Pool;
  owned: boolean;
}

/**
 * Takes the caller's pool, or creates one whose statements time out on the server and on the client, so a
 * dead or stalled server answers with StoreUnavailableError instead of a hang.
 */
export function openPool(source: PoolSource): StorePool {
  let pool: pg.Pool;
  let owned: boolean;
  if (source.pool !== undefined) {
    pool = source.pool;
    owned = false;
  } else if (typeof source.connectionString === 'string') {
    const statementTimeout = source.statementTimeoutMs ?? 5000;
    // Only a store that creates its pool needs the driver loaded; a caller's pool brings its own.
    const { Pool } = loadDriver<typeof pg>('pg', 'PostgreSQL store');
    pool = new Pool({
      connectionString: source.connectionString,
      max: source.maxConnections ?? 10,
      connectionTimeoutMillis: source.connectTimeoutMs ?? 5000,
      statement_timeout: statementTimeout,
      query_timeout: statementTimeout + 1000,
      idle_in_transaction_session_timeout: statementTimeout * 2,
      keepAlive: true,
    });
    owned = true;
  } else {
    throw new TypeError('tessera: PostgresStore needs a connectionString or a pool');
  }
  // An idle client that loses its connection emits 'error' on the pool; unhandled, it would crash the process.
  pool.on('error', () => {});
  return { pool, owned };
}

/** Checks out a client; a failure to connect is StoreUnavailableError. */
export async function connect(pool: pg.Pool, operation: string): Promise<pg.PoolClient> {
  try {
    return await pool.connect();
  } catch (error) {
    throw unavailable(operation, error);
  }
}

/** Runs one statement on any pooled client, named (prepared) when `prepareAs` is given. */
export async function runQuery<Row extends pg.QueryResultRow = pg.QueryResultRow>(
  pool: pg.Pool,
  operation: string,
  sql: string,
  params: unknown[],
  prepareAs?: string,
): Promise<pg.QueryResult<Row>> {
  try {
    // A named statement is parsed and planned once per connection (the validation hot path).
    return prepareAs === undefined
      ? await pool.query<Row>(sql, params)
      : await pool.query<Row>({ name: prepareAs, text: sql, values: params });
  } catch (error) {
    throw mapError(operation, error);
  }
}

/** Runs `body` between BEGIN and COMMIT on one client; any failure rolls back. */
export async function runTransaction<T>(
  pool: pg.Pool,
  operation: string,
  body: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await connect(pool, operation);
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

function mapError(operation: string, error: unknown): Error {
  if ((error as { code?: string }).code === UNIQUE_VIOLATION) {
    return new Error(`postgres store: ${operation} would duplicate an existing id`, { cause: error });
  }
  return unavailable(operation, error);
}

/** Connection faults, timeouts (57014 statement timeout) and server errors: fail closed with 503. */
export function unavailable(operation: string, error: unknown): StoreUnavailableError {
  if (error instanceof StoreUnavailableError) return error;
  return new StoreUnavailableError(`postgres store failed during ${operation}`, { cause: error });
}
