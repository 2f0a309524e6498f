import { EVERYONE_SCOPE, sessionScope } from '../../core/cutoffs.js';
import {
  EventHub,
  type TesseraEvent,
  type TesseraEventListener,
  type TesseraEventType,
} from '../../core/events.js';
import { sessionExpired, TOKEN_MISSING, tokenInvalid, type ValidationResult } from '../../core/outcome.js';
import { applyPatch, type DataPatch, type Session, type SessionData } from '../../core/session.js';
import { newSessionId } from '../../core/token.js';
import { CsrfGuard } from '../../transport/csrf/guard.js';
import {
  ANONYMOUS_SUBJECT_PREFIX,
  checkLevel,
  checkSessionData,
  checkSubject,
  expiryLimit,
  type LevelRequirement,
  meetsLevel,
  renewalDue,
  slidIdleExpiry,
} from '../../core/session-rules.js';
import { callStore } from '../../core/store-fault.js';
import { toBase64Url } from '../../core/encoding.js';
import type { Authentication, SessionAuthenticator } from '../../transport/authenticator.js';
import {
  type CookieSessionMode,
  type IssuedCookieSession,
  type LoginInput,
  resolveClearSiteData,
  type SessionChange,
} from '../../transport/session-mode.js';
import type { RequestFacts } from '../../transport/request.js';
import { readSealedCookies } from './chunks.js';
import { openSeal } from './envelope.js';
import { type ResolvedSealedOptions, resolveSealedOptions, type SealedSessionsOptions } from './options.js';
import { decodePayload } from './payload.js';
import { lifetimeBreach } from './policy.js';
import { deepFreeze } from '../../core/freeze.js';
import { clearSealedCookies, sealToCookies } from './writer.js';

/** What a sealed login records (the same as every mode's login). */
export type SealedLogin<Data extends SessionData> = LoginInput<Data>;
/** A sealed session and the cookies that carry it. */
export type SealedIssue<Data extends SessionData> = IssuedCookieSession<Data>;
/** What elevate, rotate or update did. */
export type SealedChange<Data extends SessionData> = SessionChange<Data>;

/** What `open` found, beyond the outcome: which cookies carried it and whether it needs re-sealing. */
interface Opened<Data extends SessionData> {
  readonly result: ValidationResult<Data>;
  readonly names: readonly string[];
  readonly stale: boolean;
  readonly now: number;
}

/** An opened seal kept by its exact text (the whole authenticated value), so a repeat skips AES-GCM. */
interface CachedSeal<Data extends SessionData> {
  readonly session: Session<Data>;
  readonly count: number;
  readonly stale: boolean;
}

/**
 * Client-side sessions in AES-256-GCM sealed cookies: no store lookup per request (unless a store is given for
 * "log out everywhere"). A `CookieSessionMode`: every adapter serves it through the same request path as server-side sessions, CSRF
 * defence included.
 */
