import type { ClientInfo, CreateInput, IssuedSession, SessionManager } from '../core/manager.js';
import type { TesseraEvent } from '../core/events.js';
import {
  ANONYMOUS_SUBJECT_PREFIX,
  isAnonymousSession,
  type LevelRequirement,
} from '../core/session-rules.js';
import { type ClearSiteDataType, type CookieSessionMode, resolveClearSiteData } from './session-mode.js';
import type { ValidationFailure } from '../core/outcome.js';
import type { Authentication, SessionAuthenticator } from './authenticator.js';
import { tokenInvalid } from '../core/outcome.js';
import type { Session, SessionData } from '../core/session.js';
import {
  type CookieOptions,
  type ResolvedCookieOptions,
  resolveCookieOptions,
  serializeClearCookie,
  serializeCookie,
} from './cookie.js';
import type { RequestFacts } from './request.js';
import { readToken } from './token-source.js';
import { CsrfGuard, type CsrfVerdict, type FormTokenSource } from './csrf/guard.js';
import type { CsrfOptions } from './csrf/options.js';
import { toBase64Url } from '../core/encoding.js';
import { parseToken } from '../core/token.js';
import type { DeviceBoundSessions } from './dbsc/device-sessions.js';

export interface HttpSessionsOptions {
  /** Session cookie settings (safe defaults). */
  cookie?: CookieOptions;
  /**
   * Accept `Authorization: Bearer <token>` for non-browser clients.
   * @default true
   */
  bearer?: boolean;
  /**
   * CSRF defence for unsafe methods (Fetch Metadata / Origin checks and a session-bound signed token), applied
   * by `checkCsrf` and every adapter. `false` turns it off (only for APIs that accept no cookies at all).
   * @default {} (on, with a random per-process token key)
   */
  csrf?: CsrfOptions | false;
  /**
   * `Clear-Site-Data` types sent on logout (ASVS 5.0 14.3.1), so the browser drops what the session left
   * behind. `"cookies"` clears every cookie of the registrable domain; add `'storage'` and `'cache'` to clear
   * those too; `false` sends none.
   * @default ['cookies']
   */
  clearSiteData?: readonly ClearSiteDataType[] | false;
  /**
   * Device Bound Session Credentials: once a session's browser has registered a device key, its session token is
   * refused on every request (cookie or bearer, any adapter) without the short-lived bound cookie only that key can
   * renew. Mount its endpoints with `deviceBound.handle(facts)`; send `deviceBound.registrationHeader(session)`
   * after login. Browsers without DBSC keep working unbound. See docs/binding.md.
   * @default undefined (off)
   */
  deviceBound?: DeviceBoundSessions<SessionData>;
}

export { ANONYMOUS_SUBJECT_PREFIX };

/**
 * Tokens of sessions issued during a request (login, rotation, pre-login), for a later action in the same
 * request. Only action paths write here: a `WeakMap` entry per validated request would cost every request.
 */
const issuedTokens = new WeakMap<object, string>();

export interface IssuedHttpSession<Data extends SessionData> extends IssuedSession<Data> {
  readonly setCookies: string[];
}

export type HttpRotation<Data extends SessionData> =
  | ({ ok: true; setCookies: string[] } & IssuedSession<Data>)
  | (ValidationFailure & { setCookies: string[] });

/**
 * Sessions over HTTP: reads the token from the cookie or a bearer header, validates it, and says which cookies
 * to set. Knows no framework; adapters turn their requests into `RequestFacts` and write the replies.
 */
