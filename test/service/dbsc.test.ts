// Device Bound Session Credentials through the service (TESSERA_DBSC): the backend creates the session and relays
// `dbscRegistration`; the browser (a DBSC client written from the specification) registers and refreshes at
// /tessera/dbsc/* through the proxy; /v1/authz, the proxy's check, then refuses the session cookie alone.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type DbscSend, DbscTestClient } from '../support/dbsc-client.js';
import { httpRequest } from '../support/http-request.js';
import { startService, type TestService } from './helpers.js';

const COOKIE = '__Host-session';

describe('DBSC through the service (TESSERA_DBSC=enforce)', () => {
  let api: TestService;
  before(async () => {
    api = await startService({ TESSERA_DBSC: 'enforce' });
  });
  after(() => api.close());

  async function signedIn(): Promise<{ token: string; registration: string; id: string }> {
    const created = await api.call('POST', '/v1/sessions', { subject: 'device-user' });
    assert.equal(created.status, 201);
    const body = created.body as { token: string; dbscRegistration?: string; session: { id: string } };
    assert.match(body.dbscRegistration ?? '', /^\(ES256\);path="\/tessera\/dbsc\/register";challenge="/);
    return { token: body.token, registration: body.dbscRegistration as string, id: body.session.id };
  }
  /** The browser's POSTs to the DBSC endpoints, through the proxy (here: straight to the service). */
  const send =
    (jar: () => string): DbscSend =>
    async (path, headers) => {
      const response = await fetch(`${api.base}${path}`, {
        method: 'POST',
        headers: { cookie: jar(), ...headers },
      });
      return {
        status: response.status,
        body: await response.text(),
        header: (name) => response.headers.get(name),
      };
    };
  const authz = (cookie: string) =>
    httpRequest(`${api.base}/v1/authz`, {
      method: 'GET',
      headers: {
        'x-forwarded-method': 'GET',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'app.example.com',
        'x-forwarded-uri': '/account',
        cookie,
      },
    });

  it('registers the device key, then /v1/authz refuses the session cookie alone and allows it with the bound one', async () => {
    const { token, registration, id } = await signedIn();
    const client = await DbscTestClient.create();
    const jar = () => `${COOKIE}=${token}${client.boundCookie ? `; ${client.boundCookie}` : ''}`;
    // Before registration (a browser without DBSC) the cookie alone works.
    assert.equal((await authz(`${COOKIE}=${token}`)).status, 200);
    const registered = await client.register(registration, send(jar));
    assert.equal(registered.status, 200, registered.body);
    assert.equal(JSON.parse(registered.body).session_identifier, id);
    const alone = await authz(`${COOKIE}=${token}`);
    assert.equal(alone.status, 401);
    assert.equal(alone.headers['x-tessera-code'], 'token_invalid');
    assert.equal((await authz(jar())).status, 200);
  });

  it('stops a stolen cookie jar at the bound cookie expiry; the owner refreshes with its key', async () => {
    const { token, registration } = await signedIn();
    const client = await DbscTestClient.create();
    const jar = () => `${COOKIE}=${token}${client.boundCookie ? `; ${client.boundCookie}` : ''}`;
    assert.equal((await client.register(registration, send(jar))).status, 200);
    const stolen = jar();
    api.clock.advance(601_000);
    assert.equal((await authz(stolen)).status, 401);
    const thief = await DbscTestClient.create();
    thief.sessionId = client.sessionId;
    thief.refreshUrl = client.refreshUrl;
    assert.equal((await thief.refresh(send(() => stolen))).status, 401);
    assert.equal((await client.refresh(send(jar))).status, 200);
    assert.equal((await authz(jar())).status, 200);
  });

  it('answers 403 with a challenge to a refresh without a proof, and 401 for an unknown session', async () => {
    const { token, registration, id } = await signedIn();
    const client = await DbscTestClient.create();
    const jar = () => `${COOKIE}=${token}${client.boundCookie ? `; ${client.boundCookie}` : ''}`;
    await client.register(registration, send(jar));
    const asked = await send(jar)('/tessera/dbsc/refresh', { 'sec-secure-session-id': `"${id}"` });
    assert.equal(asked.status, 403);
    assert.match(asked.header('secure-session-challenge') ?? '', new RegExp(`;id="${id}"$`));
    const none = await send(() => '')('/tessera/dbsc/refresh', { 'sec-secure-session-id': `"${id}"` });
    assert.equal(none.status, 401);
  });
});

describe('DBSC off (the default)', () => {
  it('adds no registration to new sessions and answers 404 at the DBSC endpoints', async () => {
    const api = await startService();
    try {
      const created = await api.call('POST', '/v1/sessions', { subject: 'plain' });
      assert.equal((created.body as { dbscRegistration?: string }).dbscRegistration, undefined);
      const response = await fetch(`${api.base}/tessera/dbsc/register`, { method: 'POST' });
      assert.equal(response.status, 404);
      await response.text();
    } finally {
      await api.close();
    }
  });
});
