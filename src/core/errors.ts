/**
 * Every error Tessera throws on purpose is a `TesseraError` with a stable `code`.
 * Misuse by the caller (bad options, wrong argument types) throws a plain `TypeError` instead.
 */
export type TesseraErrorCode =
  | 'token_missing'
  | 'token_invalid'
  | 'session_expired'
  | 'csrf_rejected'
  | 'insufficient_level'
  | 'store_unavailable'
  | 'store_full'
  | 'session_limit'
  | 'version_conflict'
  | 'cookie_too_large'
  | 'refresh_reused';

/** HTTP status for each error code, as in the outcome table of docs/ARCHITECTURE.md. */
export const statusForCode: Readonly<Record<TesseraErrorCode, number>> = Object.freeze({
  token_missing: 401,
  token_invalid: 401,
  session_expired: 440,
  csrf_rejected: 403,
  insufficient_level: 403,
  store_unavailable: 503,
  store_full: 507,
  session_limit: 409,
  version_conflict: 409,
  cookie_too_large: 500,
  refresh_reused: 401,
});

// A global brand so `isTesseraError` works even when two copies of the package are installed.
const brand = Symbol.for('tessera.error');

export class TesseraError extends Error {
  readonly code: TesseraErrorCode;
  readonly status: number;
  readonly [brand] = true;

  constructor(code: TesseraErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TesseraError';
    this.code = code;
    this.status = statusForCode[code];
  }
}

/** The store could not be reached or answered with a fault. Requests fail closed with 503. */
export class StoreUnavailableError extends TesseraError {
  /** Seconds a client should wait before retrying. */
  readonly retryAfter: number;
  constructor(message: string, options?: { cause?: unknown; retryAfter?: number }) {
    super('store_unavailable', message, options);
    this.name = 'StoreUnavailableError';
    this.retryAfter = options?.retryAfter ?? 1;
  }
}

/**
 * The store holds as many sessions as it may (the memory store's `maxSessions`), after removing the expired ones.
 * Not an outage: the store answers, and every existing session keeps working; only new logins are refused, with
 * 507 `store_full` and a `session-limit` event (reason `store-full`), until sessions end or the cap is raised.
 */
export class StoreFullError extends TesseraError {
  readonly limit: number;
  constructor(limit: number, what = 'sessions') {
    super('store_full', `the session store holds its maximum of ${limit} ${what}`);
    this.name = 'StoreFullError';
    this.limit = limit;
  }
}

/** The subject already has the maximum number of sessions and the policy is `refuse`. */
export class SessionLimitError extends TesseraError {
  readonly subject: string;
  readonly limit: number;
  constructor(subject: string, limit: number) {
    super('session_limit', `subject has reached the limit of ${limit} sessions`);
    this.name = 'SessionLimitError';
    this.subject = subject;
    this.limit = limit;
  }
}

export function isTesseraError(value: unknown): value is TesseraError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}
