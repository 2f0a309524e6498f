import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import ts from 'typescript';
import { type ManualClock, manualClock } from '../../../src/core/clock.js';
import { createTessera, type SessionManager } from '../../../src/core/manager.js';
import { authenticateNode } from '../../../src/adapters/node/index.js';
import { DpopNonces, DpopProofs } from '../../../src/stateless/dpop/index.js';
import {
  AccessTokenAuthenticator,
  AccessTokens,
  generateJwtKey,
  JwtKeyRing,
} from '../../../src/stateless/jwt/index.js';
import { RefreshTokens, type TokenPair } from '../../../src/stateless/refresh/index.js';
import { MemoryStore } from '../../../src/stores/memory/memory-store.js';

/**
 * The app contract of docs/client.md on a real node:http server, with Tessera's real pieces: a memory store, the
 * session manager, EdDSA access tokens served by `AccessTokenAuthenticator` with DPoP required, rotating refresh
 * tokens bound to the proof key (grace 0: a second rotation of one token is reuse and ends the family), and
 * optional server nonces. The page at `/` loads the client's own modules from src/client/, transpiled one by one
 * (no bundler: the browser resolves their relative imports, so a bare or `node:` import would fail to load).
 */
export interface ClientApp {
  readonly url: string;
  /** Access-token and session time (proofs use the real clock: they are made by the browser's). */
  readonly clock: ManualClock;
  /** The server nonces' clock (real time until moved). */
  readonly nonceClock: ManualClock;
  readonly manager: SessionManager;
  /** Requests that reached each token endpoint, and the pairs they rotated. */
  readonly counts: { login: number; refreshRequests: number; rotations: number; meRequests: number };
  /** When set, the refresh endpoint answers this status without looking at the request (a server fault). */
  refreshFault: number | null;
  close(): Promise<void>;
}

export interface ClientAppOptions {
  /** Server nonces on every DPoP check (RFC 9449 8). @default false */
  nonces?: boolean;
}

const CLIENT_DIR = new URL('../../../src/client/', import.meta.url);

export async function startClientApp(options: ClientAppOptions = {}): Promise<ClientApp> {
  const clock = manualClock(Date.now());
  const store = new MemoryStore();
  const manager = createTessera({ store, clock, idleTimeout: 86400, absoluteTimeout: 7 * 86400 });
  const accessTokens = new AccessTokens({
    keys: new JwtKeyRing([generateJwtKey('EdDSA', clock(), 'k1')]),
    issuer: 'https://auth.test',
    audience: 'api',
    clock,
    manager,
  });
  const refresh = new RefreshTokens({
    manager,
    accessTokens,
    secret: 'a refresh secret for the client tests, 32+ bytes',
    grace: 0,
  });
  const nonceClock = manualClock(Date.now());
  const nonces =
    options.nonces === true
      ? new DpopNonces({ secret: 'a nonce secret for the client tests, 32 bytes!', clock: nonceClock })
      : null;
  const proofs = new DpopProofs({ store, nonces });
  const counts = { login: 0, refreshRequests: 0, rotations: 0, meRequests: 0 };
  let origin = '';
  const api = (): AccessTokenAuthenticator =>
    new AccessTokenAuthenticator(accessTokens, { dpop: { proofs, required: true, origin } });
  let served: AccessTokenAuthenticator | null = null;

  /** The token endpoints' proof check (made for their own URL, no `ath`): the jkt, or null after answering. */
  const proofKey = async (request: IncomingMessage, response: ServerResponse): Promise<string | null> => {
    const path = (request.url ?? '/').split('?')[0];
    const proof = await proofs.verify(header(request, 'dpop'), { method: 'POST', url: `${origin}${path}` });
    if (proof.ok) {
      if (proof.nextNonce !== undefined) response.setHeader('dpop-nonce', proof.nextNonce);
      return proof.jkt;
    }
    if (proof.nonce !== undefined) response.setHeader('dpop-nonce', proof.nonce);
    response.setHeader('www-authenticate', proofs.challenge(proof.error));
    const code = proof.error === 'use_dpop_nonce' ? 'dpop_nonce_required' : 'dpop_proof_invalid';
    json(response, 401, { error: { code, reason: proof.reason } });
    return null;
  };

  const server: Server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      if (!response.headersSent) json(response, 500, { error: { code: 'internal', message: String(error) } });
      else response.destroy();
    });
  });

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (request.method === 'GET' && path === '/') return page(response);
    if (request.method === 'GET' && path.startsWith('/client/')) return clientModule(path, response);
    if (request.method === 'POST' && path === '/auth/login') {
      counts.login += 1;
      const jkt = await proofKey(request, response);
      if (jkt === null) return;
      const { subject } = (await body(request)) as { subject?: unknown };
      if (typeof subject !== 'string') return json(response, 400, { error: { code: 'invalid_request' } });
      // A real app checks a password (or a session cookie) here; the tests sign in by name.
      const { session } = await manager.create({ subject });
      return pair(response, await refresh.issue(session, { jkt }));
    }
    if (request.method === 'POST' && path === '/auth/refresh') {
      counts.refreshRequests += 1;
      if (handle.refreshFault !== null) {
        return json(response, handle.refreshFault, { error: { code: 'store_unavailable' } });
      }
      const jkt = await proofKey(request, response);
      if (jkt === null) return;
      const { refreshToken } = (await body(request)) as { refreshToken?: unknown };
      const result = await refresh.refresh(
        typeof refreshToken === 'string' ? refreshToken : null,
        {},
        { jkt },
      );
      if (!result.ok) return json(response, result.status, { error: { code: result.code } });
      counts.rotations += 1;
      return pair(response, result);
    }
    if (request.method === 'GET' && path === '/api/me') {
      counts.meRequests += 1;
      served ??= api();
      const session = await authenticateNode(served, request, response);
      if (session === null) return; // 401 / 440 with WWW-Authenticate (and DPoP-Nonce) already written
      return json(response, 200, { subject: session.subject, sessionId: session.id });
    }
    json(response, 404, { error: { code: 'not_found' } });
  }

  const handle: ClientApp & { url: string } = {
    url: '',
    clock,
    nonceClock,
    manager,
    counts,
    refreshFault: null,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  handle.url = origin;
  return handle;
}

