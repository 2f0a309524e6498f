import { sha256 } from '../../core/hash.js';
import type { SessionManager } from '../../core/manager.js';
import type { JsonValue } from '../../core/json.js';
import type { DpopPublicJwk } from '../../core/public-jwk.js';
import type { Session, SessionData } from '../../core/session.js';
import { callStore } from '../../core/store-fault.js';
import { toBase64Url } from '../../core/encoding.js';
import {
  cookieAttributes,
  readCookie,
  type ResolvedCookieOptions,
  serializeClearCookie,
  serializeCookie,
} from '../cookie.js';
import { errorReply, type HttpReply } from '../reply.js';
import type { RequestFacts } from '../request.js';
import { readToken } from '../token-source.js';
import { verifyDbscProof } from './proof.js';
import {
  boundCookieIsValid,
  boundCookieValue,
  challengePeriod,
  type DbscKeys,
  dbscKeys,
  makeChallenge,
} from './secrets.js';
import { parseSfString, sfString } from './structured.js';

/** Where a session's registered device key is kept in its data (public key only). */
export const DBSC_DATA_KEY = 'tessera:dbsc';

export interface DeviceBoundSessionsOptions {
  /** Server secret (at least 32 bytes), the same on every node: challenges and bound cookies are MACed with it. */
  secret: string | Uint8Array;
  /** Path of the registration endpoint, in the `Secure-Session-Registration` header. @default '/tessera/dbsc/register' */
  registrationPath?: string;
  /** Path of the refresh endpoint, in the session instructions. @default '/tessera/dbsc/refresh' */
  refreshPath?: string;
  /** Name of the short-lived bound cookie. @default '__Host-tessera-bound' (or `tessera-bound` for unprefixed session cookies) */
  boundCookieName?: string;
  /** Seconds a bound cookie lives: how long a stolen pair of cookies works at most. @default 600 */
  boundCookieLifetime?: number;
  /** Seconds a challenge is issued for; one from the previous period is still accepted. @default 300 */
  challengeLifetime?: number;
  /**
   * `enforce`: a session whose device registered a key is refused (401 `token_invalid`, reason `binding`) without
   * a valid bound cookie, however its session token came. `report-only`: such requests are served, and each emits
   * a `binding-mismatch` event (reason `dbsc`), to measure before enforcing.
   * @default 'enforce'
   */
  mode?: 'enforce' | 'report-only';
}

/** The registered key of a session, as kept in its data. */
interface StoredBinding {
  readonly jwk: DpopPublicJwk;
  readonly at: number;
}

const JSON_HEADERS: readonly (readonly [string, string])[] = [
  ['content-type', 'application/json; charset=utf-8'],
  ['cache-control', 'no-store'],
];

/**
 * Device Bound Session Credentials (W3C WebAppSec DBSC, as Chrome ships it) for server-side sessions. After login
 * the app sends `registrationHeader(session)`; a browser with DBSC makes a key that never leaves its device,
 * registers it (`Secure-Session-Response` at the registration endpoint) and from then on keeps a short-lived bound
 * cookie, refreshed by proving the key (`Secure-Session-Challenge` / `Secure-Session-Response` at the refresh
 * endpoint). Once a key is registered, the long-lived session token alone is refused on every path (the check
 * runs inside `HttpSessions.authenticate`), so a stolen cookie jar stops working when its bound cookie expires.
 * A browser without DBSC never registers, and its session works as before.
 */
export class DeviceBoundSessions<Data extends SessionData = SessionData> {
  readonly registrationPath: string;
  readonly refreshPath: string;
  readonly mode: 'enforce' | 'report-only';
  readonly #keys: DbscKeys;
  readonly #boundName: string | null;
  readonly #lifetime: number;
  readonly #periodMs: number;
  #manager: SessionManager<Data> | null = null;
  #cookie: ResolvedCookieOptions | null = null;
  #bound: ResolvedCookieOptions | null = null;

  constructor(options: DeviceBoundSessionsOptions) {
    this.#keys = dbscKeys(options?.secret);
    this.registrationPath = checkPath(
      options.registrationPath ?? '/tessera/dbsc/register',
      'registrationPath',
    );
    this.refreshPath = checkPath(options.refreshPath ?? '/tessera/dbsc/refresh', 'refreshPath');
    const lifetime = options.boundCookieLifetime ?? 600;
    if (!Number.isInteger(lifetime) || lifetime < 30 || lifetime > 86400) {
      throw new TypeError('tessera: boundCookieLifetime must be 30..86400 seconds');
    }
    const challenge = options.challengeLifetime ?? 300;
    if (!Number.isInteger(challenge) || challenge < 10 || challenge > 3600) {
      throw new TypeError('tessera: challengeLifetime must be 10..3600 seconds');
    }
    const mode = options.mode ?? 'enforce';
    if (mode !== 'enforce' && mode !== 'report-only')
      throw new TypeError("tessera: mode is 'enforce' or 'report-only'");
    this.mode = mode;
    this.#lifetime = lifetime;
    this.#periodMs = challenge * 1000;
    this.#boundName = options.boundCookieName ?? null;
  }

