import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { calculateJwkThumbprint } from 'jose';
import { manualClock } from '../../src/core/clock.js';
import { StoreUnavailableError } from '../../src/core/errors.js';
import type { OneTimeKeys } from '../../src/core/store.js';
import {
  DpopNonces,
  DpopProofs,
  jwkThumbprint,
  normalizeHtu,
  publicJwkFor,
} from '../../src/stateless/dpop/index.js';
import { MemoryStore } from '../../src/stores/memory/memory-store.js';
import { DpopTestKey } from '../support/dpop-key.js';

const T0 = Date.UTC(2026, 11, 2, 12, 0, 0);
const HTU = 'https://api.example.com/orders';
const NONCE_SECRET = 'dpop-nonce-secret-0123456789abcdef-0123';

function setup(options: { nonces?: boolean; maxAge?: number } = {}) {
  const clock = manualClock(T0);
  const store = new MemoryStore();
  const nonces = options.nonces ? new DpopNonces({ secret: NONCE_SECRET, clock, lifetime: 300 }) : null;
  const proofs = new DpopProofs({
    store,
    clock,
    nonces,
    ...(options.maxAge === undefined ? {} : { maxAge: options.maxAge }),
  });
  return { clock, store, proofs, nonces };
}

describe('DPoP key thumbprints (RFC 7638)', () => {
  it('match jose for P-256 and Ed25519 keys', async () => {
    for (const alg of ['ES256', 'EdDSA'] as const) {
      const key = await DpopTestKey.create(alg);
      const jwk = publicJwkFor(alg, key.publicJwk);
      assert.ok(jwk !== null);
      assert.equal(jwkThumbprint(jwk), await calculateJwkThumbprint(key.publicJwk));
    }
  });

  it("take only public keys of the algorithm's curve", async () => {
    const ec = await DpopTestKey.create('ES256');
    const ed = await DpopTestKey.create('EdDSA');
    assert.equal(publicJwkFor('ES256', ed.publicJwk), null, 'an Ed25519 key for ES256');
    assert.equal(publicJwkFor('EdDSA', ec.publicJwk), null, 'a P-256 key for EdDSA');
    assert.equal(publicJwkFor('ES256', await ec.privateJwk()), null, 'a private key');
    assert.equal(
      publicJwkFor('ES256', { ...ec.publicJwk, x: `${ec.publicJwk.x}A` }),
      null,
      'a long coordinate',
    );
    assert.equal(publicJwkFor('ES256', { ...ec.publicJwk, k: 'AAAA' }), null, 'a symmetric member');
    assert.equal(publicJwkFor('ES256', null), null);
    assert.equal(publicJwkFor('ES256', [ec.publicJwk]), null);
  });
});

describe('htu normalisation (RFC 9449 4.3, RFC 3986 6.2.2)', () => {
  it('compares scheme and host case-insensitively, without default port, query or fragment', () => {
    const same = [
      'https://api.example.com/orders',
      'HTTPS://API.Example.COM/orders',
      'https://api.example.com:443/orders',
      'https://api.example.com/orders?page=2',
      'https://api.example.com/orders#top',
      'https://api.example.com/a/../orders',
      'https://api.example.com/%6Frders',
    ];
    for (const url of same) assert.equal(normalizeHtu(url), 'https://api.example.com/orders', url);
    assert.equal(normalizeHtu('https://api.example.com/a%2fb'), 'https://api.example.com/a%2Fb');
    assert.notEqual(normalizeHtu('https://api.example.com:8443/orders'), normalizeHtu(HTU));
    assert.notEqual(normalizeHtu('http://api.example.com/orders'), normalizeHtu(HTU));
    assert.notEqual(normalizeHtu('https://api.example.com/Orders'), normalizeHtu(HTU));
    for (const bad of ['/orders', 'ftp://x/y', 'https://user:pw@api.example.com/', 'not a url', '']) {
      assert.equal(normalizeHtu(bad), null, bad);
    }
  });
});

