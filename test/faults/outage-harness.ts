/**
 * Shared body of the store-outage tests: a node:http app validating sessions through the node adapter, a
 * store reached through a TcpProxy, traffic from a few concurrent clients while the proxy is broken and mended.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { authenticateNode } from '../../src/adapters/node/index.js';
import { createTessera } from '../../src/core/manager.js';
import type { SessionStore } from '../../src/core/store.js';
import { HttpSessions } from '../../src/transport/http-sessions.js';
import type { TcpProxy } from '../support/tcp-proxy.js';

/** No request may take longer than this: the store's timeouts must answer well before it. */
const CLIENT_DEADLINE_MS = 10_000;

export interface Answer {
  status: number;
  code: string | null;
  retryAfter: string | null;
}

async function ask(base: string, token: string): Promise<Answer> {
  const response = await fetch(`${base}/me`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(CLIENT_DEADLINE_MS),
  });
  const text = await response.text();
  let code: string | null = null;
  try {
    code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? null;
  } catch {
    code = null;
  }
  return { status: response.status, code, retryAfter: response.headers.get('retry-after') };
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await delay(50);
  }
  assert.fail(`timed out waiting for ${what}`);
}

/**
 * Runs traffic, breaks the proxy with `mode`, checks every answer during the outage is 503 store_unavailable
 * with Retry-After (never 200, never a hang past the deadline), mends it, and waits for 200s to return.
 */
export async function outageScenario(
  store: SessionStore,
  proxy: TcpProxy,
  mode: 'cut' | 'stall',
): Promise<void> {
  const manager = createTessera({ store });
  const sessions = new HttpSessions(manager, { cookie: { development: true }, csrf: false });
  const server: Server = createServer(async (request, response) => {
    const session = await authenticateNode(sessions, request, response);
    if (session === null) return;
    response.writeHead(200, { 'content-type': 'text/plain' }).end(session.subject);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const { token } = await manager.create({ subject: `outage-${mode}` });
    assert.equal((await ask(base, token)).status, 200);

    let phase: 'before' | 'outage' | 'after' = 'before';
    const during: Answer[] = [];
    const other: Answer[] = [];
    let stop = false;
    const worker = async (): Promise<void> => {
      while (!stop) {
        const startedIn = phase;
        const answer = await ask(base, token);
        // Only requests sent after the break took effect must fail; earlier ones may have been answered.
        if (startedIn === 'outage' && phase === 'outage') during.push(answer);
        else other.push(answer);
      }
    };
    const workers = Array.from({ length: 4 }, () => worker());
    try {
      await delay(100);
      if (mode === 'cut') proxy.cut();
      else proxy.stall();
      phase = 'outage';
      await until(async () => during.length >= 8, 30_000, 'answers during the outage');
      proxy.restore();
      phase = 'after';
      await until(
        async () => (await ask(base, token)).status === 200,
        30_000,
        `the app to recover by itself after the store came back (last answers: ${JSON.stringify(other.slice(-3))})`,
      );
    } finally {
      // Workers stop whatever happened, so a failed check ends the test instead of spinning forever.
      stop = true;
      proxy.restore();
      await Promise.all(workers);
    }

    for (const answer of during) {
      assert.equal(answer.status, 503, `during the outage: ${JSON.stringify(answer)}`);
      assert.equal(answer.code, 'store_unavailable');
      assert.ok(answer.retryAfter !== null && Number(answer.retryAfter) >= 1, 'Retry-After is set');
    }
    for (const answer of other) assert.ok([200, 503].includes(answer.status), `unexpected ${answer.status}`);
    // Nothing acknowledged was lost: the session still validates, and a revoke now sticks.
    assert.equal((await ask(base, token)).status, 200);
    assert.equal(await manager.revoke(token), true);
    assert.equal((await ask(base, token)).status, 401);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
