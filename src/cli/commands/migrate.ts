import { loadConfig } from '../../service/config.js';
import { openStore } from '../../service/store-from-url.js';
import { parseArgs } from '../args.js';
import { progressReporter, wantsProgress } from '../progress.js';

const USAGE = 'Usage: tessera migrate [--progress]\n';

/** `tessera migrate`: opens the configured store once so its schema exists. 0 when ready. */
export async function migrate(args: readonly string[]): Promise<number> {
  const parsed = parseArgs(args, { flags: { progress: false }, usage: USAGE });
  const progress = progressReporter('migrate', wantsProgress(parsed.flags.has('progress')));
  const config = loadConfig(process.env);
  progress.stage('opening the store');
  const store = await openStore(config.store, { dataDir: config.dataDir });
  try {
    // Stores with versioned schemas (PostgreSQL) expose migrate(); the others create what they need on open.
    const migratable = store as { migrate?: () => Promise<number[]> };
    if (typeof migratable.migrate === 'function') {
      progress.stage(`applying migrations to the ${store.kind} store`);
      const applied = await migratable.migrate();
      process.stdout.write(
        `tessera: ${applied.length === 0 ? 'schema already up to date' : `applied migrations ${applied.join(', ')}`}\n`,
      );
    }
    progress.stage('checking the store answers');
    await store.ping();
  } finally {
    await store.close();
  }
  process.stdout.write(`tessera: ${store.kind} store is ready\n`);
  return 0;
}
