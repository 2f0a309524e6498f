import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTessera, type SessionManager } from '../../src/core/manager.js';
import { SqliteStore } from '../../src/stores/sqlite/index.js';
import { runCli } from './child.js';

// The CLI runs on the real clock, so the sessions are made here with the real clock on the same SQLite file
// (the service's test helper uses a manual clock in January 2026).
describe('tessera sessions list | revoke | revoke-all | sweep (SQLite, shared with a manager in this process)', () => {
  let dir: string;
  let store: SqliteStore;
  let manager: SessionManager;
  let env: Record<string, string>;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-cli-sessions-'));
    const path = join(dir, 'tessera.sqlite');
    store = new SqliteStore({ path });
    manager = createTessera({ store });
    env = { TESSERA_DATA_DIR: dir, TESSERA_STORE: `sqlite:${path}` };
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const login = async (subject: string, userAgent = 'Firefox/140') =>
    manager.create({ subject, ip: '203.0.113.7', userAgent });

  it('list prints the live sessions as a table and as JSON, public fields only, never a token', async () => {
    const one = await login('list-alice');
    const two = await login('list-alice', 'curl/8\u001b[31m');
    await login('list-bob');
    const shown = await runCli(['sessions', 'list', 'list-alice'], env);
    assert.equal(shown.code, 0, shown.stderr);
    const lines = shown.stdout.trimEnd().split('\n');
    assert.match(lines[0] as string, /^ID +CREATED +LAST SEEN +EXPIRES +LEVEL +IP +USER AGENT$/);
    assert.equal(lines.length, 3, 'a header and two sessions (not list-bob’s)');
    assert.match(shown.stdout, new RegExp(`${one.session.id} .* 1 +203\\.0\\.113\\.7 +Firefox/140`));
    assert.match(
      shown.stdout,
      new RegExp(`${two.session.id} .*curl/8\\?\\[31m`),
      'control characters are masked',
    );
    const json = await runCli(['sessions', 'list', 'list-alice', '--json'], env);
    assert.equal(json.code, 0, json.stderr);
    const body = JSON.parse(json.stdout) as { sessions: Record<string, unknown>[] };
    assert.deepEqual(
      body.sessions.map((session) => session.id),
      [one.session.id, two.session.id],
    );
    assert.equal(body.sessions[0]?.ip, '203.0.113.7');
    assert.equal(typeof body.sessions[0]?.absoluteExpiresAt, 'string');
    for (const output of [shown.stdout + shown.stderr, json.stdout + json.stderr]) {
      assert.ok(!output.includes(one.token) && !output.includes(two.token), 'no token');
      assert.ok(!output.includes('ts1.') && !/secretHash/i.test(output), 'no token or hash');
    }
    const none = await runCli(['sessions', 'list', 'nobody'], env);
    assert.equal(none.code, 0);
    assert.equal(none.stdout, 'tessera: nobody has no live sessions\n');
    const bare = await runCli(['sessions', 'list'], env);
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /missing argument\nUsage: tessera sessions end-all/);
  });

  it('revoke ends one session by its public id: its token is refused after; 1 for an unknown id, 2 for a malformed one', async () => {
    const kept = await login('revoke-carol');
    const gone = await login('revoke-carol');
    const revoked = await runCli(['sessions', 'revoke', gone.session.id], env);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal(revoked.stdout, `tessera: revoked session ${gone.session.id}\n`);
    assert.equal((await manager.validate(gone.token)).ok, false, 'the revoked token no longer validates');
    assert.equal((await manager.validate(kept.token)).ok, true, 'the other session lives on');
    const again = await runCli(['sessions', 'revoke', gone.session.id], env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /no live session/);
    const malformed = await runCli(['sessions', 'revoke', 'not-an-id'], env);
    assert.equal(malformed.code, 2);
    assert.match(malformed.stderr, /"not-an-id" is not a session id/);
    const token = await runCli(['sessions', 'revoke', kept.token], env);
    assert.equal(token.code, 2, 'a token is not a session id');
    assert.ok(!token.stderr.includes(kept.token.split('.')[2] as string), 'the secret part is not echoed');
  });

  it('revoke-all ends a subject’s sessions but the --except one; 1 when nothing was left to end', async () => {
    const keep = await login('all-dave');
    const others = [await login('all-dave'), await login('all-dave')];
    const ended = await runCli(['sessions', 'revoke-all', 'all-dave', '--except', keep.session.id], env);
    assert.equal(ended.code, 0, ended.stderr);
    assert.equal(ended.stdout, `tessera: revoked 2 sessions of all-dave (kept ${keep.session.id})\n`);
    for (const other of others) assert.equal((await manager.validate(other.token)).ok, false);
    assert.equal((await manager.validate(keep.token)).ok, true);
    const nothing = await runCli(['sessions', 'revoke-all', 'all-dave', '--except', keep.session.id], env);
    assert.equal(nothing.code, 1, 'nothing to do');
    const everything = await runCli(['sessions', 'revoke-all', 'all-dave'], env);
    assert.equal(everything.code, 0);
    assert.equal((await manager.validate(keep.token)).ok, false);
    const bad = await runCli(['sessions', 'revoke-all', 'all-dave', '--except', 'x'], env);
    assert.equal(bad.code, 2);
  });

  it('sweep removes expired sessions in batches and reports progress on stderr with --progress', async () => {
    const past = createTessera({ store, idleTimeout: 60, clock: () => Date.now() - 2 * 86400_000 });
    for (let i = 0; i < 5; i++) await past.create({ subject: 'sweep-erin' });
    const swept = await runCli(['sessions', 'sweep', '--batch', '2', '--progress'], env);
    assert.equal(swept.code, 0, swept.stderr);
    assert.equal(swept.stdout, 'tessera: removed 5 expired sessions from the sqlite store\n');
    assert.match(swept.stderr, /^tessera: sweep: sweeping the sqlite store in batches of 2 \(\d+\.\d s\)$/m);
    const quiet = await runCli(['sessions', 'sweep'], env);
    assert.equal(quiet.stdout, 'tessera: removed 0 expired sessions from the sqlite store\n');
    assert.equal(quiet.stderr, '', 'no progress when stderr is not a terminal and --progress is not given');
  });
});
