import type { ValidationResult } from '../core/outcome.js';
import type { SessionData } from '../core/session.js';
import type { RequestFacts } from './request.js';

/** The outcome of reading and checking a request's token, with the `Set-Cookie` values to send back. */
export interface Authentication<Data extends SessionData> {
  readonly result: ValidationResult<Data>;
  /** Cookies to set: a renewed cookie, or the clearing of a dead one. Send with `Cache-Control: no-store`. */
  readonly setCookies: string[];
  /** How the token came, if it came (`bearer` for every `Authorization` scheme: Bearer and DPoP). */
  readonly via: 'cookie' | 'bearer' | null;
  /** Other response headers the mode decided, success or not (a DPoP mode's `DPoP-Nonce`). */
  readonly headers?: ReadonlyArray<readonly [string, string]>;
}

/**
 * What adapters need from a session mode: server-side sessions (`HttpSessions`) and stateless modes
 * (sealed cookies, access tokens) all implement it, and every adapter serves every mode through the request path
 * (`pipeline.ts`); the behaviour matrix runs each mode through each adapter.
 */
export interface SessionAuthenticator<Data extends SessionData = SessionData> {
  authenticate(request: RequestFacts): Promise<Authentication<Data>>;
}