export class SealedSessions<Data extends SessionData = SessionData>
  implements SessionAuthenticator<Data>, CookieSessionMode<Data>
{
  readonly options: ResolvedSealedOptions;
  /** The CSRF guard, or null when turned off. */
  readonly csrf: CsrfGuard | null;
  readonly clearSiteData: string | null;
  readonly #events = new EventHub();
  readonly #cache: Map<string, CachedSeal<Data>> | null;

  constructor(options: SealedSessionsOptions) {
    this.options = resolveSealedOptions(options);
    this.#cache = this.options.cacheSize > 0 ? new Map() : null;
    if (options.onEvent !== undefined) this.#events.on('*', options.onEvent);
    this.csrf =
      options.csrf === false ? null : new CsrfGuard({ random: this.options.random, ...options.csrf });
    this.clearSiteData = resolveClearSiteData(options.clearSiteData);
  }

  get cookieName(): string {
    return this.options.cookie.name;
  }

  emit(event: Omit<TesseraEvent, 'at'> & { at?: number }): void {
    this.#events.emit({ ...event, at: event.at ?? this.options.clock() });
  }

  hasLevel(session: Session<SessionData>, requirement: LevelRequirement): boolean {
    return meetsLevel(session, requirement, this.options.clock());
  }

  /** A signed CSRF token bound to the session, for a hidden form field or the `x-csrf-token` header. */
  csrfToken(session: Pick<Session<SessionData>, 'id'>): string {
    if (this.csrf === null) throw new TypeError('tessera: CSRF is turned off (csrf: false)');
    return this.csrf.token(session.id);
  }

  /**
   * An anonymous pre-login session (level 0), so a login form can carry a session-bound CSRF token
   * (login CSRF); `login` replaces it.
   */
  startAnonymous(request: RequestFacts, data?: Data): Promise<SealedIssue<Data>> {
    const subject = ANONYMOUS_SUBJECT_PREFIX + toBase64Url(this.options.random(16));
    return this.login(request, { subject, level: 0, ...(data === undefined ? {} : { data }) });
  }

  /**
   * Re-seals the session under a fresh nonce and the newest key, recording the rotation time. A sealed
   * session has no server-side record: the previous seal stays valid until it expires (use `revokeSubject`
   * with a store to end copies).
   */
  rotate(request: RequestFacts, current?: Authentication<Data>): Promise<SealedChange<Data>> {
    return this.#change(request, 'rotated', (session, now) => ({ ...session, rotatedAt: now }), current);
  }

  on(type: TesseraEventType | '*', listener: TesseraEventListener): () => void {
    return this.#events.on(type, listener);
  }

  /**
   * Opens and checks the request's sealed cookie. Tampering, truncation, an unknown key id, a bad chunk
   * layout, any spelling but unquoted base64url, or lifetimes beyond this server's policy (see policy.ts)
   * answer 401 `token_invalid`; a seal past its idle or absolute limit answers 440.
   */
  authenticate(request: RequestFacts): Promise<Authentication<Data>> {
    // Without a not-before store nothing here waits on I/O: stay synchronous until the one promise returned.
    if (this.options.store === null) return Promise.resolve(this.#finish(this.#read(request)));
    return this.#open(request).then((opened) => this.#finish(opened));
  }

  #finish(opened: Opened<Data>): Authentication<Data> {
    const { result } = opened;
    if (!result.ok) {
      const setCookies = opened.names.length > 0 ? clearSealedCookies(this.options.cookie, opened.names) : [];
      return { result, setCookies, via: result.code === 'token_missing' ? null : 'cookie' };
    }
    const now = opened.now;
    const session = result.session;
    // Slide the idle window once per renewal fraction; a seal under a retiring key is re-sealed at once.
    if (opened.stale || renewalDue(session, now, this.options.renewAfterMs)) {
      const renewed: Session<Data> = {
        ...session,
        lastSeenAt: now,
        idleExpiresAt: slidIdleExpiry(now, this.options.idleMs, session.absoluteExpiresAt),
      };
      const setCookies = sealToCookies(this.options, renewed, opened.names, now);
      this.#emit('renewed', renewed, now);
      return {
        result: { ok: true, session: renewed, renewed: true, stale: false },
        setCookies,
        via: 'cookie',
      };
    }
    return { result, setCookies: [], via: 'cookie' };
  }

  /** Starts a sealed session. Whatever sealed cookies the request carried are replaced (no fixation). */
  async login(request: RequestFacts, input: SealedLogin<Data>): Promise<SealedIssue<Data>> {
    const subject = checkSubject(input?.subject);
    const data = (input.data ?? {}) as Data;
    checkSessionData(data, this.options.maxDataBytes);
    const level = checkLevel(input.level ?? 1);
    const { clock, random, idleMs, absoluteMs } = this.options;
    const now = clock();
    const session: Session<Data> = {
      id: newSessionId(random),
      subject,
      data,
      version: 1,
      level,
      levelAt: now,
      createdAt: now,
      lastSeenAt: now,
      rotatedAt: null,
      idleExpiresAt: slidIdleExpiry(now, idleMs, now + absoluteMs),
      absoluteExpiresAt: now + absoluteMs,
      ip: null,
      userAgent: null,
    };
    const previous = readSealedCookies(request.header('cookie'), this.options.cookie.name);
    const setCookies = sealToCookies(
      this.options,
      session,
      previous.kind === 'missing' ? [] : previous.names,
      now,
    );
    this.#emit('created', session, now, { level });
    return { session, setCookies };
  }

  /**
   * Clears every sealed cookie (all chunks). With a store configured, the session's id is also cut off there, so
   * every copy of the seal (an old cookie kept by an attacker, a backup) is refused from now on, on every node.
   * Without a store a copy stays valid until it expires: that is the price of stateless sessions.
   */
  async logout(
    request: RequestFacts,
    _current?: Authentication<Data>,
  ): Promise<{ revoked: boolean; setCookies: string[] }> {
    const opened = await this.#open(request);
    if (opened.result.ok) {
      const session = opened.result.session;
      const now = this.options.clock();
      const store = this.options.store;
      // Written before the answer: an acknowledged logout holds (a store fault is a 503, not a silent success).
      if (store !== null) {
        await this.#call(() =>
          store.setSubjectNotBefore(sessionScope(session.id), now + 1, session.absoluteExpiresAt),
        );
      }
      this.#emit('revoked', session, now, undefined, 'logout');
    }
    return { revoked: opened.result.ok, setCookies: clearSealedCookies(this.options.cookie, opened.names) };
  }

  /** Patches the session's data and re-seals it (with the newest key). `version` refuses a stale update. */
  update(
    request: RequestFacts,
    patch: DataPatch,
    options: { version?: number } = {},
  ): Promise<SealedChange<Data>> {
    return this.#change(request, 'data-updated', (session) => {
      if (options.version !== undefined && options.version !== session.version) return null;
      const data = applyPatch(session.data, patch) as Data;
      checkSessionData(data, this.options.maxDataBytes);
      return { ...session, data, version: session.version + 1 };
    });
  }

  /**
   * Step-up: records a higher authentication level and its time, and re-seals. Re-authentication resets both
   * timeouts (NIST SP 800-63B-4 §5.2): a fresh absolute window from now, and a fresh idle window within it.
   */
  elevate(request: RequestFacts, level: number, current?: Authentication<Data>): Promise<SealedChange<Data>> {
    checkLevel(level);
    return this.#change(
      request,
      'elevated',
      (session, now) => ({
        ...session,
        level,
        levelAt: now,
        rotatedAt: now,
        absoluteExpiresAt: now + this.options.absoluteMs,
      }),
      current,
    );
  }

  /**
   * "Log out everywhere": every sealed session of `subject` created before now is refused from now on.
   * Needs the `store` option (the not-before time is kept there).
   */
  async revokeSubject(subject: string): Promise<void> {
    const store = this.options.store;
    if (store === null)
      throw new TypeError('tessera: revokeSubject on sealed sessions needs the store option');
    const now = this.options.clock();
    await this.#call(() => store.setSubjectNotBefore(subject, now + 1, now + this.options.absoluteMs));
    this.#events.emit({ type: 'revoked', at: now, sessionId: null, subject, reason: 'revoke-all' });
  }

  async #change(
    request: RequestFacts,
    type: 'data-updated' | 'elevated' | 'rotated',
    apply: (session: Session<Data>, now: number) => Session<Data> | null,
    current?: Authentication<Data>,
  ): Promise<SealedChange<Data>> {
    // The request path opened this request's seal already: act on that session, with no second open.
    const opened =
      current?.result.ok === true
        ? { ...this.#read(request), result: current.result }
        : await this.#open(request);
    const result = opened.result;
    if (!result.ok) {
      return {
        ...result,
        setCookies: opened.names.length > 0 ? clearSealedCookies(this.options.cookie, opened.names) : [],
      };
    }
    const now = this.options.clock();
    const changed = apply(result.session, now);
    if (changed === null) {
      return { ok: false, code: 'version_conflict', version: result.session.version, setCookies: [] };
    }
    const session: Session<Data> = {
      ...changed,
      lastSeenAt: now,
      idleExpiresAt: slidIdleExpiry(now, this.options.idleMs, changed.absoluteExpiresAt),
    };
    // Sealed (and possibly refused as too large) before the event, so an event always means a written change.
    const setCookies = sealToCookies(this.options, session, opened.names, now);
    this.#emit(
      type,
      session,
      now,
      type === 'elevated'
        ? { level: session.level }
        : type === 'data-updated'
          ? { version: session.version }
          : undefined,
    );
    return { ok: true, session, setCookies };
  }

  /**
   * Everything but the not-before check: cookie layout and spelling, seal, payload, lifetime policy and expiry.
   * No I/O.
   */
  #read(request: RequestFacts): Opened<Data> {
    const now = this.options.clock();
    const read = readSealedCookies(request.header('cookie'), this.options.cookie.name);
    if (read.kind === 'missing') return { result: TOKEN_MISSING, names: [], stale: false, now };
    if (read.kind === 'refused') return this.#invalid(read.reason, read.names, now);
    const cached = this.#cache?.get(read.text);
    const seal = cached ?? this.#openText(read.text);
    // The count inside the authenticated header must match the layout the cookies arrived in.
    if (seal === null || seal.count !== read.count) return this.#invalid('malformed', read.names, now);
    const session = seal.session;
    // A seal claiming more than this server grants was not written by it: refused, never renewed or re-sealed.
    const breach = lifetimeBreach(session, now, this.options.idleMs, this.options.absoluteMs);
    if (breach !== null) {
      if (cached !== undefined) this.#cache?.delete(read.text);
      return this.#invalid('malformed', read.names, now, { lifetime: breach });
    }
    if (cached === undefined) this.#remember(read.text, seal);
    const limit = expiryLimit(session, now);
    if (limit !== null) {
      this.#emit('expired', session, now, undefined, limit);
      return { result: sessionExpired(limit, session.id), names: read.names, stale: false, now };
    }
    return {
      result: { ok: true, session, renewed: false, stale: false },
      names: read.names,
      stale: seal.stale,
      now,
    };
  }

  /** Opens and decodes a seal's text; the caller checks it against the policy before `#remember`. */
  #openText(text: string): CachedSeal<Data> | null {
    const opened = openSeal(this.options.ring, text, this.options.maxDataBytes * 2);
    if (opened === null) return null;
    const session = decodePayload<Data>(opened.plaintext);
    if (session === null) return null;
    return { session, count: opened.count, stale: opened.keyId !== this.options.ring.current.id };
  }

  /** Keeps an opened seal that passed every check but expiry, when the cache is on. */
  #remember(text: string, seal: CachedSeal<Data>): void {
    const cache = this.#cache;
    if (cache === null) return;
    // Shared between requests from now on: frozen, so no request can change what another one sees.
    deepFreeze(seal.session);
    if (cache.size >= this.options.cacheSize) cache.delete(cache.keys().next().value as string);
    cache.set(text, seal);
  }

  /**
   * `#read`, then the cut-offs in the store: the subject's ("log out everywhere"), everyone's ("end every
   * session") and this session's own (a logout).
   */
  async #open(request: RequestFacts): Promise<Opened<Data>> {
    const opened = this.#read(request);
    const store = this.options.store;
    if (store === null || !opened.result.ok) return opened;
    const session = opened.result.session;
    const notBefore = await this.#call(() =>
      store.getLatestNotBefore([session.subject, EVERYONE_SCOPE, sessionScope(session.id)]),
    );
    if (notBefore !== null && session.createdAt < notBefore) {
      return { result: tokenInvalid('revoked'), names: opened.names, stale: false, now: opened.now };
    }
    return opened;
  }

  #invalid(
    reason: Parameters<typeof tokenInvalid>[0],
    names: readonly string[],
    now: number,
    detail?: TesseraEvent['detail'],
  ): Opened<Data> {
    this.#events.emit({
      type: 'unknown-token',
      at: now,
      sessionId: null,
      subject: null,
      reason,
      ...(detail === undefined ? {} : { detail }),
    });
    return { result: tokenInvalid(reason), names, stale: false, now };
  }

  #emit(
    type: TesseraEventType,
    session: Session<SessionData>,
    at: number,
    detail?: TesseraEvent['detail'],
    reason?: string,
  ): void {
    this.#events.emit({
      type,
      at,
      sessionId: session.id,
      subject: session.subject,
      ...(reason === undefined ? {} : { reason }),
      ...(detail === undefined ? {} : { detail }),
    });
  }

  #call<T>(run: () => Promise<T>): Promise<T> {
    return callStore(this.options.store?.kind ?? 'unknown', 'not-before', run);
  }
}
