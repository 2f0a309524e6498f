import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { startService, type TestService } from '../service/helpers.js';

interface TokenBody {
  accessToken?: string;
  refreshToken?: string;
  expiresIn?: number;
  tokenType?: string;
  claims?: Record<string, unknown>;
  keys?: Array<Record<string, unknown>>;
  error?: { code: string; reason?: string };
}

describe('service token endpoints over real HTTP', () => {
  let service: TestService;
  before(async () => {
    service = await startService();
  });
  after(() => service.close());

  async function post(path: string, body: unknown): Promise<{ status: number; body: TokenBody }> {
    const response = await service.call('POST', path, body);
    return { status: response.status, body: response.body as TokenBody };
  }

  async function login(): Promise<string> {
    const created = await service.call('POST', '/v1/sessions', { subject: 'alice' });
    assert.equal(created.status, 201);
    return created.body.token as string;
  }

  it('issues a pair for a session token, verifies it, and publishes the JWKS', async () => {
    const token = await login();
    const issued = await post('/v1/tokens', { token });
    assert.equal(issued.status, 201);
    assert.equal(issued.body.tokenType, 'Bearer');
    assert.equal(issued.body.expiresIn, 900);
    const verified = await post('/v1/tokens/verify', { accessToken: issued.body.accessToken, strict: true });
    assert.equal(verified.status, 200);
    assert.equal(verified.body.claims?.sub, 'alice');

    const jwksResponse = await fetch(`${service.base}/.well-known/jwks.json`);
    assert.equal(jwksResponse.status, 200);
    const jwks = (await jwksResponse.json()) as { keys: Array<Record<string, unknown>> };
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0]?.d, undefined, 'public parts only');
    // Another service verifies with the published JWKS alone (through jose, independently of fast-jwt).
    const { payload, protectedHeader } = await jwtVerify(
      issued.body.accessToken as string,
      createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]),
      { issuer: 'tessera', audience: 'tessera', typ: 'at+jwt', currentDate: new Date(service.clock()) },
    );
    assert.equal(protectedHeader.alg, 'EdDSA');
    assert.equal(payload.sid, verified.body.claims?.sid);

    const keyFile = await stat(join(service.dataDir, 'jwt-keys.json'));
    assert.equal(keyFile.mode & 0o777, 0o600, 'signing keys kept private');
    const secretFile = await stat(join(service.dataDir, 'refresh-secret'));
    assert.equal(secretFile.mode & 0o777, 0o600);
  });

  it('rotates refresh tokens, gives concurrent refreshes one successor, and answers reuse with refresh_reused', async () => {
    const token = await login();
    const first = await post('/v1/tokens', { token });
    service.clock.advance(30_000);
    const concurrent = await Promise.all(
      Array.from({ length: 8 }, () => post('/v1/tokens/refresh', { refreshToken: first.body.refreshToken })),
    );
    for (const reply of concurrent) assert.equal(reply.status, 200);
    assert.equal(new Set(concurrent.map((reply) => reply.body.refreshToken)).size, 1, 'one successor');
    assert.equal(new Set(concurrent.map((reply) => reply.body.accessToken)).size, 1);
    service.clock.advance(6_000);
    const reused = await post('/v1/tokens/refresh', { refreshToken: first.body.refreshToken });
    assert.equal(reused.status, 401);
    assert.equal(reused.body.error?.code, 'refresh_reused');
    const successor = await post('/v1/tokens/refresh', { refreshToken: concurrent[0]?.body.refreshToken });
    assert.equal(successor.status, 401);
    assert.equal(successor.body.error?.code, 'token_invalid');
    const validate = await service.call('POST', '/v1/sessions/validate', { token });
    assert.equal(validate.status, 401, 'the session was ended');
    // The family's access tokens stop working where the service verifies them (strict by default)...
    const access = concurrent[0]?.body.accessToken as string;
    const verified = await post('/v1/tokens/verify', { accessToken: access });
    assert.equal(verified.status, 401);
    assert.equal(verified.body.error?.code, 'token_invalid');
    // ...and only an explicit non-strict check, which reads no store, still accepts one until it expires.
    assert.equal((await post('/v1/tokens/verify', { accessToken: access, strict: false })).status, 200);
  });

  it('refuses bad input with the documented codes', async () => {
    assert.equal((await post('/v1/tokens', { token: 'ts1.nope' })).body.error?.code, 'token_invalid');
    assert.equal((await post('/v1/tokens/refresh', { refreshToken: 'rt1.nope' })).status, 401);
    const bad = await post('/v1/tokens/verify', { accessToken: 'a.b.c' });
    assert.equal(bad.status, 401);
    assert.equal(bad.body.error?.code, 'token_invalid');
    const noKey = await service.call('POST', '/v1/tokens', { token: 'x' }, { key: null });
    assert.equal(noKey.status, 401);
  });
});
