// The core and stateless test files (tokens, crypto, sealed cookies, JWT, refresh, DPoP) under Bun.
import { ENGINE_RUNS } from './engine.js';
import { registerRuntimeRuns } from './runtime-run.js';

registerRuntimeRuns('bun', ENGINE_RUNS);
