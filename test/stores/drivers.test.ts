import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isMissing, loadDriver } from '../../src/stores/shared/driver.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/**
 * Whether this Node has `node:sqlite` unflagged (22.13+): the SQLite store then falls back to it without
 * better-sqlite3, so "needs better-sqlite3" is only the answer on older Nodes (CI runs Node 20).
 */
const BUILTIN_SQLITE = (() => {
  try {
    return (
      (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule?.('node:sqlite') != null
    );
  } catch {
    return false;
  }
})();
const SQLITE_FALLBACK = BUILTIN_SQLITE
  ? 'this Node has node:sqlite: the SQLite store falls back to it'
  : false;
const NO_DRIVERS = ['--import', './test/stores/fixtures/no-drivers.mjs'];

/** Runs test/stores/fixtures/drivers-child.ts in `mode` and returns the JSON it printed. */
function child(mode: string, hook: string[] = NO_DRIVERS): Record<string, unknown> {
  const run = spawnSync(
    process.execPath,
    [...hook, '--import', 'tsx', 'test/stores/fixtures/drivers-child.ts', mode],
    { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(run.status, 0, `child ${mode} failed:\n${run.stdout}${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1) as string) as Record<string, unknown>;
}

const packageNames = (requests: unknown): string[] =>
  [...new Set((requests as string[]).map((request) => request.split('/')[0] as string))].sort();

// better-sqlite3, pg and ioredis are optional peer dependencies: an app installs only the one its store needs.
describe('database drivers load only when a store needs them', () => {
  it('package.json lists the drivers as optional peers only (and pinned dev dependencies for these tests)', () => {
    const pkg = JSON.parse(readFileSync(new URL('package.json', `file://${ROOT}`), 'utf8')) as Record<
      string,
      Record<string, unknown>
    >;
    for (const name of ['better-sqlite3', 'pg', 'ioredis']) {
      assert.equal(pkg.dependencies?.[name], undefined, `${name} is not a dependency`);
      assert.equal(typeof pkg.peerDependencies?.[name], 'string', `${name} is a peer dependency`);
      assert.deepEqual(pkg.peerDependenciesMeta?.[name], { optional: true }, `${name} is optional`);
      assert.match(
        String(pkg.devDependencies?.[name]),
        /^\d+\.\d+\.\d+$/,
        `${name} is a pinned dev dependency`,
      );
    }
    assert.equal(pkg.sideEffects, false);
  });

  it('the root entry and the fetch adapter load no driver (a SQLite store does: the check sees it)', () => {
    const seen = child('light', []);
    assert.deepEqual(seen.afterRootAndFetch, []);
    assert.deepEqual(seen.afterSqliteImport, [], 'importing tessera/sqlite loads no driver either');
    assert.deepEqual(seen.afterSqliteStore, ['better-sqlite3']);
  });

  it('with no driver installed, every package entry point still imports and none asks for a driver', () => {
    const seen = child('entries');
    assert.deepEqual(seen.failed, {});
    const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as {
      exports: Record<string, unknown>;
    };
    const entries = Object.keys(pkg.exports).filter((entry) => entry !== './package.json');
    assert.deepEqual(seen.imported, entries);
    assert.deepEqual(seen.requests, []);
    // The simulation works: a driver import and require both fail in that process.
    assert.match(String((seen.importPg as { message: string }).message), /Cannot find package 'pg'/);
    assert.match(
      String((seen.requireIoredis as { message: string }).message),
      /Cannot find module 'ioredis'/,
    );
  });

  it('with no driver installed, each store (and the service) throws a TypeError naming the package to install', {
    skip: SQLITE_FALLBACK,
  }, () => {
    const seen = child('stores');
    const refused = (message: string) => ({ type: 'TypeError', message });
    assert.deepEqual(
      seen.sqlite,
      refused('tessera: the SQLite store needs better-sqlite3: npm i better-sqlite3'),
    );
    assert.deepEqual(seen.sqliteFiles, [], 'no database file or folder is left behind');
    assert.deepEqual(seen.postgres, refused('tessera: the PostgreSQL store needs pg: npm i pg'));
    assert.deepEqual(seen.redis, refused('tessera: the Redis store needs ioredis: npm i ioredis'));
    assert.deepEqual(seen.cluster, refused('tessera: the Redis store needs ioredis: npm i ioredis'));
    assert.deepEqual(seen.service, refused('tessera: the PostgreSQL store needs pg: npm i pg'));
    assert.deepEqual(
      seen.serviceSqlite,
      refused('tessera: the SQLite store needs better-sqlite3: npm i better-sqlite3'),
    );
    assert.equal(seen.memory, null, 'the memory store needs nothing');
    assert.deepEqual(packageNames(seen.requests), ['better-sqlite3', 'ioredis', 'pg']);
  });

  it('`tessera serve` on the default SQLite store without better-sqlite3 exits 1 with that one line', {
    skip: SQLITE_FALLBACK,
  }, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-no-driver-'));
    try {
      const run = spawnSync(
        process.execPath,
        [...NO_DRIVERS, '--import', 'tsx', 'src/cli/main.ts', 'serve'],
        {
          cwd: ROOT,
          encoding: 'utf8',
          timeout: 60_000,
          env: { PATH: process.env.PATH, TESSERA_DATA_DIR: dataDir, TESSERA_PORT: '0' },
        },
      );
      assert.equal(run.status, 1, run.stdout + run.stderr);
      assert.equal(run.stderr, 'tessera: the SQLite store needs better-sqlite3: npm i better-sqlite3\n');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('only a missing driver package is reworded; other load failures pass through unchanged', () => {
    const missing = Object.assign(new Error("Cannot find module 'pg'\nRequire stack: …"), {
      code: 'MODULE_NOT_FOUND',
    });
    assert.equal(isMissing(missing, 'pg'), true);
    const esm = Object.assign(new Error("Cannot find package 'pg' imported from …"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    assert.equal(isMissing(esm, 'pg'), true);
    // A dependency of the driver missing, or a broken native build: the original error is the useful one.
    const nested = Object.assign(new Error("Cannot find module 'pg-pool'"), { code: 'MODULE_NOT_FOUND' });
    assert.equal(isMissing(nested, 'pg'), false);
    const nativeBuild = new Error('Could not locate the bindings file. Tried: …');
    assert.equal(isMissing(nativeBuild, 'better-sqlite3'), false);
    assert.equal(isMissing(null, 'pg'), false);
    // The drivers this repository installs load through the same function.
    assert.equal(typeof loadDriver<{ Pool: unknown }>('pg', 'PostgreSQL store').Pool, 'function');
  });
});
