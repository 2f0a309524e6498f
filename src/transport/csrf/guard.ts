import type { RequestFacts } from '../request.js';
import { type CsrfOptions, type ResolvedCsrfOptions, resolveCsrfOptions } from './options.js';
import { type CsrfReason, checkRequestOrigin, isSafeMethod } from './origin.js';
import { issueCsrfToken, verifyCsrfToken } from './token.js';

/** The result of a CSRF check. `checked` tells that the answer depends on the request's origin headers (Vary). */
export type CsrfVerdict =
  | { readonly ok: true; readonly checked: boolean }
  | {
      readonly ok: false;
      readonly code: 'csrf_rejected';
      readonly status: 403;
      readonly reason: CsrfReason;
      readonly checked: true;
    };

/** What the check needs to know about the request's authentication. */
export interface CsrfSubject {
  /** The request's valid session, or null (anonymous, or its token was refused). */
  readonly session: { readonly id: string } | null;
  /** How the token came. `bearer` requests are not CSRF-able (browsers never add that header themselves). */
  readonly via: 'cookie' | 'bearer' | null;
}

/**
 * The form token, if the request has one: a string, or a function that reads it from the body only when
 * needed (adapters pass the framework's parsed body field).
 */
export type FormTokenSource =
  | string
  | null
  | undefined
  | (() => string | null | undefined | Promise<string | null | undefined>);

/** CSRF defence for unsafe methods: Fetch Metadata / Origin checks, then the session-bound signed token. */
export class CsrfGuard {
  readonly options: ResolvedCsrfOptions;

  constructor(options: CsrfOptions = {}) {
    this.options = resolveCsrfOptions(options);
  }

  /** A new token for the session, for a hidden form field or a `x-csrf-token` header. */
  token(sessionId: string): string {
    return issueCsrfToken(this.options.secrets[0] as string, sessionId, this.options.random);
  }

  /** Whether `token` belongs to the session. */
  verify(sessionId: string, token: string): boolean {
    return verifyCsrfToken(this.options.secrets, sessionId, token);
  }

  /** Checks one request. Safe methods and bearer-authenticated requests pass unchecked. */
  async check(
    request: RequestFacts,
    subject: CsrfSubject,
    formToken?: FormTokenSource,
  ): Promise<CsrfVerdict> {
    if (isSafeMethod(request.method)) return PASS_UNCHECKED;
    // OWASP: CSRF rides on credentials the browser attaches by itself (cookies). A bearer header is set by
    // script on purpose and is never attached cross-site, so such a request is not forgeable.
    if (subject.via === 'bearer') return PASS_UNCHECKED;
    const origin = checkRequestOrigin(request, this.options);
    if (origin !== null) return refuse(origin);
    // The token defends a session; anonymous requests rely on the origin checks (and on the pre-login session
    // pattern for login forms, see docs/web.md).
    if (!this.options.requireToken || subject.session === null) return PASS_CHECKED;
    let token = request.header(this.options.headerName);
    if (token === null || token === '') {
      const read = typeof formToken === 'function' ? await formToken() : formToken;
      token = typeof read === 'string' && read !== '' ? read : null;
    }
    if (token === null) return refuse('token_missing');
    return this.verify(subject.session.id, token) ? PASS_CHECKED : refuse('token_invalid');
  }
}

const PASS_UNCHECKED: CsrfVerdict = Object.freeze({ ok: true, checked: false });
const PASS_CHECKED: CsrfVerdict = Object.freeze({ ok: true, checked: true });

function refuse(reason: CsrfReason): CsrfVerdict {
  return { ok: false, code: 'csrf_rejected', status: 403, reason, checked: true };
}
