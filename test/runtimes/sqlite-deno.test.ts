// The SQLite store's conformance (store suite with real failed commits, manager suite, file behaviour) under
// the real Deno, on node:sqlite (Deno's default: it loads no better-sqlite3 addon).
import { before, describe, it } from 'node:test';
import { assertAllPassed, declaredTests, missingRuntime, runUnder } from './runtime-run.js';

const FILE = 'test/runtimes/fixtures/sqlite-conformance.test.ts';
const skip = missingRuntime('deno') ?? false;

describe('SQLite store under Deno', { skip }, () => {
  let declared = 0;
  before(() => {
    declared = declaredTests(FILE, { TESSERA_SQLITE_DRIVER: 'node:sqlite' });
  });

  it('passes every case of the conformance suites on node:sqlite', () => {
    const report = runUnder('deno', FILE, {
      TESSERA_SQLITE_DRIVER: 'node:sqlite',
      TESSERA_SQLITE_DEFAULT: 'node:sqlite',
    });
    assertAllPassed(report, declared);
  });
});
