import type { SqliteDatabase, SqliteStatement as Statement } from './driver.js';
import type { FamilyRow, SessionRow } from './rows.js';

const SESSION_COLUMNS =
  'id, subject, secret_hash, previous_secret_hash, previous_secret_valid_until, data, version, level, ' +
  'level_at, created_at, last_seen_at, rotated_at, idle_expires_at, absolute_expires_at, ip, user_agent';
const FAMILY_COLUMNS =
  'family_id, session_id, subject, generation, current_hash, previous_hash, rotated_at, created_at, ' +
  'expires_at, revoked_at';

/**
 * Every statement the store runs, prepared once when the store opens. Reads run with `.get()`/`.all()`;
 * writes run only through writes.ts, each in a transaction and never with `.get()` (why: see there).
 */
export interface Statements {
  insertSession: Statement<[SessionRow]>;
  getSession: Statement<[string], SessionRow>;
  liveIdsOfSubject: Statement<[string, number], string>;
  touch: Statement<[TouchParams]>;
  rotate: Statement<[RotateParams], SessionRow>;
  getLiveSession: Statement<[string, number], SessionRow>;
  writeData: Statement<[string, string, number]>;
  deleteSession: Statement<[string], SessionRow>;
  deleteSessionId: Statement<[string]>;
  deleteBySubject: Statement<[string, string | null], string>;
  listBySubject: Statement<[string, number], SessionRow>;
  deleteExpiredSessions: Statement<[number, number]>;
  deleteExpiredFamilies: Statement<[number, number]>;
  deleteExpiredNotBefore: Statement<[number, number]>;
  deleteExpiredOnce: Statement<[number, number]>;
  /** key, expires_at, now: inserts, or takes over a record expired at `now`; one change when the key was free. */
  useOnce: Statement<[string, number, number]>;
  deleteAllSessions: Statement<[]>;
  deleteAllFamilies: Statement<[]>;
  getNotBefore: Statement<[string], number>;
  /** The latest not-before of `count` scopes (one statement per count, prepared once). */
  latestNotBefore(count: number): Statement<string[], number>;
  setNotBefore: Statement<[string, number, number]>;
  insertFamily: Statement<[FamilyRow]>;
  getFamily: Statement<[string], FamilyRow>;
  advanceFamily: Statement<[AdvanceParams]>;
  revokeFamily: Statement<[number, string]>;
  ping: Statement<[], number>;
}

/** Named parameters of `touch`. */
export interface TouchParams {
  id: string;
  now: number;
  expected: string;
  last_seen_at: number;
  idle_expires_at: number;
}

/** Named parameters of `rotate`. */
export interface RotateParams extends TouchParams {
  secret_hash: string;
  previous_secret_hash: string | null;
  previous_secret_valid_until: number | null;
  rotated_at: number;
  /** 1 when the rotation records a new level (elevation). */
  set_level: 0 | 1;
  level: number | null;
  level_at: number | null;
  /** The new absolute expiry (re-authentication), or null to keep the stored one. */
  absolute_expires_at: number | null;
}

/** Named parameters of `advanceFamily`. */
export interface AdvanceParams {
  family_id: string;
  expected_generation: number;
  expected_hash: string;
  generation: number;
  current_hash: string;
  previous_hash: string;
  rotated_at: number;
}