  /** Called by `HttpSessions` with its manager and cookie settings (one DBSC instance per HttpSessions). */
  attach(manager: SessionManager<Data>, cookie: ResolvedCookieOptions): void {
    if (this.#manager !== null) throw new TypeError('tessera: a DeviceBoundSessions serves one HttpSessions');
    this.#manager = manager;
    this.#cookie = cookie;
    const name =
      this.#boundName ?? (cookie.name.startsWith('__Host-') ? '__Host-tessera-bound' : 'tessera-bound');
    this.#bound = { ...cookie, name, persistent: true };
  }

  get boundCookieName(): string {
    return this.#attached().bound.name;
  }

  /** Whether the session's device has registered a key. */
  isBound(session: Session<SessionData>): boolean {
    return storedBinding(session) !== null;
  }

  /**
   * The `Secure-Session-Registration` header to send with the login response (and any later response, until the
   * browser registers): `(ES256);path="…";challenge="…"`.
   */
  registrationHeader(session: Session<SessionData>): readonly [string, string] {
    const challenge = this.#challenge(session.id);
    return [
      'secure-session-registration',
      `(ES256);path=${sfString(this.registrationPath)};challenge=${sfString(challenge)}`,
    ];
  }

  /**
   * Whether a validated session must be refused on this request: it is bound to a device key and the request has
   * no valid bound cookie for it. In report-only mode the mismatch is only reported (an event) and false returned.
   */
  refuses(request: RequestFacts, session: Session<Data>): boolean {
    if (storedBinding(session) === null) return false;
    const { manager, bound } = this.#attached();
    const cookie = readCookie(request.header('cookie'), bound.name);
    const value = cookie.found === true && !cookie.duplicate ? cookie.value : null;
    const nowSeconds = Math.floor(manager.options.clock() / 1000);
    if (boundCookieIsValid(this.#keys, value, session.id, nowSeconds)) return false;
    manager.emit({
      type: 'binding-mismatch',
      sessionId: session.id,
      subject: session.subject,
      reason: 'dbsc',
      detail: { boundCookie: value === null ? 'missing' : 'invalid', mode: this.mode },
    });
    return this.mode === 'enforce';
  }

  /** The `Set-Cookie` that clears the bound cookie (sent with logout). */
  clearBoundCookie(): string {
    return serializeClearCookie(this.#attached().bound);
  }

  /**
   * Answers the DBSC endpoints (`POST registrationPath`, `POST refreshPath`); null for any other request, so an app
   * or adapter mounts both with one call: `const reply = await dbsc.handle(facts); if (reply) …`.
   */
  async handle(request: RequestFacts): Promise<HttpReply | null> {
    const path = pathOf(request.url);
    if (path !== this.registrationPath && path !== this.refreshPath) return null;
    if (request.method.toUpperCase() !== 'POST') {
      return {
        status: 405,
        headers: [...JSON_HEADERS, ['allow', 'POST']],
        body: errorBody('method_not_allowed'),
      };
    }
    try {
      return await (path === this.registrationPath ? this.#register(request) : this.#refresh(request));
    } catch (error) {
      // A store fault is a 503 (fail closed; the browser retries later and keeps its session), never a 500.
      return errorReply(error);
    }
  }

  async #register(request: RequestFacts): Promise<HttpReply> {
    const session = await this.#session(request);
    if (session === null) return refusal(401, 'token_invalid');
    // A session keeps the first key registered for it: a thief holding the cookie cannot swap in another.
    if (storedBinding(session) !== null) return refusal(409, 'dbsc_already_bound');
    const response = parseSfString(request.header('secure-session-response'));
    const proof = response === null ? null : verifyDbscProof(response, null);
    if (proof === null || !(await this.#freshChallenge(session.id, proof.challenge))) {
      return refusal(400, 'dbsc_proof_invalid');
    }
    const { manager } = this.#attached();
    const now = manager.options.clock();
    const binding: StoredBinding = { jwk: proof.jwk, at: now };
    const stored = { jwk: { ...binding.jwk }, at: binding.at } as unknown as JsonValue;
    const updated = await manager.update(session.id, { set: { [DBSC_DATA_KEY]: stored } });
    if (!updated.ok) return refusal(401, 'token_invalid');
    manager.emit({
      type: 'device-bound',
      sessionId: session.id,
      subject: session.subject,
      reason: 'dbsc',
      detail: { key: proof.thumbprint },
    });
    return this.#instructions(session.id, now);
  }

  async #refresh(request: RequestFacts): Promise<HttpReply> {
    const sessionId = parseSfString(request.header('sec-secure-session-id'));
    const session = await this.#session(request);
    // A 4xx other than 403 ends the browser's DBSC session: right for an ended or foreign session.
    if (session === null || sessionId !== session.id) return refusal(401, 'token_invalid');
    const binding = storedBinding(session);
    if (binding === null) return refusal(401, 'token_invalid');
    const response = parseSfString(request.header('secure-session-response'));
    if (response === null) return this.#challengeReply(session.id);
    const proof = verifyDbscProof(response, binding.jwk);
    if (proof === null) {
      const { manager } = this.#attached();
      manager.emit({
        type: 'binding-mismatch',
        sessionId: session.id,
        subject: session.subject,
        reason: 'dbsc',
        detail: { proof: 'invalid' },
      });
      return refusal(401, 'dbsc_proof_invalid');
    }
    // A stale or used challenge is not an attack by itself (a late retry): ask again.
    if (!(await this.#freshChallenge(session.id, proof.challenge))) return this.#challengeReply(session.id);
    return this.#instructions(session.id, this.#attached().manager.options.clock());
  }

  /** 200 with the session instructions and a new bound cookie. */
  #instructions(sessionId: string, now: number): HttpReply {
    const { bound } = this.#attached();
    const expires = Math.floor(now / 1000) + this.#lifetime;
    const instructions = {
      session_identifier: sessionId,
      refresh_url: this.refreshPath,
      scope: { include_site: false },
      credentials: [{ type: 'cookie', name: bound.name, attributes: cookieAttributes(bound).slice(2) }],
    };
    return {
      status: 200,
      headers: [
        ...JSON_HEADERS,
        [
          'set-cookie',
          serializeCookie(bound, boundCookieValue(this.#keys, sessionId, expires), this.#lifetime),
        ],
      ],
      body: JSON.stringify(instructions),
    };
  }

  #challengeReply(sessionId: string): HttpReply {
    const value = `${sfString(this.#challenge(sessionId))};id=${sfString(sessionId)}`;
    return {
      status: 403,
      headers: [...JSON_HEADERS, ['secure-session-challenge', value]],
      body: errorBody('dbsc_challenge'),
    };
  }

  #challenge(sessionId: string): string {
    const { manager } = this.#attached();
    const period = Math.floor(manager.options.clock() / this.#periodMs);
    return makeChallenge(this.#keys, sessionId, period, toBase64Url(manager.options.random(16)));
  }

  /** A challenge this server made for the session, this period or the last, used for the first time. */
  async #freshChallenge(sessionId: string, challenge: string): Promise<boolean> {
    const period = challengePeriod(this.#keys, sessionId, challenge);
    const { manager } = this.#attached();
    const now = manager.options.clock();
    const current = Math.floor(now / this.#periodMs);
    if (period === null || period < current - 1 || period > current) return false;
    const store = manager.store;
    return callStore(store.kind, 'dbsc challenge', () =>
      store.useOnce(`dbsc:${sha256(challenge)}`, (period + 2) * this.#periodMs, now),
    );
  }

  /** The session of the request's session cookie (or bearer token), without the bound-cookie check. */
  async #session(request: RequestFacts): Promise<Session<Data> | null> {
    const { manager, cookie } = this.#attached();
    const source = readToken(request, { cookieName: cookie.name, cookie: true, bearer: false });
    if (source.kind !== 'present') return null;
    const result = await manager.validate(source.token, {
      ip: request.ip,
      userAgent: request.header('user-agent'),
    });
    return result.ok ? result.session : null;
  }

  #attached(): {
    manager: SessionManager<Data>;
    cookie: ResolvedCookieOptions;
    bound: ResolvedCookieOptions;
  } {
    if (this.#manager === null || this.#cookie === null || this.#bound === null) {
      throw new TypeError('tessera: pass this DeviceBoundSessions to HttpSessions({ deviceBound })');
    }
    return { manager: this.#manager, cookie: this.#cookie, bound: this.#bound };
  }
}

function storedBinding(session: Session<SessionData>): StoredBinding | null {
  const value = (session.data as Record<string, unknown>)[DBSC_DATA_KEY] as StoredBinding | undefined;
  return value !== undefined && typeof value === 'object' && value !== null && typeof value.jwk === 'object'
    ? value
    : null;
}

function refusal(status: number, code: string): HttpReply {
  return { status, headers: JSON_HEADERS, body: errorBody(code) };
}

const MESSAGES: Readonly<Record<string, string>> = {
  token_invalid: 'No live session for this request: the device-bound session ends.',
  dbsc_already_bound: 'This session already has a registered device key.',
  dbsc_proof_invalid: 'The Secure-Session-Response proof is not valid for this session.',
  dbsc_challenge: 'Sign the challenge in Secure-Session-Challenge and retry.',
  method_not_allowed: 'Use POST.',
};

function errorBody(code: string): string {
  return JSON.stringify({ error: { code, message: MESSAGES[code] ?? code } });
}

function pathOf(url: string): string {
  const path = /^https?:\/\//i.test(url) ? new URL(url).pathname : (url.split('?')[0] ?? '/');
  return path === '' ? '/' : path;
}

function checkPath(path: string, name: string): string {
  if (typeof path !== 'string' || !/^\/[A-Za-z0-9._~/-]*$/.test(path))
    throw new TypeError(`tessera: ${name} must be a path such as /tessera/dbsc`);
  return path;
}
