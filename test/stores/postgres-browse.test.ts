// PostgreSQL browse under a locale collation. The conformance suite (test/conformance/store-browse.ts) runs on
// the test database, whose collation may well be C; a production database is often en_US, where `a` < `B` and
// `-`/`_` sort elsewhere than in code-unit order. Here the id column is given an ICU locale collation, so a
// keyset cursor that compared ids by the column's collation would skip or repeat sessions and fail.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { PostgresStore } from '../../src/stores/postgres/index.js';
import { makeRecord, T0 } from '../conformance/fixtures.js';
import { dropSchemas } from '../support/postgres-schemas.js';
import { POSTGRES_URL, requireService, uniqueName } from '../support/services.js';

const skip = await requireService('postgres');
const schema = uniqueName('pgbrowse');

after(async () => {
  if (!skip) await dropSchemas(POSTGRES_URL, [schema]);
});

/** Ids that a locale collation orders differently from code units: case, `-` and `_` at the same place. */
const IDS = ['a', 'B', 'b', 'A', '-', '_', 'Z', 'z', '0', '9'].map((head) => `${head}${'x'.repeat(25)}`);

describe('postgres browse: ids in code-unit order even under a locale collation', { skip }, () => {
  it('pages of one through equal sort values follow code-unit order, nothing skipped or repeated', async () => {
    const store = new PostgresStore({ connectionString: POSTGRES_URL, schema, maxConnections: 2 });
    try {
      await store.migrate();
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      let available = false;
      try {
        const found = await client.query("SELECT 1 FROM pg_collation WHERE collname = 'en-x-icu'");
        available = found.rowCount === 1;
        if (available) {
          await client.query(`ALTER TABLE "${schema}".sessions ALTER COLUMN id TYPE text COLLATE "en-x-icu"`);
          const order = await client.query<{ id: string }>(
            `SELECT v AS id FROM unnest($1::text[]) AS v ORDER BY v COLLATE "en-x-icu"`,
            [IDS],
          );
          assert.notDeepEqual(
            order.rows.map((row) => row.id),
            [...IDS].sort(),
            'the locale collation really orders these ids differently',
          );
        }
      } finally {
        await client.end();
      }
      if (!available) {
        console.warn(
          'postgres browse: no ICU collation en-x-icu on this server; the collation case is not checked',
        );
        return;
      }
      for (const id of IDS) {
        await store.create(makeRecord(store, { id, createdAt: T0 }), {
          now: T0,
          maxPerSubject: null,
          overflow: 'refuse',
        });
      }
      for (const descending of [false, true]) {
        const want = [...IDS].sort();
        if (descending) want.reverse();
        const seen: string[] = [];
        let after: { value: number; id: string } | null = null;
        for (let page = 0; page < IDS.length + 2; page++) {
          const rows = await store.browseSessions({
            now: T0,
            ip: null,
            order: 'createdAt',
            descending,
            after,
            limit: 1,
          });
          if (rows.length === 0) break;
          const row = rows[0] as { createdAt: number; id: string };
          seen.push(row.id);
          after = { value: row.createdAt, id: row.id };
        }
        assert.deepEqual(seen, want, descending ? 'descending' : 'ascending');
      }
    } finally {
      await store.close();
    }
  });
});
