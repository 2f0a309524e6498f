// The memory, Redis and PostgreSQL store files (conformance suites against the real servers) under Deno.
import { registerRuntimeRuns } from './runtime-run.js';
import { STORE_RUNS } from './stores.js';

registerRuntimeRuns('deno', STORE_RUNS);
