import { isTesseraError } from '../../core/errors.js';
import type { SessionData } from '../../core/session.js';
import { errorReply } from '../../transport/reply.js';
import {
  type NextCore,
  type NextRequirement,
  type NextSessionContext,
  contextOf,
  openFromHeaders,
  refusalFor,
} from './context.js';
import { writeSessionCookies } from './cookie-jar.js';
import { failureFromReply, type NextActionFailure } from './failure.js';

/**
 * A Server Action with the request path in front: callable as a form's `action` (`(formData)`) and with
 * `useActionState` (`(previousState, formData)`).
 */
export interface NextAction<Result> {
  (formData: FormData): Promise<Result | NextActionFailure>;
  (previousState: unknown, formData: FormData): Promise<Result | NextActionFailure>;
}

export type NextActionHandler<Data extends SessionData, Result> = (
  formData: FormData,
  context: NextSessionContext<Data>,
) => Result | Promise<Result>;

/**
 * Wraps a Server Action: opens the request session from `headers()`, checks the CSRF defence with the form's
 * token field (Next's own Origin check covers only some of it), applies the requirement, and runs the handler
 * with the session in scope. Refusals and Tessera errors come back as a `NextActionFailure` value; the
 * session's cookies are written through `cookies()` whatever happens, `redirect()` included.
 */
export function wrapAction<Data extends SessionData, Result>(
  core: NextCore<Data>,
  handler: NextActionHandler<Data, Result>,
  requirement: NextRequirement = {},
): NextAction<Result> {
  if (typeof handler !== 'function') throw new TypeError('tessera: action() needs a handler function');
  const action = async (first: unknown, second?: unknown): Promise<Result | NextActionFailure> => {
    const formData = second instanceof FormData ? second : first instanceof FormData ? first : null;
    if (formData === null)
      throw new TypeError('tessera: a wrapped Server Action is called with its FormData');
    const source = await core.api.headers();
    const opened = await openFromHeaders(core, source, 'POST', formData);
    if (!opened.ok) return failureFromReply(opened.reply);
    const session = opened.session;
    const refusal = refusalFor(session, requirement);
    if (refusal !== null) return failureFromReply(refusal);
    try {
      return await core.scope.run(session, () => handler(formData, contextOf(session)));
    } catch (error) {
      // `redirect()` and `notFound()` throw Next's own errors: those must reach Next.
      if (isTesseraError(error)) return failureFromReply(errorReply(error));
      throw error;
    } finally {
      writeSessionCookies(await core.api.cookies(), session);
      core.perRequest.set(source, Promise.resolve(session));
    }
  };
  return action as NextAction<Result>;
}
