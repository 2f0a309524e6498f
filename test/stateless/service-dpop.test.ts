import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/service/config.js';
import { DpopTestKey } from '../support/dpop-key.js';
import { startService } from '../service/helpers.js';

interface TokenBody {
  accessToken?: string;
  refreshToken?: string;
  tokenType?: string;
  claims?: Record<string, unknown>;
  error?: { code: string; reason?: string };
}

const TOKEN_URL = 'https://app.example/auth/token';
const API_URL = 'https://app.example/api/orders';

function payloadOf(token: string | undefined): Record<string, unknown> {
  return JSON.parse(Buffer.from((token ?? '').split('.')[1] ?? '', 'base64url').toString('utf8'));
}

async function harness(env: Record<string, string> = {}) {
  const service = await startService(env);
  const key = await DpopTestKey.create('ES256', service.clock);
  const post = async (path: string, body: unknown) => {
    const response = await service.call('POST', path, body);
    return { status: response.status, headers: response.headers, body: response.body as TokenBody };
  };
  const login = async (data?: Record<string, unknown>): Promise<string> => {
    const created = await service.call('POST', '/v1/sessions', {
      subject: 'alice',
      ...(data ? { data } : {}),
    });
    assert.equal(created.status, 201);
    return created.body.token as string;
  };
  return { service, key, post, login };
}

describe('service token routes with DPoP (RFC 9449), TESSERA_DPOP=optional', () => {
  let h: Awaited<ReturnType<typeof harness>>;
  before(async () => {
    h = await harness();
  });
  after(() => h.service.close());

  const tokenProof = (key = h.key) => key.proof({ htm: 'POST', htu: TOKEN_URL });
  const apiProof = (accessToken: string, key = h.key) => key.proof({ htm: 'GET', htu: API_URL, accessToken });

  it('binds the pair to the proof key, and verifies the token only with a proof by that key, once', async () => {
    const issued = await h.post('/v1/tokens', {
      token: await h.login(),
      dpop: { proof: await tokenProof(), method: 'POST', url: TOKEN_URL },
    });
    assert.equal(issued.status, 201, JSON.stringify(issued.body));
    assert.equal(issued.body.tokenType, 'DPoP');
    const accessToken = issued.body.accessToken as string;
    assert.deepEqual(payloadOf(accessToken).cnf, { jkt: h.key.jkt });

    const asBearer = await h.post('/v1/tokens/verify', { accessToken });
    assert.equal(asBearer.status, 401);
    assert.deepEqual(asBearer.body.error?.code, 'token_invalid');
    assert.equal(asBearer.body.error?.reason, 'binding');
    assert.match(asBearer.headers.get('www-authenticate') ?? '', /DPoP error="invalid_token"/);

    const proof = await apiProof(accessToken);
    const verified = await h.post('/v1/tokens/verify', {
      accessToken,
      dpop: { proof, method: 'GET', url: API_URL },
    });
    assert.equal(verified.status, 200, JSON.stringify(verified.body));
    assert.deepEqual(verified.body.claims?.cnf, { jkt: h.key.jkt });

    const replayed = await h.post('/v1/tokens/verify', {
      accessToken,
      dpop: { proof, method: 'GET', url: API_URL },
    });
    assert.equal(replayed.status, 401);
    assert.equal(replayed.body.error?.code, 'dpop_proof_invalid');
    assert.equal(replayed.body.error?.reason, 'replay');

    const thief = await DpopTestKey.create('ES256', h.service.clock);
    const foreign = await h.post('/v1/tokens/verify', {
      accessToken,
      dpop: { proof: await apiProof(accessToken, thief), method: 'GET', url: API_URL },
    });
    assert.equal(foreign.body.error?.code, 'token_invalid');
    assert.equal(foreign.body.error?.reason, 'binding');

    const elsewhere = await h.post('/v1/tokens/verify', {
      accessToken,
      dpop: { proof: await apiProof(accessToken), method: 'GET', url: 'https://app.example/api/admin' },
    });
    assert.equal(elsewhere.body.error?.code, 'dpop_proof_invalid');
    assert.equal(elsewhere.body.error?.reason, 'url');
  });

  it('refreshes a bound family only with a proof by its key; a stolen refresh token alone gets nothing', async () => {
    const issued = await h.post('/v1/tokens', {
      token: await h.login(),
      dpop: { proof: await tokenProof(), method: 'POST', url: TOKEN_URL },
    });
    const refreshToken = issued.body.refreshToken as string;
    const stolen = await h.post('/v1/tokens/refresh', { refreshToken });
    assert.equal(stolen.status, 401);
    assert.equal(stolen.body.error?.code, 'dpop_proof_invalid');
    const thief = await DpopTestKey.create('ES256', h.service.clock);
    const withThiefKey = await h.post('/v1/tokens/refresh', {
      refreshToken,
      dpop: { proof: await tokenProof(thief), method: 'POST', url: TOKEN_URL },
    });
    assert.equal(withThiefKey.body.error?.code, 'dpop_proof_invalid');
    const mine = await h.post('/v1/tokens/refresh', {
      refreshToken,
      dpop: { proof: await tokenProof(), method: 'POST', url: TOKEN_URL },
    });
    assert.equal(mine.status, 200, JSON.stringify(mine.body));
    assert.equal(mine.body.tokenType, 'DPoP');
    assert.deepEqual(payloadOf(mine.body.accessToken).cnf, { jkt: h.key.jkt });
  });

  it('keeps bearer pairs for callers without a proof, and refuses a proof sent for a bearer token', async () => {
    const issued = await h.post('/v1/tokens', { token: await h.login() });
    assert.equal(issued.body.tokenType, 'Bearer');
    const accessToken = issued.body.accessToken as string;
    assert.equal((await h.post('/v1/tokens/verify', { accessToken })).status, 200);
    const mixed = await h.post('/v1/tokens/verify', {
      accessToken,
      dpop: { proof: await apiProof(accessToken), method: 'GET', url: API_URL },
    });
    assert.equal(mixed.body.error?.reason, 'binding');
  });

  it('refuses a malformed dpop field with 400 invalid_request, naming it', async () => {
    const token = await h.login();
    for (const dpop of [
      'x',
      [1],
      { proof: 'a.b.c', method: 'GET' },
      { proof: 'a.b.c', method: 'GET', url: '/relative' },
    ]) {
      const reply = await h.post('/v1/tokens', { token, dpop });
      assert.equal(reply.status, 400, JSON.stringify(dpop));
      assert.match(JSON.stringify(reply.body), /dpop/);
    }
    const extra = await h.post('/v1/tokens', {
      token,
      dpop: { proof: 'a.b.c', method: 'GET', url: API_URL, x: 1 },
    });
    assert.equal(extra.status, 400);
  });
});

