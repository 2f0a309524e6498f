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
  /**
   * Confirmation (RFC 7800, RFC 9449 6): the RFC 7638 thumbprint of the DPoP key the token is bound to. A bound
   * token is accepted only with a proof signed by that key (`Authorization: DPoP`), never as a bearer token.
   */
  readonly cnf?: { readonly jkt: string };
  /** The application's own claims (`issue({ claims })`): roles, tenant… */
  readonly [claim: string]: unknown;
}

/** Claims Tessera sets itself: an application's own claims may not use these names. */
export const RESERVED_CLAIMS: ReadonlySet<string> = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  'sid',
  'lvl',
  'cnf',
  'typ',
  'azp',
  'client_id',
  'scope',
  'auth_time',
  'acr',
  'amr',
]);

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
  | 'revoked'
  /** A DPoP-bound token sent as a bearer token, or its proof made with another key. */
  | 'binding';

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
