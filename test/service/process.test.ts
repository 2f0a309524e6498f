import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runNode, serve } from './child.js';
import { call } from './helpers.js';

describe('tessera serve as a process (SQLite)', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tessera-process-'));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a 201 session survives SIGKILL; the generated API key survives and is printed only the first time', async () => {
    const env = { TESSERA_DATA_DIR: dataDir };
    const first = serve(env);
    const port1 = await first.port;
    const printed = /shown only this once:\n([A-Za-z0-9_-]{43})\n/.exec(first.output());
    assert.ok(printed, `first start prints the key:\n${first.output()}`);
    const key = printed[1] as string;
    const base1 = `http://127.0.0.1:${port1}`;
    assert.equal((await call(base1, 'GET', '/healthz', undefined, { key: null })).body.store, 'sqlite');
    const created = await call(
      base1,
      'POST',
      '/v1/sessions',
      { subject: 'persist', data: { n: 1 } },
      { key },
    );
    assert.equal(created.status, 201);
    const token = created.body.token as string;
    const id = created.body.session?.id as string;
    const patched = await call(base1, 'PATCH', `/v1/sessions/${id}/data`, { set: { n: 2 } }, { key });
    assert.equal(patched.status, 200);
    const gone = await call(base1, 'POST', '/v1/sessions', { subject: 'persist' }, { key });
    assert.equal(
      (await call(base1, 'POST', '/v1/sessions/revoke', { token: gone.body.token }, { key })).status,
      204,
    );
    first.process.kill('SIGKILL');
    assert.equal(await first.exited, 'SIGKILL');

    const second = serve(env);
    const base2 = `http://127.0.0.1:${await second.port}`;
    try {
      const validated = await call(base2, 'POST', '/v1/sessions/validate', { token }, { key });
      assert.equal(validated.status, 200, validated.text);
      assert.equal(validated.body.session?.id, id);
      assert.deepEqual(validated.body.session?.data, { n: 2 });
      const revoked = await call(base2, 'POST', '/v1/sessions/validate', { token: gone.body.token }, { key });
      assert.equal(revoked.status, 401, 'a revoked session stays revoked after a restart');
      assert.ok(!second.output().includes(key), 'the key is not printed again');
      assert.ok(!second.output().includes('generated an API key'));
      for (const output of [first.output(), second.output()]) {
        assert.ok(!output.includes(token), 'logs never hold a token');
        assert.ok(!output.includes(gone.body.token as string));
        assert.ok(!output.includes('ts1.'));
      }
      assert.equal(
        (first.output().match(new RegExp(key, 'g')) ?? []).length,
        1,
        'the key appears exactly once',
      );
    } finally {
      second.process.kill('SIGTERM');
    }
    assert.equal(await second.exited, 0, 'SIGTERM shuts down cleanly');
    assert.match(second.output(), /"msg":"stopped"/);
  });
});

describe('tessera CLI commands', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tessera-cli-'));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  const cli = (args: string[], env: Record<string, string> = {}) =>
    runNode(['--import', 'tsx', 'src/cli/main.ts', ...args], env);

  it('migrate creates the SQLite schema and exits 0', async () => {
    const child = cli(['migrate'], { TESSERA_DATA_DIR: dataDir });
    assert.equal(await child.exited, 0, child.output());
    assert.match(child.output(), /sqlite store is ready/);
    assert.ok(existsSync(join(dataDir, 'tessera.sqlite')));
  });

  it('version, help and an unknown command', async () => {
    const version = cli(['version']);
    assert.equal(await version.exited, 0);
    assert.match(version.output(), /^\d+\.\d+\.\d+\n$/);
    const help = cli(['help']);
    assert.equal(await help.exited, 0);
    assert.match(help.output(), /Usage: tessera <command>/);
    const unknown = cli(['frobnicate']);
    assert.equal(await unknown.exited, 2);
    assert.match(unknown.output(), /unknown command "frobnicate"/);
  });

  it('a bad setting stops start-up with exit 2 and a message naming the variable', async () => {
    const child = cli(['serve'], { TESSERA_DATA_DIR: dataDir, TESSERA_PORT: 'eighty' });
    assert.equal(await child.exited, 2);
    assert.match(child.output(), /configuration error: TESSERA_PORT must be a whole number/);
  });

  it('an unprefixed cookie name stops start-up with exit 2, naming the opt-out (ASVS 5.0 3.3.1)', async () => {
    const child = cli(['serve'], {
      TESSERA_DATA_DIR: dataDir,
      TESSERA_PORT: '0',
      TESSERA_COOKIE_NAME: 'sid',
    });
    assert.equal(await child.exited, 2);
    assert.match(
      child.output(),
      /configuration error: TESSERA_COOKIE_NAME must start with __Host- .*TESSERA_UNSAFE_UNPREFIXED_COOKIE=1/,
    );
    const help = cli(['help']);
    assert.equal(await help.exited, 0);
    assert.match(help.output(), /TESSERA_UNSAFE_UNPREFIXED_COOKIE \[0\]/);
  });

  it('a bad token-route setting also stops start-up, before the first token request', async () => {
    const child = cli(['serve'], { TESSERA_DATA_DIR: dataDir, TESSERA_PORT: '0', TESSERA_JWT_TTL: 'soon' });
    assert.equal(await child.exited, 2);
    assert.match(child.output(), /configuration error: TESSERA_JWT_TTL must be a whole number/);
  });
});
