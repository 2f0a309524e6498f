import { type TabChannel, type TabMessage, openTabChannel, withLock } from './coordination.js';
import { loadOrCreateKey, type StoredKey } from './dpop-key.js';
import { TesseraClientError } from './errors.js';
import { Listeners, type TesseraClientListener } from './events.js';
import { asksForNonce, NonceBook, refusesToken } from './nonces.js';
import { absoluteUrl, type ClientSettings, clientSettings, type TesseraClientOptions } from './options.js';
import { createProof } from './proof.js';
import { type ClientStorage, openStorage } from './storage.js';
import { errorCodeOf, type StoredTokens, storedTokens, type TokenResponse } from './tokens.js';

/** The browser client: one per page (tabs coordinate through IndexedDB, Web Locks and a BroadcastChannel). */
export interface TesseraClient {
  /**
   * `fetch` with the access token (`Authorization: DPoP …`) and a fresh proof (`DPoP`) attached. Refreshes
   * first when the token is about to expire, and once more when the server refuses it as expired or invalid;
   * retries once when the server asks for a new nonce (`use_dpop_nonce`). Rejects with `signed_out` when there
   * is no token pair (or the refresh was refused), `refresh_failed` when a needed refresh got no usable answer.
   */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /**
   * Sends the app's sign-in request (`POST` by default; `init` carries the credentials) with a DPoP proof, so
   * the server binds the new pair to this browser's key, and stores the pair it answers
   * (`{ accessToken, refreshToken, expiresIn }`). Rejects with `sign_in_failed` otherwise.
   */
  signIn(url: string | URL, init?: RequestInit): Promise<void>;
  /** Stores a pair the app obtained itself (it must be bound to `thumbprint()`). */
  setTokens(tokens: TokenResponse): Promise<void>;
  /** Rotates the pair now (under the cross-tab lock: a rotation another tab just made is used instead). */
  refresh(): Promise<void>;
  /**
   * Forgets the tokens in every tab (the app revokes them on its server first, through `fetch`). With
   * `forgetKey`, the key goes too: the next sign-in makes a new one, unlinkable to the old.
   */
  signOut(options?: { forgetKey?: boolean }): Promise<void>;
  /** Whether a token pair is stored (it may still be refused by the server). */
  isSignedIn(): Promise<boolean>;
  /** The RFC 7638 thumbprint of this browser's key (`jkt`): what the server binds tokens to. */
  thumbprint(): Promise<string>;
  /** A DPoP proof for a request the app sends itself (a WebSocket URL, a form post). */
  proof(method: string, url: string | URL, accessToken?: string): Promise<string>;
  /** Calls `listener` on sign-in, refresh and sign-out, here and in other tabs. Returns the unsubscribe. */
  subscribe(listener: TesseraClientListener): () => void;
  /** Closes the database connection and the channel. */
  close(): void;
}

/**
 * Creates the browser client. Nothing is opened until first use; the key is made on first use, non-extractable,
 * and kept in IndexedDB.
 *
 * @example
 * ```ts
 * const client = createTesseraClient({ refreshUrl: '/auth/refresh' });
 * await client.signIn('/auth/login', { body: JSON.stringify({ email, password }), headers: { 'content-type': 'application/json' } });
 * const me = await (await client.fetch('/api/me')).json();
 * ```
 */
export function createTesseraClient(options: TesseraClientOptions): TesseraClient {
  return new Client(clientSettings(options));
}

class Client implements TesseraClient {
  readonly #settings: ClientSettings;
  readonly #nonces = new NonceBook();
  readonly #listeners = new Listeners();
  #storage: Promise<ClientStorage> | null = null;
  #key: Promise<StoredKey> | null = null;
  #channel: TabChannel | null = null;
  /** The tokens as last read or written here; undefined: read IndexedDB again (another tab changed them). */
  #tokens: StoredTokens | null | undefined;
  #refreshing: Promise<StoredTokens> | null = null;
  readonly #lockName: string;

  constructor(settings: ClientSettings) {
    this.#settings = settings;
    this.#lockName = `${settings.name}-refresh`;
  }

