/**
 * The PostgreSQL floor: `store-floor.ts` on a `pg.Pool` with the settings PostgresStore uses (10 connections,
 * statement and query timeouts, keep-alive). Its table has the columns of Tessera's `sessions` table (the
 * same types, the same generated `expires_at`, primary key on `id`), so the row read is the same size; a
 * check is one named (prepared) `SELECT` of every column by primary key.
 * `node --import tsx postgres-floor.ts <postgres-url> <schema>` (the schema is created; the bench drops it).
 */
import pg from 'pg';
import { serveStoreFloor } from './store-floor.js';

const url = process.argv[2] ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = process.argv[3] ?? `bench_floor_${process.pid}`;
if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new TypeError(`postgres floor: bad schema name ${schema}`);
const table = `"${schema}".floor_sessions`;
const COLUMNS =
  'id, subject, secret_hash, previous_secret_hash, previous_secret_valid_until, data, version, level, level_at, created_at, last_seen_at, rotated_at, idle_expires_at, absolute_expires_at, ip, user_agent';

const pool = new pg.Pool({
  connectionString: url,
  max: 10,
  connectionTimeoutMillis: 5000,
  statement_timeout: 5000,
  query_timeout: 6000,
  idle_in_transaction_session_timeout: 10_000,
  keepAlive: true,
});
pool.on('error', () => {});
await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
await pool.query(`CREATE TABLE IF NOT EXISTS ${table} (
  id text PRIMARY KEY,
  subject text NOT NULL,
  secret_hash text NOT NULL,
  previous_secret_hash text,
  previous_secret_valid_until bigint,
  data jsonb NOT NULL DEFAULT '{}'::jsonb,
  version integer NOT NULL,
  level integer NOT NULL,
  level_at bigint,
  created_at bigint NOT NULL,
  last_seen_at bigint NOT NULL,
  rotated_at bigint,
  idle_expires_at bigint NOT NULL,
  absolute_expires_at bigint NOT NULL,
  expires_at bigint GENERATED ALWAYS AS (LEAST(idle_expires_at, absolute_expires_at)) STORED,
  ip text,
  user_agent text
)`);

const select = { name: `floor_get_${schema}`, text: `SELECT ${COLUMNS} FROM ${table} WHERE id = $1` };

interface Row {
  secret_hash: string;
  idle_expires_at: string;
  absolute_expires_at: string;
}

serveStoreFloor({
  async write(id, r) {
    await pool.query(
      `INSERT INTO ${table} (${COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6::jsonb,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)`,
      [
        id,
        r.subject,
        r.secretHash,
        r.previousSecretHash,
        r.previousSecretValidUntil,
        JSON.stringify(r.data),
        r.version,
        r.level,
        r.levelAt,
        r.createdAt,
        r.lastSeenAt,
        r.rotatedAt,
        r.idleExpiresAt,
        r.absoluteExpiresAt,
        r.ip,
        r.userAgent,
      ],
    );
  },
  async read(id) {
    const row = (await pool.query<Row>({ ...select, values: [id] })).rows[0];
    if (row === undefined) return null;
    // bigint columns arrive as strings from pg, as in PostgresStore.
    return {
      secretHash: row.secret_hash,
      expiresAt: Math.min(Number(row.idle_expires_at), Number(row.absolute_expires_at)),
    };
  },
  close: () => pool.end(),
});
