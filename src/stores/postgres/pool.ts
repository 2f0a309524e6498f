import type pg from 'pg';
import { StoreUnavailableError } from '../../core/errors.js';
import { loadDriver } from '../shared/driver.js';
import { clientPerCall, type Connections, type Lease, poolConnections } from './connections.js';

/** pg error codes for "this id exists" (the only fault that is the caller's, not the store's). */
const UNIQUE_VIOLATION = '23505';

/** The connection part of `PostgresStoreOptions` (documented there). */
export interface PoolSource {
  connectionString?: string;
  pool?: pg.Pool;
  newClient?: () => pg.Client;
  statementTimeoutMs?: number;
  connectTimeoutMs?: number;
  maxConnections?: number;
}

/**
 * The caller's client factory or pool, or a pool the store creates, whose statements time out on the server
 * and on the client, so a dead or stalled server answers with StoreUnavailableError instead of a hang.
 */
export function openConnections(source: PoolSource): Connections {
  if (source.newClient !== undefined) {
    if (typeof source.newClient !== 'function') {
      throw new TypeError('tessera: PostgresStore newClient must be a function that returns a new pg.Client');
    }
    if (source.pool !== undefined || source.connectionString !== undefined) {
      throw new TypeError('tessera: PostgresStore takes one of newClient, pool and connectionString');
    }
    return clientPerCall(source.newClient);
  }
  if (source.pool !== undefined) return poolConnections(source.pool, false);
  if (typeof source.connectionString === 'string') {
    const statementTimeout = source.statementTimeoutMs ?? 5000;
    // Only a store that creates its pool needs the driver loaded; a caller's pool or client brings its own.
    const { Pool } = loadDriver<typeof pg>('pg', 'PostgreSQL store');
    const pool = new Pool({
      connectionString: source.connectionString,
      max: source.maxConnections ?? 10,
      connectionTimeoutMillis: source.connectTimeoutMs ?? 5000,
      statement_timeout: statementTimeout,
      query_timeout: statementTimeout + 1000,
      idle_in_transaction_session_timeout: statementTimeout * 2,
      keepAlive: true,
    });
    return poolConnections(pool, true);
  }
  throw new TypeError('tessera: PostgresStore needs a connectionString, a pool or newClient');
}

/** Checks out a connection; a failure to connect is StoreUnavailableError. */
export async function connect(connections: Connections, operation: string): Promise<Lease> {
  try {
    return await connections.lease();
  } catch (error) {
    throw unavailable(operation, error);
  }
}

/** Runs one statement on any connection, named (prepared) when `prepareAs` is given. */
export async function runQuery<Row extends pg.QueryResultRow = pg.QueryResultRow>(
  connections: Connections,
  operation: string,
  sql: string,
  params: unknown[],
  prepareAs?: string,
): Promise<pg.QueryResult<Row>> {
  try {
    // A named statement is parsed and planned once per connection (the validation hot path).
    return await connections.query<Row>(
      prepareAs === undefined
        ? { text: sql, values: params }
        : { name: prepareAs, text: sql, values: params },
    );
  } catch (error) {
    throw mapError(operation, error);
  }
}

/** Runs `body` between BEGIN and COMMIT on one client; any failure rolls back. */
export async function runTransaction<T>(
  connections: Connections,
  operation: string,
  body: (client: pg.ClientBase) => Promise<T>,
): Promise<T> {
  const lease = await connect(connections, operation);
  const { client } = lease;
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
    await lease.release(broken);
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
