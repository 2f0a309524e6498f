import { MemoryStore } from '../../src/stores/memory/memory-store.js';
import { runStoreConformance } from '../conformance/store-suite.js';

runStoreConformance('memory', async () => new MemoryStore());
