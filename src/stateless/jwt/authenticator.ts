import {
  type InvalidReason,
  sessionExpired,
  TOKEN_MISSING,
  type TokenInvalid,
  tokenInvalid,
  type ValidationResult,
} from '../../core/outcome.js';
import type { DpopProofs } from '../dpop/proofs.js';
import type { Session, SessionData } from '../../core/session.js';
import type { SessionManager } from '../../core/manager.js';
import type { Authentication, SessionAuthenticator } from '../../transport/authenticator.js';
import type { RequestFacts } from '../../transport/request.js';
import type { AccessTokens } from './access-tokens.js';
import type { AccessClaims } from './claims.js';

export interface AccessTokenAuthOptions {
  /**
   * Check on every request that the token's session is still live (and the subject not logged out everywhere),
   * for endpoints that cannot accept up to one token lifetime of revocation delay. Needs `manager`.
   * @default false
   */
  strict?: boolean;
  /** Loads the full session in strict mode. */
  manager?: SessionManager;
  /**
   * The audience these routes are (one of the configured audiences): tokens for another audience answer 401
   * (ASVS 5.0 9.2.4). Without it, a token for any configured audience is accepted.
   * @default undefined (any configured audience)
   */
  audience?: string;
  /**
   * DPoP (RFC 9449): tokens bound to a key (`cnf.jkt`) are accepted with `Authorization: DPoP <token>` and a
   * `DPoP` proof by that key, made for this request; a bound token sent as `Bearer` is refused. Without it, only
   * bearer tokens are served (a bound one is refused: it cannot be checked).
   * @default undefined
   */
  dpop?: AccessTokenDpopOptions;
}

export interface AccessTokenDpopOptions {
  /** The proof verifier (its store records each proof's `jti`, shared by every node). */
  proofs: DpopProofs;
  /** Refuse tokens that are not bound to a key: bearer tokens answer 401 on these routes. @default false */
  required?: boolean;
  /**
   * The origin clients call, such as `https://api.example.com`: the proof's `htu` is compared with it and the
   * request's path. Set it behind a proxy or load balancer that changes the scheme or host.
   * @default the request's absolute URL, else its protocol and `Host` header (when the adapter cannot know the
   * protocol, as on a plain socket with no trusted proxy, the proof's scheme is not compared)
   */
  origin?: string;
}

/**
 * Serves access tokens (`Authorization: Bearer <jwt>`) through every adapter. Without strict mode the session
 * is built from the claims alone (no store access; `data` is empty). An expired token answers 440, any other
 * refusal 401 `token_invalid`: clients refresh on either.
 */
