import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SqliteStore } from '../../src/stores/sqlite/index.js';
import { POSTGRES_URL, REDIS_URL, requireService, uniqueName } from '../support/services.js';
import { runCli } from './child.js';

const API_KEY = 'doctor-key-0123456789abcdefghijklmnopqrstuvwxyz';

describe('tessera doctor', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-cli-doctor-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a healthy SQLite setup passes every line and exits 0', async () => {
    const data = join(dir, 'healthy');
    const run0 = await runCli(['migrate'], { TESSERA_DATA_DIR: data });
    assert.equal(run0.code, 0, run0.stderr);
    await writeFile(join(data, 'api-key'), `${API_KEY}\n`, { mode: 0o600 });
    const run = await runCli(['doctor'], { TESSERA_DATA_DIR: data });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    assert.deepEqual(
      lines.map((line) => line.slice(0, 2)),
      ['✓ ', '✓ ', '✓ ', '✓ ', '- ', '✓ ', '✓ ', '✓ ', 'te'],
      run.stdout,
    );
    assert.match(lines[0] as string, /^✓ configuration: loaded/);
    assert.match(lines[1] as string, /^✓ data dir: .* is writable$/);
    assert.match(lines[2] as string, /^✓ store: sqlite answers/);
    assert.match(lines[3] as string, /^✓ schema: sqlite schema version \d+ \(current\)$/);
    assert.match(lines[4] as string, /^- clock: skipped: sqlite has no server clock/);
    assert.match(lines[7] as string, /^✓ API key: .*api-key: valid, mode 600$/);
    assert.equal(lines.at(-1), 'tessera doctor: all checks passed');
    assert.ok(!run.stdout.includes(API_KEY), 'the API key is never printed');
  });

  it('a configuration error is named and fails; the other checks are skipped', async () => {
    const run = await runCli(['doctor'], { TESSERA_DATA_DIR: dir, TESSERA_IDLE_TIMEOUT: 'soon' });
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^✗ configuration: TESSERA_IDLE_TIMEOUT must be a whole number/m);
    assert.match(run.stdout, /hint: fix TESSERA_IDLE_TIMEOUT/);
    assert.match(run.stdout, /1 check failed/);
  });

  it('flags a key file and an API key file that other users can read', async () => {
    const data = join(dir, 'loose');
    const store = new SqliteStore({ path: join(data, 'tessera.sqlite') });
    await store.close();
    await writeFile(join(data, 'jwt-keys.json'), '[]', { mode: 0o644 });
    await chmod(join(data, 'jwt-keys.json'), 0o644);
    await writeFile(join(data, 'api-key'), `${API_KEY}\n`, { mode: 0o604 });
    await chmod(join(data, 'api-key'), 0o604);
    const run = await runCli(['doctor'], { TESSERA_DATA_DIR: data });
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.stdout, /^✗ JWT keys: .*jwt-keys\.json is readable by other users \(mode 644\)$/m);
    assert.match(run.stdout, /hint: run chmod 600 .*jwt-keys\.json/);
    assert.match(run.stdout, /^✗ API key: .*api-key is readable by other users \(mode 604\)$/m);
    assert.match(run.stdout, /^tessera doctor: 2 checks failed$/m);
    await chmod(join(data, 'jwt-keys.json'), 0o600);
    const fixed = await runCli(['doctor'], { TESSERA_DATA_DIR: data });
    assert.match(
      fixed.stdout,
      /^✗ JWT keys: .*is not usable: it holds no valid JWT keys$/m,
      'private now, but not a key ring',
    );
  });

  it('an unreachable Redis fails the store line quickly (bounded wait) and exits 1', async () => {
    const run = await runCli(['doctor'], { TESSERA_DATA_DIR: dir, TESSERA_STORE: 'redis://127.0.0.1:1' });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /^✗ store: not reachable: /m);
    assert.match(run.stdout, /hint: check TESSERA_STORE/);
    assert.match(run.stdout, /^- clock: skipped: the store did not answer$/m);
    assert.ok(run.ms < 20_000, `doctor took ${run.ms} ms`);
  });
});

describe('tessera doctor against the real servers: clock skew', async () => {
  const skipRedis = await requireService('redis');
  const skipPostgres = await requireService('postgres');

  it('redis: the clock line compares the local clock with TIME', { skip: skipRedis }, async () => {
    const data = await mkdtemp(join(tmpdir(), 'tessera-cli-doctor-redis-'));
    try {
      const prefix = `${uniqueName('doctor')}:`;
      const run = await runCli(['doctor'], {
        TESSERA_DATA_DIR: data,
        TESSERA_API_KEY: API_KEY,
        TESSERA_STORE: `${REDIS_URL}?prefix=${prefix}`,
      });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(run.stdout, /^✓ store: redis answers/m);
      assert.match(
        run.stdout,
        /^✓ clock: local clock (agrees with|is \d+ ms (behind|ahead of)) the redis server \(±\d+ ms\)$/m,
      );
    } finally {
      await rm(data, { recursive: true, force: true });
    }
  });

  it('postgres: schema version before and after migrate, and the clock line from clock_timestamp()', {
    skip: skipPostgres,
  }, async () => {
    const data = await mkdtemp(join(tmpdir(), 'tessera-cli-doctor-pg-'));
    const schema = uniqueName('doctor');
    const env = {
      TESSERA_DATA_DIR: data,
      TESSERA_API_KEY: API_KEY,
      TESSERA_STORE: `${POSTGRES_URL}?schema=${schema}`,
    };
    try {
      const fresh = await runCli(['doctor'], env);
      assert.equal(fresh.code, 0, fresh.stdout + fresh.stderr);
      assert.match(fresh.stdout, /^! schema: postgres schema not created yet$/m, 'doctor never migrates');
      assert.match(fresh.stdout, /hint: run `tessera migrate`/);
      assert.match(
        fresh.stdout,
        /^✓ clock: local clock (agrees with|is \d+ ms (behind|ahead of)) the postgres server \(±\d+ ms\)$/m,
      );
      assert.equal((await runCli(['migrate'], env)).code, 0);
      const migrated = await runCli(['doctor'], env);
      assert.match(migrated.stdout, /^✓ schema: postgres schema version \d+ \(current\)$/m);
      assert.match(migrated.stdout, /^tessera doctor: all checks passed$/m);
    } finally {
      const pg = (await import('pg')).default;
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
      await rm(data, { recursive: true, force: true });
    }
  });
});
