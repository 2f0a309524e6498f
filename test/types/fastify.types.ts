/**
 * Fastify: the `declare module 'fastify'` augmentation (`request.session`, `request.tesseraResult`,
 * `request.tesseraSession`, `fastify.tessera`) and the plugin's options. A module augmentation cannot depend on
 * which mode an app registered, so the request's session is typed with `SessionData` (JSON, never `any`).
 */
import Fastify, {
  type FastifyInstance,
  type FastifyPluginCallback,
  type FastifyReply,
  type FastifyRequest,
  type preHandlerHookHandler,
} from 'fastify';
import {
  fastifyRequestFacts,
  sendReply,
  type TesseraFastify,
  type TesseraFastifyOptions,
  tesseraFastify,
} from '../../src/adapters/fastify/index.js';
import type { JsonValue } from '../../src/core/json.js';
import type { ValidationResult } from '../../src/core/outcome.js';
import type { Session, SessionData } from '../../src/core/session.js';
import type { SessionAuthenticator } from '../../src/transport/authenticator.js';
import type { HttpReply } from '../../src/transport/reply.js';
import type { RequestFacts } from '../../src/transport/request.js';
import type { RequestSession } from '../../src/transport/request-session.js';
import type { IssuedCookieSession, SessionChange } from '../../src/transport/session-mode.js';
import { appData, check, type Equal, type Expect, type IsAny, type Not, sessions, use } from './helpers.js';

// The augmentation, property by property (an `any` here would pass anything).
export type RequestSessionType = Expect<Equal<FastifyRequest['session'], Session<SessionData> | null>>;
export type RequestResultType = Expect<Equal<FastifyRequest['tesseraResult'], ValidationResult<SessionData>>>;
export type RequestStateType = Expect<Equal<FastifyRequest['tesseraSession'], RequestSession<SessionData>>>;
export type InstanceHelpers = Expect<Equal<FastifyInstance['tessera'], TesseraFastify>>;
export type SessionNotAny = Expect<Not<IsAny<FastifyRequest['session']>>>;
export type HelpersNotAny = Expect<Not<IsAny<FastifyInstance['tessera']>>>;
export type PluginType = Expect<Equal<typeof tesseraFastify, FastifyPluginCallback<TesseraFastifyOptions>>>;
export type OptionsMode = Expect<Equal<TesseraFastifyOptions['sessions'], SessionAuthenticator<SessionData>>>;

export async function plugin(): Promise<void> {
  const app = Fastify();
  // A mode typed with its own Data registers.
  await app.register(tesseraFastify, { sessions });
  await app.register(tesseraFastify, { sessions, fieldName: '_token' });
  // @ts-expect-error: the mode is required
  await app.register(tesseraFastify, {});
  // @ts-expect-error: the field name is a string
  await app.register(tesseraFastify, { sessions, fieldName: 1 });
  // @ts-expect-error: not a session mode
  await app.register(tesseraFastify, { sessions: { authenticate: 1 } });

  app.setErrorHandler(app.tessera.errorHandler);
  check<Equal<typeof app.tessera.requireSession, preHandlerHookHandler>>();
  check<Equal<ReturnType<typeof app.tessera.requireLevel>, preHandlerHookHandler>>();
  app.tessera.requireLevel(2, { maxAge: 300 });
  // @ts-expect-error: the level is a number
  app.tessera.requireLevel('2');
  // @ts-expect-error: the level is the first argument, not an option
  app.tessera.requireLevel(2, { level: 3 });

  app.get('/me', { preHandler: app.tessera.requireSession }, async (request, reply) => {
    const session = request.session;
    check<Equal<typeof session, Session<SessionData> | null>>();
    if (session !== null) {
      check<Equal<typeof session.data, SessionData>>();
      check<Equal<typeof session.data.role, JsonValue | undefined>>();
      check<Equal<typeof session.subject, string>>();
    }
    check<Equal<typeof request.tesseraSession.session, Session<SessionData> | null>>();
    if (request.tesseraResult.ok) check<Equal<typeof request.tesseraResult.session.data, SessionData>>();

    const issued = await app.tessera.login(request, reply, { subject: 'u1', data: appData, level: 2 });
    check<Equal<typeof issued, IssuedCookieSession<SessionData>>>();
    await app.tessera.login(request, reply, { subject: 'u1', data: { any: ['json', 1, null] } });
    // @ts-expect-error: data is JSON (a Date is not)
    await app.tessera.login(request, reply, { subject: 'u1', data: { at: new Date() } });
    // @ts-expect-error: the reply is needed to set the cookie
    await app.tessera.login(request, { subject: 'u1' });
    // @ts-expect-error: the subject is required
    await app.tessera.login(request, reply, {});
    check<Equal<Awaited<ReturnType<TesseraFastify['logout']>>, boolean>>();
    check<Equal<Awaited<ReturnType<TesseraFastify['rotate']>>, SessionChange<SessionData>>>();
    const elevated = await app.tessera.elevate(request, reply, 2);
    check<Equal<typeof elevated, SessionChange<SessionData>>>();
    // @ts-expect-error: elevate needs the level
    await app.tessera.elevate(request, reply);
    check<Equal<ReturnType<typeof app.tessera.csrfToken>, string>>();
    return { id: session?.id ?? null };
  });
}

export function standalone(request: FastifyRequest, reply: FastifyReply, response: HttpReply): void {
  check<Equal<ReturnType<typeof fastifyRequestFacts>, RequestFacts>>();
  check<Equal<ReturnType<typeof sendReply>, FastifyReply>>();
  use(fastifyRequestFacts(request), sendReply(reply, response));
  // @ts-expect-error: a Tessera reply, not a body
  sendReply(reply, { status: 200 });
}
