import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cryptoRandom } from '../../src/core/random.js';
import { apiKeyMatches, loadOrCreateApiKey } from '../../src/service/api-key.js';
import { ConfigError, loadConfig } from '../../src/service/config.js';
import { openStore } from '../../src/service/store-from-url.js';
import { startService } from './helpers.js';

describe('service config', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    assert.equal(config.port, 4455);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.dataDir, resolve('data'));
    assert.equal(config.store, `sqlite:${resolve('data', 'tessera.sqlite')}`);
    assert.equal(config.idleTimeout, 1800);
    assert.equal(config.absoluteTimeout, 43200);
    assert.equal(config.apiKey, null);
    assert.equal(config.cookie.name, '__Host-session');
    assert.equal(config.cookie.secure, true);
    assert.equal(config.maxSessionsPerSubject, null);
    assert.equal(config.overflow, 'evict-oldest');
    assert.equal(config.logLevel, 'info');
  });

  it('reads every variable', () => {
    const config = loadConfig({
      TESSERA_PORT: '8080',
      TESSERA_HOST: '0.0.0.0',
      TESSERA_DATA_DIR: '/tmp/tessera-x',
      TESSERA_STORE: 'memory:',
      TESSERA_IDLE_TIMEOUT: '600',
      TESSERA_ABSOLUTE_TIMEOUT: '3600',
      TESSERA_API_KEY: 'k'.repeat(40),
      TESSERA_COOKIE_NAME: '__Host-app',
      TESSERA_MAX_SESSIONS_PER_SUBJECT: '5',
      TESSERA_SESSION_OVERFLOW: 'refuse',
      TESSERA_SWEEP_INTERVAL: '30',
      TESSERA_LOG_LEVEL: 'warn',
    });
    assert.equal(config.port, 8080);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.dataDir, '/tmp/tessera-x');
    assert.equal(config.store, 'memory:');
    assert.equal(config.idleTimeout, 600);
    assert.equal(config.absoluteTimeout, 3600);
    assert.equal(config.apiKey, 'k'.repeat(40));
    assert.equal(config.cookie.name, '__Host-app');
    assert.equal(config.maxSessionsPerSubject, 5);
    assert.equal(config.overflow, 'refuse');
    assert.equal(config.sweepInterval, 30);
    assert.equal(config.logLevel, 'warn');
  });

  it('the insecure cookie is only the explicit development switch', () => {
    const dev = loadConfig({ TESSERA_DEV_INSECURE_COOKIE: '1' });
    assert.equal(dev.cookie.secure, false);
    assert.equal(dev.cookie.name, 'tessera-session');
    assert.throws(
      () => loadConfig({ TESSERA_DEV_INSECURE_COOKIE: '1', TESSERA_COOKIE_NAME: '__Host-x' }),
      (error: Error) =>
        error instanceof ConfigError &&
        /TESSERA_COOKIE_NAME.*__Host- cookie must be Secure/.test(error.message),
    );
    assert.throws(
      () => loadConfig({ TESSERA_DEV_INSECURE_COOKIE: 'yes' }),
      /TESSERA_DEV_INSECURE_COOKIE must be 1 or 0/,
    );
    assert.throws(
      () => loadConfig({ TESSERA_COOKIE_NAME: 'bad name;' }),
      /TESSERA_COOKIE_NAME is not usable/,
    );
  });

  it('an unprefixed TESSERA_COOKIE_NAME stops start-up unless TESSERA_UNSAFE_UNPREFIXED_COOKIE=1', () => {
    for (const name of ['sid', '__host-sid']) {
      assert.throws(
        () => loadConfig({ TESSERA_COOKIE_NAME: name }),
        (error: Error) =>
          error instanceof ConfigError &&
          error.variable === 'TESSERA_COOKIE_NAME' &&
          /must start with __Host- \(or __Secure-\).*TESSERA_UNSAFE_UNPREFIXED_COOKIE=1/.test(error.message),
      );
    }
    assert.equal(loadConfig({ TESSERA_COOKIE_NAME: '__Secure-sid' }).cookie.name, '__Secure-sid');
    const legacy = loadConfig({ TESSERA_COOKIE_NAME: 'sid', TESSERA_UNSAFE_UNPREFIXED_COOKIE: '1' });
    assert.equal(legacy.cookie.name, 'sid');
    assert.equal(legacy.cookie.secure, true);
    assert.equal(legacy.unprefixedCookie, true);
    // Development mode (plain HTTP, where no prefix can be used) needs no opt-out, whatever the name.
    assert.equal(
      loadConfig({ TESSERA_DEV_INSECURE_COOKIE: '1', TESSERA_COOKIE_NAME: 'dev-sid' }).cookie.name,
      'dev-sid',
    );
    assert.throws(
      () => loadConfig({ TESSERA_COOKIE_NAME: 'sid', TESSERA_UNSAFE_UNPREFIXED_COOKIE: 'yes' }),
      /TESSERA_UNSAFE_UNPREFIXED_COOKIE must be 1 or 0/,
    );
    // An invalid name is still reported as such, not as a missing prefix.
    assert.throws(
      () => loadConfig({ TESSERA_COOKIE_NAME: 'bad name;', TESSERA_UNSAFE_UNPREFIXED_COOKIE: '1' }),
      /TESSERA_COOKIE_NAME is not usable: cookie name "bad name;" is not a valid cookie name/,
    );
  });

  it('the service starts with an opted-out unprefixed name and sets that cookie', async () => {
    const service = await startService({ TESSERA_COOKIE_NAME: 'sid', TESSERA_UNSAFE_UNPREFIXED_COOKIE: '1' });
    try {
      const created = await service.call('POST', '/v1/sessions', { subject: 'user-1' });
      assert.equal(created.status, 201);
      assert.match(created.headers.get('set-cookie') ?? '', /^sid=[^;]+; Path=\/; HttpOnly; Secure;/);
    } finally {
      await service.close();
    }
  });

  it('refuses bad values with a message naming the variable', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ TESSERA_PORT: 'abc' }, /^TESSERA_PORT must be a whole number from 0 to 65535 \(got "abc"\)/],
      [{ TESSERA_PORT: '70000' }, /^TESSERA_PORT must be a whole number/],
      [{ TESSERA_PORT: '-1' }, /^TESSERA_PORT must be a whole number/],
      [{ TESSERA_IDLE_TIMEOUT: '0' }, /^TESSERA_IDLE_TIMEOUT must be a whole number from 1/],
      [{ TESSERA_IDLE_TIMEOUT: '1.5' }, /^TESSERA_IDLE_TIMEOUT must be a whole number/],
      [{ TESSERA_ABSOLUTE_TIMEOUT: '10m' }, /^TESSERA_ABSOLUTE_TIMEOUT must be a whole number/],
      [
        { TESSERA_IDLE_TIMEOUT: '7200', TESSERA_ABSOLUTE_TIMEOUT: '3600' },
        /^TESSERA_IDLE_TIMEOUT \(7200\) must not exceed/,
      ],
      [{ TESSERA_SESSION_OVERFLOW: 'drop' }, /^TESSERA_SESSION_OVERFLOW must be one of evict-oldest, refuse/],
      [{ TESSERA_LOG_LEVEL: 'debug' }, /^TESSERA_LOG_LEVEL must be one of/],
      [
        { TESSERA_MAX_SESSIONS_PER_SUBJECT: '0' },
        /^TESSERA_MAX_SESSIONS_PER_SUBJECT must be a whole number from 1/,
      ],
      [{ TESSERA_HOST: 'a b' }, /^TESSERA_HOST must be/],
    ];
    for (const [env, message] of cases) {
      assert.throws(
        () => loadConfig(env),
        (error: Error) => error instanceof ConfigError && message.test(error.message),
      );
    }
  });

  it('a short API key is refused without echoing it', () => {
    const secretish = 'short-secret-value';
    assert.throws(
      () => loadConfig({ TESSERA_API_KEY: secretish }),
      (error: Error) =>
        /^TESSERA_API_KEY must be 32 to 512/.test(error.message) && !error.message.includes(secretish),
    );
  });
});

