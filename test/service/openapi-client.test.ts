import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import createClient from 'openapi-fetch';
import { renderOpenApiTypes, TYPES_FILE } from '../../scripts/openapi-types.js';
import { startService, TEST_API_KEY, type TestService } from './helpers.js';
import type { components, paths } from './openapi-types.js';

type Session = components['schemas']['Session'];

describe('the typed client generated from docs/openapi.json', () => {
  it('test/service/openapi-types.ts is what openapi-typescript generates from the document (npm run openapi:types)', async () => {
    assert.equal(await renderOpenApiTypes(), readFileSync(TYPES_FILE, 'utf8'));
  });

  describe('against the real service (openapi-fetch)', () => {
    let api: TestService;
    let client: ReturnType<typeof createClient<paths>>;
    before(async () => {
      api = await startService();
      client = createClient<paths>({
        baseUrl: api.base,
        headers: { authorization: `Bearer ${TEST_API_KEY}` },
      });
    });
    after(() => api.close());

    it('creates, validates, reads, patches and revokes a session; the revoked token is refused', async () => {
      const created = await client.POST('/v1/sessions', {
        body: { subject: 'typed-client', data: { theme: 'dark' }, userAgent: 'openapi-fetch' },
      });
      assert.equal(created.response.status, 201);
      assert.ok(created.data !== undefined, JSON.stringify(created.error));
      const { token, session } = created.data;
      assert.match(created.response.headers.get('set-cookie') ?? '', /^__Host-session=ts1\./);

      const validated = await client.POST('/v1/sessions/validate', { body: { token } });
      assert.equal(validated.data?.renewed, false);
      const seen: Session | undefined = validated.data?.session;
      assert.equal(seen?.id, session.id);

      const read = await client.GET('/v1/sessions/{id}', { params: { path: { id: session.id } } });
      assert.deepEqual(read.data?.session.data, { theme: 'dark' });

      const patched = await client.PATCH('/v1/sessions/{id}/data', {
        params: { path: { id: session.id } },
        body: { set: { cart: [3] }, unset: ['theme'], version: session.version },
      });
      assert.deepEqual(patched.data?.session.data, { cart: [3] });
      const stale = await client.PATCH('/v1/sessions/{id}/data', {
        params: { path: { id: session.id } },
        body: { set: { cart: [4] }, version: session.version },
      });
      assert.equal(stale.response.status, 409);
      assert.equal(stale.error?.error.code, 'version_conflict');
      assert.equal(stale.error?.error.version, session.version + 1);

      const listed = await client.GET('/v1/subjects/{subject}/sessions', {
        params: { path: { subject: 'typed-client' } },
      });
      assert.deepEqual(
        listed.data?.sessions.map((listedSession) => listedSession.id),
        [session.id],
      );

      const revoked = await client.POST('/v1/sessions/revoke', { body: { token } });
      assert.equal(revoked.response.status, 204);
      assert.equal(revoked.error, undefined);
      const refused = await client.POST('/v1/sessions/validate', { body: { token } });
      assert.equal(refused.response.status, 401);
      assert.equal(refused.data, undefined);
      assert.equal(refused.error?.error.code, 'token_invalid');
    });

    it('issues, verifies and refreshes access tokens, and reads the public key set without the key', async () => {
      const created = await client.POST('/v1/sessions', { body: { subject: 'typed-tokens', level: 2 } });
      const token = created.data?.token as string;
      const pair = await client.POST('/v1/tokens', { body: { token } });
      assert.equal(pair.data?.tokenType, 'Bearer');
      const verified = await client.POST('/v1/tokens/verify', {
        body: { accessToken: pair.data?.accessToken as string },
      });
      assert.equal(verified.data?.claims.sub, 'typed-tokens');
      assert.equal(verified.data?.claims.lvl, 2);
      api.clock.advance(30_000);
      const refreshed = await client.POST('/v1/tokens/refresh', {
        body: { refreshToken: pair.data?.refreshToken as string },
      });
      assert.notEqual(refreshed.data?.refreshToken, pair.data?.refreshToken);

      const open = createClient<paths>({ baseUrl: api.base });
      const jwks = await open.GET('/.well-known/jwks.json');
      assert.equal(jwks.data?.keys[0]?.use, 'sig');
      const health = await open.GET('/healthz');
      assert.deepEqual(health.data, { status: 'ok', store: 'memory' });
      const refusedWithoutKey = await open.GET('/v1/sessions/{id}', {
        params: { path: { id: created.data?.session.id as string } },
      });
      assert.equal(refusedWithoutKey.error?.error.code, 'api_key_invalid');
    });

    it('the types refuse what the service refuses: an unknown field does not compile, and is a 400', async () => {
      // @ts-expect-error `subjet` is not a field of CreateSessionRequest (and `subject` is required).
      const typo = await client.POST('/v1/sessions', { body: { subjet: 'typo' } });
      assert.equal(typo.response.status, 400);
      assert.equal(typo.error?.error.code, 'invalid_request');
    });
  });
});