  async fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const request = new Request(input instanceof URL ? input.href : input, init);
    let tokens = await this.#usableTokens();
    const response = await this.#send(request, tokens.accessToken);
    if (!refusesToken(response)) return response;
    // Expired by the server's clock, or refused: one refresh (or another tab's newer pair) and one more try.
    tokens = await this.#refresh(tokens);
    return this.#send(request, tokens.accessToken);
  }

  async signIn(url: string | URL, init: RequestInit = {}): Promise<void> {
    const request = new Request(absoluteUrl(url, 'sign-in url'), { method: 'POST', ...init });
    const response = await this.#send(request);
    const tokens = response.ok ? storedTokens(await readJson(response), this.#settings.now()) : null;
    if (tokens === null) {
      throw new TesseraClientError('sign_in_failed', `tessera client: sign-in answered ${response.status}`, {
        status: response.status,
        serverCode: await errorCodeOf(response),
      });
    }
    await withLock(this.#lockName, () => this.#keep(tokens, 'signed-in'));
  }

  async setTokens(tokens: TokenResponse): Promise<void> {
    const stored = storedTokens(tokens, this.#settings.now());
    if (stored === null) {
      throw new TypeError('tessera client: tokens must be { accessToken, refreshToken, expiresIn }');
    }
    await withLock(this.#lockName, () => this.#keep(stored, 'signed-in'));
  }

  async refresh(): Promise<void> {
    const tokens = this.#tokens === undefined ? await this.#readTokens() : this.#tokens;
    await this.#refresh(tokens);
  }

  async signOut(options: { forgetKey?: boolean } = {}): Promise<void> {
    await withLock(this.#lockName, async () => {
      const storage = await this.#openStorage();
      await storage.delete('tokens');
      if (options.forgetKey === true) {
        await storage.delete('key');
        this.#key = null;
      }
      this.#tokens = null;
    });
    this.#tell({ type: 'signed-out', reason: 'local' });
  }

  async isSignedIn(): Promise<boolean> {
    return (await this.#readTokens()) !== null;
  }

  async thumbprint(): Promise<string> {
    return (await this.#loadKey()).jkt;
  }

  async proof(method: string, url: string | URL, accessToken?: string): Promise<string> {
    if (typeof method !== 'string' || !/^[A-Za-z]{3,10}$/.test(method)) {
      throw new TypeError('tessera client: method must be an HTTP method');
    }
    const href = absoluteUrl(url, 'url');
    const target = { method, url: href, nonce: this.#nonces.for(href), accessToken };
    return createProof(await this.#loadKey(), target, this.#settings.now());
  }

  subscribe(listener: TesseraClientListener): () => void {
    this.#openChannel();
    return this.#listeners.add(listener);
  }

  close(): void {
    this.#channel?.close();
    this.#channel = null;
    void this.#storage?.then((storage) => storage.close()).catch(() => {});
    this.#storage = null;
  }

  /** The stored pair, refreshed first when it expires within the margin; `signed_out` when there is none. */
  async #usableTokens(): Promise<StoredTokens> {
    const tokens = this.#tokens === undefined ? await this.#readTokens() : this.#tokens;
    if (tokens === null) throw signedOut('tessera client: not signed in', null);
    return this.#expiring(tokens) ? this.#refresh(tokens) : tokens;
  }

  /** One refresh at a time in this tab, and across tabs under the lock. */
  #refresh(seen: StoredTokens | null): Promise<StoredTokens> {
    if (this.#refreshing !== null) return this.#refreshing;
    const running = withLock(this.#lockName, () => this.#refreshHoldingLock(seen)).finally(() => {
      this.#refreshing = null;
    });
    this.#refreshing = running;
    return running;
  }

  async #refreshHoldingLock(seen: StoredTokens | null): Promise<StoredTokens> {
    // Read again inside the lock: the tab that held it before may have rotated the pair we wanted to rotate.
    // Its pair is then used as it is; rotating our copy again would present a replaced refresh token (reuse).
    const stored = await this.#readTokens();
    if (stored === null) throw signedOut('tessera client: not signed in', null);
    if (seen !== null && stored.accessToken !== seen.accessToken && !this.#expiring(stored)) return stored;
    const request = new Request(this.#settings.refreshUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: stored.refreshToken }),
      credentials: this.#settings.refreshCredentials,
      cache: 'no-store',
    });
    let response: Response;
    try {
      response = await this.#send(request);
    } catch (cause) {
      throw new TesseraClientError('refresh_failed', 'tessera client: the refresh request failed', { cause });
    }
    const serverCode = response.ok ? null : await errorCodeOf(response);
    if (response.ok) {
      const next = storedTokens(await readJson(response), this.#settings.now());
      if (next !== null) {
        await this.#keep(next, 'refreshed');
        return next;
      }
    }
    // Only 400/401/403 speak about the token. Anything else (a server fault, overload, a wrong refreshUrl) and a
    // proof problem (a clock off by more than a minute) keep the pair: a later call tries again.
    if (
      ![400, 401, 403].includes(response.status) ||
      serverCode === 'dpop_proof_invalid' ||
      serverCode === 'invalid_dpop_proof' ||
      asksForNonce(response)
    ) {
      throw new TesseraClientError('refresh_failed', `tessera client: refresh answered ${response.status}`, {
        status: response.status,
        serverCode,
      });
    }
    // The server refused the refresh token (revoked, expired, reused, another key): the user is signed out.
    const storage = await this.#openStorage();
    await storage.delete('tokens');
    this.#tokens = null;
    this.#tell({ type: 'signed-out', reason: 'refused' });
    throw signedOut(
      `tessera client: the refresh was refused (${serverCode ?? response.status})`,
      response.status,
      serverCode,
    );
  }

  /** Sends `request` with a fresh proof (and the access token), once more when the server asks for a new nonce. */
  async #send(request: Request, accessToken?: string): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const headers = new Headers(request.headers);
      headers.set('dpop', await this.proof(request.method, request.url, accessToken));
      if (accessToken !== undefined) headers.set('authorization', `DPoP ${accessToken}`);
      const response = await this.#settings.fetch(new Request(request.clone(), { headers }));
      const learnt = this.#nonces.learn(request.url, response);
      // RFC 9449 8 and 9: retry once with the nonce the answer carries, and only then.
      if (
        attempt === 0 &&
        asksForNonce(response) &&
        (learnt || this.#nonces.for(request.url) !== undefined)
      ) {
        continue;
      }
      return response;
    }
  }

  async #keep(tokens: StoredTokens, reason: 'signed-in' | 'refreshed'): Promise<void> {
    await (await this.#openStorage()).put('tokens', tokens);
    this.#tokens = tokens;
    this.#tell({ type: 'tokens', reason });
  }

  async #readTokens(): Promise<StoredTokens | null> {
    const tokens = (await (await this.#openStorage()).get<StoredTokens>('tokens')) ?? null;
    this.#tokens = tokens;
    return tokens;
  }

  #expiring(tokens: StoredTokens): boolean {
    return tokens.expiresAt - this.#settings.refreshMarginMs <= this.#settings.now();
  }

  /** Tells this tab's listeners and the other tabs. */
  #tell(message: TabMessage): void {
    this.#openChannel().post(message);
    this.#listeners.emit(
      message.type === 'tokens'
        ? { type: message.reason, remote: false }
        : { type: 'signed-out', reason: message.reason, remote: false },
    );
  }

  #receive(message: TabMessage): void {
    this.#tokens = undefined; // read the other tab's write on next use
    this.#listeners.emit(
      message.type === 'tokens'
        ? { type: message.reason, remote: true }
        : { type: 'signed-out', reason: message.reason, remote: true },
    );
  }

  #openChannel(): TabChannel {
    this.#channel ??= openTabChannel(this.#settings.name, (message) => this.#receive(message));
    return this.#channel;
  }

  #openStorage(): Promise<ClientStorage> {
    this.#openChannel();
    if (this.#storage === null) {
      const opening = openStorage(this.#settings.name);
      this.#storage = opening;
      opening.catch(() => {
        if (this.#storage === opening) this.#storage = null;
      });
    }
    return this.#storage;
  }

  #loadKey(): Promise<StoredKey> {
    if (this.#key === null) {
      if (globalThis.crypto?.subtle === undefined) {
        return Promise.reject(
          new TesseraClientError('unsupported', 'tessera client: WebCrypto needs a secure context (https)'),
        );
      }
      const loading = this.#openStorage().then((storage) => loadOrCreateKey(storage));
      this.#key = loading;
      loading.catch(() => {
        if (this.#key === loading) this.#key = null;
      });
    }
    return this.#key;
  }
}

function signedOut(
  message: string,
  status: number | null,
  serverCode: string | null = null,
): TesseraClientError {
  return new TesseraClientError('signed_out', message, {
    ...(status === null ? {} : { status }),
    serverCode,
  });
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return null;
  }
}
