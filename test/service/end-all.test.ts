import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ApiResponse, startService, type TestService } from './helpers.js';

const CONFIRM = 'end every session';

for (const store of ['memory', 'sqlite'] as const) {
  describe(`POST /v1/sessions/end-all (${store} store)`, () => {
    let api: TestService;
    before(async () => {
      api = await startService({}, { store });
    });
    after(() => api.close());

    async function login(subject: string): Promise<string> {
      const created = await api.call('POST', '/v1/sessions', { subject });
      assert.equal(created.status, 201, created.text);
      return created.body.token as string;
    }

    async function validate(token: string): Promise<ApiResponse> {
      return api.call('POST', '/v1/sessions/validate', { token });
    }

    async function auditLines(): Promise<Record<string, unknown>[]> {
      await api.service.audit?.flush();
      const path = join(api.dataDir, 'audit.jsonl');
      if (!existsSync(path)) return [];
      const text = await readFile(path, 'utf8');
      return text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    }

    it('ends the sessions of every subject: old tokens get 401, new logins work, audited and counted', async () => {
      const tokens = [
        await login('end-all-alice'),
        await login('end-all-alice'),
        await login('end-all-bob'),
        await login('end-all-carol'),
      ];
      const pair = await api.call('POST', '/v1/tokens', { token: tokens[0] });
      assert.equal(pair.status, 201, pair.text);
      const { accessToken, refreshToken } = pair.body as { accessToken?: string; refreshToken?: string };
      for (const token of tokens) assert.equal((await validate(token)).status, 200);
      const before = (await auditLines()).length;

      const ended = await api.call('POST', '/v1/sessions/end-all', { confirm: CONFIRM, reason: 'drill' });
      assert.equal(ended.status, 200, ended.text);
      assert.deepEqual(JSON.parse(ended.text), { ended: 4 });
      assert.equal(ended.headers.get('cache-control'), 'no-store');

      for (const token of tokens) {
        const refused = await validate(token);
        assert.equal(refused.status, 401);
        assert.equal(refused.body.error?.code, 'token_invalid');
      }
      for (const subject of ['end-all-alice', 'end-all-bob', 'end-all-carol']) {
        const listed = await api.call('GET', `/v1/subjects/${subject}/sessions`);
        assert.deepEqual(listed.body.sessions, []);
      }
      const verified = await api.call('POST', '/v1/tokens/verify', { accessToken });
      assert.equal(verified.status, 401, 'a strictly verified access token issued before is refused');
      const refreshed = await api.call('POST', '/v1/tokens/refresh', { refreshToken });
      assert.equal(refreshed.status, 401, 'its refresh family is gone');

      const fresh = await login('end-all-alice');
      assert.equal((await validate(fresh)).status, 200, 'a login afterwards works');

      const records = (await auditLines()).slice(before);
      const everyone = records.filter((record) => record.type === 'revoked-everyone');
      assert.equal(everyone.length, 1);
      assert.equal(everyone[0]?.reason, 'drill');
      assert.deepEqual(everyone[0]?.detail, { ended: 4 });
      assert.equal(everyone[0]?.sessionId, null);
      const trail = JSON.stringify(records);
      for (const secret of [...tokens, accessToken, refreshToken]) {
        assert.ok(!trail.includes(secret as string), 'no token in the trail');
      }
      const metrics = await api.call('GET', '/metrics');
      assert.match(metrics.text, /^tessera_events_total\{type="revoked-everyone"\} 1$/m);
      assert.match(
        metrics.text,
        /^tessera_http_requests_total\{method="POST",route="\/v1\/sessions\/end-all",status="200"\} 1$/m,
      );
    });

    it('a missing or wrong confirmation is 400 invalid_request and ends nothing', async () => {
      const token = await login('end-all-dave');
      const before = (await auditLines()).length;
      const bodies: unknown[] = [
        {},
        { confirm: 'yes' },
        { confirm: 'END EVERY SESSION' },
        { confirm: `${CONFIRM} ` },
        { confirm: true },
        { confirm: null },
        { confirm: CONFIRM, everyone: true },
        { confirm: CONFIRM, reason: 7 },
        { confirm: CONFIRM, reason: 'x'.repeat(65) },
      ];
      for (const body of bodies) {
        const refused = await api.call('POST', '/v1/sessions/end-all', body);
        assert.equal(refused.status, 400, JSON.stringify(body));
        assert.equal(refused.body.error?.code, 'invalid_request');
      }
      const noBody = await api.call('POST', '/v1/sessions/end-all');
      assert.ok(noBody.status >= 400 && noBody.status < 500, String(noBody.status));
      const wrongMethod = await api.call('GET', '/v1/sessions/end-all');
      assert.equal(wrongMethod.status, 405);
      assert.equal((await validate(token)).status, 200, 'the session lives on');
      const records = (await auditLines()).slice(before);
      assert.ok(!records.some((record) => record.type === 'revoked-everyone'));
    });

    it('needs the API key: 401 api_key_invalid without it or with a wrong one, and ends nothing', async () => {
      const token = await login('end-all-erin');
      for (const key of [null, 'wrong-key-0123456789abcdefghijklmnopqrstuvwxyz']) {
        const refused = await api.call('POST', '/v1/sessions/end-all', { confirm: CONFIRM }, { key });
        assert.equal(refused.status, 401);
        assert.equal(refused.body.error?.code, 'api_key_invalid');
      }
      assert.equal((await validate(token)).status, 200);
    });
  });
}
