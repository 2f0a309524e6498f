import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { nodeRequestFacts } from '../../src/adapters/shared/node-request.js';
import { manualClock } from '../../src/core/clock.js';
import type { TesseraEvent } from '../../src/core/events.js';
import { createTessera } from '../../src/core/manager.js';
import type { Session } from '../../src/core/session.js';
import type { SessionStore } from '../../src/core/store.js';
import { MemoryStore } from '../../src/stores/memory/memory-store.js';
import { DeviceBoundSessions } from '../../src/transport/dbsc/index.js';
import { HttpSessions } from '../../src/transport/http-sessions.js';
import { type DbscReply, type DbscSend, DbscTestClient, dbscSender } from '../support/dbsc-client.js';

const SECRET = 'dbsc-test-secret-0123456789abcdef-0123456789';

/** A node:http server that mounts the DBSC endpoints with `handle`, over a real socket. */
async function setup(options: { mode?: 'enforce' | 'report-only'; store?: SessionStore } = {}) {
  const clock = manualClock(Date.UTC(2026, 11, 2, 12));
  const events: TesseraEvent[] = [];
  const manager = createTessera({
    store: options.store ?? new MemoryStore(),
    clock,
    idleTimeout: 3600,
    absoluteTimeout: 86400,
    onEvent: (event) => events.push(event),
  });
  const dbsc = new DeviceBoundSessions({ secret: SECRET, ...(options.mode ? { mode: options.mode } : {}) });
  const sessions = new HttpSessions(manager, { deviceBound: dbsc, cookie: { name: '__Host-app' } });
  const server: Server = createServer(async (request, response) => {
    const reply = await dbsc.handle(nodeRequestFacts(request));
    if (reply === null) {
      const auth = await sessions.authenticate(nodeRequestFacts(request));
      response.writeHead(auth.result.ok ? 200 : auth.result.status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(auth.result.ok ? { subject: auth.result.session.subject } : auth.result));
      return;
    }
    response.writeHead(reply.status, Object.fromEntries(reply.headers.map(([k, v]) => [k, v])));
    response.end(reply.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const login = async (): Promise<{ token: string; session: Session }> => {
    const issued = await manager.create({ subject: 'alice' });
    return { token: issued.token, session: issued.session };
  };
  const send = (cookies: () => string): DbscSend => dbscSender(() => origin, cookies);
  const get = (cookie: string) => fetch(`${origin}/page`, { headers: { cookie } });
  return { clock, events, manager, dbsc, sessions, server, origin, login, send, get };
}

describe('Device Bound Session Credentials over real HTTP', () => {
  let h: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    h = await setup();
  });
  after(() => new Promise<void>((resolve) => h.server.close(() => resolve())));

  async function registered() {
    const { token, session } = await h.login();
    const client = await DbscTestClient.create();
    const jar = () => `__Host-app=${token}${client.boundCookie ? `; ${client.boundCookie}` : ''}`;
    const [name, value] = h.dbsc.registrationHeader(session);
    assert.equal(name, 'secure-session-registration');
    assert.match(value, /^\(ES256\);path="\/tessera\/dbsc\/register";challenge="[^"]+"$/);
    const reply = await client.register(value, h.send(jar));
    return { token, session, client, jar, reply, registration: value };
  }

  it('registers the device key and answers the session instructions with a short-lived bound cookie', async () => {
    const { reply, session, client } = await registered();
    assert.equal(reply.status, 200, reply.body);
    const instructions = JSON.parse(reply.body);
    assert.deepEqual(instructions, {
      session_identifier: session.id,
      refresh_url: '/tessera/dbsc/refresh',
      scope: { include_site: false },
      credentials: [
        {
          type: 'cookie',
          name: '__Host-tessera-bound',
          attributes: 'Path=/; HttpOnly; Secure; SameSite=Strict',
        },
      ],
    });
    assert.match(
      reply.header('set-cookie') ?? '',
      /^__Host-tessera-bound=db1\.[^;]+; Path=\/; HttpOnly; Secure; SameSite=Strict; Max-Age=600$/,
    );
    assert.match(reply.header('cache-control') ?? '', /no-store/);
    assert.ok(client.boundCookie);
    assert.ok(h.events.some((event) => event.type === 'device-bound' && event.sessionId === session.id));
    const stored = await h.manager.get(session.id);
    assert.equal(JSON.stringify(stored?.data).includes('"d"'), false, 'only the public key is kept');
  });

  it('keeps the first key: a second registration (a thief with the cookie) is refused with 409', async () => {
    const { jar, session } = await registered();
    const thief = await DbscTestClient.create();
    const [, value] = h.dbsc.registrationHeader(session);
    const again = await thief.register(value, h.send(jar));
    assert.equal(again.status, 409);
    assert.match(again.body, /dbsc_already_bound/);
  });

  it('refuses registration proofs that are forged, replayed, of another session, or not ES256 dbsc+jwt', async () => {
    const { token, session } = await h.login();
    const other = await h.login();
    const jar = () => `__Host-app=${token}`;
    const challengeOf = (header: string) => /challenge="([^"]+)"/.exec(header)?.[1] as string;
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(publicKey);
    const sign = (jti: string, header: Record<string, unknown> = {}) =>
      new SignJWT({ jti })
        .setProtectedHeader({ alg: 'ES256', typ: 'dbsc+jwt', jwk, ...header })
        .sign(privateKey);
    const post = (proof: string) =>
      h.send(jar)('/tessera/dbsc/register', { 'secure-session-response': `"${proof}"` });
    const foreign = challengeOf(h.dbsc.registrationHeader(other.session)[1]);
    assert.equal((await post(await sign(foreign))).status, 400, "another session's challenge");
    assert.equal((await post(await sign('made-up-challenge'))).status, 400, 'a made-up challenge');
    const mine = challengeOf(h.dbsc.registrationHeader(session)[1]);
    assert.equal((await post(await sign(mine, { typ: 'JWT' }))).status, 400, 'typ JWT');
    assert.equal((await post(await sign(mine, { jwk: undefined }))).status, 400, 'no key');
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'dbsc+jwt', jwk })).toString('base64url')}.${Buffer.from(JSON.stringify({ jti: mine })).toString('base64url')}.`;
    assert.equal((await post(unsigned)).status, 400, 'alg none');
    const noSession = await h.send(() => '')('/tessera/dbsc/register', {
      'secure-session-response': `"${await sign(mine)}"`,
    });
    assert.equal(noSession.status, 401, 'no session cookie');
    assert.equal((await post(await sign(mine))).status, 200, 'the right proof');
    const replay = await h.login();
    const replayJar = () => `__Host-app=${replay.token}`;
    const replayed = await h.send(replayJar)('/tessera/dbsc/register', {
      'secure-session-response': `"${await sign(mine)}"`,
    });
    assert.equal(replayed.status, 400, "a used challenge, even for another session's cookie");
  });

  it('refreshes with a challenge round trip, and refuses another key (401, binding-mismatch)', async () => {
    const { client, jar, session } = await registered();
    const asked = await h.send(jar)('/tessera/dbsc/refresh', { 'sec-secure-session-id': `"${session.id}"` });
    assert.equal(asked.status, 403);
    assert.match(asked.header('secure-session-challenge') ?? '', new RegExp(`^"[^"]+";id="${session.id}"$`));
    const renewed = await client.refresh(h.send(jar));
    assert.equal(renewed.status, 200, renewed.body);
    const thief = await DbscTestClient.create();
    thief.sessionId = session.id;
    thief.refreshUrl = '/tessera/dbsc/refresh';
    const before = h.events.length;
    const stolen = await thief.refresh(h.send(jar));
    assert.equal(stolen.status, 401);
    assert.ok(h.events.slice(before).some((event) => event.type === 'binding-mismatch'));
    const wrongId = await h.send(jar)('/tessera/dbsc/refresh', {
      'sec-secure-session-id': '"another-session"',
    });
    assert.equal(wrongId.status, 401);
  });

  it('asks again for a challenge that is too old, and ends DBSC for a revoked session (401)', async () => {
    const { client, jar, session } = await registered();
    // Cache a challenge, then let two challenge periods pass.
    await h.send(jar)('/tessera/dbsc/refresh', { 'sec-secure-session-id': `"${session.id}"` });
    h.clock.advance(700_000);
    const late = await client.refresh(h.send(jar));
    assert.equal(late.status, 200, 'the client retried with the fresh challenge');
    await h.manager.revokeById(session.id, 'logout');
    assert.equal((await client.refresh(h.send(jar))).status, 401);
  });

  it('refuses the session cookie alone once bound, serves it with the bound cookie, and clears both at logout', async () => {
    const { token, jar } = await registered();
    assert.equal((await h.get(jar())).status, 200);
    assert.equal((await h.get(`__Host-app=${token}`)).status, 401);
    const ended = await h.sessions.logout({
      method: 'POST',
      url: '/logout',
      ip: null,
      header: (n) => (n === 'cookie' ? jar() : null),
    });
    assert.ok(ended.setCookies.some((cookie) => cookie.startsWith('__Host-tessera-bound=;')));
  });

  it('answers 405 to other methods and leaves other paths to the app', async () => {
    const response = await fetch(`${h.origin}/tessera/dbsc/refresh`);
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'POST');
    assert.equal(await h.dbsc.handle({ method: 'POST', url: '/other', ip: null, header: () => null }), null);
  });
});

