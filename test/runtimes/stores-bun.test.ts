// The memory, Redis and PostgreSQL store files (conformance suites against the real servers) under Bun.
import { registerRuntimeRuns } from './runtime-run.js';
import { STORE_RUNS } from './stores.js';

registerRuntimeRuns('bun', STORE_RUNS);
