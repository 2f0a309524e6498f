/**
 * Tessera for Fastify 5: a plugin with decorators. Like `fastify-plugin`, it is not encapsulated (it sets
 * `Symbol.for('skip-override')`), so `request.session` and `fastify.tessera` reach the context that registered it;
 * register it inside a child plugin to protect only that plugin's routes. Body parsing happens before the
 * `preHandler` hook, so the form token is read from `request.body` with no extra step.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { tesseraFastify } from 'tessera/fastify';
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
import type { ClientInfo, CreateInput, LevelRequirement } from '../../core/manager.js';
import { TOKEN_MISSING, type ValidationResult as TesseraResult } from '../../core/outcome.js';
import type { Session, SessionData } from '../../core/session.js';
import {
  guardRequest,
  type Header,
  levelRequiredReply,
  sessionRequiredReply,
} from '../../transport/guard.js';
import type { HttpRotation, HttpSessions, IssuedHttpSession } from '../../transport/http-sessions.js';
import { errorReply, type HttpReply } from '../../transport/reply.js';
import type { RequestFacts } from '../../transport/request.js';
import { nodeRequestFacts } from '../node/index.js';
import { fieldOf } from '../shared/form-token.js';
import { mergeSetCookies, queuedList } from '../shared/set-cookie.js';

export interface TesseraFastifyOptions {
  sessions: HttpSessions<SessionData>;
  /** Body field of HTML forms that carries the CSRF token. @default the HttpSessions `csrf.fieldName` */
  fieldName?: string;
}

/** The helpers decorated on the instance as `fastify.tessera`. */
export interface TesseraFastify {
  readonly sessions: HttpSessions<SessionData>;
  /** preHandler: 401/440 without a logged-in session. */
  readonly requireSession: preHandlerHookHandler;
  /** preHandler factory: 403 `insufficient_level` below `level` (or older than `maxAge` seconds). */
  requireLevel(level: number, options?: Omit<LevelRequirement, 'level'>): preHandlerHookHandler;
  csrfToken(request: FastifyRequest): string;
  login(
    request: FastifyRequest,
    reply: FastifyReply,
    input: Omit<CreateInput<SessionData>, keyof ClientInfo>,
  ): Promise<IssuedHttpSession<SessionData>>;
  logout(request: FastifyRequest, reply: FastifyReply): Promise<boolean>;
  rotate(request: FastifyRequest, reply: FastifyReply): Promise<HttpRotation<SessionData>>;
  elevate(request: FastifyRequest, reply: FastifyReply, level: number): Promise<HttpRotation<SessionData>>;
  startAnonymous(request: FastifyRequest, reply: FastifyReply): Promise<IssuedHttpSession<SessionData>>;
  /** For `setErrorHandler`: answers Tessera errors (store down: 503 + Retry-After), rethrows the rest. */
  errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply;
}

declare module 'fastify' {
  interface FastifyInstance {
    tessera: TesseraFastify;
  }
  interface FastifyRequest {
    /** The valid session (null when anonymous or refused). Narrow `data` with your own type where you read it. */
    session: Session<SessionData> | null;
    /** The authentication outcome behind `session`. */
    tesseraResult: TesseraResult<SessionData>;
  }
}

/** Request facts from a Fastify request (`request.ip` follows Fastify's `trustProxy`). */
export function fastifyRequestFacts(request: FastifyRequest): RequestFacts {
  const facts = nodeRequestFacts(request.raw);
  return { method: request.method, url: request.url, header: facts.header, ip: request.ip ?? facts.ip };
}

function applyHeaders(reply: FastifyReply, headers: readonly Header[]): void {
  for (const [name, value] of headers) {
    if (name === 'set-cookie' || name === 'vary') {
      const existing = reply.getHeader(name);
      const list =
        existing === undefined ? [] : Array.isArray(existing) ? existing.map(String) : [String(existing)];
      reply.header(name, name === 'vary' ? [...list, value].join(', ') : [...list, value]);
    } else {
      reply.header(name, value);
    }
  }
}

/** Sends a core reply through Fastify. */
export function sendReply(reply: FastifyReply, response: HttpReply): FastifyReply {
  applyHeaders(reply, response.headers);
  return reply.code(response.status).send(response.body);
}

const plugin: FastifyPluginCallback<TesseraFastifyOptions> = (fastify: FastifyInstance, options, done) => {
  const { sessions } = options;
  if (sessions === undefined || typeof sessions.authenticate !== 'function') {
    done(new TypeError('tessera: register tesseraFastify with { sessions }'));
    return;
  }
  const field = options.fieldName ?? sessions.csrf?.options.fieldName ?? '_csrf';

  function setResult(request: FastifyRequest, result: TesseraResult<SessionData>): void {
    request.tesseraResult = result;
    request.session = result.ok ? result.session : null;
  }

  function setCookies(reply: FastifyReply, cookies: readonly string[]): void {
    if (cookies.length === 0) return;
    const queued = queuedList(reply.getHeader('set-cookie') as string | string[] | undefined);
    reply.removeHeader('set-cookie');
    reply.header('set-cookie', mergeSetCookies(queued, cookies));
    if (cookies.length > 0) reply.header('cache-control', 'no-store');
  }

  function gate(check: (request: FastifyRequest) => HttpReply | null): preHandlerHookHandler {
    return function (this: FastifyInstance, request, reply, next) {
      const refusal = check(request);
      if (refusal === null) next();
      else sendReply(reply, refusal);
    };
  }

  function rotated(
    request: FastifyRequest,
    reply: FastifyReply,
    rotation: HttpRotation<SessionData>,
  ): HttpRotation<SessionData> {
    setCookies(reply, rotation.setCookies);
    setResult(
      request,
      rotation.ok ? { ok: true, session: rotation.session, renewed: false, stale: false } : rotation,
    );
    return rotation;
  }

  const helpers: TesseraFastify = {
    sessions,
    requireSession: gate((request) => sessionRequiredReply(sessions, request.tesseraResult)),
    requireLevel: (level, requirement = {}) =>
      gate((request) => levelRequiredReply(sessions, request.tesseraResult, { ...requirement, level })),
    csrfToken(request) {
      if (request.session === null)
        throw new TypeError(
          'tessera: no session on this request; call startAnonymous first for a login form',
        );
      return sessions.csrfToken(request.session);
    },
    async login(request, reply, input) {
      const issued = await sessions.login(fastifyRequestFacts(request), input);
      setCookies(reply, issued.setCookies);
      setResult(request, { ok: true, session: issued.session, renewed: false, stale: false });
      return issued;
    },
    async logout(request, reply) {
      const ended = await sessions.logout(fastifyRequestFacts(request));
      setCookies(reply, ended.setCookies);
      setResult(request, TOKEN_MISSING);
      return ended.revoked;
    },
    async rotate(request, reply) {
      return rotated(request, reply, await sessions.rotate(fastifyRequestFacts(request)));
    },
    async elevate(request, reply, level) {
      return rotated(request, reply, await sessions.elevate(fastifyRequestFacts(request), level));
    },
    async startAnonymous(request, reply) {
      const issued = await sessions.startAnonymous(fastifyRequestFacts(request));
      setCookies(reply, issued.setCookies);
      setResult(request, { ok: true, session: issued.session, renewed: false, stale: false });
      return issued;
    },
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
  fastify.addHook('preHandler', async (request, reply) => {
    const result = await guardRequest(sessions, fastifyRequestFacts(request), {
      formToken: () => fieldOf(request.body, field),
    });
    if (!result.ok) return sendReply(reply, result.reply);
    applyHeaders(reply, result.headers);
    setResult(request, result.auth.result);
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
