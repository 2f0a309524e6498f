// The PostgreSQL store on `newClient` (a new pg.Client per store call, the design for Cloudflare Workers:
// docs/stores.md, "On Cloudflare Workers") under Node: the store suite with its failed commits, no connection
// left open between calls, and the option checks. test/runtimes/workerd-postgres.test.ts runs it in workerd.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { PostgresStore } from '../../src/stores/postgres/index.js';
import { makeRecord, T0 } from '../conformance/fixtures.js';
import type { CommitFaults } from '../conformance/store-faults.js';
import { runStoreConformance } from '../conformance/store-suite.js';
import { failPostgresCommits } from '../support/postgres-faults.js';
import { dropSchemas } from '../support/postgres-schemas.js';
import { POSTGRES_URL, requireService, uniqueName } from '../support/services.js';

const skip = await requireService('postgres');
const base = uniqueName('pgc');
const schemas: string[] = [];

function perCall(schema: string, applicationName = 'tessera-test'): PostgresStore {
  return new PostgresStore({
    newClient: () => new pg.Client({ connectionString: POSTGRES_URL, application_name: applicationName }),
    schema,
  });
}

const open = async (): Promise<PostgresStore> => {
  const schema = `${base}_${schemas.length + 1}`;
  schemas.push(schema);
  return perCall(schema);
};

after(async () => {
  if (!skip) await dropSchemas(POSTGRES_URL, schemas);
});

const faults: CommitFaults = {
  open,
  failCommits: async (store) => {
    if (!(store instanceof PostgresStore)) throw new Error('failCommits: not a store from faults.open');
    return failPostgresCommits(POSTGRES_URL, store.schema);
  },
};

async function connectionsNamed(name: string): Promise<number> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_stat_activity WHERE application_name = $1', [name]);
    return found.rowCount ?? 0;
  } finally {
    await client.end();
  }
}

describe('postgres store on newClient (a client per call)', { skip }, () => {
  runStoreConformance('postgres (newClient)', open, { faults });

  it('keeps no connection open between calls, also after a transaction and a failed call', async () => {
    const name = `${base}_idle`;
    schemas.push(name);
    const store = perCall(name, name);
    try {
      const record = makeRecord(store);
      await store.create(record, { now: T0, maxPerSubject: 2, overflow: 'evict-oldest' });
      assert.deepEqual(await store.get(record.id), record);
      await assert.rejects(store.create(record, { now: T0, maxPerSubject: null, overflow: 'refuse' }));
      assert.equal(await connectionsNamed(name), 0, 'every client was ended before its call returned');
    } finally {
      await store.close();
    }
  });

  it('newClient is exclusive with pool and connectionString, and must be a function', () => {
    const newClient = (): pg.Client => new pg.Client({ connectionString: POSTGRES_URL });
    assert.throws(
      () => new PostgresStore({ newClient, connectionString: POSTGRES_URL }),
      (error: unknown) =>
        error instanceof TypeError && /one of newClient, pool and connectionString/.test(error.message),
    );
    const pool = new pg.Pool({ connectionString: POSTGRES_URL });
    try {
      assert.throws(() => new PostgresStore({ newClient, pool }), TypeError);
    } finally {
      void pool.end();
    }
    assert.throws(
      () => new PostgresStore({ newClient: 'postgres://x' as never }),
      /newClient must be a function/,
    );
    assert.throws(() => new PostgresStore({}), /needs a connectionString, a pool or newClient/);
  });
});
