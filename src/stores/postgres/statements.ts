import { quoteIdent } from './migrations.js';
import { SESSION_COLUMNS } from './rows.js';

/** Every statement the store runs: SQL text built once, when the store is created, from the schema name. */
export interface Statements {
  /** Name of the prepared `getSession` statement (one per schema). */
  getSessionName: string;
  /** Parameters $1..$16 from `recordParams`. */
  insertSession: string;
  /** Per-subject transaction-scoped advisory lock: [schema, subject]. */
  lockSubject: string;
  /** Live ids of a subject, oldest first, row-locked: [subject, now]. */
  liveIdsOfSubject: string;
  /** [ids] */
  deleteSessionIds: string;
  /** [id] */
  getSession: string;
  /** [id, expectedSecretHash, lastSeenAt, idleExpiresAt, now] */
  touch: string;
  /**
   * [id, expectedSecretHash, secretHash, previousSecretHash, previousSecretValidUntil, rotatedAt, lastSeenAt,
   * idleExpiresAt, setLevel, level, levelAt, now, absoluteExpiresAt|null (keep the stored one)]
   */
  rotate: string;
  /** [id, unset, set (JSON), now, expectedVersion, maxDataBytes] */
  updateData: string;
  /** Why `updateData` did not write (read-only): [id, unset, set (JSON), now, maxDataBytes] */
  updateDataRefusal: string;
  /** [id] */
  deleteSession: string;
  /** [subject, exceptId] */
  deleteBySubject: string;
  /** [subject, now] */
  listBySubject: string;
  /** One per table (sessions, refresh families, subject not-before), in sweep order: [before, limit]. */
  deleteExpired: readonly string[];
  /** Every session and refresh family, in one statement (one transaction); counts the sessions: [] */
  deleteAll: string;
  /** [subject] */
  getNotBefore: string;
  /** [scopes text[]] */
  latestNotBefore: string;
  /** [subject, notBefore, expiresAt] */
  setNotBefore: string;
  /** [key, expiresAt, now]: one row affected when the key was free */
  useOnce: string;
  /**
   * [familyId, sessionId, subject, generation, currentHash, previousHash, rotatedAt, createdAt, expiresAt,
   * revokedAt]
   */
  insertFamily: string;
  /** [familyId] */
  getFamily: string;
  /** [familyId, expectedGeneration, expectedHash, generation, currentHash, previousHash, rotatedAt] */
  advanceFamily: string;
  /** [familyId, now] */
  revokeFamily: string;
  /** [] */
  ping: string;
}

