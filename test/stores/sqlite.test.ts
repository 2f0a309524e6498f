import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { SessionStore } from '../../src/core/store.js';
import { SCHEMA_VERSION, SqliteStore } from '../../src/stores/sqlite/index.js';
import { openDatabase } from '../../src/stores/sqlite/open-database.js';
import { recordToRow } from '../../src/stores/sqlite/rows.js';
import { MIGRATIONS, migrate } from '../../src/stores/sqlite/schema.js';
import { makeFamily, makeRecord, newSubject, T0 } from '../conformance/fixtures.js';
import { mountSmallFilesystem } from '../conformance/full-filesystem.js';
import { runManagerConformance } from '../conformance/manager-suite.js';
import type { CommitFaults } from '../conformance/store-faults.js';
import { runStoreConformance } from '../conformance/store-suite.js';

/** Plans of the statements that must not scan: the sweep, a lookup by id and a subject's list each use an index. */
function assertSessionPlans(db: Database.Database): void {
  const plan = (sql: string): string =>
    (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[])
      .map((step) => step.detail)
      .join('; ');
  assert.match(
    plan('SELECT id FROM sessions WHERE expires_at < 1 ORDER BY expires_at LIMIT 5'),
    /sessions_by_expiry/,
    'the expiry sweep uses its index',
  );
  assert.match(
    plan("SELECT data FROM sessions WHERE id = 'x' AND expires_at > 1"),
    /^SEARCH sessions USING INDEX sqlite_autoindex_sessions_1 \(id=\?\)$/,
    'a lookup by id uses the primary key',
  );
  assert.match(
    plan("SELECT id FROM sessions WHERE subject = 'x' AND expires_at > 1 ORDER BY created_at, id"),
    /sessions_by_subject/,
    'a subject list uses its index',
  );
}

