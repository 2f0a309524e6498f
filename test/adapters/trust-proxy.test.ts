// Client addresses behind a proxy (node adapter `trustProxy`): the client is the rightmost address that is
// not a trusted proxy, so a thief who writes the victim's address into X-Forwarded-For does not pass IP
// binding. Checked through a real appending proxy (as nginx's `$proxy_add_x_forwarded_for` does), with clients
// on distinct loopback addresses.
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { openNode, writeReply } from '../../src/adapters/node/index.js';
import { forwardedClient, type ProxyTrust } from '../../src/core/forwarded.js';
import { createTessera } from '../../src/core/manager.js';
import { MemoryStore } from '../../src/stores/memory/memory-store.js';
import { HttpSessions } from '../../src/transport/http-sessions.js';
import { requireSignedIn } from '../../src/transport/pipeline.js';

const VICTIM = '127.0.0.2';
const THIEF = '127.0.0.3';

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** A proxy that appends the connecting address to X-Forwarded-For and forwards to `target`. */
function appendingProxy(target: () => number): Server {
  return createServer((incoming, outgoing) => {
    const from = (incoming.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const prior = incoming.headers['x-forwarded-for'];
    const forwarded =
      prior === undefined ? from : `${Array.isArray(prior) ? prior.join(', ') : prior}, ${from}`;
    const upstream = httpRequest(
      {
        host: '127.0.0.1',
        port: target(),
        path: incoming.url,
        method: incoming.method,
        headers: { ...incoming.headers, 'x-forwarded-for': forwarded },
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    upstream.on('error', () => outgoing.destroy());
    incoming.pipe(upstream);
  });
}

function call(
  port: number,
  from: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; cookie: string | null; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: path === '/login' ? 'POST' : 'GET',
        localAddress: from,
        headers: { 'sec-fetch-site': 'same-origin', ...headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => {
          const setCookie = res.headers['set-cookie']?.[0] ?? null;
          resolve({
            status: res.statusCode ?? 0,
            cookie: setCookie === null ? null : (setCookie.split(';')[0] as string),
            body,
          });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

for (const [label, trust] of [
  ['one trusted hop', 1],
  ['a trusted-proxy list', ['127.0.0.1/32', '::1']],
] as const satisfies ReadonlyArray<readonly [string, ProxyTrust]>) {
  describe(`node adapter behind an appending proxy (${label})`, () => {
    let app: Server;
    let proxy: Server;
    let proxyPort = 0;

    before(async () => {
      const manager = createTessera({ store: new MemoryStore(), binding: { ip: 'exact' } });
      const sessions = new HttpSessions(manager, { cookie: { development: true }, csrf: false });
      app = createServer(async (req, res) => {
        const session = await openNode(sessions, req, res, { trustProxy: trust });
        if (session === null) return;
        if (req.url === '/login') {
          await session.login({ subject: 'victim' });
          res.end('{}');
          return;
        }
        const refusal = requireSignedIn(session);
        if (refusal !== null) return writeReply(res, refusal);
        res.end(JSON.stringify({ ip: session.session?.ip }));
      });
      const appPort = await listen(app);
      proxy = appendingProxy(() => appPort);
      proxyPort = await listen(proxy);
    });
    after(async () => {
      await close(proxy);
      await close(app);
    });

    it('records the real client address at login, even when the client sends its own X-Forwarded-For', async () => {
      const login = await call(proxyPort, VICTIM, '/login', { 'x-forwarded-for': '198.51.100.1' });
      assert.equal(login.status, 200, login.body);
      assert.ok(login.cookie);
      const me = await call(proxyPort, VICTIM, '/me', { cookie: login.cookie });
      assert.equal(me.status, 200, me.body);
      assert.equal(JSON.parse(me.body).ip, VICTIM);
    });

    it("refuses a stolen cookie from another address that writes the victim's address into X-Forwarded-For", async () => {
      const login = await call(proxyPort, VICTIM, '/login');
      const stolen = await call(proxyPort, THIEF, '/me', {
        cookie: login.cookie as string,
        'x-forwarded-for': VICTIM,
      });
      assert.equal(stolen.status, 401, stolen.body);
      assert.match(stolen.body, /token_invalid/);
    });
  });
}

describe('forwardedClient', () => {
  it('takes the rightmost untrusted address, never the leftmost', () => {
    assert.equal(forwardedClient('203.0.113.7, 10.0.0.5', '10.0.0.1', 1), '10.0.0.5');
    assert.equal(forwardedClient('203.0.113.7, 10.0.0.5', '10.0.0.1', 2), '203.0.113.7');
    assert.equal(forwardedClient('203.0.113.7, 10.0.0.5', '10.0.0.1', ['10.0.0.0/8']), '203.0.113.7');
    assert.equal(forwardedClient('203.0.113.7, 198.51.100.9', '10.0.0.1', ['10.0.0.0/8']), '198.51.100.9');
    assert.equal(forwardedClient('203.0.113.7', '10.0.0.1', false), '10.0.0.1');
    assert.equal(forwardedClient(null, '10.0.0.1', 1), '10.0.0.1');
    assert.equal(forwardedClient('garbage, 203.0.113.7', '10.0.0.1', ['10.0.0.0/8']), '203.0.113.7');
    assert.equal(forwardedClient('2001:db8::1, fd00::2', '::1', ['::1', 'fd00::/8']), '2001:db8::1');
    assert.throws(() => forwardedClient('1.2.3.4', '10.0.0.1', ['not-an-address']), TypeError);
  });
});
