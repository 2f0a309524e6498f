import type { AsyncLocalStorage } from 'node:async_hooks';
import type { LevelRequirement } from '../../core/session-rules.js';
import type { Session, SessionData } from '../../core/session.js';
import type { SessionAuthenticator } from '../../transport/authenticator.js';
import {
  type OpenResult,
  openRequestSession,
  requireLevel,
  requireSignedIn,
} from '../../transport/pipeline.js';
import type { RequestSession } from '../../transport/request-session.js';
import type { HttpReply } from '../../transport/reply.js';
import { factsFromHeaders, type HeaderSource, type NextRequestApi } from './request-api.js';

/** What a wrapped Server Action or route handler is given about the request's session. */
export interface NextSessionContext<Data extends SessionData> {
  /** The signed-in session, or null (anonymous pre-login sessions too: see `requestSession`). */
  readonly session: Session<Data> | null;
  /** This request's session: what `login`, `logout`, `rotate` and `elevate` act on (no second store read). */
  readonly requestSession: RequestSession<Data>;
}

/** What a wrapper refuses before the handler runs. */
export interface NextRequirement {
  /** Refuse a request without a signed-in session (401 / 440). @default false */
  requireSession?: boolean;
  /** Refuse a session below this level, or whose level is older than `maxAge` seconds (403). @default undefined */
  requireLevel?: LevelRequirement;
}

/** The state one `tesseraNext` object shares between its parts. */
export interface NextCore<Data extends SessionData> {
  readonly mode: SessionAuthenticator<Data>;
  readonly api: NextRequestApi;
  readonly fieldName: string;
  readonly loginUrl: string;
  readonly clientIp: (headers: HeaderSource) => string | null;
  /** The request session of the wrapped action or route running now, so `auth.login()` inside acts on it. */
  readonly scope: AsyncLocalStorage<RequestSession<Data>>;
  /**
   * Per request (keyed by the `headers()` object Next keeps for it): the session server components read, and
   * the one an action left, so a page rendered after the action in the same response sees the change.
   */
  readonly perRequest: WeakMap<HeaderSource, Promise<RequestSession<Data>>>;
}

/** Opens the request path from `headers()`, with the form token read from `formData` when the check needs it. */
export function openFromHeaders<Data extends SessionData>(
  core: NextCore<Data>,
  source: HeaderSource,
  method: string,
  formData: FormData | null,
): Promise<OpenResult<Data>> {
  return openRequestSession(core.mode, factsFromHeaders(source, method, core.clientIp(source)), {
    formToken: () => {
      const value = formData?.get(core.fieldName);
      return typeof value === 'string' ? value : null;
    },
  });
}

/** The refusal a requirement makes, or null. */
export function refusalFor<Data extends SessionData>(
  session: RequestSession<Data>,
  requirement: NextRequirement,
): HttpReply | null {
  if (requirement.requireLevel !== undefined) return requireLevel(session, requirement.requireLevel);
  if (requirement.requireSession === true) return requireSignedIn(session);
  return null;
}

export function contextOf<Data extends SessionData>(session: RequestSession<Data>): NextSessionContext<Data> {
  return { session: session.signedIn ? session.session : null, requestSession: session };
}
