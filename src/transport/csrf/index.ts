export { type CsrfSubject, type CsrfVerdict, CsrfGuard, type FormTokenSource } from './guard.js';
export {
  type CsrfOptions,
  normalizeOrigin,
  type ResolvedCsrfOptions,
  resolveCsrfOptions,
} from './options.js';
export { CSRF_VARY, type CsrfReason, checkRequestOrigin, isSafeMethod } from './origin.js';
export { issueCsrfToken, verifyCsrfToken } from './token.js';
