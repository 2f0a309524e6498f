import { isTesseraError, StoreUnavailableError } from '../core/errors.js';
import { outcomeMessages, type ValidationFailure } from '../core/outcome.js';

/** Codes the service adds to the engine's codes (`token_invalid`, `session_expired`, …). */
export const SERVICE_ERROR_CODES = [
  'api_key_invalid',
  'invalid_json',
  'invalid_request',
  'payload_too_large',
  'unsupported_media_type',
  'not_found',
  'method_not_allowed',
  'proxy_untrusted',
  'internal',
] as const;
export type ServiceErrorCode = (typeof SERVICE_ERROR_CODES)[number];

/** A refusal the service answers on purpose: a status, a stable code and a message safe to show. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly extra: Readonly<Record<string, string | number>>;

  constructor(
    status: number,
    code: ServiceErrorCode | string,
    message: string,
    options: {
      headers?: ReadonlyArray<readonly [string, string]>;
      extra?: Record<string, string | number>;
    } = {},
  ) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.headers = options.headers ?? [];
    this.extra = options.extra ?? {};
  }
}

/** 400 `invalid_request` naming the field and what is wrong with it. */
export function invalidField(field: string, why: string): HttpError {
  return new HttpError(400, 'invalid_request', `${field} ${why}`);
}

export function notFound(message = 'No such resource.'): HttpError {
  return new HttpError(404, 'not_found', message);
}

/** The HTTP error for a refused token, following the outcome table in docs/ARCHITECTURE.md (440 names the limit). */
export function outcomeError(failure: ValidationFailure): HttpError {
  const message = outcomeMessages[failure.code] as string;
  if (failure.code === 'session_expired') {
    return new HttpError(440, failure.code, message, { extra: { limit: failure.limit } });
  }
  return new HttpError(failure.status, failure.code, message);
}

/** What went wrong, classified for the reply and the log. */
export interface ClassifiedError {
  readonly error: HttpError;
  /** `store` for store faults, `internal` for bugs; both are logged with their cause. */
  readonly kind: 'expected' | 'store' | 'internal';
}

/**
 * Maps anything thrown by a handler to a reply. Store faults fail closed with 503 + Retry-After; the
 * engine's own argument checks (TypeErrors whose message starts with `tessera:`) are the caller's bad input;
 * everything else is a 500 `internal` with no details (OWASP: do not leak internals in error messages).
 */
export function classifyError(thrown: unknown): ClassifiedError {
  if (thrown instanceof HttpError) return { error: thrown, kind: 'expected' };
  if (
    thrown instanceof StoreUnavailableError ||
    (isTesseraError(thrown) && thrown.code === 'store_unavailable')
  ) {
    const retryAfter = (thrown as Partial<StoreUnavailableError>).retryAfter ?? 1;
    const error = new HttpError(503, 'store_unavailable', outcomeMessages.store_unavailable as string, {
      headers: [['retry-after', String(retryAfter)]],
    });
    return { error, kind: 'store' };
  }
  if (isTesseraError(thrown)) {
    return { error: new HttpError(thrown.status, thrown.code, thrown.message), kind: 'expected' };
  }
  if (thrown instanceof TypeError && thrown.message.startsWith('tessera: ')) {
    const message = thrown.message.slice('tessera: '.length);
    return { error: new HttpError(400, 'invalid_request', message), kind: 'expected' };
  }
  return { error: new HttpError(500, 'internal', 'Internal error.'), kind: 'internal' };
}

/** `{"error":{"code","message",...}}`. */
export function errorBody(error: HttpError): { error: Record<string, string | number> } {
  return { error: { code: error.code, message: error.message, ...error.extra } };
}
