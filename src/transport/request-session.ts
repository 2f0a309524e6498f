import type { ValidationResult } from '../core/outcome.js';
import { isAnonymousSession, type LevelRequirement, meetsLevel } from '../core/session-rules.js';
import type { Session, SessionData } from '../core/session.js';
import { CSRF_VARY } from './csrf/origin.js';
import type { Authentication, SessionAuthenticator } from './authenticator.js';
import type { RequestFacts } from './request.js';
import {
  type CookieSessionMode,
  type IssuedCookieSession,
  isCookieMode,
  type LevelAware,
  type LoginInput,
  type SessionChange,
} from './session-mode.js';

export type Header = readonly [string, string];

/**
 * This request's session, in any mode: opened once by the request path (`openRequestSession`), which read the
 * token once and validated it once. Login, logout, rotation, elevation and CSRF tokens act on it, reuse what
 * was validated, and queue their cookies; `headers()` is the one decision about what the response carries:
 * `Set-Cookie` (one value per cookie, the newest decision), `Cache-Control: no-store` on every response that
 * depends on the session, `Vary`, and `Clear-Site-Data` after a logout.
 */
export class RequestSession<Data extends SessionData = SessionData> {
  readonly mode: SessionAuthenticator<Data>;
  readonly request: RequestFacts;
  #auth: Authentication<Data>;
  /** Headers the mode decided while authenticating (kept through login and logout: they concern the client). */
  readonly #modeHeaders: ReadonlyArray<readonly [string, string]>;
  /** Cookie name → the `Set-Cookie` to send: later decisions replace earlier ones (made when first needed). */
  #cookies: Map<string, string> | null = null;
  #dependsOnSession: boolean;
  #csrfChecked = false;
  #clearSiteData: string | null = null;
  #listener: (() => void) | null = null;
  /** What the response varies on whatever happens later: the cookie a cookie mode reads, a bearer header. */
  readonly #vary: string;

  constructor(mode: SessionAuthenticator<Data>, request: RequestFacts, auth: Authentication<Data>) {
    this.mode = mode;
    this.request = request;
    this.#auth = auth;
    this.#modeHeaders = auth.headers ?? [];
    // A response to a request that presented a credential can depend on it (OWASP: web content caching).
    this.#dependsOnSession = auth.via !== null;
    const bearer = auth.via === 'bearer' || request.header('authorization') !== null;
    this.#vary = joinTokens(isCookieMode(mode) ? 'Cookie' : '', bearer ? 'Authorization' : '');
    this.#queue(auth.setCookies);
  }

  /** The validation outcome (replaced by login, logout, rotation, elevation). */
  get result(): ValidationResult<Data> {
    return this.#auth.result;
  }

  /** How the token came, if it came. */
  get via(): 'cookie' | 'bearer' | null {
    return this.#auth.via;
  }

  /** The authentication the mode's actions continue from. */
  get authentication(): Authentication<Data> {
    return this.#auth;
  }

  /** The valid session, anonymous pre-login sessions included, or null. */
  get session(): Session<Data> | null {
    return this.#auth.result.ok ? this.#auth.result.session : null;
  }

  /** Whether the request is signed in: a valid session that is not an anonymous pre-login one. */
  get signedIn(): boolean {
    const session = this.session;
    return session !== null && !isAnonymousSession(session);
  }

  /** Whether the session meets a level requirement (never for anonymous or missing sessions). */
  hasLevel(requirement: LevelRequirement): boolean {
    const session = this.session;
    if (session === null || !this.signedIn) return false;
    const mode = this.mode as Partial<LevelAware>;
    return typeof mode.hasLevel === 'function'
      ? mode.hasLevel(session, requirement)
      : meetsLevel(session, requirement, Date.now());
  }