export class HttpSessions<Data extends SessionData = SessionData>
  implements SessionAuthenticator<Data>, CookieSessionMode<Data>
{
  readonly manager: SessionManager<Data>;
  readonly cookie: ResolvedCookieOptions;
  /** The CSRF guard, or null when turned off. */
  readonly csrf: CsrfGuard | null;
  readonly clearSiteData: string | null;
  readonly #bearer: boolean;
  /** DBSC, when on. */
  readonly deviceBound: DeviceBoundSessions<Data> | null;

  constructor(manager: SessionManager<Data>, options: HttpSessionsOptions = {}) {
    this.manager = manager;
    this.cookie = resolveCookieOptions(options.cookie);
    this.#bearer = options.bearer ?? true;
    this.csrf =
      options.csrf === false ? null : new CsrfGuard({ random: manager.options.random, ...options.csrf });
    this.clearSiteData = resolveClearSiteData(options.clearSiteData);
    this.deviceBound = (options.deviceBound as DeviceBoundSessions<Data> | undefined) ?? null;
    this.deviceBound?.attach(manager, this.cookie);
  }

  get cookieName(): string {
    return this.cookie.name;
  }

  emit(event: Omit<TesseraEvent, 'at'> & { at?: number }): void {
    this.manager.emit(event);
  }

  hasLevel(session: Session<SessionData>, requirement: LevelRequirement): boolean {
    return this.manager.hasLevel(session, requirement);
  }

  /** Reads and validates the request's token. Store faults throw `StoreUnavailableError`. */
  async authenticate(request: RequestFacts): Promise<Authentication<Data>> {
    const source = this.#read(request);
    if (source.kind === 'missing') {
      return { result: await this.manager.validate(null), setCookies: [], via: null };
    }
    if (source.kind === 'refused') {
      this.manager.emit({ type: 'unknown-token', sessionId: null, subject: null, reason: source.reason });
      return { result: tokenInvalid(source.reason), setCookies: [this.clearCookie()], via: null };
    }
    const result = await this.manager.validate(source.token, clientOf(request));
    // A device-bound session needs its bound cookie whatever way the token came. The session cookie is kept: the
    // browser that owns it is refreshing the bound one.
    if (result.ok && this.deviceBound?.refuses(request, result.session) === true) {
      return { result: tokenInvalid('binding'), setCookies: [], via: source.via };
    }
    const setCookies: string[] = [];
    if (source.via === 'cookie') {
      if (!result.ok) setCookies.push(this.clearCookie());
      else if (result.renewed) setCookies.push(this.sessionCookie(source.token, result.session));
    }
    return { result, setCookies, via: source.via };
  }

  /**
   * Starts a session at login. Any session the request already carried is ended first, so a token planted
   * before login (session fixation) or a pre-login session never becomes the logged-in one. With `current`
   * (this request's authentication, from the request path) the session it validated is ended by id, with no
   * second read.
   */
  async login(
    request: RequestFacts,
    input: Omit<CreateInput<Data>, keyof ClientInfo>,
    current?: Authentication<Data>,
  ): Promise<IssuedHttpSession<Data>> {
    if (current !== undefined) {
      // Validated once already: end the session it found, if any (a refused token has nothing to end).
      if (current.result.ok) await this.manager.revokeById(current.result.session.id, 'login');
    } else {
      const previous = this.#read(request);
      if (previous.kind === 'present') await this.manager.revoke(previous.token, 'login');
    }
    const issued = await this.manager.create({ ...input, ...clientOf(request) });
    issuedTokens.set(issued.session, issued.token);
    return { ...issued, setCookies: [this.sessionCookie(issued.token, issued.session)] };
  }

  /** Ends the request's session and clears its cookie. */
  async logout(
    request: RequestFacts,
    current?: Authentication<Data>,
  ): Promise<{ revoked: boolean; setCookies: string[] }> {
    let revoked = false;
    if (current !== undefined) {
      if (current.result.ok) revoked = await this.manager.revokeById(current.result.session.id, 'logout');
    } else {
      const source = this.#read(request);
      revoked = source.kind === 'present' ? await this.manager.revoke(source.token, 'logout') : false;
    }
    const setCookies = [this.clearCookie()];
    if (this.deviceBound !== null) setCookies.push(this.deviceBound.clearBoundCookie());
    return { revoked, setCookies };
  }

  /** Rotates the request's token (for example after a privilege change) and sets the new cookie. */
  rotate(request: RequestFacts, current?: Authentication<Data>): Promise<HttpRotation<Data>> {
    return this.#replace(request, undefined, current);
  }

  /** Step-up: rotates and records `level`. Call after re-checking credentials. */
  elevate(request: RequestFacts, level: number, current?: Authentication<Data>): Promise<HttpRotation<Data>> {
    return this.#replace(request, level, current);
  }

  /**
   * CSRF check for an authenticated (or anonymous) request; pass the form field when the body has one.
   * Unsafe methods only; refusals emit a `csrf-rejected` event. Answer a refusal with `forbiddenReply`.
   */
  async checkCsrf(
    request: RequestFacts,
    auth: Pick<Authentication<Data>, 'result' | 'via'> | null,
    input: { formToken?: FormTokenSource } = {},
  ): Promise<CsrfVerdict> {
    if (this.csrf === null) return { ok: true, checked: false };
    const session = auth?.result.ok === true ? auth.result.session : null;
    const verdict = await this.csrf.check(request, { session, via: auth?.via ?? null }, input.formToken);
    if (!verdict.ok) {
      this.manager.emit({
        type: 'csrf-rejected',
        sessionId: session?.id ?? null,
        subject: session?.subject ?? null,
        reason: verdict.reason,
        detail: { method: request.method.toUpperCase() },
      });
    }
    return verdict;
  }

  /** A signed CSRF token bound to the session, for a hidden form field or the `x-csrf-token` header. */
  csrfToken(session: Pick<Session<SessionData>, 'id'>): string {
    if (this.csrf === null) throw new TypeError('tessera: CSRF is turned off (csrf: false)');
    return this.csrf.token(session.id);
  }

  /**
   * Starts an anonymous pre-login session (level 0) so a login form can carry a session-bound CSRF token
   * (OWASP: login CSRF is stopped by pre-session tokens). `login` replaces it with a fresh session.
   */
  async startAnonymous(request: RequestFacts, data?: Data): Promise<IssuedHttpSession<Data>> {
    const subject = ANONYMOUS_SUBJECT_PREFIX + toBase64Url(this.manager.options.random(16));
    const issued = await this.manager.create({
      subject,
      level: 0,
      ...(data === undefined ? {} : { data }),
      ...clientOf(request),
    });
    issuedTokens.set(issued.session, issued.token);
    return { ...issued, setCookies: [this.sessionCookie(issued.token, issued.session)] };
  }

  /** Whether a session is an anonymous pre-login one (from `startAnonymous`). */
  isAnonymous(session: Pick<Session<SessionData>, 'subject' | 'level'>): boolean {
    return isAnonymousSession(session);
  }

  /** `Set-Cookie` for a token, expiring with the session's idle window. */
  sessionCookie(token: string, session: Session<SessionData>): string {
    const now = this.manager.options.clock();
    return serializeCookie(this.cookie, token, Math.ceil((session.idleExpiresAt - now) / 1000));
  }

  /** `Set-Cookie` that removes the session cookie with its original attributes. */
  clearCookie(): string {
    return serializeClearCookie(this.cookie);
  }

  #read(request: RequestFacts): ReturnType<typeof readToken> {
    return readToken(request, { cookieName: this.cookie.name, cookie: true, bearer: this.#bearer });
  }

  async #replace(
    request: RequestFacts,
    level: number | undefined,
    current: Authentication<Data> | undefined,
  ): Promise<HttpRotation<Data>> {
    // The request path already validated a session: rotate it with no second read. Its token is the one the
    // request carries (a header parse, no store access), or one issued earlier in this request.
    const known = current?.result.ok === true ? current.result : undefined;
    const issued = known === undefined ? undefined : issuedTokens.get(known.session);
    const source = issued === undefined ? this.#read(request) : null;
    if (source?.kind === 'refused')
      return { ...tokenInvalid(source.reason), setCookies: [this.clearCookie()] };
    const token = issued ?? (source?.kind === 'present' ? source.token : null);
    const validated =
      known !== undefined && token !== null && tokenOf(token) === known.session.id ? known : undefined;
    const client = clientOf(request);
    const result =
      level === undefined
        ? await this.manager.rotate(token, client, validated)
        : await this.manager.elevate(token, level, client, validated);
    if (!result.ok) return { ...result, setCookies: token !== null ? [this.clearCookie()] : [] };
    issuedTokens.set(result.session, result.token);
    return { ...result, setCookies: [this.sessionCookie(result.token, result.session)] };
  }
}

/** The public session id a token names, or null. */
function tokenOf(token: string): string | null {
  return parseToken(token)?.sessionId ?? null;
}

function clientOf(request: RequestFacts): ClientInfo {
  return { ip: request.ip, userAgent: request.header('user-agent') };
}
