import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SqliteDatabase, SqliteDriverName } from './driver.js';
import { loadSqliteDriver } from './open-driver.js';
import { migrate } from './schema.js';

/** What `openDatabase` needs: see `SqliteStoreOptions`. */
export interface OpenDatabaseOptions {
  path: string;
  busyTimeoutMs: number;
  synchronous: 'full' | 'normal';
  /** The driver asked for, or `undefined` for the runtime's default (open-driver.ts). */
  driver: SqliteDriverName | undefined;
  /** `PRAGMA mmap_size` for a file (0: off). */
  mmapBytes: number;
  /** The page cache's limit in bytes (`PRAGMA cache_size`, set in KiB). */
  cacheBytes: number;
}

/**
 * Opens (creating if needed) the database file, sets the connection pragmas and migrates the schema.
 * The file holds only secret hashes, but also subjects, IPs and session data: it is created owner-only.
 */
export function openDatabase(options: OpenDatabaseOptions): SqliteDatabase {
  const inMemory = options.path === ':memory:' || options.path === '';
  // Loaded before the file is created, so a missing driver leaves nothing behind.
  const driver = loadSqliteDriver(options.driver);
  if (!inMemory) {
    mkdirSync(dirname(options.path), { recursive: true, mode: 0o700 });
    // Create the file with 0600 before SQLite does (SQLite would use the umask, often 0644).
    closeSync(openSync(options.path, 'a', 0o600));
  }
  const db = driver.open(options.path, { busyTimeoutMs: options.busyTimeoutMs });
  try {
    // WAL: readers never block the writer and vice versa, so validation keeps going while a sweep writes.
    if (!inMemory) db.exec('PRAGMA journal_mode = WAL');
    // A second process writing the same file waits this long for the lock before SQLITE_BUSY. Set here for
    // every driver (bun:sqlite has no constructor option for it).
    db.exec(`PRAGMA busy_timeout = ${Math.floor(options.busyTimeoutMs)}`);
    // FULL by default: in WAL mode NORMAL can lose the last commits on power loss or an OS crash, and a lost
    // commit here can be a lost revocation (a logged-out session that works again, the brief: "nothing
    // acknowledged is lost across restarts"). FULL costs one fsync per write; validation is read-mostly
    // (renewal writes once per window fraction), so the price falls on login, logout and rotation.
    db.exec(`PRAGMA synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    db.exec('PRAGMA foreign_keys = ON');
    // Reads through a memory map: no `read` call and copy per page outside SQLite's cache (SqliteStore's
    // `mmapBytes` says what it costs).
    if (!inMemory) db.exec(`PRAGMA mmap_size = ${Math.floor(options.mmapBytes)}`);
    // Pages beyond the map (a file past 2 GiB) are read into this cache; every driver gets the same limit
    // (better-sqlite3 builds with 16 MiB, stock SQLite 2 MiB). Negative: KiB.
    db.exec(`PRAGMA cache_size = -${Math.ceil(options.cacheBytes / 1024)}`);
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
