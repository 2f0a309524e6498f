export {
  AccessTokens,
  type AccessTokensOptions,
  type AccessVerifyOptions,
  type IssuedAccessToken,
  type IssueInput,
} from './access-tokens.js';
export {
  AccessTokenAuthenticator,
  type AccessTokenAuthOptions,
  type AccessTokenDpopOptions,
} from './authenticator.js';
export {
  ACCESS_TOKEN_TYPE,
  type AccessClaims,
  type AccessTokenInvalidReason,
  type AccessTokenResult,
  RESERVED_CLAIMS,
} from './claims.js';
export { JwtKeyRing, type RotationSchedule, startKeyRotation } from './key-ring.js';
export {
  exportJwtKey,
  generateJwtKey,
  hmacKey,
  importJwtKey,
  type JwtAlgorithm,
  type JwtKey,
  privateJwtKey,
  publicJwk,
  type StoredJwtKey,
} from './keys.js';
export { parseKeyList } from './key-list.js';
