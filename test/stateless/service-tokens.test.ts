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
  error?: { code: string; reason?: string; message?: string };
}

/** The claims of a JWT as sent, decoded without verifying (to see exactly what `aud` holds). */
function payloadOf(token: string | undefined): Record<string, unknown> {
  return JSON.parse(Buffer.from((token ?? '').split('.')[1] ?? '', 'base64url').toString('utf8'));
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

describe('service tokens name one audience, chosen per request (ASVS 5.0 9.2.4)', () => {
  let service: TestService;
  before(async () => {
    service = await startService({ TESSERA_JWT_AUDIENCE: 'api-a, api-b' });
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

  it('issues a token for the audience asked for, with that one aud only, and the first audience by default', async () => {
    const token = await login();
    const forB = await post('/v1/tokens', { token, audience: 'api-b' });
    assert.equal(forB.status, 201);
    assert.equal(payloadOf(forB.body.accessToken).aud, 'api-b', 'one string, not the configured list');
    const byDefault = await post('/v1/tokens', { token });
    assert.equal(byDefault.status, 201);
    assert.equal(payloadOf(byDefault.body.accessToken).aud, 'api-a');
  });

  it('verify with an audience refuses a token issued for another configured audience', async () => {
    const forB = await post('/v1/tokens', { token: await login(), audience: 'api-b' });
    const asA = await post('/v1/tokens/verify', { accessToken: forB.body.accessToken, audience: 'api-a' });
    assert.equal(asA.status, 401);
    assert.equal(asA.body.error?.code, 'token_invalid');
    assert.equal(asA.body.error?.reason, 'audience');
    const asB = await post('/v1/tokens/verify', { accessToken: forB.body.accessToken, audience: 'api-b' });
    assert.equal(asB.status, 200);
    assert.equal(asB.body.claims?.aud, 'api-b');
    const any = await post('/v1/tokens/verify', { accessToken: forB.body.accessToken });
    assert.equal(any.status, 200, 'without an audience, any configured one is accepted');
  });

  it('refuses an audience that is not configured with 400 naming the field, never echoing the value', async () => {
    const token = await login();
    const long = `api-${'x'.repeat(5000)}`;
    for (const audience of ['api-c', long, 7, '']) {
      for (const [path, body] of [
        ['/v1/tokens', { token, audience }],
        ['/v1/tokens/verify', { accessToken: 'a.b.c', audience }],
      ] as const) {
        const reply = await post(path, body);
        assert.equal(reply.status, 400, `${path} ${String(audience).slice(0, 10)}`);
        assert.equal(reply.body.error?.code, 'invalid_request');
        const message = reply.body.error?.message ?? '';
        assert.match(message, /^audience /);
        assert.ok(!message.includes('api-c') && !message.includes('xxxx'), message);
        if (audience === 'api-c')
          assert.match(message, /TESSERA_JWT_AUDIENCE/, 'says where the list comes from');
      }
    }
  });

  it('a refreshed pair keeps its audience, and a token minted for B cannot be refreshed into A', async () => {
    const forB = await post('/v1/tokens', { token: await login(), audience: 'api-b' });
    service.clock.advance(30_000);
    const intoA = await post('/v1/tokens/refresh', {
      refreshToken: forB.body.refreshToken,
      audience: 'api-a',
    });
    assert.equal(intoA.status, 400, 'the refresh route takes no audience: the family has one');
    const refreshed = await post('/v1/tokens/refresh', { refreshToken: forB.body.refreshToken });
    assert.equal(refreshed.status, 200);
    assert.equal(payloadOf(refreshed.body.accessToken).aud, 'api-b');
    const parts = (refreshed.body.refreshToken as string).split('.');
    assert.equal(parts.length, 6, 'the audience part is in the token');
    // Swap in the audience part of a token issued for api-a: the MAC no longer fits.
    const forA = await post('/v1/tokens', { token: await login() });
    const aPart = (forA.body.refreshToken as string).split('.')[4] as string;
    assert.notEqual(aPart, parts[4]);
    const moved = [...parts.slice(0, 4), aPart, parts[5]].join('.');
    const refused = await post('/v1/tokens/refresh', { refreshToken: moved });
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error?.code, 'token_invalid');
    service.clock.advance(30_000);
    const next = await post('/v1/tokens/refresh', { refreshToken: refreshed.body.refreshToken });
    assert.equal(next.status, 200, 'the forgery changed nothing');
    assert.equal(payloadOf(next.body.accessToken).aud, 'api-b');
  });
});
