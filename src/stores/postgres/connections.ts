import type pg from 'pg';

/** One checked-out connection: a pooled client, or a client made for this one call. */
export interface Lease {
  readonly client: pg.ClientBase;
  /** Gives the connection back (`broken`: it failed mid-transaction, so it must not be reused). */
  release(broken: boolean): Promise<void>;
}

/**
 * Where a store's connections come from. Every store call takes one for itself and gives it back before it
 * returns, so a source never has to know about requests.
 */
export interface Connections {
  /** Runs one statement on some connection. */
  query<Row extends pg.QueryResultRow>(query: pg.QueryConfig): Promise<pg.QueryResult<Row>>;
  /** One connection for several statements (a transaction, the migration). */
  lease(): Promise<Lease>;
  /** Ends what the source owns. */
  end(): Promise<void>;
}

/** A `pg.Pool`: connections kept open and shared by every call (Node, Bun, Deno). */
export function poolConnections(pool: pg.Pool, owned: boolean): Connections {
  // An idle client that loses its connection emits 'error' on the pool; unhandled, it would crash the process.
  pool.on('error', () => {});
  return {
    query: <Row extends pg.QueryResultRow>(query: pg.QueryConfig) => pool.query<Row>(query),
    lease: async () => {
      const client = await pool.connect();
      return {
        client,
        release: async (broken) => {
          client.release(broken);
        },
      };
    },
    end: async () => {
      if (owned) await pool.end().catch(() => {});
    },
  };
}

/**
 * A new client for every call, ended before the call returns: for Cloudflare Workers, where a socket opened
 * while serving one request cannot be used by another ("Cannot perform I/O on behalf of a different request"),
 * so a pool kept at module scope would hand the next request a connection it cannot use. Nothing outlives the
 * call, so a store at module scope serves every request. With Hyperdrive the connection is cheap: Hyperdrive
 * keeps the pool to the database.
 */
export function clientPerCall(newClient: () => pg.Client): Connections {
  const open = async (): Promise<pg.Client> => {
    const client = newClient();
    // A connection lost between statements emits 'error'; the pending statement rejects on its own.
    client.on('error', () => {});
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    return client;
  };
  // Awaited, so no socket is left open (or cancelled by the runtime) after the call has answered.
  const close = (client: pg.Client): Promise<void> => client.end().catch(() => {});
  return {
    query: async <Row extends pg.QueryResultRow>(query: pg.QueryConfig) => {
      const client = await open();
      try {
        return await client.query<Row>(query);
      } finally {
        await close(client);
      }
    },
    lease: async () => {
      const client = await open();
      return { client, release: () => close(client) };
    },
    end: async () => {},
  };
}
