import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/service/config.js';
import { AccessTokens } from '../../src/stateless/jwt/access-tokens.js';
import { loadOrCreateKeyRing } from '../../src/stateless/jwt/key-file.js';
import { parseKeyList } from '../../src/stateless/jwt/key-list.js';
import { JwtKeyRing } from '../../src/stateless/jwt/key-ring.js';
import {
  exportJwtKey,
  generateJwtKey,
  importJwtKey,
  type StoredJwtKey,
} from '../../src/stateless/jwt/keys.js';
import { SealKeyRing } from '../../src/stateless/sealed/keys.js';
import { runCli } from './child.js';

describe('tessera keys generate | list | rotate', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-cli-keys-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('generate prints a ring TESSERA_JWT_KEYS takes, for each algorithm, and the key signs and verifies', async () => {
    for (const alg of ['EdDSA', 'ES256', 'HS256'] as const) {
      const run = await runCli(['keys', 'generate', '--alg', alg, '--kid', `cli-${alg}`], {});
      assert.equal(run.code, 0, run.stderr);
      const value = run.stdout.trim();
      assert.equal(run.stdout.split('\n').length, 2, 'one line, for an environment variable');
      const config = loadConfig({ TESSERA_JWT_KEYS: value });
      assert.equal(config.tokens.keys, value, 'accepted by the service configuration');
      const ring = new JwtKeyRing(parseKeyList(value, 'TESSERA_JWT_KEYS').map(importJwtKey));
      assert.equal(ring.keys[0]?.kid, `cli-${alg}`);
      assert.equal(ring.keys[0]?.alg, alg);
      assert.ok(Math.abs((ring.keys[0]?.activeFrom ?? 0) - Date.now()) < 60_000, 'signs from now');
      const tokens = new AccessTokens({ keys: ring, issuer: 'tessera', audience: 'tessera' });
      const issued = tokens.issue({ subject: 'alice', sessionId: 'A'.repeat(26) });
      const checked = tokens.verifySync(issued.token);
      assert.equal(checked.ok, true, `${alg} token verifies`);
    }
    const bad = await runCli(['keys', 'generate', '--alg', 'RS256'], {});
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--alg must be EdDSA, ES256 or HS256/);
  });

  it('generate --for sealed prints a seal key that the sealed key ring accepts', async () => {
    const run = await runCli(['keys', 'generate', '--for', 'sealed', '--kid', '2026-12'], {});
    assert.equal(run.code, 0, run.stderr);
    const entry = JSON.parse(run.stdout) as { id: string; secret: string };
    assert.equal(entry.id, '2026-12');
    assert.ok(Buffer.from(entry.secret, 'base64url').byteLength >= 32);
    assert.deepEqual(new SealKeyRing([entry]).ids, ['2026-12']);
    const other = await runCli(['keys', 'generate', '--for', 'sealed'], {});
    assert.notEqual(JSON.parse(other.stdout).secret, entry.secret, 'a fresh secret each time');
    assert.equal((await runCli(['keys', 'generate', '--for', 'sealed', '--alg', 'HS256'], {})).code, 2);
  });

  it('rotate adds one key to a key file, keeps every old key unchanged, writes it atomically with mode 0600', async () => {
    const file = join(dir, 'rotate', 'jwt-keys.json');
    await loadOrCreateKeyRing(file, { now: Date.now() }); // the service's own format
    await chmod(file, 0o644);
    const before = JSON.parse(await readFile(file, 'utf8')) as StoredJwtKey[];
    const run = await runCli(['keys', 'rotate', '--file', file, '--kid', 'next-key'], {});
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /added key next-key \(EdDSA\)/);
    const afterRotate = JSON.parse(await readFile(file, 'utf8')) as StoredJwtKey[];
    assert.equal(afterRotate.length, before.length + 1);
    assert.deepEqual(afterRotate.slice(0, before.length), before, 'old keys kept as they were');
    const added = afterRotate.find((key) => key.kid === 'next-key') as StoredJwtKey;
    assert.ok(added.activeFrom > Date.now() + 86000_000, 'published a day before it signs');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.deepEqual(await readdir(join(dir, 'rotate')), ['jwt-keys.json'], 'no temporary file left');
    const reloaded = await loadOrCreateKeyRing(file, { now: Date.now() });
    assert.deepEqual(
      reloaded.keys.map((key) => key.kid),
      [...before.map((key) => key.kid), 'next-key'],
    );
    for (const secret of afterRotate.map((key) => key.jwk.d)) {
      assert.ok(!run.stdout.includes(secret as string) && !run.stderr.includes(secret as string));
    }
    const now = await runCli(['keys', 'rotate', '--file', file, '--alg', 'ES256', '--active-in', '0'], {});
    assert.equal(now.code, 0, now.stderr);
    assert.equal(JSON.parse(await readFile(file, 'utf8')).length, before.length + 2);
    const dup = await runCli(['keys', 'rotate', '--file', file, '--kid', 'next-key'], {});
    assert.equal(dup.code, 2);
    assert.match(dup.stderr, /already holds a key "next-key"/);
    const missing = await runCli(['keys', 'rotate', '--file', join(dir, 'none.json')], {});
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read the key file .*none\.json \(ENOENT\)/);
    assert.equal((await runCli(['keys', 'rotate'], {})).code, 2, 'rotate needs --file');
  });

  it('list shows kids, algorithms and times but never secret material (no d, no k), from a file or TESSERA_JWT_KEYS', async () => {
    const now = Date.now();
    const keys = [
      generateJwtKey('EdDSA', now - 86400_000, 'old-ed'),
      generateJwtKey('ES256', now - 1000, 'cur-es'),
      generateJwtKey('HS256', now + 86400_000, 'next-hs'),
    ].map(exportJwtKey);
    const secrets = keys.map((key) => (key.alg === 'HS256' ? key.jwk.k : key.jwk.d) as string);
    assert.equal(secrets.length, 3);
    const file = join(dir, 'list.json');
    await writeFile(file, JSON.stringify(keys), { mode: 0o644 });
    await chmod(file, 0o644);
    const shown = await runCli(['keys', 'list', '--file', file], {});
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^old-ed +EdDSA +\S+ +verifying$/m);
    assert.match(shown.stdout, /^cur-es +ES256 +\S+ +signing$/m);
    assert.match(shown.stdout, /^next-hs +HS256 +\S+ +next \(published\)$/m);
    assert.match(shown.stderr, /readable by other users \(mode 644\)/);
    const json = await runCli(['keys', 'list', '--file', file, '--json'], {});
    assert.equal(json.code, 0, json.stderr);
    const listed = JSON.parse(json.stdout) as {
      keys: { kid: string; publicJwk: Record<string, unknown> | null }[];
    };
    assert.deepEqual(
      listed.keys.map((key) => key.kid),
      ['old-ed', 'cur-es', 'next-hs'],
    );
    assert.equal(listed.keys[2]?.publicJwk, null, 'an HMAC key has no public part');
    assert.equal(listed.keys[0]?.publicJwk?.d, undefined);
    const fromEnv = await runCli(['keys', 'list'], {
      TESSERA_JWT_KEYS: JSON.stringify(keys),
      TESSERA_DATA_DIR: dir,
    });
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    assert.match(fromEnv.stdout, /3 keys in TESSERA_JWT_KEYS/);
    for (const run of [shown, json, fromEnv]) {
      for (const secret of secrets) {
        assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret), 'no private part printed');
      }
      assert.doesNotMatch(run.stdout, /"(d|k)":/);
    }
    await writeFile(file, '[{"kid":"x","alg":"EdDSA","activeFrom":1,"jwk":{"d":"c2VjcmV0LXBhcnQ"}}]');
    const broken = await runCli(['keys', 'list', '--file', file], {});
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /is not a usable key file/);
    assert.ok(!broken.stderr.includes('c2VjcmV0LXBhcnQ'), 'the error quotes nothing of the file');
  });
});
