import type { Session, SessionData } from './session.js';

/** Why a token was refused, for logs and events; clients only see the `code`. */
export type InvalidReason =
  | 'malformed'
  | 'unknown'
  | 'secret_mismatch'
  | 'binding_ip'
  | 'binding_user_agent'
  | 'revoked'
  | 'token_in_url'
  | 'ambiguous'
  | 'header_too_large'
  /** The DPoP proof was missing or not valid for this request (RFC 9449 `invalid_dpop_proof`). */
  | 'dpop_proof'
  /** The DPoP proof lacked this server's current nonce (RFC 9449 `use_dpop_nonce`): retry with `DPoP-Nonce`. */
  | 'dpop_nonce'
  /** A DPoP-bound token sent as a bearer token, a bearer token where DPoP is required, or a proof by another key. */
  | 'binding';

export type ExpiryLimit = 'idle' | 'absolute';

export interface ValidSession<Data extends SessionData = SessionData> {
  readonly ok: true;
  readonly session: Session<Data>;
  /** The store was written to slide the idle window: re-send the cookie so its expiry follows. */
  readonly renewed: boolean;
  /** Validated with the previous secret inside the rotation grace window. */
  readonly stale: boolean;
}

export interface TokenMissing {
  readonly ok: false;
  readonly code: 'token_missing';
  readonly status: 401;
  /** The `WWW-Authenticate` value, when the mode offers more than `Bearer` (DPoP). */
  readonly challenge?: string;
}

export interface TokenInvalid {
  readonly ok: false;
  readonly code: 'token_invalid';
  readonly status: 401;
  readonly reason: InvalidReason;
  /** The `WWW-Authenticate` value, when the mode offers more than `Bearer` (DPoP errors, RFC 9449 7.1). */
  readonly challenge?: string;
}

export interface SessionExpired {
  readonly ok: false;
  readonly code: 'session_expired';
  readonly status: 440;
  readonly limit: ExpiryLimit;
  readonly sessionId: string;
}

export type ValidationFailure = TokenMissing | TokenInvalid | SessionExpired;

/**
 * The tagged result of validating a token. "No session" is a value, never an exception;
 * a store fault throws `StoreUnavailableError` (503).
 */
export type ValidationResult<Data extends SessionData = SessionData> = ValidSession<Data> | ValidationFailure;

export const TOKEN_MISSING: TokenMissing = Object.freeze({ ok: false, code: 'token_missing', status: 401 });

export function tokenInvalid(reason: InvalidReason): TokenInvalid {
  return { ok: false, code: 'token_invalid', status: 401, reason };
}

export function sessionExpired(limit: ExpiryLimit, sessionId: string): SessionExpired {
  return { ok: false, code: 'session_expired', status: 440, limit, sessionId };
}

/** Human-readable text for each outcome code, used in response bodies. */
export const outcomeMessages: Readonly<Record<string, string>> = Object.freeze({
  token_missing: 'No session token was presented.',
  token_invalid: 'The session token is not valid.',
  session_expired: 'The session has expired; sign in again.',
  csrf_rejected: 'The request was refused as a possible cross-site request forgery.',
  insufficient_level: 'This action needs a higher authentication level; confirm your identity again.',
  store_unavailable: 'The session store is unavailable; try again shortly.',
  dpop_proof_invalid: 'The DPoP proof is missing or not valid for this request.',
  dpop_nonce_required: 'Sign the DPoP proof with the nonce given in the DPoP-Nonce header, and retry.',
});