describe('service store URLs', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-store-url-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('opens memory:, sqlite:<path>, a plain path and sqlite: in the data folder', async () => {
    const memory = await openStore('memory:', { dataDir: dir });
    assert.equal(memory.kind, 'memory');
    await memory.close();
    const explicit = await openStore(`sqlite:${join(dir, 'a', 'one.sqlite')}`, { dataDir: dir });
    assert.equal(explicit.kind, 'sqlite');
    await explicit.close();
    assert.ok(existsSync(join(dir, 'a', 'one.sqlite')));
    const plain = await openStore(join(dir, 'two.sqlite'), { dataDir: dir });
    assert.equal(plain.kind, 'sqlite');
    await plain.close();
    assert.ok(existsSync(join(dir, 'two.sqlite')));
    const inDataDir = await openStore('sqlite:', { dataDir: dir });
    await inDataDir.close();
    assert.ok(existsSync(join(dir, 'tessera.sqlite')));
  });

  it('an unknown scheme is a config error that never echoes the rest of the URL', async () => {
    await assert.rejects(openStore('ftp://user:hunter2@example.com/x', { dataDir: dir }), (error: Error) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /^TESSERA_STORE uses an unsupported scheme "ftp:"/);
      assert.ok(!error.message.includes('hunter2'));
      return true;
    });
  });
});

