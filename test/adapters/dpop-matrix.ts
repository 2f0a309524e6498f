import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DpopTestKey } from '../support/dpop-key.js';
import { assertRefused, type CallOptions, call, type Reply } from './client.js';
import type { MatrixServer, StartServer } from './matrix.js';
import { createWorld, type World } from './world.js';

/**
 * The behaviour matrix for DPoP-bound access tokens (RFC 9449) through every adapter: the proof is checked against
 * the method and URL each adapter reports, the bound token is refused as a bearer token or with another key, a
 * proof is accepted once, the server's nonce is asked for and rotates, and a store fault fails closed (503).
 */
export function runDpopMatrix(name: string, start: StartServer): void {
  describe(`adapter matrix: ${name} × access-token-dpop`, () => {
    let world: World;
    let server: MatrixServer;
    let key: DpopTestKey;
    let subjects = 0;
    let nonce: string | undefined;

    before(async () => {
      world = createWorld('access-token-dpop');
      server = await start(world);
      key = await DpopTestKey.create('ES256', world.clock);
    });
    after(async () => {
      await server.close();
    });

    const bound = (level = 1, jkt = key.jkt): { subject: string; jwt: string } => {
      const subject = `dpop-${++subjects}`;
      return { subject, jwt: world.issueAccess(subject, level, jkt) };
    };
    const send = (
      path: string,
      jwt: string,
      proof: string | null,
      options: CallOptions = {},
    ): Promise<Reply> =>
      call(server.origin, path, {
        ...options,
        headers: {
          authorization: `DPoP ${jwt}`,
          ...(proof === null ? {} : { dpop: proof }),
          ...options.headers,
        },
      });
    /** A proof for `path`, with the server's current nonce (asked for once, as a client does). */
    const proofFor = async (
      path: string,
      jwt: string,
      method = 'GET',
      signer: DpopTestKey = key,
    ): Promise<string> => {
      if (nonce === undefined) {
        const asked = await send(
          path,
          jwt,
          await signer.proof({ htm: method, htu: server.origin + path, accessToken: jwt }),
          { method },
        );
        nonce = asked.headers.get('dpop-nonce') ?? undefined;
        assert.ok(nonce, 'the first proof without a nonce is answered with one');
      }
      return signer.proof({ htm: method, htu: server.origin + path, accessToken: jwt, nonce });
    };

    it('asks for the server nonce (401 dpop_nonce_required, DPoP-Nonce), then accepts the proof', async () => {
      const { subject, jwt } = bound();
      const first = await send(
        '/me',
        jwt,
        await key.proof({ htm: 'GET', htu: `${server.origin}/me`, accessToken: jwt }),
      );
      assertRefused(first, 401, 'dpop_nonce_required');
      assert.match(
        first.headers.get('www-authenticate') ?? '',
        /^Bearer realm="tessera", DPoP error="use_dpop_nonce", algs="ES256 EdDSA"$/,
      );
      nonce = first.headers.get('dpop-nonce') ?? undefined;
      assert.ok(nonce);
      const reply = await send('/me', jwt, await proofFor('/me', jwt));
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      assert.equal(reply.body.subject, subject);
      assert.deepEqual(reply.setCookies, []);
      assert.match(reply.headers.get('cache-control') ?? '', /no-store/);
    });

    it('refuses the bound token as a bearer token, or with a proof by another key (401 token_invalid)', async () => {
      const { jwt } = bound();
      const asBearer = await call(server.origin, '/me', { bearer: jwt });
      assertRefused(asBearer, 401, 'token_invalid');
      assert.match(asBearer.headers.get('www-authenticate') ?? '', /DPoP error="invalid_token"/);
      const thief = await DpopTestKey.create('ES256', world.clock);
      assertRefused(await send('/me', jwt, await proofFor('/me', jwt, 'GET', thief)), 401, 'token_invalid');
    });

    it('refuses a missing proof, a proof for another URL or method, and a replayed proof (401 dpop_proof_invalid)', async () => {
      const { jwt } = bound();
      const noProof = await send('/me', jwt, null);
      assertRefused(noProof, 401, 'dpop_proof_invalid');
      assert.match(noProof.headers.get('www-authenticate') ?? '', /DPoP error="invalid_dpop_proof"/);
      assertRefused(await send('/me', jwt, await proofFor('/admin', jwt)), 401, 'dpop_proof_invalid');
      assertRefused(await send('/me', jwt, await proofFor('/me', jwt, 'POST')), 401, 'dpop_proof_invalid');
      const proof = await proofFor('/me', jwt);
      assert.equal((await send('/me', jwt, proof)).status, 200);
      assertRefused(await send('/me', jwt, proof), 401, 'dpop_proof_invalid');
    });

    it('takes the path without its query, and checks POSTs without CSRF (a browser never sends the header)', async () => {
      const { jwt } = bound();
      const proof = await proofFor('/me', jwt);
      assert.equal((await send('/me?page=2', jwt, proof)).status, 200);
      const post = await send('/action', jwt, await proofFor('/action', jwt, 'POST'), {
        method: 'POST',
        site: 'cross-site',
      });
      assert.equal(post.status, 200, JSON.stringify(post.body));
    });

    it('still serves unbound bearer tokens (optional DPoP), and names both schemes when no token is sent', async () => {
      const { jwt } = bound(1, undefined as unknown as string);
      const plain = world.issueAccess(`plain-${++subjects}`);
      assert.equal((await call(server.origin, '/me', { bearer: plain })).status, 200);
      assert.ok(jwt);
      const missing = await call(server.origin, '/me');
      assertRefused(missing, 401, 'token_missing');
      assert.equal(
        missing.headers.get('www-authenticate'),
        'Bearer realm="tessera", DPoP algs="ES256 EdDSA"',
      );
      // An unbound token with the DPoP scheme is not a bound token: refused.
      assertRefused(await send('/me', plain, await proofFor('/me', plain)), 401, 'token_invalid');
    });

    it('applies levels to bound tokens as to bearer ones (403 insufficient_level)', async () => {
      const low = bound(1).jwt;
      assertRefused(await send('/admin', low, await proofFor('/admin', low)), 403, 'insufficient_level');
      const high = bound(2).jwt;
      assert.equal((await send('/admin', high, await proofFor('/admin', high))).status, 200);
    });

    it('fails closed when the store cannot record the proof (503 store_unavailable)', async () => {
      const { jwt } = bound();
      const proof = await proofFor('/me', jwt);
      world.storeDown = true;
      try {
        assertRefused(await send('/me', jwt, proof), 503, 'store_unavailable');
      } finally {
        world.storeDown = false;
      }
      assert.equal((await send('/me', jwt, proof)).status, 200, 'the refused proof was not recorded');
    });
  });
}