describe('service token routes with TESSERA_DPOP=required and TESSERA_DPOP_NONCE=1', () => {
  let h: Awaited<ReturnType<typeof harness>>;
  before(async () => {
    h = await harness({ TESSERA_DPOP: 'required', TESSERA_DPOP_NONCE: '1' });
  });
  after(() => h.service.close());

  it('issues nothing without a proof, asks for the nonce, then binds the pair', async () => {
    const token = await h.login();
    const bare = await h.post('/v1/tokens', { token });
    assert.equal(bare.status, 401);
    assert.equal(bare.body.error?.code, 'dpop_proof_invalid');
    assert.equal(bare.body.error?.reason, 'missing');
    const noNonce = await h.post('/v1/tokens', {
      token,
      dpop: { proof: await h.key.proof({ htm: 'POST', htu: TOKEN_URL }), method: 'POST', url: TOKEN_URL },
    });
    assert.equal(noNonce.status, 401);
    assert.equal(noNonce.body.error?.code, 'dpop_nonce_required');
    const nonce = noNonce.headers.get('dpop-nonce');
    assert.ok(nonce);
    assert.match(noNonce.headers.get('www-authenticate') ?? '', /DPoP error="use_dpop_nonce"/);
    const issued = await h.post('/v1/tokens', {
      token,
      dpop: {
        proof: await h.key.proof({ htm: 'POST', htu: TOKEN_URL, nonce }),
        method: 'POST',
        url: TOKEN_URL,
      },
    });
    assert.equal(issued.status, 201, JSON.stringify(issued.body));
    assert.equal(issued.body.tokenType, 'DPoP');
  });
});

describe('TESSERA_JWT_DATA_CLAIMS', () => {
  it('copies the named session-data keys into access tokens', async () => {
    const h = await harness({ TESSERA_JWT_DATA_CLAIMS: 'roles, tenant' });
    try {
      const token = await h.login({ roles: ['editor'], tenant: 't-9', secret: 'not a claim' });
      const issued = await h.post('/v1/tokens', { token });
      const claims = payloadOf(issued.body.accessToken);
      assert.deepEqual(claims.roles, ['editor']);
      assert.equal(claims.tenant, 't-9');
      assert.equal(claims.secret, undefined);
    } finally {
      await h.service.close();
    }
  });

  it('refuses reserved claim names at start-up', () => {
    for (const name of ['sub', 'cnf', 'exp', 'bad name']) {
      assert.throws(
        () => loadConfig({ TESSERA_JWT_DATA_CLAIMS: name, TESSERA_DATA_DIR: '/tmp/x' }),
        (error: unknown) => error instanceof ConfigError && error.variable === 'TESSERA_JWT_DATA_CLAIMS',
        name,
      );
    }
  });
});
