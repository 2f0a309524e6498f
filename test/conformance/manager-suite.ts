import type { SessionStore } from '../../src/stores/contract.js';
export function runManagerConformance(_n: string, _o: () => Promise<SessionStore>): void {}
