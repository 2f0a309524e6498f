import { callStore } from '../../core/store-fault.js';
import { constantTimeEqual, sha256 } from '../../core/hash.js';
import type { ClientInfo, SessionManager } from '../../core/manager.js';
import type { ValidationFailure } from '../../core/outcome.js';
import { toBase64Url } from '../../core/encoding.js';
import type { Session } from '../../core/session.js';
import type { RefreshFamilies, RefreshFamilyRecord, StoreLifecycle } from '../../core/store.js';
import type { AccessTokens } from '../jwt/access-tokens.js';
import type { AccessClaims } from '../jwt/claims.js';
import { checkThumbprint } from '../jwt/custom-claims.js';
import {
  accessJti,
  audienceTag,
  formatRefreshToken,
  graceHash,
  macIsValid,
  type ParsedRefreshToken,
  parseRefreshToken,
  type RefreshKeys,
  refreshKeys,
  successorSecret,
} from './format.js';

export interface RefreshTokensOptions {
  /** The session engine: refresh families belong to its sessions and live in its store. */
  manager: SessionManager;
  accessTokens: AccessTokens;
  /** Server secret (at least 32 bytes) for token MACs and successor derivation. Same on every node. */
  secret: string | Uint8Array;
  /**
   * Seconds after a rotation during which the replaced refresh token still returns the same successor pair
   * (several tabs refreshing at once). After it, presenting the replaced token is treated as theft.
   * @default 5
   */
  grace?: number;
  /**
   * Honour the grace window only for the client that rotated the token: the same address and user agent as were
   * given to `refresh` then. A copy of the replaced token presented from elsewhere, even inside the window, is
   * judged as reuse (the family and its session end). Turn off only when the callers cannot pass client facts
   * consistently (the grace then serves whoever presents the replaced token within it).
   * @default true
   */
  bindGraceToClient?: boolean;
  /** Seconds a family lives at most (also never past its session's absolute expiry). @default 604800 */
  familyLifetime?: number;
  /**
   * The application's own claims for each access token of a family, computed from its live session at issue and
   * at every refresh (so a change of role in the session data reaches the next token): for example
   * `(session) => ({ roles: session.data.roles })`. Checked as `AccessTokens.issue({ claims })` checks them.
   * @default undefined (no claims of the application's own)
   */
  claims?: (session: Session) => Record<string, unknown> | undefined;
}

export interface RefreshIssueOptions {
  /**
   * The one access-token audience of the new family; must be one of `accessTokens.audience` (else `TypeError`).
   * Every pair refreshed from the family carries the same audience.
   * @default the first configured audience
   */
  audience?: string;
  /**
   * Binds the family to a DPoP key (RFC 9449 5): the thumbprint of the key that signed the client's proof at the
   * token endpoint (`DpopProofs.verify(...).jkt`). Every access token of the family carries `cnf.jkt`, and every
   * refresh needs a proof by the same key. @default undefined (a bearer family)
   */
  jkt?: string;
}

export interface RefreshOptions {
  /**
   * The thumbprint of the key that signed the client's proof for this refresh, when it sent one. A bound family
   * refuses a refresh without it or with another key (reason `dpop`) and stays unharmed: a thief holding the
   * token but not the key cannot use it, nor end the user's family. A bearer family refreshed with a proof
   * becomes bound to that key from then on. @default undefined (no proof)
   */
  jkt?: string;
}

export interface TokenPair {
  readonly ok: true;
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Seconds until the access token expires. */
  readonly expiresIn: number;
  readonly claims: AccessClaims;
  readonly familyId: string;
}

export type RefreshInvalidReason =
  | 'malformed'
  | 'forged'
  | 'unknown'
  | 'revoked'
  | 'expired'
  | 'session'
  /** The family's audience is no longer configured. */
  | 'audience'
  /** The family is bound to a DPoP key and the refresh came without a proof by it. */
  | 'dpop';

export type RefreshResult =
  | TokenPair
  | {
      readonly ok: false;
      readonly code: 'token_invalid';
      readonly status: 401;
      readonly reason: RefreshInvalidReason;
    }
  | { readonly ok: false; readonly code: 'refresh_reused'; readonly status: 401 };

function invalid(reason: RefreshInvalidReason): RefreshResult {
  return { ok: false, code: 'token_invalid', status: 401, reason };
}

/**
 * Rotating refresh tokens with reuse detection (RFC 9700 4.14.2). Each use returns a new pair; presenting a
 * replaced token after the grace window revokes its family and its session and emits `refresh-reuse`.
 */
export class RefreshTokens {
  readonly #manager: SessionManager;
  readonly #store: RefreshFamilies & Pick<StoreLifecycle, 'kind'>;
  readonly #access: AccessTokens;
  readonly #keys: RefreshKeys;
  readonly #graceMs: number;
  readonly #lifetimeMs: number;
  readonly #bindGrace: boolean;
  readonly #claims: ((session: Session) => Record<string, unknown> | undefined) | null;