/** Prepares every statement on `db` (its schema must be migrated). */
export function prepareStatements(db: SqliteDatabase): Statements {
  const latest = new Map<number, Statement<string[], number>>();
  return {
    insertSession: db.prepare(
      `INSERT INTO sessions (${SESSION_COLUMNS}) VALUES (@id, @subject, @secret_hash, @previous_secret_hash,
       @previous_secret_valid_until, @data, @version, @level, @level_at, @created_at, @last_seen_at, @rotated_at,
       @idle_expires_at, @absolute_expires_at, @ip, @user_agent)`,
    ),
    getSession: db.prepare(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = ?`),
    liveIdsOfSubject: db.pluck<[string, number], string>(
      'SELECT id FROM sessions WHERE subject = ? AND expires_at > ? ORDER BY created_at, id',
    ),
    // One statement is atomic: the hash check, the liveness check and the write cannot be split by a revoke.
    touch: db.prepare(
      `UPDATE sessions SET last_seen_at = @last_seen_at,
         idle_expires_at = min(@idle_expires_at, absolute_expires_at)
       WHERE id = @id AND secret_hash = @expected AND expires_at > @now`,
    ),
    // The right-hand sides read the row before the update, hence the coalesce in both expiries. `expires_at`
    // is generated from them, so the sweep index follows a moved absolute expiry.
    rotate: db.prepare(
      `UPDATE sessions SET secret_hash = @secret_hash, previous_secret_hash = @previous_secret_hash,
         previous_secret_valid_until = @previous_secret_valid_until, rotated_at = @rotated_at,
         last_seen_at = @last_seen_at,
         absolute_expires_at = coalesce(@absolute_expires_at, absolute_expires_at),
         idle_expires_at = min(@idle_expires_at, coalesce(@absolute_expires_at, absolute_expires_at)),
         level = CASE WHEN @set_level = 1 THEN @level ELSE level END,
         level_at = CASE WHEN @set_level = 1 THEN @level_at ELSE level_at END
       WHERE id = @id AND secret_hash = @expected AND expires_at > @now
       RETURNING ${SESSION_COLUMNS}`,
    ),
    getLiveSession: db.prepare(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = ? AND expires_at > ?`),
    writeData: db.prepare('UPDATE sessions SET data = ?, version = version + 1 WHERE id = ? AND version = ?'),
    deleteSession: db.prepare(`DELETE FROM sessions WHERE id = ? RETURNING ${SESSION_COLUMNS}`),
    deleteSessionId: db.prepare('DELETE FROM sessions WHERE id = ?'),
    // `IS NOT` so a null `except` keeps nothing.
    deleteBySubject: db.pluck<[string, string | null], string>(
      'DELETE FROM sessions WHERE subject = ? AND id IS NOT ? RETURNING id',
    ),
    listBySubject: db.prepare(
      `SELECT ${SESSION_COLUMNS} FROM sessions WHERE subject = ? AND expires_at > ? ORDER BY created_at, id`,
    ),
    deleteExpiredSessions: db.prepare(
      `DELETE FROM sessions WHERE id IN
         (SELECT id FROM sessions WHERE expires_at < ? ORDER BY expires_at LIMIT ?)`,
    ),
    deleteExpiredFamilies: db.prepare(
      `DELETE FROM refresh_families WHERE family_id IN
         (SELECT family_id FROM refresh_families WHERE expires_at < ? ORDER BY expires_at LIMIT ?)`,
    ),
    deleteExpiredNotBefore: db.prepare(
      `DELETE FROM subject_not_before WHERE subject IN
         (SELECT subject FROM subject_not_before WHERE expires_at < ? ORDER BY expires_at LIMIT ?)`,
    ),
    deleteExpiredOnce: db.prepare(
      `DELETE FROM used_once WHERE key IN
         (SELECT key FROM used_once WHERE expires_at < ? ORDER BY expires_at LIMIT ?)`,
    ),
    useOnce: db.prepare(
      `INSERT INTO used_once (key, expires_at) VALUES (?, ?)
       ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE used_once.expires_at <= ?`,
    ),
    deleteAllSessions: db.prepare<[]>('DELETE FROM sessions'),
    deleteAllFamilies: db.prepare<[]>('DELETE FROM refresh_families'),
    latestNotBefore: (count: number): Statement<string[], number> => {
      let statement = latest.get(count);
      if (statement === undefined) {
        statement = db.pluck<string[], number>(
          `SELECT max(not_before) FROM subject_not_before WHERE subject IN (${Array(count).fill('?').join(', ')})`,
        );
        latest.set(count, statement);
      }
      return statement;
    },
    getNotBefore: db.pluck<[string], number>('SELECT not_before FROM subject_not_before WHERE subject = ?'),
    // max() on conflict: the time never moves backwards and the entry is kept for the longest requested time.
    setNotBefore: db.prepare(
      `INSERT INTO subject_not_before (subject, not_before, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (subject) DO UPDATE SET not_before = max(not_before, excluded.not_before),
         expires_at = max(expires_at, excluded.expires_at)`,
    ),
    insertFamily: db.prepare(
      `INSERT INTO refresh_families (${FAMILY_COLUMNS}) VALUES (@family_id, @session_id, @subject, @generation,
       @current_hash, @previous_hash, @rotated_at, @created_at, @expires_at, @revoked_at)`,
    ),
    getFamily: db.prepare(`SELECT ${FAMILY_COLUMNS} FROM refresh_families WHERE family_id = ?`),
    advanceFamily: db.prepare(
      `UPDATE refresh_families SET generation = @generation, current_hash = @current_hash,
         previous_hash = @previous_hash, rotated_at = @rotated_at
       WHERE family_id = @family_id AND revoked_at IS NULL AND generation = @expected_generation
         AND current_hash = @expected_hash`,
    ),
    revokeFamily: db.prepare(
      'UPDATE refresh_families SET revoked_at = coalesce(revoked_at, ?) WHERE family_id = ?',
    ),
    ping: db.pluck<[], number>('SELECT 1'),
  };
}
