import type { SqliteDatabase } from './driver.js';

/**
 * The schema, as an ordered list of migrations: `MIGRATIONS[i]` takes a database from
 * `PRAGMA user_version = i` to `i + 1`. Append new steps; never edit a released one (the upgrade tests build
 * the databases of earlier releases from them).
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    subject TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    previous_secret_hash TEXT,
    previous_secret_valid_until INTEGER,
    data TEXT NOT NULL,
    version INTEGER NOT NULL,
    level INTEGER NOT NULL,
    level_at INTEGER,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    rotated_at INTEGER,
    idle_expires_at INTEGER NOT NULL,
    absolute_expires_at INTEGER NOT NULL,
    -- The instant the session stops being valid. Generated, so it can never disagree with the two limits.
    expires_at INTEGER GENERATED ALWAYS AS (min(idle_expires_at, absolute_expires_at)) VIRTUAL,
    ip TEXT,
    user_agent TEXT
  );
  -- Per-subject list, cap and revoke-all read this index in creation order.
  CREATE INDEX sessions_by_subject ON sessions (subject, created_at, id);
  -- deleteExpired walks this index from the oldest expiry: cost follows what expired, never a full scan.
  CREATE INDEX sessions_by_expiry ON sessions (expires_at);

  CREATE TABLE refresh_families (
    family_id TEXT PRIMARY KEY NOT NULL,
    session_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    generation INTEGER NOT NULL,
    current_hash TEXT NOT NULL,
    previous_hash TEXT,
    rotated_at INTEGER,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
  );
  CREATE INDEX refresh_families_by_expiry ON refresh_families (expires_at);

  CREATE TABLE subject_not_before (
    subject TEXT PRIMARY KEY NOT NULL,
    not_before INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX subject_not_before_by_expiry ON subject_not_before (expires_at);
  `,
  // 2: one-time keys (DPoP proof ids), each kept until its proof could no longer be accepted.
  `
  CREATE TABLE used_once (
    key TEXT PRIMARY KEY NOT NULL,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX used_once_by_expiry ON used_once (expires_at);
  `,
];

/** The schema version this code writes and reads. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings a database to SCHEMA_VERSION. Each step runs in its own IMMEDIATE transaction together with the
 * `user_version` bump, so a crash mid-migration leaves the previous version intact, and only if the version
 * read under the lock is still the step's own, so processes opening one file together run each step once.
 * Returns the versions this connection found.
 * A database written by a newer Tessera is refused rather than read with the wrong layout.
 */
export function migrate(db: SqliteDatabase): { from: number; to: number } {
  const from = Number(db.pragma('user_version'));
  if (from > SCHEMA_VERSION) {
    throw new Error(
      `tessera: the SQLite database has schema version ${from}, newer than this release (${SCHEMA_VERSION})`,
    );
  }
  for (let version = from; version < SCHEMA_VERSION; version++) {
    const step = MIGRATIONS[version] as string;
    db.immediate(() => {
      // Read again under the write lock: another process opening the same file may have run this step while
      // this one waited for the lock.
      if (Number(db.pragma('user_version')) !== version) return;
      db.exec(step);
      // PRAGMA takes no bound parameters; `version + 1` is a small integer from this loop.
      db.exec(`PRAGMA user_version = ${version + 1}`);
    })();
  }
  return { from, to: SCHEMA_VERSION };
}