  /** Marks the response as depending on the session (route guards do), so it is never stored by a cache. */
  markSessionDependent(): void {
    if (this.#dependsOnSession) return;
    this.#dependsOnSession = true;
    this.#changed();
  }

  /** Records that the CSRF decision read the origin headers (they go into `Vary`). */
  markCsrfChecked(): void {
    this.#csrfChecked = true;
  }

  /** Starts a session at login; whatever session the request carried is ended first (no fixation). */
  async login(input: LoginInput<Data>): Promise<IssuedCookieSession<Data>> {
    const mode = this.#cookieMode('login');
    const issued = await mode.login(this.request, input, this.#auth);
    this.#became(issued.session, issued.setCookies);
    return issued;
  }

  /** Ends the request's session, clears its cookie and sends `Clear-Site-Data`. Returns whether one ended. */
  async logout(): Promise<boolean> {
    const mode = this.#cookieMode('logout');
    const ended = await mode.logout(this.request, this.#auth);
    this.#auth = { result: { ok: false, code: 'token_missing', status: 401 }, setCookies: [], via: null };
    this.#clearSiteData = mode.clearSiteData;
    this.#dependsOnSession = true;
    this.#queue(ended.setCookies);
    this.#changed();
    return ended.revoked;
  }

  /** New token for the same session (after a privilege change). */
  async rotate(): Promise<SessionChange<Data>> {
    const change = await this.#cookieMode('rotate').rotate(this.request, this.#auth);
    return this.#afterChange(change);
  }

  /** Step-up ("sudo"): rotates and records `level`. Call after re-checking the credentials. */
  async elevate(level: number): Promise<SessionChange<Data>> {
    const change = await this.#cookieMode('elevate').elevate(this.request, level, this.#auth);
    return this.#afterChange(change);
  }

  /** An anonymous pre-login session (level 0), so a login form can carry a session-bound CSRF token. */
  async startAnonymous(data?: Data): Promise<IssuedCookieSession<Data>> {
    const issued = await this.#cookieMode('startAnonymous').startAnonymous(this.request, data);
    this.#became(issued.session, issued.setCookies);
    return issued;
  }

  /** A CSRF token for the request's session (anonymous pre-login sessions included). */
  csrfToken(): string {
    const session = this.session;
    if (session === null)
      throw new TypeError('tessera: no session on this request; call startAnonymous first for a login form');
    return this.#cookieMode('csrfToken').csrfToken(session);
  }

  /** Everything the response must carry for the session, as decided now. */
  headers(): Header[] {
    const headers: Header[] = [];
    const cookies = this.#cookies;
    if (cookies !== null) for (const cookie of cookies.values()) headers.push(['set-cookie', cookie]);
    if (this.#dependsOnSession || cookies !== null) headers.push(NO_STORE);
    const vary = this.#csrfChecked ? joinTokens(this.#vary, CSRF_VARY) : this.#vary;
    if (vary !== '') headers.push(['vary', vary]);
    if (this.#clearSiteData !== null) headers.push(['clear-site-data', this.#clearSiteData]);
    for (const [name, value] of this.#modeHeaders) headers.push([name, value]);
    return headers;
  }

  /** Calls `listener` whenever the header decision changes (node-style responses apply it at once). */
  onChange(listener: () => void): void {
    const previous = this.#listener;
    this.#listener =
      previous === null
        ? listener
        : () => {
            previous();
            listener();
          };
  }

  #cookieMode(action: string): CookieSessionMode<Data> {
    if (!isCookieMode(this.mode))
      throw new TypeError(`tessera: ${action} needs a cookie session mode (HttpSessions or SealedSessions)`);
    return this.mode;
  }

  #became(session: Session<Data>, setCookies: readonly string[]): void {
    this.#auth = {
      result: { ok: true, session, renewed: false, stale: false },
      setCookies: [],
      via: 'cookie',
    };
    this.#clearSiteData = null;
    this.#dependsOnSession = true;
    this.#queue(setCookies);
    this.#changed();
  }

  #afterChange(change: SessionChange<Data>): SessionChange<Data> {
    if (change.ok) this.#became(change.session, change.setCookies);
    else if (change.code !== 'version_conflict') {
      this.#auth = { result: change, setCookies: [], via: null };
      this.#queue(change.setCookies);
      this.#changed();
    }
    return change;
  }

  #queue(setCookies: readonly string[]): void {
    if (setCookies.length === 0) return;
    if (this.#cookies === null) this.#cookies = new Map();
    for (const cookie of setCookies) this.#cookies.set(cookieNameOf(cookie), cookie);
  }

  #changed(): void {
    this.#listener?.();
  }
}

const NO_STORE: Header = Object.freeze(['cache-control', 'no-store'] as const);

function joinTokens(a: string, b: string): string {
  return a === '' ? b : b === '' ? a : `${a}, ${b}`;
}

/** The name of the cookie a `Set-Cookie` value sets. */
export function cookieNameOf(setCookie: string): string {
  const eq = setCookie.indexOf('=');
  return (eq === -1 ? setCookie : setCookie.slice(0, eq)).trim();
}
