// The SQLite store's conformance (store suite with real failed commits, manager suite, file behaviour) under
// the real Bun, on both drivers Bun has: bun:sqlite (its default) and node:sqlite.
import { before, describe, it } from 'node:test';
import { assertAllPassed, declaredTests, missingRuntime, runUnder } from './runtime-run.js';

const FILE = 'test/runtimes/fixtures/sqlite-conformance.test.ts';
const skip = missingRuntime('bun') ?? false;

describe('SQLite store under Bun', { skip }, () => {
  let declared = 0;
  before(() => {
    declared = declaredTests(FILE, { TESSERA_SQLITE_DRIVER: 'bun:sqlite' });
  });

  for (const driver of ['bun:sqlite', 'node:sqlite']) {
    it(`passes every case of the conformance suites on ${driver}`, () => {
      const report = runUnder('bun', FILE, {
        TESSERA_SQLITE_DRIVER: driver,
        TESSERA_SQLITE_DEFAULT: 'bun:sqlite',
      });
      assertAllPassed(report, declared);
    });
  }
});
