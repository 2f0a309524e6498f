// Workers build their objects at module scope, where workerd refuses random values: constructing access and
// refresh tokens must draw none (the `jti` key is made on the first issue). The real workerd run is
// test/runtimes/workerd-tokens.test.ts; this holds the rule on Node, where it is cheap to count.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createTessera, MemoryStore } from '../../src/index.js';
import { AccessTokens, hmacKey, JwtKeyRing } from '../../src/stateless/jwt/index.js';
import { RefreshTokens } from '../../src/stateless/refresh/index.js';

const original = globalThis.crypto.getRandomValues.bind(globalThis.crypto);
let draws = 0;
function countDraws(): void {
  draws = 0;
  globalThis.crypto.getRandomValues = ((array: Uint8Array) => {
    draws += 1;
    return original(array);
  }) as typeof globalThis.crypto.getRandomValues;
}
afterEach(() => {
  globalThis.crypto.getRandomValues = original;
});

describe('access and refresh tokens at module scope', () => {
  it('constructing draws no random value; the first issue does, once, and later issues reuse the key', () => {
    countDraws();
    const keys = new JwtKeyRing([hmacKey('k1', 'an-hmac-secret-of-at-least-32-bytes-0123456789')]);
    const manager = createTessera({ store: new MemoryStore() });
    const access = new AccessTokens({ keys, issuer: 'iss', audience: 'api', manager });
    new RefreshTokens({
      manager,
      accessTokens: access,
      secret: 'refresh-secret-with-plenty-of-entropy-0123456789',
    });
    assert.equal(draws, 0, 'nothing random while constructing');
    const sessionId = 'a'.repeat(26);
    const one = access.issue({ subject: 'ada', sessionId });
    const afterFirst = draws;
    assert.equal(afterFirst, 1, 'the jti key, drawn on the first issue');
    const two = access.issue({ subject: 'ada', sessionId });
    assert.equal(draws, afterFirst, 'the key is kept');
    assert.notEqual(one.claims.jti, two.claims.jti);
  });

  it('a given jtiKey is used as is: no draw at all', () => {
    countDraws();
    const keys = new JwtKeyRing([hmacKey('k1', 'an-hmac-secret-of-at-least-32-bytes-0123456789')]);
    const access = new AccessTokens({
      keys,
      issuer: 'iss',
      audience: 'api',
      jtiKey: new Uint8Array(32).fill(9),
    });
    access.issue({ subject: 'ada', sessionId: 'a'.repeat(26) });
    assert.equal(draws, 0);
  });
});