describe('DpopProofs.verify', () => {
  it('accepts a fresh proof for the request, ES256 and EdDSA, and names its key', async () => {
    const { proofs, clock } = setup();
    for (const alg of ['ES256', 'EdDSA'] as const) {
      const key = await DpopTestKey.create(alg, clock);
      const proof = await key.proof({ htm: 'POST', htu: HTU });
      const result = await proofs.verify(proof, { method: 'post', url: `${HTU}?x=1` });
      assert.deepEqual(result, { ok: true, jkt: key.jkt }, alg);
    }
  });

  it('accepts a proof once: a replay is refused, on any node sharing the store', async () => {
    const { proofs, clock, store } = setup();
    const other = new DpopProofs({ store, clock });
    const key = await DpopTestKey.create('ES256', clock);
    const proof = await key.proof({ htm: 'GET', htu: HTU });
    assert.equal((await proofs.verify(proof, { method: 'GET', url: HTU })).ok, true);
    const again = await other.verify(proof, { method: 'GET', url: HTU });
    assert.deepEqual(again, { ok: false, error: 'invalid_dpop_proof', reason: 'replay' });
  });

  it("checks a client's repeated header once, yet every proof's signature and claims each time", async () => {
    const clock = manualClock(T0);
    const proofs = new DpopProofs({ store: new MemoryStore(), clock, keyCacheSize: 1 });
    const a = await DpopTestKey.create('ES256', clock);
    const b = await DpopTestKey.create('ES256', clock);
    const target = { method: 'GET', url: HTU };
    assert.equal((await proofs.verify(await a.proof({ htm: 'GET', htu: HTU }), target)).ok, true);
    // Same header bytes (a's key), signed by b: the cached verifier is a's, so the signature fails.
    const forged = await b.proof({ htm: 'GET', htu: HTU, header: { jwk: a.publicJwk } });
    assert.equal(forged.split('.')[0], (await a.proof({ htm: 'GET', htu: HTU })).split('.')[0]);
    assert.deepEqual(await proofs.verify(forged, target), {
      ok: false,
      error: 'invalid_dpop_proof',
      reason: 'signature',
    });
    // The header is known, the claims are still checked.
    const wrongMethod = await a.proof({ htm: 'POST', htu: HTU });
    assert.equal((await proofs.verify(wrongMethod, target)).ok, false);
    // A cache of one: alternating keys evict each other and are checked from scratch, still accepted.
    for (const key of [b, a, b]) {
      const result = await proofs.verify(await key.proof({ htm: 'GET', htu: HTU }), target);
      assert.deepEqual(result, { ok: true, jkt: key.jkt });
    }
    // A refused header is never kept: sent again, it is refused again for the same reason.
    const kid = await a.proof({ htm: 'GET', htu: HTU, header: { kid: 'k1' } });
    for (let i = 0; i < 2; i += 1) {
      assert.equal(((await proofs.verify(kid, target)) as { reason: string }).reason, 'header');
    }
  });

  it('refuses every malformed or misbound proof with its reason, and writes nothing for them', async () => {
    const { proofs, clock } = setup();
    const key = await DpopTestKey.create('ES256', clock);
    const otherKey = await DpopTestKey.create('ES256', clock);
    const good = { htm: 'GET', htu: HTU };
    const now = Math.floor(clock() / 1000);
    const foreignSigned = await otherKey.proof({ ...good, header: { jwk: key.publicJwk } });
    const cases: [string, string | null, string][] = [
      ['no proof', null, 'missing'],
      ['two proofs', `${await key.proof(good)},${await key.proof(good)}`, 'multiple'],
      ['not a JWS', 'abc.def', 'malformed'],
      ['oversized', 'a'.repeat(5000), 'oversized'],
      ['typ JWT', await key.proof({ ...good, header: { typ: 'JWT' } }), 'type'],
      ['no typ', await key.proof({ ...good, header: { typ: undefined } }), 'type'],
      ['a kid', await key.proof({ ...good, header: { kid: 'k1' } }), 'header'],
      ['no jwk', await key.proof({ ...good, header: { jwk: undefined } }), 'key'],
      ['a private jwk', await key.proof({ ...good, header: { jwk: await key.privateJwk() } }), 'key'],
      ['signed by another key', foreignSigned, 'signature'],
      ['another method', await key.proof({ ...good, htm: 'POST' }), 'method'],
      ['another URL', await key.proof({ ...good, htu: 'https://api.example.com/admin' }), 'url'],
      ['another host', await key.proof({ ...good, htu: 'https://evil.example/orders' }), 'url'],
      ['too old', await key.proof({ ...good, iat: now - 61 }), 'too_old'],
      ['from the future', await key.proof({ ...good, iat: now + 6 }), 'not_yet_valid'],
      ['no jti', await key.proof({ ...good, claims: { jti: undefined } }), 'claims'],
      ['a short jti', await key.proof({ ...good, jti: 'abc' }), 'claims'],
      ['iat as text', await key.proof({ ...good, claims: { iat: String(now) } }), 'claims'],
      ['an ath without a token', await key.proof({ ...good, accessToken: 'x' }), 'claims'],
    ];
    for (const [name, proof, reason] of cases) {
      const result = await proofs.verify(proof, { method: 'GET', url: HTU });
      assert.deepEqual(result, { ok: false, error: 'invalid_dpop_proof', reason }, name);
    }
    // Refused proofs took no store write: the same jti is still usable by a good proof.
    const jti = 'reused-jti-0123456789';
    await proofs.verify(await key.proof({ ...good, htm: 'POST', jti }), { method: 'GET', url: HTU });
    assert.equal(
      (await proofs.verify(await key.proof({ ...good, jti }), { method: 'GET', url: HTU })).ok,
      true,
    );
  });

  it('refuses algorithms outside its list: none, HS256, and EdDSA when only ES256 is allowed', async () => {
    const { store, clock } = setup();
    const onlyEs = new DpopProofs({ store, clock, algorithms: ['ES256'] });
    const ed = await DpopTestKey.create('EdDSA', clock);
    const edProof = await ed.proof({ htm: 'GET', htu: HTU });
    assert.equal(
      ((await onlyEs.verify(edProof, { method: 'GET', url: HTU })) as { reason: string }).reason,
      'algorithm',
    );
    const [, payload] = edProof.split('.');
    for (const alg of ['none', 'HS256', 'RS256']) {
      const header = Buffer.from(JSON.stringify({ typ: 'dpop+jwt', alg, jwk: ed.publicJwk })).toString(
        'base64url',
      );
      const result = await onlyEs.verify(`${header}.${payload}.`, { method: 'GET', url: HTU });
      assert.equal((result as { reason: string }).reason, 'algorithm', alg);
    }
  });

  it('compares the scheme unless the server cannot know it (schemeUnknown): host, port and path still count', async () => {
    const { proofs, clock } = setup();
    const key = await DpopTestKey.create('ES256', clock);
    const plain = 'http://api.example.com/orders';
    const known = await proofs.verify(await key.proof({ htm: 'GET', htu: plain }), {
      method: 'GET',
      url: HTU,
    });
    assert.equal((known as { reason: string }).reason, 'url');
    const unknown = { method: 'GET', url: HTU, schemeUnknown: true };
    assert.equal((await proofs.verify(await key.proof({ htm: 'GET', htu: plain }), unknown)).ok, true);
    const otherPort = await key.proof({ htm: 'GET', htu: 'http://api.example.com:8080/orders' });
    assert.equal(((await proofs.verify(otherPort, unknown)) as { reason: string }).reason, 'url');
  });

  it('binds the proof to the access token (ath)', async () => {
    const { proofs, clock } = setup();
    const key = await DpopTestKey.create('ES256', clock);
    const target = { method: 'GET', url: HTU, accessToken: 'the.access.token' };
    const right = await key.proof({ htm: 'GET', htu: HTU, accessToken: 'the.access.token' });
    assert.equal((await proofs.verify(right, target)).ok, true);
    const wrong = await key.proof({ htm: 'GET', htu: HTU, accessToken: 'another.access.token' });
    assert.equal(((await proofs.verify(wrong, target)) as { reason: string }).reason, 'token_hash');
    const none = await key.proof({ htm: 'GET', htu: HTU });
    assert.equal(((await proofs.verify(none, target)) as { reason: string }).reason, 'token_hash');
  });

  it('asks for its nonce (use_dpop_nonce), accepts it for two periods, and hands out the next one', async () => {
    const { proofs, clock, nonces } = setup({ nonces: true });
    const key = await DpopTestKey.create('ES256', clock);
    const first = await proofs.verify(await key.proof({ htm: 'GET', htu: HTU }), { method: 'GET', url: HTU });
    assert.equal(first.ok, false);
    assert.equal(first.ok === false && first.error, 'use_dpop_nonce');
    const nonce = (first as { nonce: string }).nonce;
    assert.equal(nonce, nonces?.current());
    const withNonce = await proofs.verify(await key.proof({ htm: 'GET', htu: HTU, nonce }), {
      method: 'GET',
      url: HTU,
    });
    assert.deepEqual(withNonce, { ok: true, jkt: key.jkt });
    clock.advance(300_000);
    const stale = await proofs.verify(await key.proof({ htm: 'GET', htu: HTU, nonce }), {
      method: 'GET',
      url: HTU,
    });
    assert.equal(stale.ok, true, 'the previous period is still accepted');
    assert.equal(stale.ok && stale.nextNonce, nonces?.current(), 'with the current nonce to switch to');
    assert.notEqual(nonces?.current(), nonce);
    clock.advance(300_000);
    const expired = await proofs.verify(await key.proof({ htm: 'GET', htu: HTU, nonce }), {
      method: 'GET',
      url: HTU,
    });
    assert.equal(expired.ok === false && expired.error, 'use_dpop_nonce');
    const forged = await proofs.verify(await key.proof({ htm: 'GET', htu: HTU, nonce: `${nonce}x` }), {
      method: 'GET',
      url: HTU,
    });
    assert.equal(forged.ok === false && forged.error, 'use_dpop_nonce');
    // Another deployment's secret makes other nonces.
    const elsewhere = new DpopNonces({ secret: `${NONCE_SECRET}-other`, clock });
    assert.equal(nonces?.check(elsewhere.current()), 'invalid');
  });

  it('fails closed when the store cannot record the proof (503), and the proof stays usable', async () => {
    const { clock } = setup();
    const store = new MemoryStore();
    let down = true;
    const flaky: OneTimeKeys & { kind: string } = {
      kind: 'memory',
      useOnce: (key, expiresAt, now) =>
        down ? Promise.reject(new Error('connect ECONNREFUSED')) : store.useOnce(key, expiresAt, now),
    };
    const proofs = new DpopProofs({ store: flaky, clock });
    const key = await DpopTestKey.create('ES256', clock);
    const proof = await key.proof({ htm: 'GET', htu: HTU });
    await assert.rejects(proofs.verify(proof, { method: 'GET', url: HTU }), StoreUnavailableError);
    down = false;
    assert.equal((await proofs.verify(proof, { method: 'GET', url: HTU })).ok, true);
  });

  it('refuses bad options with TypeError', () => {
    const store = new MemoryStore();
    assert.throws(() => new DpopProofs({} as never), TypeError);
    assert.throws(() => new DpopProofs({ store, algorithms: ['RS256' as never] }), TypeError);
    assert.throws(() => new DpopProofs({ store, algorithms: [] }), TypeError);
    assert.throws(() => new DpopProofs({ store, maxAge: 0 }), TypeError);
    assert.throws(() => new DpopNonces({ secret: 'short' }), TypeError);
    assert.throws(() => new DpopNonces({ secret: NONCE_SECRET, lifetime: 1 }), TypeError);
  });
});
