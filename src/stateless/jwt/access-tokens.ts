import { EVERYONE_SCOPE, sessionScope } from '../../core/cutoffs.js';
import { toBase64url, utf8Encode } from '#crypto';
import { JwsError, jwsSigner, jwsVerifier } from '#jose';
import { decodeProtectedHeader } from 'jose';
import { checkThumbprint, confirmationIsValid, customClaims } from './custom-claims.js';
import { hasDuplicateMembers, segmentText } from './duplicates.js';
import { type Clock, systemClock } from '../../core/clock.js';
import { callStore } from '../../core/store-fault.js';
import { hmacSha256 } from '../../core/hash.js';
import type { SessionManager } from '../../core/manager.js';
import { isSessionId } from '../../core/token.js';
import type { SubjectCutoffs } from '../../core/store.js';
import {
  ACCESS_TOKEN_TYPE,
  type AccessClaims,
  type AccessTokenInvalidReason,
  type AccessTokenResult,
  accessInvalid,
} from './claims.js';
import type { JwtKeyRing } from './key-ring.js';
import type { JwtKey } from './keys.js';

export interface AccessTokensOptions {
  keys: JwtKeyRing;
  /** `iss` of issued tokens; the only issuer accepted. */
  issuer: string;
  /**
   * The audiences this issuer serves (allowed list). Each token is issued for exactly one of them (`aud` is one
   * string, chosen per token by `issue({ audience })`), so a token for one API is never accepted by another that
   * verifies with its own `audience` (ASVS 5.0 9.2.4).
   */
  audience: string | string[];
  /** Seconds an access token lives. @default 900 (15 minutes) */
  ttl?: number;
  /** Seconds of clock skew tolerated on `exp`, `nbf` and `iat` (RFC 7519 4.1.4). @default 5 */
  clockTolerance?: number;
  /** Longest token accepted, in characters; larger ones are refused before any parsing. @default 4096 */
  maxTokenBytes?: number;
  /**
   * For the strict check (`verify(token, { strict: true })`): the session must still be live in the store,
   * and the subject's not-before time (from `store`) must not be later than the token.
   */
  manager?: SessionManager;
  /** Store for per-subject not-before times. @default manager.store */
  store?: SubjectCutoffs;
  /** @default Date.now */
  clock?: Clock;
  /** Key for deriving `jti` values (at least 32 bytes). @default random per process */
  jtiKey?: Uint8Array;
  /** Most bytes of JSON an application's own claims (`issue({ claims })`) may take. @default 1024 */
  maxClaimsBytes?: number;
}

export interface IssueInput {
  subject: string;
  sessionId: string;
  level?: number;
  /** Issue time in ms. Fixing it (with `jti`) makes the token deterministic for EdDSA and HS256. */
  issuedAt?: number;
  jti?: string;
  /**
   * The one `aud` of this token; must be one of the configured audiences (else `TypeError`).
   * @default the first configured audience
   */
  audience?: string;
  /**
   * Binds the token to a DPoP key (RFC 9449 6): the RFC 7638 thumbprint of the key that signed the client's
   * proof (`DpopProofs.verify(...).jkt`). The token then carries `cnf.jkt` and is accepted only with a proof by
   * that key. @default undefined (a bearer token)
   */
  jkt?: string;
  /**
   * The application's own claims (roles, tenant…), so a bearer-token API needs no store read for them. Names
   * Tessera or the JWT registry use are refused (`RESERVED_CLAIMS`), and so is more than `maxClaimsBytes` of JSON.
   * @default undefined
   */
  claims?: Record<string, unknown>;
}

export interface AccessVerifyOptions {
  /**
   * The audience the caller is: a token for any other audience is refused (`audience`). A token whose `aud` is an
   * array (issued before tokens carried one audience) is refused too. Must be one of the configured audiences
   * (else `TypeError`). Without it, a token for any configured audience is accepted.
   * @default undefined (any configured audience)
   */
  audience?: string;
}

export interface IssuedAccessToken {
  readonly token: string;
  readonly claims: AccessClaims;
  /** Seconds until it expires. */
  readonly expiresIn: number;
}

interface KeyTools {
  sign: (payload: Record<string, unknown>) => string;
  verify: (token: string) => Record<string, unknown>;
}

/** Header parameters a Tessera token may carry. `jwk`, `jku`, `x5u`, `x5c`, `crit`… are refused (RFC 8725 3.10). */
const ALLOWED_HEADER = new Set(['alg', 'typ', 'kid']);

