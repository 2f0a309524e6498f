import type { RuntimeRun } from './runtime-run.js';

/**
 * The store test files that run unchanged under Bun and Deno: each runs the store and manager conformance
 * suites against its real server (and fails in CI when the server is missing, as under Node).
 * sqlite.test.ts is not here: it opens better-sqlite3 itself; fixtures/sqlite-conformance.test.ts is its
 * counterpart on the drivers these runtimes have (sqlite-bun.test.ts, sqlite-deno.test.ts).
 */
export const STORE_RUNS: readonly RuntimeRun[] = [
  { name: 'the memory store', file: 'test/stores/memory.test.ts' },
  { name: 'the Redis store', file: 'test/stores/redis.test.ts' },
  { name: 'the PostgreSQL store', file: 'test/stores/postgres.test.ts' },
];
