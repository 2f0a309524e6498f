import { sessionExpired, TOKEN_MISSING, tokenInvalid, type ValidationResult } from '../../core/outcome.js';
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
  }

  async authenticate(request: RequestFacts): Promise<Authentication<Data>> {
    const header = request.header('authorization');
    const match = header === null ? null : /^Bearer +([^\s]+) *$/i.exec(header);
    if (match === null) return { result: TOKEN_MISSING, setCookies: [], via: null };
    const verified = await this.tokens.verify(match[1] as string, this.#verify);
    let result: ValidationResult<Data>;
    if (verified.ok) {
      const session =
        this.#manager !== null && this.#strict ? await this.#manager.get(verified.claims.sid) : null;
      result = {
        ok: true,
        session: (session as Session<Data> | null) ?? fromClaims<Data>(verified.claims),
        renewed: false,
        stale: false,
      };
    } else if (verified.reason === 'expired' && verified.sessionId !== undefined) {
      result = sessionExpired('absolute', verified.sessionId);
    } else {
      result = tokenInvalid(verified.reason === 'revoked' ? 'revoked' : 'malformed');
    }
    return { result, setCookies: [], via: 'bearer' };
  }
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