describe('DBSC report-only mode and store faults', () => {
  it('serves the session cookie alone in report-only mode, and reports it', async () => {
    const h = await setup({ mode: 'report-only' });
    try {
      const { token, session } = await h.login();
      const client = await DbscTestClient.create();
      const jar = () => `__Host-app=${token}${client.boundCookie ? `; ${client.boundCookie}` : ''}`;
      assert.equal((await client.register(h.dbsc.registrationHeader(session)[1], h.send(jar))).status, 200);
      assert.equal((await h.get(`__Host-app=${token}`)).status, 200);
      const reported = h.events.find((event) => event.type === 'binding-mismatch');
      assert.equal(reported?.detail?.mode, 'report-only');
    } finally {
      await new Promise<void>((resolve) => h.server.close(() => resolve()));
    }
  });

  it('answers 503 when the store cannot record a challenge, and the session is unharmed', async () => {
    const inner = new MemoryStore();
    let down = false;
    const store = new Proxy(inner, {
      get(target, property) {
        const value = Reflect.get(target, property, target);
        if (property === 'useOnce')
          return (...args: unknown[]) =>
            down ? Promise.reject(new Error('ECONNREFUSED')) : value.apply(target, args);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const h = await setup({ store });
    try {
      const { token, session } = await h.login();
      const client = await DbscTestClient.create();
      const jar = () => `__Host-app=${token}${client.boundCookie ? `; ${client.boundCookie}` : ''}`;
      down = true;
      const reply: DbscReply = await client.register(h.dbsc.registrationHeader(session)[1], h.send(jar));
      assert.equal(reply.status, 503);
      down = false;
      assert.equal((await client.register(h.dbsc.registrationHeader(session)[1], h.send(jar))).status, 200);
    } finally {
      await new Promise<void>((resolve) => h.server.close(() => resolve()));
    }
  });

  it('refuses bad options with TypeError', () => {
    assert.throws(() => new DeviceBoundSessions({ secret: 'short' }), TypeError);
    assert.throws(() => new DeviceBoundSessions({ secret: SECRET, registrationPath: 'no-slash' }), TypeError);
    assert.throws(() => new DeviceBoundSessions({ secret: SECRET, boundCookieLifetime: 5 }), TypeError);
    assert.throws(() => new DeviceBoundSessions({ secret: SECRET, mode: 'audit' as never }), TypeError);
    const dbsc = new DeviceBoundSessions({ secret: SECRET });
    assert.throws(() => dbsc.boundCookieName, TypeError, 'not attached to HttpSessions');
  });
});
