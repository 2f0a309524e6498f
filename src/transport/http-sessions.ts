import type { ClientInfo, CreateInput, IssuedSession, SessionManager } from '../core/manager.js';
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
import { CsrfGuard, type CsrfVerdict, type FormTokenSource } from '../csrf/guard.js';
import type { CsrfOptions } from '../csrf/options.js';
import { toBase64Url } from '../core/encoding.js';

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
}

/** Subject prefix of anonymous pre-login sessions (`startAnonymous`). Do not give users subjects like it. */
export const ANONYMOUS_SUBJECT_PREFIX = 'anonymous:';

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
export class HttpSessions<Data extends SessionData = SessionData> implements SessionAuthenticator<Data> {
  readonly manager: SessionManager<Data>;
  readonly cookie: ResolvedCookieOptions;
  /** The CSRF guard, or null when turned off. */
  readonly csrf: CsrfGuard | null;
  readonly #bearer: boolean;

  constructor(manager: SessionManager<Data>, options: HttpSessionsOptions = {}) {
    this.manager = manager;
    this.cookie = resolveCookieOptions(options.cookie);
    this.#bearer = options.bearer ?? true;
    this.csrf =
      options.csrf === false ? null : new CsrfGuard({ random: manager.options.random, ...options.csrf });
  }

  /** Reads and validates the request's token. Store faults throw `StoreUnavailableError`. */
  async authenticate(request: RequestFacts): Promise<Authentication<Data>> {
    const source = readToken(request, { cookieName: this.cookie.name, cookie: true, bearer: this.#bearer });
    if (source.kind === 'missing') {
      return { result: await this.manager.validate(null), setCookies: [], via: null };
    }
    if (source.kind === 'refused') {
      this.manager.emit({ type: 'unknown-token', sessionId: null, subject: null, reason: source.reason });
      return { result: tokenInvalid(source.reason), setCookies: [this.clearCookie()], via: null };
    }
    const result = await this.manager.validate(source.token, clientOf(request));
    const setCookies: string[] = [];
    if (source.via === 'cookie') {
      if (!result.ok) setCookies.push(this.clearCookie());
      else if (result.renewed) setCookies.push(this.sessionCookie(source.token, result.session));
    }
    return { result, setCookies, via: source.via };
  }

  /**
   * Starts a session at login. Any session the request already carried is ended first, so a token planted
   * before login (session fixation) or a pre-login session never becomes the logged-in one.
   */
  async login(
    request: RequestFacts,
    input: Omit<CreateInput<Data>, keyof ClientInfo>,
  ): Promise<IssuedHttpSession<Data>> {
    const previous = readToken(request, { cookieName: this.cookie.name, cookie: true, bearer: this.#bearer });
    if (previous.kind === 'present') await this.manager.revoke(previous.token, 'login');
    const issued = await this.manager.create({ ...input, ...clientOf(request) });
    return { ...issued, setCookies: [this.sessionCookie(issued.token, issued.session)] };
  }

  /** Ends the request's session and clears its cookie. */
  async logout(request: RequestFacts): Promise<{ revoked: boolean; setCookies: string[] }> {
    const source = readToken(request, { cookieName: this.cookie.name, cookie: true, bearer: this.#bearer });
    const revoked = source.kind === 'present' ? await this.manager.revoke(source.token, 'logout') : false;
    return { revoked, setCookies: [this.clearCookie()] };
  }

  /** Rotates the request's token (for example after a privilege change) and sets the new cookie. */
  rotate(request: RequestFacts): Promise<HttpRotation<Data>> {
    return this.#replace(request, undefined);
  }

  /** Step-up: rotates and records `level`. Call after re-checking credentials. */
  elevate(request: RequestFacts, level: number): Promise<HttpRotation<Data>> {
    return this.#replace(request, level);
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
    return { ...issued, setCookies: [this.sessionCookie(issued.token, issued.session)] };
  }

  /** Whether a session is an anonymous pre-login one (from `startAnonymous`). */
  isAnonymous(session: Pick<Session<SessionData>, 'subject' | 'level'>): boolean {
    return session.level === 0 && session.subject.startsWith(ANONYMOUS_SUBJECT_PREFIX);
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

  async #replace(request: RequestFacts, level: number | undefined): Promise<HttpRotation<Data>> {
    const source = readToken(request, { cookieName: this.cookie.name, cookie: true, bearer: this.#bearer });
    const token = source.kind === 'present' ? source.token : null;
    if (source.kind === 'refused')
      return { ...tokenInvalid(source.reason), setCookies: [this.clearCookie()] };
    const client = clientOf(request);
    const result =
      level === undefined
        ? await this.manager.rotate(token, client)
        : await this.manager.elevate(token, level, client);
    if (!result.ok) return { ...result, setCookies: source.kind === 'present' ? [this.clearCookie()] : [] };
    return { ...result, setCookies: [this.sessionCookie(result.token, result.session)] };
  }
}

function clientOf(request: RequestFacts): ClientInfo {
  return { ip: request.ip, userAgent: request.header('user-agent') };
}
