// The SQLite store's conformance (store suite with real failed commits, manager suite, file behaviour) under
// the real Node 24 (tools/node24), on Node's own node:sqlite, in an app without better-sqlite3: the default
// driver must then be node:sqlite, with no native build. CI's `npm test` runs on Node 20, which has no
// node:sqlite; this is the run that proves the driver on Node itself.
import { registerRuntimeRuns } from './runtime-run.js';

registerRuntimeRuns('node24', [
  {
    name: 'the SQLite store on node:sqlite',
    file: 'test/runtimes/fixtures/sqlite-conformance.test.ts',
    env: { TESSERA_SQLITE_DRIVER: 'node:sqlite', TESSERA_SQLITE_DEFAULT: 'node:sqlite' },
  },
]);
