export { parseRefreshToken, REFRESH_PREFIX } from './format.js';
export {
  type RefreshInvalidReason,
  type RefreshIssueOptions,
  type RefreshOptions,
  type RefreshResult,
  RefreshTokens,
  type RefreshTokensOptions,
  type TokenPair,
} from './refresh-tokens.js';
