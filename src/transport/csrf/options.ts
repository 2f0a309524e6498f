import { toBase64Url } from '../../core/encoding.js';
import { cryptoRandom, type RandomSource } from '../../core/random.js';

/** Options for the CSRF defence. It is on by default for unsafe methods; pass `csrf: false` to turn it off. */
export interface CsrfOptions {
  /**
   * Origins (`scheme://host[:port]`) allowed to send unsafe requests when the browser sends no
   * `Sec-Fetch-Site` header (older browsers): the `Origin` header, else the `Referer`, must match one.
   * Behind a proxy that rewrites `Host`, list your public origin here.
   * @default []
   * @example ['https://app.example.com']
   */
  trustedOrigins?: readonly string[];
  /**
   * Also trust the request's own origin, taken from its `Host` header (and its scheme when the URL is absolute).
   * @default true
   */
  trustHost?: boolean;
  /**
   * Accept `Sec-Fetch-Site: same-site` (a sibling subdomain). Sibling subdomains can be attacker-controlled
   * (user content, takeovers), so OWASP recommends refusing them unless you need them.
   * @default false
   */
  allowSameSite?: boolean;
  /**
   * Accept unsafe requests that carry neither `Sec-Fetch-Site`, `Origin` nor `Referer` (non-browser clients that
   * use the cookie). Requests authenticated by `Authorization: Bearer` never need this: browsers do not attach
   * that header on their own, so they are not CSRF-able and skip these checks.
   * @default false
   */
  allowMissingOrigin?: boolean;
  /**
   * Require the session-bound signed token on unsafe requests that carry a session cookie
   * (OWASP "synchronizer token" pattern, signed and bound to the session id). Set false to rely on
   * Fetch Metadata / Origin checks alone.
   * @default true
   */
  requireToken?: boolean;
  /**
   * HMAC keys for the signed token, at least 32 characters each. The first signs; all verify (key rotation).
   * Without it a random key is made on first use (not at start-up: workerd refuses random values at module
   * scope): tokens then die on restart and differ between nodes and isolates, so set it whenever you run more
   * than one process. `undefined` (an unset environment variable) is the default.
   * @default a random per-process key
   */
  secret?: string | readonly string[] | undefined;
  /**
   * Form field (urlencoded or multipart body) that carries the token.
   * @default '_csrf'
   */
  fieldName?: string;
  /**
   * Request header that carries the token (for `fetch` / XHR).
   * @default 'x-csrf-token'
   */
  headerName?: string;
  /** CSPRNG for token values and the default key. @default the platform's CSPRNG (`cryptoRandom`) */
  random?: RandomSource;
}

export interface ResolvedCsrfOptions {
  readonly trustedOrigins: ReadonlySet<string>;
  readonly trustHost: boolean;
  readonly allowSameSite: boolean;
  readonly allowMissingOrigin: boolean;
  readonly requireToken: boolean;
  /** The keys, newest first. Without `secret`, reading this the first time makes the random key. */
  readonly secrets: readonly string[];
  readonly fieldName: string;
  readonly headerName: string;
  readonly random: RandomSource;
}

/** Shortest accepted HMAC key (OWASP: the key must be secret and strong; 32 characters ≈ 256 bits of hex/base64). */
export const MIN_SECRET_LENGTH = 32;
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

/** Normalizes an origin string to `scheme://host[:port]` (default ports dropped), or null if it is not one. */
export function normalizeOrigin(value: string): string | null {
  if (value === 'null') return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  return url.origin;
}

/** Validates CSRF options once, at start-up. */
export function resolveCsrfOptions(options: CsrfOptions = {}): ResolvedCsrfOptions {
  const random = options.random ?? cryptoRandom;
  if (typeof random !== 'function') throw new TypeError('tessera: csrf.random must be a function');
  const origins = new Set<string>();
  for (const origin of options.trustedOrigins ?? []) {
    const normalized = typeof origin === 'string' ? normalizeOrigin(origin) : null;
    const url = normalized === null ? null : new URL(origin);
    if (url === null || normalized === null || url.pathname !== '/' || url.search !== '' || url.hash !== '') {
      throw new TypeError(
        `tessera: csrf.trustedOrigins entry "${String(origin)}" is not an origin (scheme://host[:port])`,
      );
    }
    origins.add(normalized);
  }
  const rawSecrets =
    options.secret === undefined
      ? []
      : typeof options.secret === 'string'
        ? [options.secret]
        : [...options.secret];
  for (const secret of rawSecrets) {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
      throw new TypeError(`tessera: csrf.secret must be at least ${MIN_SECRET_LENGTH} characters`);
    }
  }
  if (options.secret !== undefined && rawSecrets.length === 0)
    throw new TypeError('tessera: csrf.secret must hold at least one key');
  let secrets: readonly string[] | null = rawSecrets.length > 0 ? Object.freeze(rawSecrets) : null;
  const fieldName = options.fieldName ?? '_csrf';
  if (typeof fieldName !== 'string' || fieldName === '')
    throw new TypeError('tessera: csrf.fieldName must be a non-empty string');
  const headerName = (options.headerName ?? 'x-csrf-token').toLowerCase();
  if (!HEADER_NAME.test(headerName))
    throw new TypeError('tessera: csrf.headerName is not a valid header name');
  return Object.freeze({
    trustedOrigins: origins,
    trustHost: options.trustHost ?? true,
    allowSameSite: options.allowSameSite ?? false,
    allowMissingOrigin: options.allowMissingOrigin ?? false,
    requireToken: options.requireToken ?? true,
    // Made on first use, never while options are read: an app may build its sessions at module scope.
    get secrets(): readonly string[] {
      secrets ??= Object.freeze([toBase64Url(random(32))]);
      return secrets;
    },
    fieldName,
    headerName,
    random,
  });
}
