import { MAX_VERSION } from '../../core/manager.js';
import { isSessionId } from '../../core/token.js';
import type { Reply, RequestContext, Route } from '../context.js';
import {
  allowOnly,
  clientFields,
  optionalInteger,
  optionalJsonObject,
  optionalStringArray,
  requiredInteger,
  requiredString,
  tokenField,
} from '../fields.js';
import { HttpError, invalidField, notFound, outcomeError } from '../http-errors.js';
import { sessionJson } from '../session-json.js';

const MAX_LEVEL = 1_000_000;

function sessionIdParam(context: RequestContext): string {
  const id = context.params.id as string;
  if (!isSessionId(id)) throw invalidField('id', 'is not a session id (26 base64url characters)');
  context.sessionId = id;
  return id;
}

/** The reply for an issued token: the token in the body and in the session cookie, never cached. */
function issued(
  context: RequestContext,
  status: number,
  token: string,
  session: Parameters<typeof sessionJson>[0],
): Reply {
  context.sessionId = session.id;
  return {
    status,
    headers: [['set-cookie', context.service.sessions.sessionCookie(token, session)]],
    body: { token, session: sessionJson(session) },
  };
}

export const sessionRoutes: readonly Route[] = [
  {
    method: 'POST',
    path: '/v1/sessions',
    auth: 'api-key',
    async handle(context) {
      const body = await context.body();
      allowOnly(body, ['subject', 'data', 'ip', 'userAgent', 'level']);
      const subject = requiredString(body, 'subject', 256);
      const data = optionalJsonObject(body, 'data');
      const level = optionalInteger(body, 'level', 0, MAX_LEVEL);
      const result = await context.service.manager.create({
        subject,
        ...(data === undefined ? {} : { data }),
        ...(level === undefined ? {} : { level }),
        ...clientFields(body),
      });
      const reply = issued(context, 201, result.token, result.session);
      const deviceBound = context.service.deviceBound;
      if (deviceBound === null) return reply;
      // The backend relays this as the `Secure-Session-Registration` header of its login response.
      const [, registration] = deviceBound.registrationHeader(result.session);
      return { ...reply, body: { ...(reply.body as object), dbscRegistration: registration } };
    },
  },
  {
    method: 'POST',
    path: '/v1/sessions/validate',
    auth: 'api-key',
    async handle(context) {
      const body = await context.body();
      allowOnly(body, ['token', 'ip', 'userAgent']);
      const token = tokenField(body);
      const result = await context.service.manager.validate(token, clientFields(body));
      if (!result.ok) {
        if (result.code === 'session_expired') context.sessionId = result.sessionId;
        throw outcomeError(result);
      }
      context.sessionId = result.session.id;
      return { status: 200, body: { session: sessionJson(result.session), renewed: result.renewed } };
    },
  },
  {
    method: 'POST',
    path: '/v1/sessions/rotate',
    auth: 'api-key',
    async handle(context) {
      const body = await context.body();
      allowOnly(body, ['token', 'ip', 'userAgent']);
      const result = await context.service.manager.rotate(tokenField(body), clientFields(body));
      if (!result.ok) throw outcomeError(result);
      return issued(context, 200, result.token, result.session);
    },
  },
  {
    method: 'POST',
    path: '/v1/sessions/elevate',
    auth: 'api-key',
    async handle(context) {
      const body = await context.body();
      allowOnly(body, ['token', 'level', 'ip', 'userAgent']);
      const token = tokenField(body);
      const level = requiredInteger(body, 'level', 0, MAX_LEVEL);
      const result = await context.service.manager.elevate(token, level, clientFields(body));
      if (!result.ok) throw outcomeError(result);
      return issued(context, 200, result.token, result.session);
    },
  },
  {
    method: 'POST',
    path: '/v1/sessions/revoke',
    auth: 'api-key',
    async handle(context) {
      const body = await context.body();
      allowOnly(body, ['token']);
      const token = tokenField(body);
      if (token === null) throw new HttpError(401, 'token_missing', 'No session token was presented.');
      // Logout is idempotent: 204 whether or not the token named a live session, so it reveals nothing.
      await context.service.manager.revoke(token, 'logout');
      return { status: 204, headers: [['set-cookie', context.service.sessions.clearCookie()]] };
    },
  },
  {
    method: 'GET',
    path: '/v1/sessions/:id',
    auth: 'api-key',
    async handle(context) {
      const session = await context.service.manager.get(sessionIdParam(context));
      if (session === null) throw notFound('No live session has this id.');
      return { status: 200, body: { session: sessionJson(session) } };
    },
  },
  {
    method: 'DELETE',
    path: '/v1/sessions/:id',
    auth: 'api-key',
    async handle(context) {
      const removed = await context.service.manager.revokeById(sessionIdParam(context), 'admin');
      if (!removed) throw notFound('No session has this id.');
      return { status: 204 };
    },
  },
  {
    method: 'PATCH',
    path: '/v1/sessions/:id/data',
    auth: 'api-key',
    async handle(context) {
      const id = sessionIdParam(context);
      const body = await context.body();
      allowOnly(body, ['set', 'unset', 'version']);
      const set = optionalJsonObject(body, 'set');
      const unset = optionalStringArray(body, 'unset', 1000);
      const version = optionalInteger(body, 'version', 1, MAX_VERSION);
      if (set === undefined && unset === undefined) throw invalidField('set', 'or unset is required');
      const both = unset?.find((key) => set !== undefined && Object.hasOwn(set, key));
      if (both !== undefined)
        throw invalidField('unset', `names "${both.slice(0, 64)}", which set also names`);
      const result = await context.service.manager.update(
        id,
        { ...(set === undefined ? {} : { set }), ...(unset === undefined ? {} : { unset }) },
        { version: version ?? null },
      );
      if (!result.ok && result.code === 'not_found') throw notFound('No live session has this id.');
      if (!result.ok && result.code === 'data_too_large') {
        const limit = context.service.manager.options.maxDataBytes;
        throw new HttpError(
          413,
          'data_too_large',
          `The session data would be ${result.bytes} bytes after this patch, over the ${limit}-byte limit; nothing was changed.`,
          { extra: { bytes: result.bytes, limit } },
        );
      }
      if (!result.ok) {
        throw new HttpError(
          409,
          'version_conflict',
          'The session data changed since that version; reload it.',
          {
            extra: { version: result.version },
          },
        );
      }
      return { status: 200, body: { session: sessionJson(result.session) } };
    },
  },
];
