/**
 * Tessera for Fastify 5: a plugin with decorators, for every session mode (`HttpSessions`, `SealedSessions`,
 * access tokens). Like `fastify-plugin`, it is not encapsulated (it sets
 * `Symbol.for('skip-override')`), so `request.session` and `fastify.tessera` reach the context that registered it;
 * register it inside a child plugin to protect only that plugin's routes. Body parsing happens before the
 * `preHandler` hook, so the form token is read from `request.body` with no extra step.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { tesseraFastify } from '@tessera-sessions/tessera/fastify';
 *
 * const app = Fastify();
 * await app.register(tesseraFastify, { sessions }); // sessions: HttpSessions
 * app.post('/login', async (request, reply) => {
 *   const user = await checkPassword(request.body);
 *   await app.tessera.login(request, reply, { subject: user.id });
 *   return { ok: true };
 * });
 * app.get('/me', { preHandler: app.tessera.requireSession }, async (request) => request.session);
 * app.post('/admin', { preHandler: app.tessera.requireLevel(2, { maxAge: 300 }) }, handler);
 * ```
 * Form bodies need a parser (for example `@fastify/formbody`); JSON clients send the `x-csrf-token` header.
 */
import type {
  FastifyInstance,
  FastifyPluginCallback,
  FastifyReply,
  FastifyRequest,
  preHandlerHookHandler,
} from 'fastify';
import type { ValidationResult as TesseraResult } from '../../core/outcome.js';
import type { LevelRequirement } from '../../core/session-rules.js';
import type { Session, SessionData } from '../../core/session.js';
import type { SessionAuthenticator } from '../../transport/authenticator.js';
import { openRequestSession, requireLevel, requireSignedIn } from '../../transport/pipeline.js';
import type { RequestSession } from '../../transport/request-session.js';
import { errorReply, type HttpReply } from '../../transport/reply.js';
import type { RequestFacts } from '../../transport/request.js';
import {
  type IssuedCookieSession,
  isCookieMode,
  type LoginInput,
  type SessionChange,
} from '../../transport/session-mode.js';
import { fieldOf } from '../shared/form-token.js';
import {
  applyReplyHeaders,
  bindSessionHeaders,
  type HeaderTarget,
  headerList,
} from '../shared/header-target.js';
import { nodeHeaderReader } from '../shared/node-request.js';
import { sessionActions } from '../shared/session-actions.js';

export interface TesseraFastifyOptions {
  sessions: SessionAuthenticator<SessionData>;
  /** Body field of HTML forms that carries the CSRF token. @default the mode's `csrf.fieldName` */
  fieldName?: string;
}

/** The helpers decorated on the instance as `fastify.tessera`. */
export interface TesseraFastify {
  readonly sessions: SessionAuthenticator<SessionData>;
  /** preHandler: 401/440 without a signed-in session (anonymous pre-login sessions do not count). */
  readonly requireSession: preHandlerHookHandler;
  /** preHandler factory: 403 `insufficient_level` below `level` (or older than `maxAge` seconds). */
  requireLevel(level: number, options?: Omit<LevelRequirement, 'level'>): preHandlerHookHandler;
  csrfToken(request: FastifyRequest): string;
  login(
    request: FastifyRequest,
    reply: FastifyReply,
    input: LoginInput<SessionData>,
  ): Promise<IssuedCookieSession<SessionData>>;
  logout(request: FastifyRequest, reply: FastifyReply): Promise<boolean>;
  rotate(request: FastifyRequest, reply: FastifyReply): Promise<SessionChange<SessionData>>;
  elevate(request: FastifyRequest, reply: FastifyReply, level: number): Promise<SessionChange<SessionData>>;
  startAnonymous(request: FastifyRequest, reply: FastifyReply): Promise<IssuedCookieSession<SessionData>>;
  /** For `setErrorHandler`: answers Tessera errors (store down: 503 + Retry-After), rethrows the rest. */
  errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply;
}

declare module 'fastify' {
  interface FastifyInstance {
    tessera: TesseraFastify;
  }
  interface FastifyRequest {
    /** The valid session (null when missing or refused). Narrow `data` with your own type where you read it. */
    session: Session<SessionData> | null;
    /** The authentication outcome behind `session`. */
    tesseraResult: TesseraResult<SessionData>;
    /** This request's session: what the helpers act on. */
    tesseraSession: RequestSession<SessionData>;
  }
}

