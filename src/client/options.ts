/** Options of `createTesseraClient`. */
export interface TesseraClientOptions {
  /**
   * The app's refresh endpoint: `POST` with `{ "refreshToken": "…" }` and a DPoP proof, answering a new pair
   * (docs/client.md). Relative URLs resolve against the page.
   * @example '/auth/refresh'
   */
  refreshUrl: string | URL;
  /**
   * Names the IndexedDB database, the Web Lock and the BroadcastChannel, so two apps on one origin keep apart
   * keys and tokens. Letters, digits, `.`, `_`, `-`.
   * @default 'tessera'
   */
  name?: string;
  /** Seconds before the access token's expiry at which a request refreshes it first. @default 30 */
  refreshMargin?: number;
  /**
   * `credentials` of the refresh request (the body carries the refresh token; cookies are not needed).
   * @default 'same-origin'
   */
  refreshCredentials?: RequestCredentials;
  /** The fetch to send requests with. @default globalThis.fetch */
  fetch?: (request: Request) => Promise<Response>;
  /** The clock, in ms (proof `iat`, token expiry). @default Date.now */
  now?: () => number;
}

/** The options checked once, with their defaults. */
export interface ClientSettings {
  readonly refreshUrl: string;
  readonly name: string;
  readonly refreshMarginMs: number;
  readonly refreshCredentials: RequestCredentials;
  readonly fetch: (request: Request) => Promise<Response>;
  readonly now: () => number;
}

const NAME = /^[A-Za-z0-9._-]{1,64}$/;
const CREDENTIALS: readonly RequestCredentials[] = ['omit', 'same-origin', 'include'];

/** Validates the options at construction (a `TypeError` names the bad one) into a new object. */
export function clientSettings(options: TesseraClientOptions): ClientSettings {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('tessera client: options are required ({ refreshUrl })');
  }
  const refreshUrl = absoluteUrl(options.refreshUrl);
  const name = options.name ?? 'tessera';
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new TypeError('tessera client: name must be 1-64 letters, digits, ".", "_" or "-"');
  }
  const margin = options.refreshMargin ?? 30;
  if (typeof margin !== 'number' || !(margin >= 0 && margin <= 3600)) {
    throw new TypeError('tessera client: refreshMargin must be 0..3600 seconds');
  }
  const credentials = options.refreshCredentials ?? 'same-origin';
  if (!CREDENTIALS.includes(credentials)) {
    throw new TypeError('tessera client: refreshCredentials must be omit, same-origin or include');
  }
  const send = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const now = options.now ?? Date.now;
  if (typeof send !== 'function') throw new TypeError('tessera client: fetch must be a function');
  if (typeof now !== 'function') throw new TypeError('tessera client: now must be a function');
  return {
    refreshUrl,
    name,
    refreshMarginMs: margin * 1000,
    refreshCredentials: credentials,
    fetch: send,
    now,
  };
}

/** An absolute http(s) URL, resolving a relative one against the page. */
export function absoluteUrl(value: string | URL, what = 'refreshUrl'): string {
  let url: URL;
  try {
    url = new URL(value, globalThis.location?.href);
  } catch {
    throw new TypeError(`tessera client: ${what} must be a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`tessera client: ${what} must be an http(s) URL`);
  }
  return url.href;
}