export class AccessTokenAuthenticator<Data extends SessionData = SessionData>
  implements SessionAuthenticator<Data>
{
  readonly tokens: AccessTokens;
  readonly #strict: boolean;
  readonly #manager: SessionManager | null;
  readonly #verify: { strict: boolean; audience?: string };
  readonly #dpop: AccessTokenDpopOptions | null;
  readonly #origin: string | null;
  /** `WWW-Authenticate` for a request without a token, naming every scheme these routes take. */
  readonly #missing: ValidationResult<Data>;

  constructor(tokens: AccessTokens, options: AccessTokenAuthOptions = {}) {
    this.tokens = tokens;
    this.#strict = options.strict ?? false;
    this.#manager = options.manager ?? null;
    if (this.#strict && this.#manager === null)
      throw new TypeError('tessera: strict access tokens need manager');
    const audience = options.audience;
    if (audience !== undefined && !tokens.audience.includes(audience)) {
      throw new TypeError("tessera: audience must be one of the access tokens' configured audiences");
    }
    this.#verify = { strict: this.#strict, ...(audience === undefined ? {} : { audience }) };
    const dpop = options.dpop ?? null;
    if (dpop !== null && typeof dpop.proofs?.verify !== 'function') {
      throw new TypeError('tessera: dpop.proofs must be a DpopProofs');
    }
    this.#dpop = dpop;
    this.#origin = dpop?.origin === undefined ? null : originOf(dpop.origin);
    this.#missing =
      dpop === null
        ? TOKEN_MISSING
        : {
            ...TOKEN_MISSING,
            challenge: dpop.required
              ? dpop.proofs.challenge()
              : `Bearer realm="tessera", ${dpop.proofs.challenge()}`,
          };
  }

  async authenticate(request: RequestFacts): Promise<Authentication<Data>> {
    const header = request.header('authorization');
    const match = header === null ? null : /^(Bearer|DPoP) +([^\s]+) *$/i.exec(header);
    if (match === null) return { result: this.#missing, setCookies: [], via: null };
    const dpopScheme = (match[1] as string).length === 4;
    const token = match[2] as string;
    const verified = await this.tokens.verify(token, this.#verify);
    if (!verified.ok) {
      const result =
        verified.reason === 'expired' && verified.sessionId !== undefined
          ? sessionExpired('absolute', verified.sessionId)
          : this.#invalid(verified.reason === 'revoked' ? 'revoked' : 'malformed');
      return { result, setCookies: [], via: 'bearer' };
    }
    const jkt = verified.claims.cnf?.jkt;
    const dpop = this.#dpop;
    let headers: [string, string][] | undefined;
    if (!dpopScheme) {
      // RFC 9449 7.2: a bound token presented as a bearer token is refused, so stripping the proof gains nothing.
      if (jkt !== undefined || dpop?.required === true) return this.#refused('binding');
    } else {
      if (dpop === null || jkt === undefined) return this.#refused('binding');
      const proof = await dpop.proofs.verify(request.header('dpop'), {
        method: request.method,
        url: this.#targetUrl(request),
        accessToken: token,
        schemeUnknown: this.#origin === null && request.protocol === undefined && !isAbsolute(request.url),
      });
      if (!proof.ok) {
        const result = this.#invalid(
          proof.error === 'use_dpop_nonce' ? 'dpop_nonce' : 'dpop_proof',
          proof.error,
        );
        const nonce =
          proof.nonce === undefined ? undefined : [['dpop-nonce', proof.nonce] as [string, string]];
        return { result, setCookies: [], via: 'bearer', ...(nonce === undefined ? {} : { headers: nonce }) };
      }
      if (proof.jkt !== jkt) return this.#refused('binding');
      if (proof.nextNonce !== undefined) headers = [['dpop-nonce', proof.nextNonce]];
    }
    const session =
      this.#manager !== null && this.#strict ? await this.#manager.get(verified.claims.sid) : null;
    const result: ValidationResult<Data> = {
      ok: true,
      session: (session as Session<Data> | null) ?? fromClaims<Data>(verified.claims),
      renewed: false,
      stale: false,
    };
    return { result, setCookies: [], via: 'bearer', ...(headers === undefined ? {} : { headers }) };
  }

  #refused(reason: InvalidReason): Authentication<Data> {
    return { result: this.#invalid(reason, 'invalid_token'), setCookies: [], via: 'bearer' };
  }

  /** A refusal, with the DPoP challenge when these routes take DPoP (RFC 9449 7.1). */
  #invalid(
    reason: InvalidReason,
    error: 'invalid_dpop_proof' | 'use_dpop_nonce' | 'invalid_token' = 'invalid_token',
  ): TokenInvalid {
    const refused = tokenInvalid(reason);
    if (this.#dpop === null) return refused;
    const challenge = this.#dpop.proofs.challenge(error);
    return {
      ...refused,
      challenge: this.#dpop.required ? challenge : `Bearer realm="tessera", ${challenge}`,
    };
  }

  /** The URL the proof's `htu` must name: the configured origin and the request's path, or the request's own. */
  #targetUrl(request: RequestFacts): string {
    const url = request.url;
    if (this.#origin === null && isAbsolute(url)) return url;
    const path = isAbsolute(url) ? new URL(url).pathname : url.split('?')[0] || '/';
    if (this.#origin !== null) return `${this.#origin}${path}`;
    return `${request.protocol ?? 'https:'}//${request.header('host') ?? 'invalid'}${path}`;
  }
}

function isAbsolute(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

/** `scheme://host[:port]` of a configured origin; `TypeError` when it is not an http(s) origin. */
function originOf(origin: string): string {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw new TypeError('tessera: dpop.origin must be an absolute http(s) origin');
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.pathname !== '/' || url.search !== '') {
    throw new TypeError('tessera: dpop.origin must be an origin such as https://api.example.com');
  }
  return url.origin;
}

function fromClaims<Data extends SessionData>(claims: AccessClaims): Session<Data> {
  return {
    id: claims.sid,
    subject: claims.sub,
    data: {} as Data,
    version: 0,
    level: claims.lvl ?? 0,
    levelAt: null,
    createdAt: claims.iat * 1000,
    lastSeenAt: claims.iat * 1000,
    rotatedAt: null,
    idleExpiresAt: claims.exp * 1000,
    absoluteExpiresAt: claims.exp * 1000,
    ip: null,
    userAgent: null,
  };
}
