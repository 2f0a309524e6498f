/**
 * Failed commits on PostgreSQL, for the store suite's fault cases: a deferred constraint trigger on each of
 * a schema's tables raises `disk_full` (53100) when the transaction that changed a row commits. It fires at
 * the COMMIT of an explicit transaction and at the end of an implicit single-statement one alike, after the
 * statement itself succeeded (an UPDATE … RETURNING has already produced its rows), so the store sees what a
 * full disk or a failed WAL flush at commit looks like, and the server rolls the write back. Only the named
 * schema is touched, so other tests on the same server are not affected.
 */
import pg from 'pg';

/** The tables of the store's schema (src/stores/postgres/migrations.ts) whose writes must fail. */
const TABLES = ['sessions', 'refresh_families', 'subject_not_before', 'used_once'] as const;
const TRIGGER = 'tessera_test_fail_commit';
const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Makes every later commit that changes a row of `schema` fail; resolves to an undo (drops the triggers). */
export async function failPostgresCommits(url: string, schema: string): Promise<() => Promise<void>> {
  if (!IDENT.test(schema)) throw new TypeError(`not a plain schema name: ${JSON.stringify(schema)}`);
  const fn = `"${schema}".${TRIGGER}`;
  await withClient(url, async (client) => {
    // One transaction: either every table refuses its commits or none does.
    await client.query('BEGIN');
    await client.query(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'test fault: commit refused' USING ERRCODE = 'disk_full'; END $$`);
    for (const table of TABLES) {
      await client.query(
        `CREATE CONSTRAINT TRIGGER ${TRIGGER} AFTER INSERT OR UPDATE OR DELETE ON "${schema}".${table}
         DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ${fn}()`,
      );
    }
    await client.query('COMMIT');
  });
  return () =>
    withClient(url, async (client) => {
      // DROP FUNCTION … CASCADE drops the triggers that call it.
      await client.query(`DROP FUNCTION ${fn}() CASCADE`);
    });
}

async function withClient(url: string, body: (client: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    await body(client);
  } finally {
    await client.end();
  }
}
