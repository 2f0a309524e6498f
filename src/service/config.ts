import { isAbsolute, join, resolve } from 'node:path';
import { RESERVED_CLAIMS } from '../stateless/jwt/claims.js';
import { parseKeyList } from '../stateless/jwt/key-list.js';
import { importJwtKey, JWT_ALGORITHMS, type JwtAlgorithm } from '../stateless/jwt/keys.js';
import { hasSecurePrefix, type ResolvedCookieOptions, resolveCookieOptions } from '../transport/cookie.js';
import { checkNetworkList } from '../core/forwarded.js';
import type { TesseraOptions } from '../core/options.js';

/** A bad environment variable. The message names the variable and the rule; it never echoes a secret. */
export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(`${variable} ${message}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

export type LogLevel = 'info' | 'warn' | 'error' | 'silent';

/** The service settings, read once from the environment and validated at start-up. */
export interface ServiceConfig {
  /** TESSERA_PORT. @default 4455 */
  readonly port: number;
  /** TESSERA_HOST. @default '127.0.0.1' */
  readonly host: string;
  /** TESSERA_DATA_DIR, absolute. @default './data' */
  readonly dataDir: string;
  /** TESSERA_STORE: `memory:`, `sqlite:<path>` or a file path. @default 'sqlite:<dataDir>/tessera.sqlite' */
  readonly store: string;
  /** TESSERA_IDLE_TIMEOUT in seconds. @default 1800 */
  readonly idleTimeout: number;
  /** TESSERA_ABSOLUTE_TIMEOUT in seconds. @default 43200 */
  readonly absoluteTimeout: number;
  /** TESSERA_API_KEY, or null to use (or create) `<dataDir>/api-key`. */
  readonly apiKey: string | null;
  /** TESSERA_COOKIE_NAME and TESSERA_DEV_INSECURE_COOKIE, validated as the transport does. */
  readonly cookie: ResolvedCookieOptions;
  /** TESSERA_UNSAFE_UNPREFIXED_COOKIE: accept a TESSERA_COOKIE_NAME without `__Host-`/`__Secure-`. @default false */
  readonly unprefixedCookie: boolean;
  /** TESSERA_MAX_SESSIONS_PER_SUBJECT, or null for no cap. @default null */
  readonly maxSessionsPerSubject: number | null;
  /** TESSERA_SESSION_OVERFLOW. @default 'evict-oldest' */
  readonly overflow: 'refuse' | 'evict-oldest';
  /** TESSERA_SWEEP_INTERVAL in seconds (expired-session cleanup). @default 60 */
  readonly sweepInterval: number;
  /** TESSERA_LOG_LEVEL. @default 'info' */
  readonly logLevel: LogLevel;
  /** TESSERA_AUDIT_FILE, absolute, or null when set to `off`. @default '<dataDir>/audit.jsonl' */
  readonly auditFile: string | null;
  /** TESSERA_AUDIT_KEY: when set, the audit trail names subjects by HMAC-SHA256 under it. @default null */
  readonly auditKey: string | null;
  /** TESSERA_JWT_* and TESSERA_REFRESH_*: the access- and refresh-token routes (docs/stateless.md). */
  readonly tokens: TokenSettings;
  /** TESSERA_AUTHZ_*: the forward-auth endpoint `/v1/authz` for reverse proxies (docs/proxy.md). */
  readonly authz: AuthzSettings;
  /**
   * TESSERA_DBSC: Device Bound Session Credentials on the `/v1/authz` path, with the browser's endpoints at
   * `/tessera/dbsc/register` and `/tessera/dbsc/refresh` (docs/binding.md). @default 'off'
   */
  readonly dbsc: 'off' | 'report-only' | 'enforce';
  /** TESSERA_DBSC_SECRET, or null to use (or create) `<dataDir>/dbsc-secret`. */
  readonly dbscSecret: string | null;
  /** TESSERA_*_TIMEOUT_MS and TESSERA_MAX_CONNECTIONS: how long and how many clients may hold a connection. */
  readonly http: HttpLimits;
}

/**
 * Limits on client connections, so a slow or idle client (slowloris: headers or a body sent a byte at a time)
 * cannot hold the server's sockets open. A client past a timeout gets `408` and the connection is closed.
 */
export interface HttpLimits {
  /**
   * TESSERA_HEADERS_TIMEOUT_MS: milliseconds from a connection's first byte (or the end of its last answer) to
   * the end of the request's headers. @default 10000
   */
  readonly headersTimeout: number;
  /**
   * TESSERA_REQUEST_TIMEOUT_MS: milliseconds to receive the whole request, body included (the service reads
   * bodies only while the request lasts, so this is also the body timeout). @default 30000
   */
  readonly requestTimeout: number;
  /** TESSERA_KEEP_ALIVE_TIMEOUT_MS: milliseconds an idle keep-alive connection is kept between requests. @default 5000 */
  readonly keepAliveTimeout: number;
  /** TESSERA_MAX_CONNECTIONS: open connections at most; one over the limit is closed at once. @default 10000 */
  readonly maxConnections: number;
}

/** Settings of the access- and refresh-token routes. */
export interface TokenSettings {
  /** TESSERA_JWT_ISSUER. @default 'tessera' */
  readonly issuer: string;
  /** TESSERA_JWT_AUDIENCE, comma-separated. @default ['tessera'] */
  readonly audience: readonly string[];
  /** TESSERA_JWT_TTL, seconds. @default 900 */
  readonly ttl: number;
  /** TESSERA_JWT_ALG of generated keys. @default 'EdDSA' */
  readonly alg: JwtAlgorithm;
  /** TESSERA_JWT_ROTATION_INTERVAL, seconds each generated key signs. @default 604800 */
  readonly rotationInterval: number;
  /** TESSERA_JWT_PREPUBLISH, seconds a new key is in the JWKS before it signs. @default 86400 */
  readonly prePublish: number;
  /** TESSERA_REFRESH_GRACE, seconds. @default 5 */
  readonly grace: number;
  /** TESSERA_REFRESH_LIFETIME, seconds. @default 604800 */
  readonly familyLifetime: number;
  /** TESSERA_JWT_KEYS: the key ring as JSON, or null to use (or create) `<dataDir>/jwt-keys.json`. */
  readonly keys: string | null;
  /** TESSERA_REFRESH_SECRET, or null to use (or create) `<dataDir>/refresh-secret`. */
  readonly refreshSecret: string | null;
  /**
   * TESSERA_DPOP: `optional` issues DPoP-bound pairs to callers that send a proof and bearer pairs to the others;
   * `required` refuses to issue, refresh or verify a token without a proof (RFC 9449). @default 'optional'
   */
  readonly dpop: 'optional' | 'required';
  /** TESSERA_DPOP_NONCE: ask every proof for a server nonce (RFC 9449 8). @default false */
  readonly dpopNonce: boolean;
  /** TESSERA_DPOP_MAX_AGE, seconds a proof is accepted after its `iat`. @default 60 */
  readonly dpopMaxAge: number;
  /**
   * TESSERA_JWT_DATA_CLAIMS: session-data keys (comma-separated) copied into every access token as claims of the
   * same name, at issue and at each refresh. @default [] (none)
   */
  readonly dataClaims: readonly string[];
}

const API_KEY = /^[A-Za-z0-9._~+/=-]{32,512}$/;

/** Reads and validates the service settings. Throws `ConfigError` with a clear message on a bad value. */
export function loadConfig(env: NodeJS.ProcessEnv): ServiceConfig {
  const port = integer(env, 'TESSERA_PORT', 4455, 0, 65535);
  const host = text(env, 'TESSERA_HOST') ?? '127.0.0.1';
  if (/\s/.test(host)) throw new ConfigError('TESSERA_HOST', 'must be a host name or address without spaces');
  const dataDir = resolve(text(env, 'TESSERA_DATA_DIR') ?? './data');
  const store = text(env, 'TESSERA_STORE') ?? `sqlite:${join(dataDir, 'tessera.sqlite')}`;
  const idleTimeout = integer(env, 'TESSERA_IDLE_TIMEOUT', 1800, 1, 365 * 24 * 3600);
  const absoluteTimeout = integer(env, 'TESSERA_ABSOLUTE_TIMEOUT', 43200, 1, 5 * 365 * 24 * 3600);
  if (idleTimeout > absoluteTimeout) {
    throw new ConfigError(
      'TESSERA_IDLE_TIMEOUT',
      `(${idleTimeout}) must not exceed TESSERA_ABSOLUTE_TIMEOUT (${absoluteTimeout})`,
    );
  }
  const apiKey = text(env, 'TESSERA_API_KEY') ?? null;
  if (apiKey !== null && !API_KEY.test(apiKey)) {
    throw new ConfigError(
      'TESSERA_API_KEY',
      'must be 32 to 512 characters of A-Z a-z 0-9 . _ ~ + / = - (for example 32 random bytes in base64url)',
    );
  }
  const development = flag(env, 'TESSERA_DEV_INSECURE_COOKIE');
  const cookieName = text(env, 'TESSERA_COOKIE_NAME');
  const unprefixedCookie = flag(env, 'TESSERA_UNSAFE_UNPREFIXED_COOKIE');
  let cookie: ResolvedCookieOptions;
  try {
    cookie = resolveCookieOptions({
      development,
      // The prefix rule is checked below, so its message names the variable that opts out.
      unsafeAllowUnprefixedName: true,
      ...(cookieName === undefined ? {} : { name: cookieName }),
    });
  } catch (error) {
    const reason = (error as Error).message.replace(/^tessera: /, '');
    throw new ConfigError('TESSERA_COOKIE_NAME', `is not usable: ${reason}`);
  }
  // ASVS 5.0 3.3.1: without the prefix a sibling subdomain or a plain-HTTP page could plant the cookie.
  if (!development && !unprefixedCookie && !hasSecurePrefix(cookie.name)) {
    throw new ConfigError(
      'TESSERA_COOKIE_NAME',
      `must start with __Host- (or __Secure-) (got "${cookie.name.slice(0, 40)}"), so a sibling subdomain ` +
        'cannot set or overwrite it; set TESSERA_UNSAFE_UNPREFIXED_COOKIE=1 to accept an unprefixed name',
    );
  }
  const maxRaw = text(env, 'TESSERA_MAX_SESSIONS_PER_SUBJECT');
  const maxSessionsPerSubject =
    maxRaw === undefined ? null : integer(env, 'TESSERA_MAX_SESSIONS_PER_SUBJECT', 0, 1, 1_000_000);
  const overflow = oneOf(env, 'TESSERA_SESSION_OVERFLOW', ['evict-oldest', 'refuse'] as const);
  const sweepInterval = integer(env, 'TESSERA_SWEEP_INTERVAL', 60, 1, 24 * 3600);
  const logLevel = oneOf(env, 'TESSERA_LOG_LEVEL', ['info', 'warn', 'error', 'silent'] as const);
  const auditRaw = text(env, 'TESSERA_AUDIT_FILE') ?? join(dataDir, 'audit.jsonl');
  const auditFile = auditRaw === 'off' ? null : resolve(auditRaw);
  const auditKey = text(env, 'TESSERA_AUDIT_KEY') ?? null;
  if (auditKey !== null && !/^\S{32,512}$/.test(auditKey)) {
    throw new ConfigError(
      'TESSERA_AUDIT_KEY',
      'must be 32 to 512 characters without spaces (32 random bytes)',
    );
  }
  const tokens = tokenSettings(env);
  const authz = authzSettings(env);
  const http = httpLimits(env);
  const dbsc = oneOf(env, 'TESSERA_DBSC', ['off', 'report-only', 'enforce'] as const);
  const dbscSecret = text(env, 'TESSERA_DBSC_SECRET') ?? null;
  if (dbscSecret !== null && Buffer.byteLength(dbscSecret) < 32) {
    throw new ConfigError('TESSERA_DBSC_SECRET', 'must be at least 32 bytes');
  }
  return Object.freeze({
    tokens,
    authz,
    http,
    dbsc,
    dbscSecret,
    port,
    host,
    dataDir,
    store: storeWithAbsolutePath(store),
    idleTimeout,
    absoluteTimeout,
    apiKey,
    cookie,
    unprefixedCookie,
    maxSessionsPerSubject,
    overflow,
    sweepInterval,
    logLevel,
    auditFile,
    auditKey,
  });
}

/** Reads the token settings; throws `ConfigError` naming the variable. */
export function tokenSettings(env: NodeJS.ProcessEnv): TokenSettings {
  const alg = (text(env, 'TESSERA_JWT_ALG') ?? 'EdDSA') as JwtAlgorithm;
  if (!JWT_ALGORITHMS.includes(alg))
    throw new ConfigError('TESSERA_JWT_ALG', 'must be EdDSA, ES256 or HS256');
  const audience = (text(env, 'TESSERA_JWT_AUDIENCE') ?? 'tessera').split(',').map((part) => part.trim());
  if (audience.some((part) => part === ''))
    throw new ConfigError('TESSERA_JWT_AUDIENCE', 'has an empty entry');
  const refreshSecret = text(env, 'TESSERA_REFRESH_SECRET') ?? null;
  if (refreshSecret !== null && Buffer.byteLength(refreshSecret) < 32) {
    throw new ConfigError('TESSERA_REFRESH_SECRET', 'must be at least 32 bytes');
  }
  const keys = text(env, 'TESSERA_JWT_KEYS') ?? null;
  if (keys !== null) checkKeyList(keys);
  const dataClaims = (text(env, 'TESSERA_JWT_DATA_CLAIMS') ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  for (const name of dataClaims) {
    if (RESERVED_CLAIMS.has(name) || !/^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/.test(name)) {
      throw new ConfigError('TESSERA_JWT_DATA_CLAIMS', `cannot name the claim "${name.slice(0, 40)}"`);
    }
  }
  return Object.freeze({
    issuer: text(env, 'TESSERA_JWT_ISSUER') ?? 'tessera',
    audience: Object.freeze(audience),
    ttl: integer(env, 'TESSERA_JWT_TTL', 900, 1, 86400),
    alg,
    rotationInterval: integer(env, 'TESSERA_JWT_ROTATION_INTERVAL', 604800, 1, 10 * 365 * 86400),
    prePublish: integer(env, 'TESSERA_JWT_PREPUBLISH', 86400, 1, 365 * 86400),
    grace: integer(env, 'TESSERA_REFRESH_GRACE', 5, 0, 120),
    familyLifetime: integer(env, 'TESSERA_REFRESH_LIFETIME', 604800, 1, 10 * 365 * 86400),
    keys,
    refreshSecret,
    dpop: oneOf(env, 'TESSERA_DPOP', ['optional', 'required'] as const),
    dpopNonce: flag(env, 'TESSERA_DPOP_NONCE'),
    dpopMaxAge: integer(env, 'TESSERA_DPOP_MAX_AGE', 60, 1, 600),
    dataClaims: Object.freeze(dataClaims),
  });
}

/** Reads the connection limits; throws `ConfigError` naming the variable. */
export function httpLimits(env: NodeJS.ProcessEnv): HttpLimits {
  const headersTimeout = integer(env, 'TESSERA_HEADERS_TIMEOUT_MS', 10_000, 100, 600_000);
  const requestTimeout = integer(env, 'TESSERA_REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000);
  // node:http refuses a headers timeout longer than the request timeout (the headers are part of the request).
  if (headersTimeout > requestTimeout) {
    throw new ConfigError(
      'TESSERA_HEADERS_TIMEOUT_MS',
      `(${headersTimeout}) must not exceed TESSERA_REQUEST_TIMEOUT_MS (${requestTimeout})`,
    );
  }
  return Object.freeze({
    headersTimeout,
    requestTimeout,
    keepAliveTimeout: integer(env, 'TESSERA_KEEP_ALIVE_TIMEOUT_MS', 5_000, 100, 600_000),
    maxConnections: integer(env, 'TESSERA_MAX_CONNECTIONS', 10_000, 1, 1_000_000),
  });
}

/** Settings of the forward-auth endpoint (`/v1/authz`, docs/proxy.md). */
export interface AuthzSettings {
  /**
   * TESSERA_AUTHZ_TRUSTED: addresses or CIDRs (comma-separated) that may call `/v1/authz`; a caller elsewhere is
   * refused. They are also the proxies trusted to append to `X-Forwarded-For`.
   * @default ['127.0.0.0/8', '::1'] (loopback)
   */
  readonly trusted: readonly string[];
  /**
   * TESSERA_AUTHZ_SECRET: shared secrets (comma-separated, one per proxy, at least 32 characters each); when set,
   * a caller must also send one of them in `X-Tessera-Authz-Secret`. @default [] (network trust only)
   */
  readonly secrets: readonly string[];
  /** TESSERA_AUTHZ_LOGIN_URL: where `mode=redirect` sends a browser that is not signed in. @default null */
  readonly loginUrl: string | null;
  /** TESSERA_AUTHZ_JWT: also answer an allowed request with a signed access token (`X-Tessera-Jwt`). @default false */
  readonly jwt: boolean;
}

const LOOPBACK: readonly string[] = Object.freeze(['127.0.0.0/8', '::1']);

/** Reads the forward-auth settings; throws `ConfigError` naming the variable (never echoing a secret). */
export function authzSettings(env: NodeJS.ProcessEnv): AuthzSettings {
  const trustedRaw = text(env, 'TESSERA_AUTHZ_TRUSTED');
  const trusted =
    trustedRaw === undefined ? LOOPBACK : Object.freeze(trustedRaw.split(',').map((part) => part.trim()));
  try {
    checkNetworkList(trusted);
  } catch {
    throw new ConfigError(
      'TESSERA_AUTHZ_TRUSTED',
      `must be a comma-separated list of addresses or CIDRs (got "${(trustedRaw ?? '').slice(0, 80)}")`,
    );
  }
  const secretRaw = text(env, 'TESSERA_AUTHZ_SECRET');
  const secrets = Object.freeze(
    secretRaw === undefined ? [] : secretRaw.split(',').map((part) => part.trim()),
  );
  if (secrets.some((secret) => !/^[\x21-\x2b\x2d-\x7e]{32,512}$/.test(secret))) {
    throw new ConfigError(
      'TESSERA_AUTHZ_SECRET',
      'must be one or more comma-separated secrets of 32 to 512 visible ASCII characters (no spaces)',
    );
  }
  const loginUrl = text(env, 'TESSERA_AUTHZ_LOGIN_URL') ?? null;
  if (loginUrl !== null && !/^https?:\/\/[^\s]+$/i.test(loginUrl)) {
    throw new ConfigError('TESSERA_AUTHZ_LOGIN_URL', 'must be an absolute http:// or https:// URL');
  }
  if (loginUrl !== null && !URL.canParse(loginUrl)) {
    throw new ConfigError('TESSERA_AUTHZ_LOGIN_URL', 'is not a valid URL');
  }
  return Object.freeze({ trusted, secrets, loginUrl, jwt: flag(env, 'TESSERA_AUTHZ_JWT') });
}

/**
 * Imports every key of TESSERA_JWT_KEYS once, at start-up, so a bad ring stops the start (exit 2) instead of
 * failing token routes per request. The messages never quote the value: a JSON parser's message, or a crypto
 * library's, can carry part of the key material.
 */
function checkKeyList(keys: string): void {
  let list: ReturnType<typeof parseKeyList>;
  try {
    list = parseKeyList(keys, 'TESSERA_JWT_KEYS');
  } catch (error) {
    if (error instanceof SyntaxError) throw new ConfigError('TESSERA_JWT_KEYS', 'is not valid JSON');
    throw new ConfigError('TESSERA_JWT_KEYS', 'must be a non-empty JSON array of keys');
  }
  const kids = new Set<string>();
  list.forEach((stored, index) => {
    const kid =
      typeof stored?.kid === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(stored.kid) ? stored.kid : null;
    const which = kid === null ? `key ${index}` : `key "${kid}"`;
    if (kid === null)
      throw new ConfigError('TESSERA_JWT_KEYS', `${which} needs a kid of 1-64 characters A-Z a-z 0-9 _ -`);
    if (kids.has(kid)) throw new ConfigError('TESSERA_JWT_KEYS', `${which} appears twice`);
    kids.add(kid);
    try {
      importJwtKey(stored);
    } catch {
      throw new ConfigError(
        'TESSERA_JWT_KEYS',
        `${which} is not usable: it needs alg (EdDSA, ES256 or HS256), a numeric activeFrom and a private JWK (HS256: at least 32 bytes)`,
      );
    }
  });
}

function text(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max} (got "${raw.slice(0, 40)}")`);
  }
  return Number(raw);
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = text(env, name);
  if (raw === undefined || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw new ConfigError(name, `must be 1 or 0 (got "${raw.slice(0, 40)}")`);
}

function oneOf<const T extends readonly string[]>(
  env: NodeJS.ProcessEnv,
  name: string,
  values: T,
): T[number] {
  const raw = text(env, name);
  if (raw === undefined) return values[0] as T[number];
  if (!values.includes(raw)) {
    throw new ConfigError(name, `must be one of ${values.join(', ')} (got "${raw.slice(0, 40)}")`);
  }
  return raw as T[number];
}

/** Relative SQLite paths are made absolute now, so a later `chdir` cannot move the database. */
function storeWithAbsolutePath(url: string): string {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    return path === '' || path === ':memory:' || isAbsolute(path) ? url : `sqlite:${resolve(path)}`;
  }
  if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) return isAbsolute(url) ? url : resolve(url);
  return url;
}

/** The engine's lifetime and cap options from the configuration: the service and the CLI build managers alike. */
export function engineOptions(
  config: ServiceConfig,
): Pick<TesseraOptions, 'idleTimeout' | 'absoluteTimeout' | 'maxSessionsPerSubject' | 'overflow'> {
  return {
    idleTimeout: config.idleTimeout,
    absoluteTimeout: config.absoluteTimeout,
    maxSessionsPerSubject: config.maxSessionsPerSubject,
    overflow: config.overflow,
  };
}
