/**
 * Opens the stores benches compare. SQLite is loaded only if src/stores/sqlite/index.ts exists, so a bench
 * still runs (and says what it skipped) in a tree without it. Other stores' benches can add a kind here.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionStore } from '../../src/core/store.js';
import { MemoryStore } from '../../src/stores/memory/memory-store.js';

export type StoreKind = 'memory' | 'sqlite';

export interface OpenedStore {
  readonly kind: StoreKind;
  readonly store: SessionStore;
  /** Closes the store and removes its temp files. */
  close(): Promise<void>;
}

const sqliteModule = new URL('../../src/stores/sqlite/index.ts', import.meta.url);

export function sqliteAvailable(): boolean {
  return existsSync(sqliteModule);
}

/** The store kinds present in this tree, memory first. */
export function availableStores(): StoreKind[] {
  return sqliteAvailable() ? ['memory', 'sqlite'] : ['memory'];
}

type SqliteStoreClass = new (options: { path: string }) => SessionStore;

/** Opens an empty store. SQLite gets a file in a fresh temp folder (WAL, as in production). */
export async function openStore(
  kind: StoreKind,
  options: { maxSessions?: number } = {},
): Promise<OpenedStore> {
  if (kind === 'memory') {
    const store = new MemoryStore({ maxSessions: options.maxSessions ?? 5_000_000 });
    return { kind, store, close: () => store.close() };
  }
  if (!sqliteAvailable()) throw new Error('SqliteStore is not in this tree (src/stores/sqlite/index.ts)');
  const { SqliteStore } = (await import(sqliteModule.href)) as { SqliteStore: SqliteStoreClass };
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
  const store = new SqliteStore({ path: join(dir, 'sessions.sqlite') });
  return {
    kind,
    store,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
