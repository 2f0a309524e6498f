/** Claims of a Tessera access token (RFC 9068 profile: `typ` header `at+jwt`). Times are in seconds. */
export interface AccessClaims {
  /** The subject (user id). */
  readonly sub: string;
  /** The public id of the session the token was issued for. */
  readonly sid: string;
  /** Unique token id. */
  readonly jti: string;
  readonly iat: number;
  readonly exp: number;
  readonly aud: string | string[];
  readonly iss: string;
  /** Authentication level of the session when the token was issued. */
  readonly lvl?: number;
}

export const ACCESS_TOKEN_TYPE = 'at+jwt';
export const REQUIRED_CLAIMS = Object.freeze(['sub', 'sid', 'jti', 'iat', 'exp', 'aud', 'iss']);

/** Why an access token was refused (logs and metrics; clients see `token_invalid`). */
export type AccessTokenInvalidReason =
  | 'missing'
  | 'oversized'
  | 'malformed'
  | 'header'
  | 'unknown_kid'
  | 'algorithm'
  | 'signature'
  | 'type'
  | 'claims'
  | 'audience'
  | 'issuer'
  | 'expired'
  | 'not_yet_valid'
  | 'revoked';

export type AccessTokenResult =
  | { readonly ok: true; readonly claims: AccessClaims; readonly kid: string }
  | {
      readonly ok: false;
      readonly code: 'token_invalid';
      readonly status: 401;
      readonly reason: AccessTokenInvalidReason;
      /** For an authentic token that has expired: its session id. */
      readonly sessionId?: string;
    };

export function accessInvalid(reason: AccessTokenInvalidReason, sessionId?: string): AccessTokenResult {
  return sessionId === undefined
    ? { ok: false, code: 'token_invalid', status: 401, reason }
    : { ok: false, code: 'token_invalid', status: 401, reason, sessionId };
}