function header(request: IncomingMessage, name: string): string | null {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : (value ?? null);
}

function json(response: ServerResponse, status: number, value: unknown): void {
  response.statusCode = status;
  response.setHeader('content-type', 'application/json');
  response.setHeader('cache-control', 'no-store');
  response.end(JSON.stringify(value));
}

function pair(response: ServerResponse, issued: TokenPair): void {
  const { accessToken, refreshToken, expiresIn } = issued;
  json(response, 200, { accessToken, refreshToken, expiresIn, tokenType: 'DPoP' });
}

async function body(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return {};
  }
}

/** One module of src/client/, transpiled to JavaScript as it is (imports untouched). */
async function clientModule(path: string, response: ServerResponse): Promise<void> {
  const name = /^\/client\/([a-z0-9-]+)\.js$/.exec(path)?.[1];
  let source: string;
  try {
    if (name === undefined) throw new Error('not a client module');
    source = await readFile(new URL(`${name}.ts`, CLIENT_DIR), 'utf8');
  } catch {
    return json(response, 404, { error: { code: 'not_found' } });
  }
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  });
  response.setHeader('content-type', 'text/javascript');
  response.end(outputText);
}

/**
 * The test page. `window.tessera` is the client module; `window.copyStoredTokens()` is the test hook standing
 * for script in the page that copies the tokens out of IndexedDB (XSS, a malicious extension).
 */
function page(response: ServerResponse): void {
  response.setHeader('content-type', 'text/html; charset=utf-8');
  response.end(`<!doctype html><meta charset="utf-8"><title>tessera client</title>
<script type="module">
  import * as tessera from '/client/index.js';
  window.tessera = tessera;
  window.copyStoredTokens = () => new Promise((resolve, reject) => {
    const open = indexedDB.open('tessera', 1);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const get = open.result.transaction('tessera').objectStore('tessera').get('tokens');
      get.onsuccess = () => { open.result.close(); resolve(get.result ?? null); };
      get.onerror = () => reject(get.error);
    };
  });
  window.storedKey = () => new Promise((resolve, reject) => {
    const open = indexedDB.open('tessera', 1);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const get = open.result.transaction('tessera').objectStore('tessera').get('key');
      get.onsuccess = () => { open.result.close(); resolve(get.result ?? null); };
      get.onerror = () => reject(get.error);
    };
  });
  document.body.dataset.ready = 'yes';
</script><body></body>`);
}
