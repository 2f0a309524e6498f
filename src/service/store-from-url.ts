import { isAbsolute, join, resolve } from 'node:path';
import type { SessionStore } from '../stores/contract.js';
import { MemoryStore } from '../stores/memory/memory-store.js';
import { ConfigError } from './config.js';

export interface OpenStoreOptions {
  /** Data folder: where `sqlite:` with no path puts its file. */
  dataDir: string;
}

/**
 * Opens the store named by TESSERA_STORE. One branch per scheme; a store module is imported only when its
 * scheme is used, so a service on SQLite never loads a PostgreSQL or Redis client.
 *
 * - `memory:` — in-process, lost on restart (tests and development);
 * - `sqlite:<path>` or a plain file path — the embedded default (WAL).
 */
export async function openStore(url: string, options: OpenStoreOptions): Promise<SessionStore> {
  if (url === 'memory:' || url === 'memory://') return new MemoryStore();
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length), options);
  if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) return openSqlite(url, options);
  // Name only the scheme: the rest of a URL may carry a password.
  const scheme = url.slice(0, url.indexOf(':') + 1);
  throw new ConfigError(
    'TESSERA_STORE',
    `uses an unsupported scheme "${scheme}" (expected memory:, sqlite:<path> or a file path)`,
  );
}

async function openSqlite(path: string, options: OpenStoreOptions): Promise<SessionStore> {
  const file =
    path === ''
      ? join(options.dataDir, 'tessera.sqlite')
      : path === ':memory:' || isAbsolute(path)
        ? path
        : resolve(path);
  const { SqliteStore } = await import('../stores/sqlite/index.js');
  return new SqliteStore({ path: file });
}
