import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ManualClock, manualClock } from '../../src/core/clock.js';
import type { SessionStore } from '../../src/core/store.js';
import { createService, type Service } from '../../src/service/app.js';
import { loadConfig } from '../../src/service/config.js';
import type { SessionJson } from '../../src/service/session-json.js';
import { installContractCheck, watchService } from './openapi-hook.js';

// Every response from a service these helpers start or call is checked against docs/openapi.json.
installContractCheck();

/** The fields any endpoint may answer with. */
export interface ApiBody {
  status?: string;
  store?: string;
  token?: string;
  session?: SessionJson;
  sessions?: SessionJson[];
  renewed?: boolean;
  revoked?: number;
  error?: { code: string; message: string; limit?: string; version?: number };
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  body: ApiBody;
}

export interface TestService {
  readonly base: string;
  readonly apiKey: string;
  readonly clock: ManualClock;
  readonly service: Service;
  readonly dataDir: string;
  /** Log lines the service wrote. */
  readonly logs: string[];
  /** Calls the API with the API key (unless `key` is given, or null for none). */
  call(method: string, path: string, body?: unknown, options?: CallOptions): Promise<ApiResponse>;
  close(): Promise<void>;
}

export interface CallOptions {
  key?: string | null;
  headers?: Record<string, string>;
  /** Sent as is instead of JSON-encoding `body`. */
  raw?: string | Uint8Array<ArrayBuffer>;
}

export const TEST_API_KEY = 'test-key-0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * Starts the real service in-process on port 0 with a manual clock. Every response from it, through `call` or
 * plain `fetch`, is checked against docs/openapi.json (test/service/openapi-hook.ts). `store` is `memory:` unless given
 * (`sqlite` puts a file in the temp data folder).
 */
export async function startService(
  env: Record<string, string> = {},
  options: { store?: 'memory' | 'sqlite'; storeInstance?: SessionStore } = {},
): Promise<TestService> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tessera-service-'));
  const config = loadConfig({
    TESSERA_PORT: '0',
    TESSERA_DATA_DIR: dataDir,
    TESSERA_STORE: options.store === 'sqlite' ? `sqlite:${join(dataDir, 'tessera.sqlite')}` : 'memory:',
    TESSERA_API_KEY: TEST_API_KEY,
    ...env,
  });
  const clock = manualClock(Date.UTC(2026, 0, 1, 9));
  const logs: string[] = [];
  const service = await createService(config, {
    clock,
    log: (line) => logs.push(line),
    ...(options.storeInstance === undefined ? {} : { store: options.storeInstance }),
  });
  const address = await service.listen();
  const base = `http://127.0.0.1:${address.port}`;
  watchService(base);
  return {
    base,
    apiKey: TEST_API_KEY,
    clock,
    service,
    dataDir,
    logs,
    call: (method, path, body, callOptions = {}) => call(base, method, path, body, callOptions),
    async close() {
      await service.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  options: CallOptions = {},
): Promise<ApiResponse> {
  watchService(base);
  const key = options.key === undefined ? TEST_API_KEY : options.key;
  const headers: Record<string, string> = { ...(key === null ? {} : { authorization: `Bearer ${key}` }) };
  let payload: string | Uint8Array<ArrayBuffer> | undefined;
  if (options.raw !== undefined) payload = options.raw;
  else if (body !== undefined) payload = JSON.stringify(body);
  if (payload !== undefined) headers['content-type'] = 'application/json';
  Object.assign(headers, options.headers ?? {});
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    ...(payload === undefined ? {} : { body: payload }),
  });
  const text = await response.text();
  let parsed: ApiBody = {};
  if (text !== '' && response.headers.get('content-type')?.startsWith('application/json')) {
    parsed = JSON.parse(text) as ApiBody;
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}

/** A made-up token of the right shape that the server never issued. */
export function madeUpToken(): string {
  return `ts1.${'A'.repeat(26)}.${'B'.repeat(43)}`;
}