  constructor(options: RefreshTokensOptions) {
    if (options?.manager === undefined || options.accessTokens === undefined) {
      throw new TypeError('tessera: refresh tokens need manager and accessTokens');
    }
    const grace = options.grace ?? 5;
    if (!(grace >= 0 && grace <= 120)) throw new TypeError('tessera: grace must be 0..120 seconds');
    const lifetime = options.familyLifetime ?? 604800;
    if (!(lifetime > 0)) throw new TypeError('tessera: familyLifetime must be positive');
    this.#manager = options.manager;
    this.#store = options.manager.store;
    this.#access = options.accessTokens;
    this.#keys = refreshKeys(options.secret);
    this.#graceMs = grace * 1000;
    this.#lifetimeMs = lifetime * 1000;
    const bind = options.bindGraceToClient ?? true;
    if (typeof bind !== 'boolean') throw new TypeError('tessera: bindGraceToClient must be a boolean');
    this.#bindGrace = bind;
    if (options.claims !== undefined && typeof options.claims !== 'function') {
      throw new TypeError('tessera: claims must be a function of the session');
    }
    this.#claims = options.claims ?? null;
  }

  /** Starts a refresh family for a live session and returns its first access + refresh pair. */
  async issue(session: Session, options: RefreshIssueOptions = {}): Promise<TokenPair> {
    const audience = this.#chosenAudience(options.audience);
    const jkt = options.jkt === undefined ? null : checkThumbprint(options.jkt);
    const { clock, random } = this.#manager.options;
    const now = clock();
    const familyId = toBase64Url(random(16));
    const secret = toBase64Url(random(32));
    const family: RefreshFamilyRecord = {
      familyId,
      sessionId: session.id,
      subject: session.subject,
      generation: 0,
      currentHash: sha256(secret),
      previousHash: null,
      rotatedAt: null,
      createdAt: now,
      expiresAt: Math.min(now + this.#lifetimeMs, session.absoluteExpiresAt),
      revokedAt: null,
    };
    await this.#call(() => this.#store.createRefreshFamily(family));
    return this.#pair(family, 0, secret, now, session, audience, jkt);
  }

  /**
   * Validates a session token (as `manager.validate` does, with the client's facts) and starts a family for
   * its session. Returns the validation failure when the session token is not valid.
   */
  async exchange(
    sessionToken: string | null | undefined,
    client: ClientInfo = {},
    options: RefreshIssueOptions = {},
  ): Promise<TokenPair | ValidationFailure> {
    this.#chosenAudience(options.audience); // misuse throws before the session is touched
    if (options.jkt !== undefined) checkThumbprint(options.jkt);
    const validated = await this.#manager.validate(sessionToken, client);
    if (!validated.ok) return validated;
    return this.issue(validated.session, options);
  }

  /**
   * Exchanges a refresh token for a new pair. `client` (address, user agent) goes through the session's
   * binding checks, as a session token would. Store faults throw `StoreUnavailableError` (503).
   */
  async refresh(
    token: string | null | undefined,
    client: ClientInfo = {},
    options: RefreshOptions = {},
  ): Promise<RefreshResult> {
    const proofKey = options.jkt === undefined ? null : checkThumbprint(options.jkt);
    const parsed = parseRefreshToken(token);
    if (parsed === null) return invalid('malformed');
    // No store access for a token this server never issued.
    if (!macIsValid(this.#keys, parsed)) return invalid('forged');
    // A bound family: no store access, and no reuse judgement, without a proof by its key.
    if (parsed.jkt !== null && (proofKey === null || !constantTimeEqual(proofKey, parsed.jkt))) {
      return invalid('dpop');
    }
    const jkt = parsed.jkt ?? proofKey;
    const audience = this.#familyAudience(parsed);
    if (audience === undefined) return invalid('audience');
    let family = await this.#call(() => this.#store.getRefreshFamily(parsed.familyId));
    for (let attempt = 0; attempt < 3; attempt += 1) {
      if (family === null) return invalid('unknown');
      if (family.revokedAt !== null) return invalid('revoked');
      const now = this.#manager.options.clock();
      if (now >= family.expiresAt) return invalid('expired');
      const hash = sha256(parsed.secret);
      if (parsed.generation === family.generation && constantTimeEqual(hash, family.currentHash)) {
        const session = await this.#liveSession(family, now, client);
        if (session === null) return invalid('session');
        const next = successorSecret(this.#keys, family.familyId, parsed.generation, parsed.secret);
        const advanced = await this.#call(() =>
          this.#store.advanceRefreshFamily(
            parsed.familyId,
            { generation: parsed.generation, currentHash: hash },
            {
              generation: parsed.generation + 1,
              currentHash: sha256(next),
              previousHash: this.#previousHash(parsed.secret, client),
              rotatedAt: now,
            },
          ),
        );
        if (advanced) return this.#pair(family, parsed.generation + 1, next, now, session, audience, jkt);
        // Another request rotated it first: read again and take the grace path (or learn it was revoked).
        family = await this.#call(() => this.#store.getRefreshFamily(parsed.familyId));
        continue;
      }
      if (this.#inGrace(parsed, family, client, now)) {
        const session = await this.#liveSession(family, now, client);
        if (session === null) return invalid('session');
        const next = successorSecret(this.#keys, family.familyId, parsed.generation, parsed.secret);
        if (!constantTimeEqual(sha256(next), family.currentHash)) return invalid('unknown');
        return this.#pair(
          family,
          family.generation,
          next,
          family.rotatedAt as number,
          session,
          audience,
          jkt,
        );
      }
      if (parsed.generation < family.generation) return this.#reuse(family, parsed, now);
      return invalid('unknown');
    }
    return invalid('unknown');
  }

  /** Ends a family (for example at logout). Returns whether it existed. */
  revokeFamily(familyId: string): Promise<boolean> {
    return this.#call(() => this.#store.revokeRefreshFamily(familyId, this.#manager.options.clock()));
  }

  /** What the family keeps of a replaced secret: bound to the rotating client unless `bindGraceToClient` is off. */
  #previousHash(secret: string, client: ClientInfo): string {
    return graceHash(this.#keys, secret, this.#bindGrace ? client : null);
  }

  #inGrace(
    parsed: ParsedRefreshToken,
    family: RefreshFamilyRecord,
    client: ClientInfo,
    now: number,
  ): boolean {
    return (
      parsed.generation === family.generation - 1 &&
      family.previousHash !== null &&
      family.rotatedAt !== null &&
      now - family.rotatedAt <= this.#graceMs &&
      constantTimeEqual(this.#previousHash(parsed.secret, client), family.previousHash)
    );
  }

  async #reuse(family: RefreshFamilyRecord, parsed: ParsedRefreshToken, now: number): Promise<RefreshResult> {
    // A token this server issued, replaced, and presented again after the grace window: one of the two holders
    // is not the user. Kill the family and the session it came from (RFC 9700 4.14.2).
    await this.#call(() => this.#store.revokeRefreshFamily(family.familyId, now));
    await this.#manager.revokeById(family.sessionId, 'refresh-reuse');
    this.#manager.emit({
      type: 'refresh-reuse',
      at: now,
      sessionId: family.sessionId,
      subject: family.subject,
      reason: 'reuse',
      detail: {
        familyId: family.familyId,
        presented: parsed.generation,
        current: family.generation,
        // Inside the grace window by time: another client presented the replaced token.
        withinGrace: family.rotatedAt !== null && now - family.rotatedAt <= this.#graceMs,
      },
    });
    return { ok: false, code: 'refresh_reused', status: 401 };
  }

  /**
   * The family's session if it is still live, through the manager (expiry, binding and renewal rules and their
   * events, as for a session token); otherwise revokes the family.
   */
  async #liveSession(family: RefreshFamilyRecord, now: number, client: ClientInfo): Promise<Session | null> {
    const result = await this.#manager.continueSession(family.sessionId, client);
    if (!result.ok) {
      await this.#call(() => this.#store.revokeRefreshFamily(family.familyId, now));
      return null;
    }
    return result.session;
  }

  #pair(
    family: RefreshFamilyRecord,
    generation: number,
    secret: string,
    issuedAt: number,
    session: Session,
    audience: string,
    jkt: string | null,
  ): TokenPair {
    const claims = this.#claims?.(session);
    const access = this.#access.issue({
      subject: family.subject,
      sessionId: family.sessionId,
      level: session.level,
      issuedAt,
      jti: accessJti(this.#keys, family.familyId, generation),
      audience,
      ...(jkt === null ? {} : { jkt }),
      ...(claims === undefined ? {} : { claims }),
    });
    return {
      ok: true,
      accessToken: access.token,
      refreshToken: formatRefreshToken(
        this.#keys,
        family.familyId,
        generation,
        secret,
        audienceTag(audience),
        jkt,
      ),
      expiresIn: access.expiresIn,
      claims: access.claims,
      familyId: family.familyId,
    };
  }

  /** The audience asked for at issue, checked against the access tokens' allowed list. */
  #chosenAudience(audience: string | undefined): string {
    const allowed = this.#access.audience;
    if (audience === undefined) return allowed[0] as string;
    if (typeof audience !== 'string' || !allowed.includes(audience)) {
      throw new TypeError('tessera: audience must be one of the configured audiences');
    }
    return audience;
  }

  /**
   * The family's audience, read from its MAC-checked token (ASVS 5.0 9.2.4: a family never changes audience).
   * A token from before tokens carried one gets the first configured audience; `undefined` when the audience is
   * no longer configured.
   */
  #familyAudience(parsed: ParsedRefreshToken): string | undefined {
    const allowed = this.#access.audience;
    if (parsed.audienceTag === null) return allowed[0];
    return allowed.find((audience) => audienceTag(audience) === parsed.audienceTag);
  }

  #call<T>(run: () => Promise<T>): Promise<T> {
    return callStore(this.#store.kind, 'refresh', run);
  }
}