/**
 * Issues and verifies JWT access tokens through the JOSE provider (`#jose`: fast-jwt on Node, chosen for speed;
 * @noble/curves on workerd and in browsers; see docs/stateless.md). Each key
 * accepts exactly its own algorithm, found by `kid`; `none` can never verify.
 */
export class AccessTokens {
  readonly keys: JwtKeyRing;
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly ttlSeconds: number;
  readonly #toleranceMs: number;
  readonly #maxBytes: number;
  readonly #clock: Clock;
  readonly #manager: SessionManager | null;
  readonly #store: SubjectCutoffs | null;
  /** The key `jti` values are made with: the option, or random bytes drawn on first use (never at start). */
  #jtiKey: Uint8Array | null;
  readonly #maxClaimsBytes: number;
  readonly #tools = new WeakMap<JwtKey, KeyTools>();
  #headerSnapshot: readonly JwtKey[] | null = null;
  #headerMap = new Map<string, JwtKey>();

  constructor(options: AccessTokensOptions) {
    if (typeof options?.issuer !== 'string' || options.issuer === '') {
      throw new TypeError('tessera: access tokens need an issuer');
    }
    const audience = typeof options.audience === 'string' ? [options.audience] : options.audience;
    if (
      !Array.isArray(audience) ||
      audience.length === 0 ||
      !audience.every((a) => typeof a === 'string' && a)
    ) {
      throw new TypeError('tessera: access tokens need an audience');
    }
    const ttl = options.ttl ?? 900;
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > 86400)
      throw new TypeError('tessera: ttl must be 1..86400 seconds');
    const tolerance = options.clockTolerance ?? 5;
    if (!(tolerance >= 0 && tolerance <= 300))
      throw new TypeError('tessera: clockTolerance must be 0..300 seconds');
    if (options.jtiKey !== undefined && options.jtiKey.byteLength < 32) {
      throw new TypeError('tessera: jtiKey needs at least 32 bytes');
    }
    this.keys = options.keys;
    this.issuer = options.issuer;
    this.audience = Object.freeze([...audience]);
    this.ttlSeconds = ttl;
    this.#toleranceMs = tolerance * 1000;
    this.#maxBytes = options.maxTokenBytes ?? 4096;
    this.#clock = options.clock ?? systemClock;
    this.#manager = options.manager ?? null;
    this.#store = options.store ?? options.manager?.store ?? null;
    // Drawn on the first issue, not here: workerd refuses random values at module scope, where Workers build this.
    this.#jtiKey = options.jtiKey ?? null;
    const maxClaims = options.maxClaimsBytes ?? 1024;
    if (!Number.isInteger(maxClaims) || maxClaims < 0 || maxClaims > 16384) {
      throw new TypeError('tessera: maxClaimsBytes must be 0..16384');
    }
    this.#maxClaimsBytes = maxClaims;
  }

  /** Signs an access token for a session with the key active at the issue time. */
  issue(input: IssueInput): IssuedAccessToken {
    if (typeof input.subject !== 'string' || input.subject === '')
      throw new TypeError('tessera: subject required');
    if (!isSessionId(input.sessionId)) throw new TypeError('tessera: sessionId must be a session id');
    const audience = this.#allowedAudience(input.audience) ?? (this.audience[0] as string);
    const issuedAtMs = input.issuedAt ?? this.#clock();
    const iat = Math.floor(issuedAtMs / 1000);
    const own = input.claims === undefined ? {} : customClaims(input.claims, this.#maxClaimsBytes);
    const claims: AccessClaims = {
      ...own,
      sub: input.subject,
      sid: input.sessionId,
      jti:
        input.jti ??
        hmacSha256(this.#jtiKeyNow(), `${input.sessionId}|${issuedAtMs}|${crypto.randomUUID()}`).slice(0, 22),
      iat,
      exp: iat + this.ttlSeconds,
      aud: audience,
      iss: this.issuer,
      ...(input.level === undefined ? {} : { lvl: input.level }),
      ...(input.jkt === undefined ? {} : { cnf: { jkt: checkThumbprint(input.jkt) } }),
    };
    const key = this.keys.signingKey(issuedAtMs);
    const token = this.#toolsFor(key).sign({ ...claims });
    return { token, claims, expiresIn: claims.exp - Math.floor(this.#clock() / 1000) };
  }

  #jtiKeyNow(): Uint8Array {
    this.#jtiKey ??= crypto.getRandomValues(new Uint8Array(32));
    return this.#jtiKey;
  }

  /**
   * Verifies signature, algorithm, `typ`, issuer, audience, required claims and times. With `strict`, also that
   * the session is still live and the subject was not logged out everywhere since the token was issued. With
   * `audience`, only a token for that audience; without it, a token for any configured audience.
   */
  async verify(
    token: string | null | undefined,
    options: { strict?: boolean } & AccessVerifyOptions = {},
  ): Promise<AccessTokenResult> {
    const result = this.verifySync(token, options);
    if (!result.ok || options.strict !== true) return result;
    return this.#strict(result);
  }

  /** The non-strict checks, synchronously (no store access). */
  verifySync(token: string | null | undefined, options: AccessVerifyOptions = {}): AccessTokenResult {
    const expected = this.#allowedAudience(options.audience);
    if (token === null || token === undefined || token === '') return accessInvalid('missing');
    if (typeof token !== 'string' || token.length > this.#maxBytes) return accessInvalid('oversized');
    if (!canonicalSignature(token)) return accessInvalid('signature');
    // Fast path: the header segment is byte-for-byte the one this ring signs with ({alg, typ, kid} only), which
    // names the key; anything else takes the slow path, which decodes the header to refuse it or find the key.
    const dot = token.indexOf('.');
    let key = dot > 0 ? this.#canonicalHeaders().get(token.slice(0, dot)) : undefined;
    if (key === undefined) {
      const found = this.#keyFromHeader(token);
      if (!('privateKey' in found)) return found;
      key = found;
    }
    let payload: Record<string, unknown>;
    try {
      payload = this.#toolsFor(key).verify(token);
    } catch (error) {
      return accessInvalid(reasonFor(error));
    }
    // A validly signed payload with a member twice reads differently in different parsers: refused.
    if (hasDuplicateMembers(segmentText(token, 1) ?? '{"":0,"":0}')) return accessInvalid('malformed');
    return this.#checkClaims(payload, key.kid, expected);
  }

  /** Decodes a non-canonical header and finds its key, or says why the token is refused. */
  #keyFromHeader(token: string): JwtKey | AccessTokenResult {
    let header: Record<string, unknown>;
    try {
      header = decodeProtectedHeader(token) as Record<string, unknown>;
    } catch {
      return accessInvalid('malformed');
    }
    for (const name in header) if (!ALLOWED_HEADER.has(name)) return accessInvalid('header');
    if (hasDuplicateMembers(segmentText(token, 0) ?? '{"":0,"":0}')) return accessInvalid('header');
    if (typeof header.kid !== 'string') return accessInvalid('unknown_kid');
    const key = this.keys.find(header.kid);
    if (key === undefined) return accessInvalid('unknown_kid');
    if (header.alg !== key.alg) return accessInvalid('algorithm');
    // RFC 9068 2.1: `typ` is `at+jwt` (the `application/` prefix may be left out; compared case-insensitively).
    const typ =
      typeof header.typ === 'string' ? header.typ.toLowerCase().replace(/^application\//, '') : null;
    if (typ !== ACCESS_TOKEN_TYPE) return accessInvalid('type');
    return key;
  }

  /**
   * Claims are checked here rather than by the JOSE provider: times against the injected clock, and issuer and
   * audience as plain comparisons. The provider does the JWS work.
   */
  #checkClaims(
    payload: Record<string, unknown>,
    kid: string,
    expected: string | undefined,
  ): AccessTokenResult {
    const { sub, sid, jti, iat, exp, nbf, iss, aud, cnf } = payload;
    if (typeof sub !== 'string' || sub === '' || !isSessionId(sid) || typeof jti !== 'string' || jti === '') {
      return accessInvalid('claims');
    }
    if (!confirmationIsValid(cnf)) return accessInvalid('claims');
    if (!Number.isSafeInteger(iat) || !Number.isSafeInteger(exp)) return accessInvalid('claims');
    if (iss !== this.issuer) return accessInvalid(iss === undefined ? 'claims' : 'issuer');
    if (!this.#audienceMatches(aud, expected))
      return accessInvalid(aud === undefined ? 'claims' : 'audience');
    const now = this.#clock();
    const tolerance = this.#toleranceMs;
    if ((exp as number) * 1000 + tolerance <= now) return accessInvalid('expired', sid);
    if ((iat as number) * 1000 - tolerance > now) return accessInvalid('not_yet_valid');
    if (nbf !== undefined && (!Number.isSafeInteger(nbf) || (nbf as number) * 1000 - tolerance > now)) {
      return accessInvalid('not_yet_valid');
    }
    // A token cannot be meant to live longer than this issuer ever issues.
    if ((exp as number) - (iat as number) > this.ttlSeconds) return accessInvalid('claims');
    return { ok: true, claims: payload as unknown as AccessClaims, kid };
  }

  #audienceMatches(aud: unknown, expected: string | undefined): boolean {
    if (expected !== undefined) return aud === expected;
    if (typeof aud === 'string') return this.audience.includes(aud);
    if (!Array.isArray(aud) || aud.length === 0) return false;
    return aud.every((item) => typeof item === 'string') && aud.some((item) => this.audience.includes(item));
  }

  /** A caller-named audience, checked against the allowed list; `undefined` when none was named. */
  #allowedAudience(audience: string | undefined): string | undefined {
    if (audience === undefined) return undefined;
    if (typeof audience !== 'string' || !this.audience.includes(audience)) {
      throw new TypeError('tessera: audience must be one of the configured audiences');
    }
    return audience;
  }

  #canonicalHeaders(): Map<string, JwtKey> {
    const keys = this.keys.keys;
    if (this.#headerSnapshot !== keys) {
      const map = new Map<string, JwtKey>();
      for (const key of keys) {
        const header = JSON.stringify({ alg: key.alg, typ: ACCESS_TOKEN_TYPE, kid: key.kid });
        map.set(toBase64url(utf8Encode(header)), key);
      }
      this.#headerMap = map;
      this.#headerSnapshot = keys;
    }
    return this.#headerMap;
  }

  async #strict(result: AccessTokenResult & { ok: true }): Promise<AccessTokenResult> {
    const manager = this.#manager;
    const store = this.#store;
    if (manager === null && store === null) {
      throw new TypeError('tessera: strict verification needs the manager option');
    }
    // When the session record is at hand, its creation time (ms) says whether it predates a cut-off; `iat` alone
    // has one-second resolution, and would refuse a token of a login made in the same second after the cut-off.
    let createdAt: number | null = null;
    if (manager !== null) {
      // The manager wraps its own store faults (503).
      const session = await manager.get(result.claims.sid);
      if (session === null || session.subject !== result.claims.sub) return accessInvalid('revoked');
      createdAt = session.createdAt;
    }
    if (store !== null) {
      const { sub, sid } = result.claims;
      // "Log out everywhere" for the subject, "end every session", and a logout of the token's (sealed) session.
      const notBefore = await callStore(store.kind, 'access-token strict check', () =>
        store.getLatestNotBefore([sub, EVERYONE_SCOPE, sessionScope(sid)]),
      );
      if (notBefore !== null && (createdAt ?? result.claims.iat * 1000) < notBefore) {
        return accessInvalid('revoked');
      }
    }
    return result;
  }

  #toolsFor(key: JwtKey): KeyTools {
    let tools = this.#tools.get(key);
    if (tools === undefined) {
      // One algorithm per key (RFC 8725 3.1): the verifier refuses a header naming any other.
      tools = {
        sign: jwsSigner(key.alg, key.privateKey, { alg: key.alg, typ: ACCESS_TOKEN_TYPE, kid: key.kid }),
        verify: jwsVerifier(key.alg, key.publicKey),
      };
      this.#tools.set(key, tools);
    }
    return tools;
  }
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * base64url decoders ignore the unused low bits of a final partial character, so one signature has several
 * spellings. Only the canonical one is accepted: one token, one string (for `jti` replay lists, logs, caches).
 */
function canonicalSignature(token: string): boolean {
  const dot = token.lastIndexOf('.');
  const rest = (token.length - dot - 1) % 4;
  // Not three segments: left to the decoder, which answers `malformed`.
  if (dot === -1 || rest === 0) return true;
  const value = BASE64URL.indexOf(token[token.length - 1] as string);
  return rest === 2 ? (value & 0x0f) === 0 : rest === 3 ? (value & 0x03) === 0 : false;
}

function reasonFor(error: unknown): AccessTokenInvalidReason {
  return error instanceof JwsError ? error.reason : 'malformed';
}
