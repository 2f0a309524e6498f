/**
 * One forward-auth scenario for the real-proxy tests: Tessera in-process (manual clock, a memory store the test
 * can break), the Python echo upstream, and a proxy the test file starts in front of both.
 */
import assert from 'node:assert/strict';
import { MemoryStore } from '../../src/stores/memory/memory-store.js';
import { startService, type TestService } from '../service/helpers.js';
import { httpRequest, type RawResponse } from './http-request.js';
import { type Echoed, type Running, startUpstream, type Upstream } from './proxies.js';

export const COOKIE = '__Host-session';
export const SECRET = 'proxy-test-secret-0123456789abcdefghijklmnop';
export const LOGIN_URL = 'https://login.example.com/sign-in';

export interface Scenario {
  readonly api: TestService;
  readonly store: MemoryStore;
  readonly upstream: Upstream;
  /** The proxy's base URL (set by `useProxy`). */
  base: string;
  /** Signs a subject in through the API and returns the session token. */
  login(subject?: string): Promise<string>;
  /** A request through the proxy. */
  send(method: string, path: string, headers?: Record<string, string>, body?: string): Promise<RawResponse>;
  /** Whether the upstream received a request for `path` (each test uses its own paths). */
  reached(path: string): boolean;
  useProxy(proxy: Running, base: string): void;
  close(): Promise<void>;
}

export async function startScenario(env: Record<string, string> = {}): Promise<Scenario> {
  const store = new MemoryStore();
  const api = await startService(
    { TESSERA_AUTHZ_SECRET: SECRET, TESSERA_AUTHZ_LOGIN_URL: LOGIN_URL, ...env },
    { storeInstance: store },
  );
  let upstream: Upstream;
  try {
    upstream = await startUpstream();
  } catch (error) {
    await api.close();
    throw error;
  }
  let proxy: Running | null = null;
  const scenario: Scenario = {
    api,
    store,
    upstream,
    base: '',
    async login(subject = 'user-42') {
      const created = await api.call('POST', '/v1/sessions', { subject });
      assert.equal(created.status, 201);
      return created.body.token as string;
    },
    send(method, path, headers = {}, body) {
      return httpRequest(`${scenario.base}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
      });
    },
    reached(path) {
      return upstream
        .output()
        .split('\n')
        .some((line) => line.split(' ')[2] === path);
    },
    useProxy(running, base) {
      proxy = running;
      scenario.base = base;
    },
    async close() {
      await proxy?.stop();
      await upstream.stop();
      await api.close();
    },
  };
  return scenario;
}

/** The request the upstream echoed back. */
export function echoed(response: RawResponse): Echoed {
  const body = response.json<Echoed>();
  assert.ok(
    body !== null,
    `the upstream answered (status ${response.status}): ${response.body.slice(0, 300)}`,
  );
  return body;
}

export function sessionCookie(token: string): string {
  return `${COOKIE}=${token}`;
}
