export { type Clock, type ManualClock, manualClock, systemClock } from './core/clock.js';
export {
  isTesseraError,
  SessionLimitError,
  StoreFullError,
  StoreUnavailableError,
  statusForCode,
  TesseraError,
  type TesseraErrorCode,
} from './core/errors.js';
export type { TesseraEvent, TesseraEventListener, TesseraEventType } from './core/events.js';
export type { JsonObject, JsonValue } from './core/json.js';
export {
  type ClientInfo,
  type CreateInput,
  createTessera,
  type EndOthersResult,
  type IssuedSession,
  type LevelRequirement,
  type RotateResult,
  SessionManager,
  type UpdateDataResult,
} from './core/manager.js';
export type { BindingOptions, TesseraOptions } from './core/options.js';
export type {
  ExpiryLimit,
  InvalidReason,
  SessionExpired,
  TokenInvalid,
  TokenMissing,
  ValidationFailure,
  ValidationResult,
  ValidSession,
} from './core/outcome.js';
export { type PresetName, presets } from './core/presets.js';
export { cryptoRandom, type RandomSource } from './core/random.js';
export type { DataPatch, Session, SessionData, SessionRecord } from './core/session.js';
export { parseToken } from './core/token.js';
export type { SessionStore } from './core/store.js';
export { MemoryStore, type MemoryStoreOptions } from './stores/memory/memory-store.js';
export {
  type CookieOptions,
  clearCookieFields,
  cookieFields,
  formatCookie,
  parseCookieHeader,
  parseSetCookie,
  readCookie,
  resolveCookieOptions,
  type StructuredCookie,
  type StructuredCookieOptions,
  serializeClearCookie,
  serializeCookie,
} from './transport/cookie.js';
export type { Authentication, SessionAuthenticator } from './transport/authenticator.js';
export {
  ANONYMOUS_SUBJECT_PREFIX,
  HttpSessions,
  type HttpRotation,
  type HttpSessionsOptions,
  type IssuedHttpSession,
} from './transport/http-sessions.js';
export {
  cookieHeaders,
  type GuardResult,
  guardRequest,
  levelRequiredReply,
  sessionRequiredReply,
} from './transport/guard.js';
export {
  joinVary,
  mergeHeaderLists,
  type OpenOptions,
  type OpenResult,
  openRequestSession,
  requireLevel,
  requireSignedIn,
  withSessionHeaders,
} from './transport/pipeline.js';
export { type Header, RequestSession } from './transport/request-session.js';
export {
  type ClearSiteDataType,
  type CookieSessionMode,
  type IssuedCookieSession,
  isCookieMode,
  type LoginInput,
  type SessionChange,
} from './transport/session-mode.js';
export { isAnonymousSession, meetsLevel } from './core/session-rules.js';
export { CsrfGuard, type CsrfOptions, type CsrfReason, type CsrfVerdict } from './transport/csrf/index.js';
export {
  errorReply,
  failureReply,
  forbiddenReply,
  type HttpReply,
  replyToResponse,
} from './transport/reply.js';
export { factsFromRequest, type RequestFacts } from './transport/request.js';
