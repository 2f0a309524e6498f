import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { createTessera } from '../../src/core/manager.js';
import { MIGRATIONS } from '../../src/stores/postgres/migrations.js';
import { LATEST_VERSION, PostgresStore } from '../../src/stores/postgres/index.js';
import { makeRecord, T0 } from '../conformance/fixtures.js';
import { runManagerConformance } from '../conformance/manager-suite.js';
import type { CommitFaults } from '../conformance/store-faults.js';
import { runStoreConformance } from '../conformance/store-suite.js';
import { failPostgresCommits } from '../support/postgres-faults.js';
import { dropSchemas } from '../support/postgres-schemas.js';
import { POSTGRES_URL, requireService, uniqueName } from '../support/services.js';

const skip = await requireService('postgres');
const base = uniqueName('pg');
const schemas: string[] = [];
const open = async (): Promise<PostgresStore> => {
  const schema = `${base}_${schemas.length + 1}`;
  schemas.push(schema);
  return new PostgresStore({ connectionString: POSTGRES_URL, schema, maxConnections: 4 });
};

after(async () => {
  if (!skip) await dropSchemas(POSTGRES_URL, schemas);
});

// Failed commits for real: deferred constraint triggers on the store's own schema refuse every commit that
// changed a row (test/support/postgres-faults.ts), so other tests on the server are not affected.
const faults: CommitFaults = {
  open,
  failCommits: async (store) => {
    if (!(store instanceof PostgresStore)) throw new Error('failCommits: not a store from faults.open');
    return failPostgresCommits(POSTGRES_URL, store.schema);
  },
};

describe('postgres store', { skip }, () => {
  runStoreConformance('postgres', open, { faults });
  runManagerConformance('postgres', open);

  describe('postgres specifics', () => {
    it('upgrades a version-1 schema in place: its sessions stay, one-time keys work', async () => {
      const first = await open();
      const record = makeRecord(first);
      await first.create(record, { now: T0, maxPerSubject: null, overflow: 'refuse' });
      await first.close();
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        // What a schema written by the first release looks like.
        await client.query(`DROP TABLE "${first.schema}".used_once`);
        await client.query(`DELETE FROM "${first.schema}".tessera_migrations WHERE version > 1`);
      } finally {
        await client.end();
      }
      const again = new PostgresStore({ connectionString: POSTGRES_URL, schema: first.schema });
      try {
        assert.deepEqual(await again.migrate(), [2]);
        assert.deepEqual(await again.get(record.id), record);
        assert.equal(await again.useOnce('upgraded', T0 + 60_000, T0), true);
        assert.equal(await again.useOnce('upgraded', T0 + 60_000, T0), false);
      } finally {
        await again.close();
      }
    });

    it('migrate is versioned and idempotent, also when several nodes run it at once', async () => {
      const first = await open();
      const others = [0, 1, 2].map(
        () => new PostgresStore({ connectionString: POSTGRES_URL, schema: first.schema, migrate: false }),
      );
      try {
        const applied = await Promise.all([first.migrate(), ...others.map((store) => store.migrate())]);
        assert.deepEqual(
          applied.flat(),
          MIGRATIONS.map((step) => step.version),
          'each step applied once, by one node',
        );
        assert.equal(LATEST_VERSION, 2);
        assert.deepEqual(await first.migrate(), []);
        const client = new pg.Client({ connectionString: POSTGRES_URL });
        await client.connect();
        const indexes = await client.query<{ indexdef: string }>(
          'SELECT indexdef FROM pg_indexes WHERE schemaname = $1',
          [first.schema],
        );
        await client.end();
        const defs = indexes.rows.map((row) => row.indexdef).join('\n');
        assert.match(defs, /sessions_pkey/);
        assert.match(defs, /sessions USING btree \(subject/);
        assert.match(defs, /sessions USING btree \(expires_at\)/);
      } finally {
        await Promise.all([first, ...others].map((store) => store.close()));
      }
    });

    it('a capped create stays within the cap when many nodes create at once', async () => {
      const first = await open();
      // Three "nodes": separate pools on one schema.
      const shared = [
        first,
        ...[0, 1].map(
          () =>
            new PostgresStore({ connectionString: POSTGRES_URL, schema: first.schema, maxConnections: 4 }),
        ),
      ];
      try {
        const managers = shared.map((store) => createTessera({ store, maxSessionsPerSubject: 3 }));
        await Promise.all(
          Array.from({ length: 24 }, (_, n) =>
            (managers[n % 3] as (typeof managers)[number]).create({ subject: 'racer' }),
          ),
        );
        assert.equal((await (managers[0] as (typeof managers)[number]).list('racer')).length, 3);
      } finally {
        await Promise.all(shared.map((store) => store.close()));
      }
    });
  });
});
