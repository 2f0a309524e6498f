/**
 * What a `TesseraClientError` means:
 * - `signed_out`: no tokens, or the server refused the refresh token (revoked, expired, reused, another key):
 *   the user must sign in again. The stored tokens are gone, in every tab.
 * - `refresh_failed`: the refresh did not get an answer it could use (network, 5xx, a malformed body). The
 *   tokens are kept; a later call tries again.
 * - `sign_in_failed`: the sign-in request was refused or answered without a token pair.
 * - `unsupported`: the browser lacks what the client needs (WebCrypto in a secure context, IndexedDB).
 */
export type TesseraClientErrorCode = 'signed_out' | 'refresh_failed' | 'sign_in_failed' | 'unsupported';

const brand = Symbol.for('tessera.client-error');

/** The one error the browser client throws on purpose; misuse (bad options or arguments) is a `TypeError`. */
export class TesseraClientError extends Error {
  readonly code: TesseraClientErrorCode;
  /** The HTTP status of the answer that caused it, when there was one. */
  readonly status: number | null;
  /** The server's error code (`token_invalid`, `refresh_reused`, …) from a `{ error: { code } }` body, when given. */
  readonly serverCode: string | null;
  readonly [brand] = true;

  constructor(
    code: TesseraClientErrorCode,
    message: string,
    details: { status?: number; serverCode?: string | null; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'TesseraClientError';
    this.code = code;
    this.status = details.status ?? null;
    this.serverCode = details.serverCode ?? null;
  }
}

/** Whether `value` is a `TesseraClientError`, from this copy of the client or another. */
export function isTesseraClientError(value: unknown): value is TesseraClientError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}
