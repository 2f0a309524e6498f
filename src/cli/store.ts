import { createTessera, type SessionManager } from '../core/manager.js';
import type { SessionStore } from '../core/store.js';
import { engineOptions, loadConfig, type ServiceConfig } from '../service/config.js';
import { openStore } from '../service/store-from-url.js';

/**
 * Runs `work` with a manager built as the service builds it (same store, timeouts, cap and overflow), so a
 * command's semantics match the API's; the store is closed afterwards. No audit trail: a running service owns
 * that file, and a second writer would fork its hash chain.
 */
export async function withManager<T>(
  work: (manager: SessionManager, store: SessionStore, config: ServiceConfig) => Promise<T>,
): Promise<T> {
  const config = loadConfig(process.env);
  const store = await openStore(config.store, { dataDir: config.dataDir });
  try {
    const manager = createTessera({ store, ...engineOptions(config) });
    return await work(manager, store, config);
  } finally {
    await store.close();
  }
}