describe('service API key', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-api-key-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is generated once into <dataDir>/api-key with mode 0600, then read back', async () => {
    const dataDir = join(dir, 'data');
    const first = await loadOrCreateApiKey(null, dataDir, cryptoRandom);
    assert.equal(first.created, true);
    assert.equal(first.path, join(dataDir, 'api-key'));
    assert.match(first.key, /^[A-Za-z0-9_-]{43}$/);
    assert.equal((await stat(first.path as string)).mode & 0o777, 0o600);
    assert.equal((await readFile(first.path as string, 'utf8')).trim(), first.key);
    const second = await loadOrCreateApiKey(null, dataDir, cryptoRandom);
    assert.deepEqual(second, { key: first.key, created: false, path: first.path });
  });

  it('TESSERA_API_KEY wins and writes nothing', async () => {
    const dataDir = join(dir, 'configured');
    const result = await loadOrCreateApiKey('c'.repeat(40), dataDir, cryptoRandom);
    assert.deepEqual(result, { key: 'c'.repeat(40), created: false, path: null });
    assert.ok(!existsSync(join(dataDir, 'api-key')));
  });

  it('matches only the exact key as a Bearer credential', () => {
    const key = 'k'.repeat(43);
    assert.equal(apiKeyMatches(`Bearer ${key}`, key), true);
    assert.equal(apiKeyMatches(`bearer ${key}`, key), true);
    assert.equal(apiKeyMatches(undefined, key), false);
    assert.equal(apiKeyMatches('Bearer ', key), false);
    assert.equal(apiKeyMatches(`Bearer ${key}x`, key), false);
    assert.equal(apiKeyMatches(`Bearer ${key.slice(1)}`, key), false);
    assert.equal(apiKeyMatches(key, key), false);
    assert.equal(apiKeyMatches(`Basic ${key}`, key), false);
  });

  it('TESSERA_JWT_KEYS is imported at start-up; a bad one stops it without quoting key material', async () => {
    const { exportJwtKey, generateJwtKey } = await import('../../src/stateless/jwt/keys.js');
    const good = JSON.stringify([exportJwtKey(generateJwtKey('EdDSA', 0, 'k1'))]);
    assert.equal(loadConfig({ TESSERA_JWT_KEYS: good }).tokens.keys, good);
    const secretish = 'c2VjcmV0LWtleS1tYXRlcmlhbC0wMTIzNDU2Nzg5';
    const bad: [string, RegExp][] = [
      [`[{"kid":"k1","alg":"HS256","activeFrom":0,"jwk":{"k":"${secretish}}]`, /is not valid JSON/],
      ['{}', /non-empty JSON array/],
      ['[{"kid":"bad kid!","alg":"EdDSA","activeFrom":0,"jwk":{}}]', /needs a kid/],
      [`[{"kid":"h","alg":"HS256","activeFrom":0,"jwk":{"k":"c2hvcnQ"}}]`, /key "h" is not usable/],
      [
        '[{"kid":"e","alg":"EdDSA","activeFrom":0,"jwk":{"kty":"OKP","crv":"Ed25519","d":"AAAA"}}]',
        /key "e" is not usable/,
      ],
      [`${good.slice(0, -1)},${good.slice(1)}`, /appears twice/],
    ];
    for (const [value, message] of bad) {
      assert.throws(
        () => loadConfig({ TESSERA_JWT_KEYS: value }),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.equal(error.variable, 'TESSERA_JWT_KEYS');
          assert.match(error.message, message);
          assert.doesNotMatch(error.message, /c2VjcmV0|c2hvcnQ|AAAA/, 'no key material in the message');
          return true;
        },
      );
    }
  });
});
