import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError, loadConfig } from '../../src/service/config.js';
import { startService, TEST_API_KEY, type TestService } from './helpers.js';

/** How far past its limit a server-side timeout may fire on a busy machine (checks run every limit/4). */
const SLACK_MS = 2000;

interface RawClient {
  readonly socket: Socket;
  /** Everything the server sent. */
  received(): string;
  /** Resolves with the milliseconds from connect to the server closing the connection. */
  readonly closed: Promise<number>;
  /** Sends `text` one byte every `everyMs`, until it is all sent or the connection is closed. */
  trickle(text: string, everyMs: number): void;
  /** Bytes written so far by `trickle`. */
  sent(): number;
}

function rawClient(base: string): RawClient {
  const url = new URL(base);
  const socket = connect(Number(url.port), url.hostname);
  const started = Date.now();
  let received = '';
  let sent = 0;
  let timer: NodeJS.Timeout | null = null;
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
  });
  // Writes racing the server's close end in EPIPE/ECONNRESET: the close is what the tests look at.
  socket.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => {
    socket.once('close', () => {
      if (timer !== null) clearInterval(timer);
      resolve(Date.now() - started);
    });
  });
  return {
    socket,
    received: () => received,
    closed,
    sent: () => sent,
    trickle(text, everyMs) {
      timer = setInterval(() => {
        if (socket.destroyed || sent >= text.length) {
          if (timer !== null) clearInterval(timer);
          return;
        }
        socket.write(text[sent] as string);
        sent++;
      }, everyMs);
    },
  };
}

describe('TESSERA_*_TIMEOUT_MS and TESSERA_MAX_CONNECTIONS are read and validated', () => {
  it('defaults', () => {
    assert.deepEqual(loadConfig({}).http, {
      headersTimeout: 10_000,
      requestTimeout: 30_000,
      keepAliveTimeout: 5_000,
      maxConnections: 10_000,
    });
  });

  it('values in range are taken; bad ones name the variable', () => {
    const http = loadConfig({
      TESSERA_HEADERS_TIMEOUT_MS: '250',
      TESSERA_REQUEST_TIMEOUT_MS: '250',
      TESSERA_KEEP_ALIVE_TIMEOUT_MS: '100',
      TESSERA_MAX_CONNECTIONS: '3',
    }).http;
    assert.deepEqual(http, {
      headersTimeout: 250,
      requestTimeout: 250,
      keepAliveTimeout: 100,
      maxConnections: 3,
    });
    const refused: [Record<string, string>, RegExp][] = [
      [{ TESSERA_HEADERS_TIMEOUT_MS: '99' }, /^TESSERA_HEADERS_TIMEOUT_MS must be a whole number from 100/],
      [{ TESSERA_REQUEST_TIMEOUT_MS: '1.5s' }, /^TESSERA_REQUEST_TIMEOUT_MS must be a whole number/],
      [{ TESSERA_KEEP_ALIVE_TIMEOUT_MS: '0' }, /^TESSERA_KEEP_ALIVE_TIMEOUT_MS must be a whole number/],
      [{ TESSERA_MAX_CONNECTIONS: '0' }, /^TESSERA_MAX_CONNECTIONS must be a whole number from 1/],
      [
        { TESSERA_HEADERS_TIMEOUT_MS: '5000', TESSERA_REQUEST_TIMEOUT_MS: '4000' },
        /^TESSERA_HEADERS_TIMEOUT_MS \(5000\) must not exceed TESSERA_REQUEST_TIMEOUT_MS \(4000\)$/,
      ],
    ];
    for (const [env, message] of refused) {
      assert.throws(
        () => loadConfig(env),
        (error: unknown) => error instanceof ConfigError && message.test(error.message),
        JSON.stringify(env),
      );
    }
  });
});

