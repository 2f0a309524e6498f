/**
 * SessionManager scenarios run over every store: expiry by moving a manual clock, sliding renewal,
 * fixation, logout replay, rotation, elevation, caps, bindings, concurrent patches, faults, events and
 * malformed input (NUL, lone surrogates, token-shaped subjects, out-of-range versions) refused before any store.
 *
 *   runManagerConformance('sqlite', async () => new SqliteStore({ path: uniqueFile() }));
 */
import { describe } from 'node:test';
import type { SessionStore } from '../../src/core/store.js';
import { registerDataScenarios } from './manager-data.js';
import { registerInputScenarios } from './manager-input.js';
import { registerLifetimeScenarios } from './manager-lifetime.js';
import { registerSecurityScenarios } from './manager-security.js';
import { harnessFactory } from './manager-setup.js';

export function runManagerConformance(name: string, open: () => Promise<SessionStore>): void {
  const withManager = harnessFactory(open);
  describe(`manager conformance: ${name}`, () => {
    registerLifetimeScenarios(withManager);
    registerSecurityScenarios(withManager, open);
    registerDataScenarios(withManager);
    registerInputScenarios(withManager);
  });
}