const dir = mkdtempSync(join(tmpdir(), 'tessera-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const open = async (): Promise<SqliteStore> => {
  counter += 1;
  return new SqliteStore({ path: join(dir, `suite-${counter}`, 'tessera.sqlite') });
};

// Failed commits for real: fault stores live on a 4 MiB tmpfs that `failCommits` fills to ENOSPC, so SQLite
// answers SQLITE_FULL when a commit appends to the WAL. Mounting needs root: in CI a system that cannot mount
// fails the fault cases (a skip would hide a store that acknowledges lost writes); elsewhere they are skipped.
const disk = mountSmallFilesystem(4 * 1024 * 1024);
after(() => {
  if (typeof disk !== 'string') disk.unmount();
});
const faultPaths = new WeakMap<SessionStore, string>();
const faults: CommitFaults | undefined =
  typeof disk !== 'string'
    ? {
        open: async () => {
          counter += 1;
          const path = join(disk.dir, `fault-${counter}`, 'tessera.sqlite');
          const store = new SqliteStore({ path });
          faultPaths.set(store, path);
          return store;
        },
        failCommits: async (store) => {
          const path = faultPaths.get(store);
          if (path === undefined) throw new Error('failCommits: not a store from faults.open');
          // Empty the WAL first, so the next commit must grow it onto the full disk instead of reusing frames.
          const db = new Database(path);
          try {
            const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
            assert.equal(result?.busy, 0, 'the WAL checkpoint completed');
          } finally {
            db.close();
          }
          disk.fill();
          return async () => disk.drain();
        },
      }
    : process.env.CI
      ? {
          open: () => Promise.reject(new Error(disk)),
          failCommits: () => Promise.reject(new Error(disk)),
        }
      : undefined;

runStoreConformance('sqlite', open, { faults });
if (faults === undefined) it('store conformance: sqlite failed commits', { skip: disk as string }, () => {});
runManagerConformance('sqlite', open);

describe('SqliteStore file behaviour', () => {
  it('keeps sessions, families and not-before across close and reopen of the same file', async () => {
    const path = join(dir, 'reopen', 'data.sqlite');
    const first = new SqliteStore({ path });
    const record = makeRecord(first, { data: { cart: ['ü', 1] } });
    const family = makeFamily();
    await first.create(record, { now: T0, maxPerSubject: null, overflow: 'refuse' });
    await first.updateData(record.id, { set: { step: 2 } }, { now: T0, expectedVersion: 1 });
    await first.createRefreshFamily(family);
    await first.setSubjectNotBefore(record.subject, T0 + 5, T0 + 60_000);
    await first.close();

    const second = new SqliteStore({ path });
    try {
      assert.deepEqual(await second.get(record.id), {
        ...record,
        data: { cart: ['ü', 1], step: 2 },
        version: 2,
      });
      assert.deepEqual(await second.getRefreshFamily(family.familyId), family);
      assert.equal(await second.getSubjectNotBefore(record.subject), T0 + 5);
    } finally {
      await second.close();
    }
  });

  it('reads the file through a memory map of mmapBytes (default 2 GiB, as much as SQLite maps; 0 turns it off); a bad value is a TypeError', async () => {
    const mapped = (mmapBytes: number): number => {
      const db = openDatabase({
        path: join(dir, `mmap-${mmapBytes}.sqlite`),
        busyTimeoutMs: 1000,
        synchronous: 'full',
        driver: undefined,
        mmapBytes,
        cacheBytes: 0,
      });
      try {
        return (db.prepare('PRAGMA mmap_size').get() as { mmap_size: number }).mmap_size;
      } finally {
        db.close();
      }
    };
    assert.equal(mapped(1024 * 1024 * 1024), 1024 * 1024 * 1024);
    assert.equal(mapped(0), 0);
    const byDefault = new SqliteStore({ path: join(dir, 'mmap-default.sqlite') });
    const off = new SqliteStore({ path: join(dir, 'mmap-off.sqlite'), mmapBytes: 0 });
    const memory = new SqliteStore({ path: ':memory:' });
    try {
      // SQLite's usual ceiling, SQLITE_MAX_MMAP_SIZE (0x7fff0000), below the 2 GiB asked for.
      assert.equal(byDefault.mmapBytes, 0x7fff0000);
      assert.equal(off.mmapBytes, 0);
      assert.equal(memory.mmapBytes, 0);
    } finally {
      for (const store of [byDefault, off, memory]) await store.close();
    }
    for (const mmapBytes of [-1, 1.5, Number.NaN, '1' as unknown as number]) {
      assert.throws(() => new SqliteStore({ path: join(dir, 'never.sqlite'), mmapBytes }), TypeError);
    }
  });

  it('keeps pages the map does not cover in a page cache of cacheBytes (default 64 MiB, on every driver); a bad value is a TypeError', async () => {
    const byDefault = new SqliteStore({ path: join(dir, 'cache-default.sqlite') });
    const small = new SqliteStore({ path: join(dir, 'cache-small.sqlite'), cacheBytes: 1_000_000 });
    const memory = new SqliteStore({ path: ':memory:', cacheBytes: 8 * 1024 * 1024 });
    try {
      assert.equal(byDefault.cacheBytes, 64 * 1024 * 1024, "not better-sqlite3's own 16 MiB");
      assert.equal(small.cacheBytes, 977 * 1024, 'rounded up to whole KiB');
      assert.equal(memory.cacheBytes, 8 * 1024 * 1024);
    } finally {
      for (const store of [byDefault, small, memory]) await store.close();
    }
    for (const cacheBytes of [-1, 2.5, Number.NaN, '64' as unknown as number]) {
      assert.throws(() => new SqliteStore({ path: join(dir, 'never.sqlite'), cacheBytes }), TypeError);
    }
  });

  it('a lookup finds in the page cache what an earlier one read: no read call for a page it holds', {
    skip: process.platform === 'linux' ? false : 'counts read calls in /proc/self/io (Linux)',
  }, async () => {
    // A file of about 3 MiB read without the map, every session looked up twice: the second pass reads the file
    // again only when the cache is smaller than what the first pass brought in.
    const path = join(dir, 'cache-reads.sqlite');
    const fill = new SqliteStore({ path, synchronous: 'normal' });
    const ids: string[] = [];
    for (let n = 0; n < 2000; n++) {
      const record = makeRecord(fill, { data: { text: 'x'.repeat(1000) } });
      await fill.create(record, { now: T0, maxPerSubject: null, overflow: 'refuse' });
      ids.push(record.id);
    }
    await fill.close();
    const readCalls = (): number =>
      Number(/^syscr: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))?.[1]);
    const secondPass = async (cacheBytes: number): Promise<number> => {
      const store = new SqliteStore({ path, mmapBytes: 0, cacheBytes });
      try {
        for (const id of ids) await store.get(id);
        const before = readCalls();
        for (const id of ids) assert.ok(await store.get(id));
        return readCalls() - before;
      } finally {
        await store.close();
      }
    };
    const cached = await secondPass(64 * 1024 * 1024);
    const tooSmall = await secondPass(256 * 1024);
    assert.ok(cached < 20, `a 64 MiB cache holds the file: ${cached} read calls on the second pass`);
    assert.ok(
      tooSmall > 300,
      `a 256 KiB cache does not: ${tooSmall} read calls (the file has about 700 pages)`,
    );
  });

  it('creates its folder, uses WAL and records the schema version', async () => {
    const path = join(dir, 'fresh', 'nested', 'tessera.sqlite');
    const store = new SqliteStore({ path });
    await store.ping();
    await store.close();
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const db = new Database(path, { readonly: true });
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
      assertSessionPlans(db);
    } finally {
      db.close();
    }
  });

  it('upgrades a version-1 database in place: its sessions stay, one-time keys work', async () => {
    const path = join(dir, 'upgrade.sqlite');
    // A database as the first release wrote it: schema step 1 only, and a session in its rowid table.
    const old = new Database(path);
    old.exec(MIGRATIONS[0] as string);
    old.pragma('user_version = 1');
    const probe = new SqliteStore({ path: ':memory:' });
    const record = makeRecord(probe, { data: { cart: [1, 2], note: 'caf\u00e9' }, ip: '203.0.113.7' });
    await probe.close();
    const columns = Object.keys(recordToRow(record));
    old
      .prepare(
        `INSERT INTO sessions (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`,
      )
      .run(recordToRow(record));
    old.close();
    const again = new SqliteStore({ path });
    // Read first, assert after closing: a store method named use… inside try/finally reads as a React hook to
    // the linter (useHookAtTopLevel).
    const stored = await again.get(record.id);
    const listed = await again.listBySubject(record.subject, T0);
    const taken = [
      await again.useOnce('upgraded', T0 + 60_000, T0),
      await again.useOnce('upgraded', T0 + 60_000, T0),
    ];
    await again.close();
    assert.deepEqual(stored, record);
    assert.deepEqual(
      listed.map((s) => s.id),
      [record.id],
      'the subject index was rebuilt',
    );
    assert.deepEqual(taken, [true, false], 'one-time keys work after the upgrade');
    const check = new Database(path, { readonly: true });
    try {
      assert.equal(check.pragma('user_version', { simple: true }), SCHEMA_VERSION);
      assertSessionPlans(check);
    } finally {
      check.close();
    }
  });

  it('runs each migration once when another process ran it while this one waited for the lock', () => {
    const path = join(dir, 'raced.sqlite');
    const db = openDatabase({
      path,
      busyTimeoutMs: 1000,
      synchronous: 'full',
      driver: undefined,
      mmapBytes: 0,
      cacheBytes: 0,
    });
    try {
      // This connection read version 1 before the lock; by the time it holds the lock, another process has
      // brought the file to the latest version. Running step 2 again would fail ("table used_once already
      // exists") and step 3 would copy every session again.
      let reads = 0;
      const stale = new Proxy(db, {
        get: (target, key) =>
          key === 'pragma'
            ? (name: string): unknown => (name === 'user_version' && reads++ === 0 ? 1 : target.pragma(name))
            : Reflect.get(target, key),
      });
      assert.deepEqual(migrate(stale), { from: 1, to: SCHEMA_VERSION });
      assert.equal(db.pragma('user_version'), SCHEMA_VERSION);
    } finally {
      db.close();
    }
  });

  it('refuses a database written by a newer schema', async () => {
    const path = join(dir, 'newer.sqlite');
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    assert.throws(() => new SqliteStore({ path }), /newer than this release/);
  });

  it('works on :memory:', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    const record = makeRecord(store);
    await store.create(record, { now: T0, maxPerSubject: null, overflow: 'refuse' });
    assert.deepEqual(await store.get(record.id), record);
    await store.close();
  });

  it('several processes on one file: the cap and versioned patches stay atomic (IMMEDIATE transactions)', async () => {
    const path = join(dir, 'multi', 'shared.sqlite');
    const setup = new SqliteStore({ path });
    const shared = makeRecord(setup);
    await setup.create(shared, { now: T0, maxPerSubject: null, overflow: 'refuse' });
    await setup.close();
    const subject = newSubject('multi');
    // Each child waits for the same start instant, then races creates (cap 5, refuse) and data patches.
    const child = `
      const { SqliteStore } = await import(process.env.STORE_MODULE);
      const { randomBytes } = await import('node:crypto');
      const store = new SqliteStore({ path: process.env.DB_PATH });
      const startAt = Number(process.env.START_AT);
      while (Date.now() < startAt) await new Promise((resolve) => setTimeout(resolve, 1));
      const out = { created: 0, refused: 0, patched: 0 };
      for (let i = 0; i < 10; i++) {
        const id = randomBytes(20).toString('base64url').slice(0, 26);
        const record = JSON.parse(process.env.TEMPLATE);
        const result = await store.create({ ...record, id, subject: process.env.SUBJECT }, {
          now: record.createdAt, maxPerSubject: 5, overflow: 'refuse' });
        if (result.created) out.created++; else out.refused++;
        const patch = await store.updateData(process.env.SHARED, { set: { ['p' + process.env.N + '_' + i]: i } },
          { now: record.createdAt, expectedVersion: null });
        if (patch.status === 'ok') out.patched++;
      }
      await store.close();
      console.log(JSON.stringify(out));
    `;
    const run = promisify(execFile);
    const startAt = Date.now() + 1500;
    const outputs = await Promise.all(
      [0, 1, 2, 3].map((n) =>
        run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child], {
          env: {
            ...process.env,
            STORE_MODULE: new URL('../../src/stores/sqlite/index.ts', import.meta.url).href,
            DB_PATH: path,
            START_AT: String(startAt),
            TEMPLATE: JSON.stringify(makeRecord(setup)),
            SUBJECT: subject,
            SHARED: shared.id,
            N: String(n),
          },
        }),
      ),
    );
    const results = outputs.map(({ stdout }) => JSON.parse(stdout.trim()) as Record<string, number>);
    assert.equal(
      results.reduce((sum, r) => sum + (r.created ?? 0), 0),
      5,
      'exactly five sessions across all processes',
    );
    assert.equal(
      results.reduce((sum, r) => sum + (r.patched ?? 0), 0),
      40,
    );
    const check = new SqliteStore({ path });
    try {
      assert.equal((await check.listBySubject(subject, T0)).length, 5);
      const final = await check.get(shared.id);
      assert.equal(final?.version, 41);
      assert.equal(Object.keys(final?.data ?? {}).length, 40, 'no lost update across processes');
    } finally {
      await check.close();
    }
  });
});
