// The SQLite store's conformance (store suite with real failed commits, manager suite, file behaviour) under
// the real Bun, on both drivers Bun has: bun:sqlite (its default) and node:sqlite.
import { registerRuntimeRuns } from './runtime-run.js';

const FILE = 'test/runtimes/fixtures/sqlite-conformance.test.ts';

registerRuntimeRuns(
  'bun',
  ['bun:sqlite', 'node:sqlite'].map((driver) => ({
    name: `the SQLite store on ${driver}`,
    file: FILE,
    env: { TESSERA_SQLITE_DRIVER: driver, TESSERA_SQLITE_DEFAULT: 'bun:sqlite' },
  })),
);