/** Builds the statements for one schema; throws TypeError when the name is not a plain identifier. */
export function buildStatements(schema: string): Statements {
  const quoted = quoteIdent(schema);
  const sessions = `${quoted}.sessions`;
  const families = `${quoted}.refresh_families`;
  const notBefore = `${quoted}.subject_not_before`;
  const once = `${quoted}.used_once`;
  return {
    getSessionName: `tessera_get_${schema}`,
    insertSession: `INSERT INTO ${sessions} (${SESSION_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6::jsonb,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)`,
    lockSubject: "SELECT pg_advisory_xact_lock(hashtextextended($1 || ':' || $2, 0))",
    liveIdsOfSubject: `SELECT id FROM ${sessions} WHERE subject = $1 AND expires_at > $2 ORDER BY created_at, id FOR UPDATE`,
    deleteSessionIds: `DELETE FROM ${sessions} WHERE id = ANY($1::text[])`,
    getSession: `SELECT ${SESSION_COLUMNS} FROM ${sessions} WHERE id = $1`,
    touch: `UPDATE ${sessions} SET last_seen_at = $3, idle_expires_at = LEAST($4::bigint, absolute_expires_at)
       WHERE id = $1 AND secret_hash = $2 AND expires_at > $5`,
    // SET expressions read the row before the update, hence the COALESCE in both expiries; the generated
    // `expires_at` (the sweep's index) follows a moved absolute expiry.
    rotate: `UPDATE ${sessions} SET secret_hash = $3, previous_secret_hash = $4, previous_secret_valid_until = $5,
         rotated_at = $6, last_seen_at = $7,
         absolute_expires_at = COALESCE($13::bigint, absolute_expires_at),
         idle_expires_at = LEAST($8::bigint, COALESCE($13::bigint, absolute_expires_at)),
         level = CASE WHEN $9::boolean THEN $10::integer ELSE level END,
         level_at = CASE WHEN $9::boolean THEN $11::bigint ELSE level_at END
       WHERE id = $1 AND secret_hash = $2 AND expires_at > $12
       RETURNING ${SESSION_COLUMNS}`,
    // One UPDATE: `-` removes keys, `||` merges the set keys; the row lock serializes concurrent patches,
    // and each re-reads the latest row, so patches of different keys all survive. The size limit is in the
    // same WHERE, so it is checked on the row this UPDATE writes (re-checked after waiting for a lock): many
    // small patches cannot grow data past it. It measures jsonb::text, PostgreSQL's own JSON text, which has
    // a space after each ':' and ',' (a few bytes more than JSON.stringify).
    updateData: `UPDATE ${sessions} SET data = (data - $2::text[]) || $3::jsonb, version = version + 1
         WHERE id = $1 AND expires_at > $4 AND ($5::integer IS NULL OR version = $5)
           AND ($6::integer IS NULL OR octet_length(((data - $2::text[]) || $3::jsonb)::text) <= $6)
         RETURNING ${SESSION_COLUMNS}`,
    updateDataRefusal: `SELECT version, CASE WHEN $5::integer IS NULL THEN NULL
                ELSE octet_length(((data - $2::text[]) || $3::jsonb)::text) END AS bytes
         FROM ${sessions} WHERE id = $1 AND expires_at > $4`,
    deleteSession: `DELETE FROM ${sessions} WHERE id = $1 RETURNING ${SESSION_COLUMNS}`,
    deleteBySubject: `DELETE FROM ${sessions} WHERE subject = $1 AND ($2::text IS NULL OR id <> $2) RETURNING id`,
    listBySubject: `SELECT ${SESSION_COLUMNS} FROM ${sessions} WHERE subject = $1 AND expires_at > $2 ORDER BY created_at, id`,
    deleteExpired: [sessions, families, notBefore, once].map(
      (table) => `DELETE FROM ${table} WHERE ctid = ANY(ARRAY(
           SELECT ctid FROM ${table} WHERE expires_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED))`,
    ),
    // A data-modifying WITH runs whether or not it is referenced; both deletes commit or neither does.
    deleteAll: `WITH gone_families AS (DELETE FROM ${families}) DELETE FROM ${sessions}`,
    getNotBefore: `SELECT not_before FROM ${notBefore} WHERE subject = $1`,
    latestNotBefore: `SELECT max(not_before) AS not_before FROM ${notBefore} WHERE subject = ANY($1::text[])`,
    setNotBefore: `INSERT INTO ${notBefore} AS t (subject, not_before, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (subject) DO UPDATE SET not_before = GREATEST(t.not_before, EXCLUDED.not_before),
         expires_at = GREATEST(t.expires_at, EXCLUDED.expires_at)`,
    // One statement: an insert, the take-over of a record expired at $3, or nothing (a replay: no row).
    useOnce: `INSERT INTO ${once} AS t (key, expires_at) VALUES ($1, $2)
       ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE t.expires_at <= $3`,
    insertFamily: `INSERT INTO ${families} (family_id, session_id, subject, generation, current_hash, previous_hash,
         rotated_at, created_at, expires_at, revoked_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`,
    getFamily: `SELECT * FROM ${families} WHERE family_id = $1`,
    advanceFamily: `UPDATE ${families} SET generation = $4, current_hash = $5, previous_hash = $6, rotated_at = $7
       WHERE family_id = $1 AND revoked_at IS NULL AND generation = $2 AND current_hash = $3`,
    revokeFamily: `UPDATE ${families} SET revoked_at = COALESCE(revoked_at, $2) WHERE family_id = $1`,
    ping: 'SELECT 1',
  };
}