describe('slow clients are cut off (slowloris)', () => {
  const HEADERS_MS = 300;
  const REQUEST_MS = 600;
  let service: TestService;
  before(async () => {
    service = await startService({
      TESSERA_HEADERS_TIMEOUT_MS: String(HEADERS_MS),
      TESSERA_REQUEST_TIMEOUT_MS: String(REQUEST_MS),
      TESSERA_KEEP_ALIVE_TIMEOUT_MS: '200',
    });
  });
  after(async () => {
    await service.close();
  });

  it('headers sent one byte at a time: 408 and the connection closed soon after the headers timeout', async () => {
    const head = `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: ${'slow'.repeat(20)}\r\n\r\n`;
    const client = rawClient(service.base);
    client.trickle(head, 50); // all of it would take 6 s
    const ms = await client.closed;
    assert.ok(ms < HEADERS_MS + SLACK_MS, `closed after ${ms} ms`);
    assert.ok(client.sent() < head.length, 'cut off before the headers were complete');
    assert.match(client.received(), /^HTTP\/1\.1 408 Request Timeout\r\n/);
    assert.match(client.received(), /\r\nConnection: close\r\n/i);
  });

  it('a connection that sends nothing is closed after the headers timeout', async () => {
    const client = rawClient(service.base);
    const ms = await client.closed;
    assert.ok(ms < HEADERS_MS + SLACK_MS, `closed after ${ms} ms`);
    assert.match(client.received(), /^HTTP\/1\.1 408 /);
  });

  it('a body sent too slowly is refused with 408 after the request timeout, and nothing is created', async () => {
    const body = JSON.stringify({ subject: 'slow-body', data: { pad: 'x'.repeat(150) } });
    const client = rawClient(service.base);
    client.socket.write(
      'POST /v1/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
        `Authorization: Bearer ${TEST_API_KEY}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
    );
    client.trickle(body, 50); // all of it would take 9 s
    const ms = await client.closed;
    assert.ok(ms < REQUEST_MS + SLACK_MS, `closed after ${ms} ms`);
    assert.ok(client.sent() < body.length, 'cut off before the body was complete');
    assert.match(client.received(), /^HTTP\/1\.1 408 Request Timeout\r\n/);
    const listed = await service.call('GET', '/v1/subjects/slow-body/sessions');
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.sessions, []);
  });

  it('a request that arrives in parts within the limits is served', async () => {
    const body = JSON.stringify({ subject: 'in-parts' });
    const client = rawClient(service.base);
    client.socket.write(
      'POST /v1/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
        `Authorization: Bearer ${TEST_API_KEY}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`,
    );
    await sleep(100);
    client.socket.write(body.slice(0, 5));
    await sleep(100);
    client.socket.write(body.slice(5));
    await client.closed;
    assert.match(client.received(), /^HTTP\/1\.1 201 /);
  });

  it('an idle keep-alive connection is closed after TESSERA_KEEP_ALIVE_TIMEOUT_MS', async () => {
    const client = rawClient(service.base);
    client.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const ms = await client.closed;
    assert.match(client.received(), /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(client.received(), /\r\nKeep-Alive: timeout=0\r\n|\r\nConnection: keep-alive\r\n/i);
    // node:http 20 keeps an idle socket up to a second past keepAliveTimeout.
    assert.ok(ms < 200 + 1000 + SLACK_MS, `closed after ${ms} ms`);
  });
});

describe('TESSERA_MAX_CONNECTIONS', () => {
  let service: TestService;
  before(async () => {
    service = await startService({ TESSERA_MAX_CONNECTIONS: '2' });
  });
  after(async () => {
    await service.close();
  });

  /** A keep-alive connection the server has accepted (it answered a request on it). */
  async function heldConnection(): Promise<RawClient> {
    const client = rawClient(service.base);
    client.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    while (!client.received().includes('"status":"ok"')) await sleep(10);
    return client;
  }

  it('a connection over the limit is closed unanswered and logged; one frees a place', async () => {
    const first = await heldConnection();
    const second = await heldConnection();
    const third = rawClient(service.base);
    third.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await third.closed;
    assert.equal(third.received(), '', 'nothing is answered over the limit');
    assert.ok(!first.socket.destroyed && !second.socket.destroyed, 'the first two stay open');
    const warning = service.logs.find((line) => line.includes('TESSERA_MAX_CONNECTIONS reached'));
    assert.ok(warning, service.logs.join('\n'));
    assert.match(warning, /"level":"warn"/);
    assert.match(warning, /"limit":2/);

    first.socket.destroy();
    await first.closed;
    let status = 0;
    for (let attempt = 0; attempt < 100 && status !== 200; attempt++) {
      // The server counts the closed connection out when it sees the close: retry until it has.
      status = await fetch(`${service.base}/healthz`, { headers: { connection: 'close' } }).then(
        (response) => response.status,
        () => 0,
      );
      if (status !== 200) await sleep(20);
    }
    assert.equal(status, 200);
    second.socket.destroy();
  });
});
