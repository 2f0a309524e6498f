// How the SQLite store picks its driver on Node, and what it says when the one asked for cannot load here.
// The drivers themselves run the conformance suites: better-sqlite3 in sqlite.test.ts, bun:sqlite and
// node:sqlite under Bun and Deno in test/runtimes/.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { SqliteDriverName, SqliteOpener } from '../../src/stores/sqlite/driver.js';
import { SqliteStore } from '../../src/stores/sqlite/index.js';
import { loadSqliteDriver } from '../../src/stores/sqlite/open-driver.js';
import { loadBuiltin } from '../../src/stores/sqlite/drivers/builtin.js';
import { makeRecord, T0 } from '../conformance/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-sqlite-drivers-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const NODE = `Node ${process.versions.node}`;
const hasNodeSqlite = !('error' in loadBuiltin('node:sqlite'));

/** Loaders that record what was tried; each either opens (a stub) or throws what it is given. */
function loaders(outcomes: Partial<Record<SqliteDriverName, Error>>): {
  tried: SqliteDriverName[];
  table: Record<SqliteDriverName, () => SqliteOpener>;
} {
  const tried: SqliteDriverName[] = [];
  const loader = (name: SqliteDriverName) => (): SqliteOpener => {
    tried.push(name);
    const error = outcomes[name];
    if (error !== undefined) throw error;
    return () => {
      throw new Error('a stub: never opened');
    };
  };
  return {
    tried,
    table: {
      'better-sqlite3': loader('better-sqlite3'),
      'node:sqlite': loader('node:sqlite'),
      'bun:sqlite': loader('bun:sqlite'),
    },
  };
}

describe('SQLite driver choice', () => {
  it('on this Node the default is better-sqlite3 (installed here), and asking for it gives it', async () => {
    for (const options of [{}, { driver: 'better-sqlite3' as const }]) {
      const store = new SqliteStore({ path: ':memory:', ...options });
      assert.equal(store.driver, 'better-sqlite3');
      const record = makeRecord(store);
      await store.create(record, { now: T0, maxPerSubject: null, overflow: 'refuse' });
      assert.deepEqual(await store.get(record.id), record);
      await store.close();
    }
  });

  it('the default by runtime: Bun → bun:sqlite, Deno → node:sqlite, Node → better-sqlite3', () => {
    for (const [runtime, expected] of [
      ['bun', 'bun:sqlite'],
      ['deno', 'node:sqlite'],
      ['node', 'better-sqlite3'],
    ] as const) {
      const { tried, table } = loaders({});
      assert.equal(loadSqliteDriver(undefined, runtime, table).name, expected);
      assert.deepEqual(tried, [expected]);
    }
  });

  it('Node without better-sqlite3 falls back to node:sqlite; with neither, the error names the package', () => {
    const missing = new TypeError('tessera: the SQLite store needs better-sqlite3: npm i better-sqlite3');
    const fallback = loaders({ 'better-sqlite3': missing });
    assert.equal(loadSqliteDriver(undefined, 'node', fallback.table).name, 'node:sqlite');
    assert.deepEqual(fallback.tried, ['better-sqlite3', 'node:sqlite']);

    const neither = loaders({ 'better-sqlite3': missing, 'node:sqlite': new TypeError('no node:sqlite') });
    assert.throws(
      () => loadSqliteDriver(undefined, 'node', neither.table),
      (error) => error === missing,
    );
  });

  it('a better-sqlite3 that is installed but broken is reported as it is, not hidden by a fallback', () => {
    const broken = new Error('Could not locate the bindings file. Tried: …');
    const { tried, table } = loaders({ 'better-sqlite3': broken });
    assert.throws(
      () => loadSqliteDriver(undefined, 'node', table),
      (error) => error === broken,
    );
    assert.deepEqual(tried, ['better-sqlite3']);
  });

  it('an explicit driver is loaded as asked, on any runtime, with no fallback', () => {
    const refused = new TypeError('not here');
    const { tried, table } = loaders({ 'node:sqlite': refused });
    assert.throws(
      () => loadSqliteDriver('node:sqlite', 'bun', table),
      (error) => error === refused,
    );
    assert.equal(loadSqliteDriver('better-sqlite3', 'deno', table).name, 'better-sqlite3');
    assert.deepEqual(tried, ['node:sqlite', 'better-sqlite3']);
  });

  it('an unknown driver name is a TypeError', () => {
    for (const driver of ['sqlite3', 'bun', 'node-sqlite', '', 1]) {
      assert.throws(
        () => new SqliteStore({ path: ':memory:', driver: driver as SqliteDriverName }),
        (error) =>
          error instanceof TypeError &&
          error.message === "tessera: driver must be 'better-sqlite3', 'node:sqlite' or 'bun:sqlite'",
      );
    }
  });

  it('bun:sqlite on Node is a TypeError naming the runtime it needs, and leaves no file behind', () => {
    const path = join(dir, 'bun', 'sessions.sqlite');
    assert.throws(
      () => new SqliteStore({ path, driver: 'bun:sqlite' }),
      (error) =>
        error instanceof TypeError &&
        error.message ===
          `tessera: the SQLite store's driver bun:sqlite runs only on Bun, and this is ${NODE}: ` +
            'use better-sqlite3 (npm i better-sqlite3) or, on Node ≥ 22.13, node:sqlite',
    );
    assert.deepEqual(readdirSync(dir), []);
  });

  it('node:sqlite on a Node without it is a TypeError naming the versions that have it', {
    skip: hasNodeSqlite && `this ${NODE} has node:sqlite`,
  }, () => {
    assert.throws(
      () => new SqliteStore({ path: join(dir, 'node', 'sessions.sqlite'), driver: 'node:sqlite' }),
      (error) =>
        error instanceof TypeError &&
        error.message ===
          "tessera: the SQLite store's driver node:sqlite needs Node ≥ 22.13 (22.5 with --experimental-sqlite), " +
            `Deno or Bun, and this is ${NODE}: use better-sqlite3 (npm i better-sqlite3)` &&
        error.cause !== undefined,
    );
    assert.deepEqual(readdirSync(dir), []);
  });

  it('node:sqlite on a Node that has it runs the store', {
    skip: !hasNodeSqlite && `${NODE} has no node:sqlite`,
  }, async () => {
    const store = new SqliteStore({
      path: join(dir, 'node-sqlite', 'sessions.sqlite'),
      driver: 'node:sqlite',
    });
    assert.equal(store.driver, 'node:sqlite');
    const record = makeRecord(store);
    await store.create(record, { now: T0, maxPerSubject: null, overflow: 'refuse' });
    assert.deepEqual(await store.get(record.id), record);
    await store.close();
  });
});
