import { MemoryStore } from '../../src/stores/memory/memory-store.js';
import { runManagerConformance } from '../conformance/manager-suite.js';
import { runStoreConformance } from '../conformance/store-suite.js';

runStoreConformance('memory', async () => new MemoryStore());
runManagerConformance('memory', async () => new MemoryStore());
