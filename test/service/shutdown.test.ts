import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import { startService, TEST_API_KEY } from './helpers.js';

describe('service shutdown', () => {
  it('close() stops accepting, lets an in-flight request finish, then closes the store', async () => {
    const api = await startService({}, { store: 'sqlite' });
    const arrived = once(api.service.server, 'request');
    const req = request(`${api.base}/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_API_KEY}` },
    });
    const responded = once(req, 'response');
    req.write('{"subject":');
    await arrived;
    const closed = api.service.close();
    let closedYet = false;
    void closed.then(() => {
      closedYet = true;
    });
    // New connections are refused once closing has begun.
    await assert.rejects(fetch(`${api.base}/healthz`));
    assert.equal(closedYet, false, 'close waits for the request in flight');
    req.end('"late"}');
    const [response] = (await responded) as [import('node:http').IncomingMessage];
    let body = '';
    for await (const chunk of response) body += chunk;
    assert.equal(response.statusCode, 201, body);
    await closed;
    await assert.rejects(api.service.manager.store.ping(), /closed/);
    await api.close();
  });
});
