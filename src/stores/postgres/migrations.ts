import type { ClientBase } from 'pg';

/**
 * Versioned schema changes, applied in order, each once. Never edit a released step: add a new one.
 * `{schema}` is replaced by the quoted schema name.
 */
export const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'sessions, refresh families, subject not-before',
    sql: `
CREATE TABLE {schema}.sessions (
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
);
CREATE INDEX sessions_subject_idx ON {schema}.sessions (subject, created_at, id);
CREATE INDEX sessions_expires_idx ON {schema}.sessions (expires_at);
CREATE TABLE {schema}.refresh_families (
  family_id text PRIMARY KEY,
  session_id text NOT NULL,
  subject text NOT NULL,
  generation integer NOT NULL,
  current_hash text NOT NULL,
  previous_hash text,
  rotated_at bigint,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  revoked_at bigint
);
CREATE INDEX refresh_families_expires_idx ON {schema}.refresh_families (expires_at);
CREATE TABLE {schema}.subject_not_before (
  subject text PRIMARY KEY,
  not_before bigint NOT NULL,
  expires_at bigint NOT NULL
);
CREATE INDEX subject_not_before_expires_idx ON {schema}.subject_not_before (expires_at);
`,
  },
  {
    version: 2,
    name: 'one-time keys (DPoP proof ids)',
    sql: `
CREATE TABLE {schema}.used_once (
  key text PRIMARY KEY,
  expires_at bigint NOT NULL
);
CREATE INDEX used_once_expires_idx ON {schema}.used_once (expires_at);
`,
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/**
 * Brings a schema up to date inside one transaction. An advisory lock keyed by the schema name makes
 * concurrent nodes wait for each other instead of racing on CREATE. Returns the versions it applied.
 */
export async function runMigrations(client: ClientBase, schema: string): Promise<number[]> {
  const quoted = quoteIdent(schema);
  await client.query('BEGIN');
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtextextended('tessera-migrate:' || $1, 0))", [
      schema,
    ]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${quoted}.tessera_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const done = await client.query<{ version: number }>(`SELECT version FROM ${quoted}.tessera_migrations`);
    const have = new Set(done.rows.map((row) => Number(row.version)));
    const applied: number[] = [];
    for (const step of MIGRATIONS) {
      if (have.has(step.version)) continue;
      await client.query(step.sql.replaceAll('{schema}', quoted));
      await client.query(`INSERT INTO ${quoted}.tessera_migrations (version, name) VALUES ($1, $2)`, [
        step.version,
        step.name,
      ]);
      applied.push(step.version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Quotes a schema name after checking it is a plain identifier (it is spliced into SQL). */
export function quoteIdent(name: string): string {
  if (!IDENT.test(name))
    throw new TypeError(`tessera: invalid PostgreSQL schema name: ${JSON.stringify(name)}`);
  return `"${name}"`;
}