/** Request facts from a Fastify request (`request.ip` and `request.protocol` follow Fastify's `trustProxy`). */
export function fastifyRequestFacts(request: FastifyRequest): RequestFacts {
  return {
    method: request.method,
    url: request.url,
    header: nodeHeaderReader(request.raw),
    ip: request.ip,
    protocol: request.protocol === 'https' ? 'https:' : 'http:',
  };
}

/** A Fastify reply as a header target. */
function replyTarget(reply: FastifyReply): HeaderTarget {
  return {
    get: (name) => headerList(reply.getHeader(name) as string | string[] | undefined),
    set: (name, values) => {
      reply.removeHeader(name);
      reply.header(name, name === 'set-cookie' ? [...values] : values.join(', '));
    },
    remove: (name) => {
      reply.removeHeader(name);
    },
  };
}

/** Sends a core reply through Fastify. */
export function sendReply(reply: FastifyReply, response: HttpReply): FastifyReply {
  applyReplyHeaders(replyTarget(reply), response);
  return reply.code(response.status).send(response.body);
}

const plugin: FastifyPluginCallback<TesseraFastifyOptions> = (fastify: FastifyInstance, options, done) => {
  const { sessions } = options;
  if (sessions === undefined || typeof sessions.authenticate !== 'function') {
    done(new TypeError('tessera: register tesseraFastify with { sessions }'));
    return;
  }
  const field =
    options.fieldName ?? (isCookieMode(sessions) ? sessions.csrf?.options.fieldName : undefined) ?? '_csrf';

  function current(request: FastifyRequest): RequestSession<SessionData> {
    const session = request.tesseraSession;
    if (session === null || session === undefined)
      throw new TypeError('tessera: the plugin did not run here');
    return session;
  }

  function sync(request: FastifyRequest, session: RequestSession<SessionData>): void {
    request.tesseraResult = session.result;
    request.session = session.session;
  }
  const actions = sessionActions(current, sync);

  function gate(check: (session: RequestSession<SessionData>) => HttpReply | null): preHandlerHookHandler {
    return function (this: FastifyInstance, request, reply, next) {
      const refusal = check(current(request));
      if (refusal === null) next();
      else sendReply(reply, refusal);
    };
  }

  const helpers: TesseraFastify = {
    sessions,
    requireSession: gate(requireSignedIn),
    requireLevel: (level, requirement = {}) =>
      gate((session) => requireLevel(session, { ...requirement, level })),
    csrfToken: actions.csrfToken,
    login: (request, _reply, input) => actions.login(request, input),
    logout: (request) => actions.logout(request),
    rotate: (request) => actions.rotate(request),
    elevate: (request, _reply, level) => actions.elevate(request, level),
    startAnonymous: (request) => actions.startAnonymous(request),
    errorHandler(error, _request, reply) {
      const response = errorReply(error);
      if (response.status === 500) throw error;
      return sendReply(reply, response);
    },
  };

  fastify.decorate('tessera', helpers);
  fastify.decorateRequest<Session<SessionData> | null>('session', null);
  // Fastify 5 refuses object defaults on requests (shared by reference); the hook sets the real value first.
  fastify.decorateRequest<TesseraResult<SessionData> | null>('tesseraResult', null);
  fastify.decorateRequest<RequestSession<SessionData> | null>('tesseraSession', null);
  fastify.addHook('preHandler', async (request, reply) => {
    const opened = await openRequestSession(sessions, fastifyRequestFacts(request), {
      formToken: () => fieldOf(request.body, field),
    });
    if (!opened.ok) return sendReply(reply, opened.reply);
    request.tesseraSession = opened.session;
    sync(request, opened.session);
    bindSessionHeaders(replyTarget(reply), opened.session);
    return undefined;
  });
  done();
};

// What `fastify-plugin` does, without the dependency: skip-override removes encapsulation so the decorators and
// the hook apply to the registering context; the name and version range show up in errors and `printPlugins`.
Object.assign(plugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'tessera',
  [Symbol.for('plugin-meta')]: { name: 'tessera', fastify: '5.x' },
});

/** The Fastify plugin: `await app.register(tesseraFastify, { sessions })`. */
export const tesseraFastify: FastifyPluginCallback<TesseraFastifyOptions> = plugin;
