// The SQLite store's conformance (store suite with real failed commits, manager suite, file behaviour) under
// the real Deno, on node:sqlite (Deno's default: it loads no better-sqlite3 addon).
import { registerRuntimeRuns } from './runtime-run.js';

registerRuntimeRuns('deno', [
  {
    name: 'the SQLite store on node:sqlite',
    file: 'test/runtimes/fixtures/sqlite-conformance.test.ts',
    env: { TESSERA_SQLITE_DRIVER: 'node:sqlite', TESSERA_SQLITE_DEFAULT: 'node:sqlite' },
  },
]);
