/**
 * Cut-off scopes. A store's "not before" times (`SubjectCutoffs`) are keyed by a scope: a subject, or one of the
 * reserved scopes below. Reserved scopes start with U+0001, and subjects may not contain C0 control characters
 * (`checkSubject`), so no subject can ever name one.
 */

/** The scope of "end every session of every user": one cut-off for everyone (ASVS 5.0 7.4.5). */
export const EVERYONE_SCOPE = '\u0001everyone';

/** The scope that ends one sealed session by its public id (logout with a store configured, ASVS 5.0 7.4.1). */
export function sessionScope(sessionId: string): string {
  return `\u0001session:${sessionId}`;
}
