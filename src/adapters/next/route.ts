import type { SessionData } from '../../core/session.js';
import { replyToResponse } from '../../transport/reply.js';
import { guard } from '../fetch/index.js';
import {
  contextOf,
  type NextCore,
  type NextRequirement,
  type NextSessionContext,
  refusalFor,
} from './context.js';

/** A route handler as Next calls it: the request, and its segment context (`{ params }`). */
export type NextRouteHandler<RouteContext> = (request: Request, context: RouteContext) => Promise<Response>;

export type NextRouteHandlerWithSession<Data extends SessionData, RouteContext> = (
  request: Request,
  session: NextSessionContext<Data>,
  context: RouteContext,
) => Response | Promise<Response>;

/**
 * Wraps a route handler (`app/**\/route.ts`): the fetch adapter's request path (CSRF with the form token read
 * from a clone of the body, refusals as JSON replies), the requirement, then the handler with the session in
 * scope; the session's headers (`Set-Cookie`, `Cache-Control: no-store`, `Vary`, `Clear-Site-Data`) go on its
 * response.
 */
export function wrapRoute<Data extends SessionData, RouteContext>(
  core: NextCore<Data>,
  handler: NextRouteHandlerWithSession<Data, RouteContext>,
  requirement: NextRequirement = {},
): NextRouteHandler<RouteContext> {
  if (typeof handler !== 'function') throw new TypeError('tessera: route() needs a handler function');
  return (request, routeContext) =>
    guard<Data, typeof core.mode>(
      core.mode,
      (req, guarded) => {
        const session = guarded.requestSession;
        const refusal = refusalFor(session, requirement);
        if (refusal !== null) return replyToResponse(refusal);
        return core.scope.run(session, () => handler(req, contextOf(session), routeContext));
      },
      { clientIp: (req) => core.clientIp(req.headers), fieldName: core.fieldName },
    )(request);
}
