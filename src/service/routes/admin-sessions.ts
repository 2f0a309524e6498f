/**
 * The console's session search and detail (API key):
 *   GET /v1/admin/sessions?q=&by=auto|subject|id|ip|all&sort=-lastSeenAt&cursor=&limit=1..100
 *     -> {now, by, sessions: [summary], next, total}   (console/search.ts)
 *   GET /v1/admin/sessions/:id -> {now, session: detail} (metadata, parsed user agent, expiry, data and its size)
 * Revoking stays on the API's own routes (DELETE /v1/sessions/:id, DELETE /v1/subjects/:subject/sessions,
 * POST /v1/sessions/end-all), so the console holds no second way to end a session.
 */
import { isSessionId } from '../../core/token.js';
import type { Route } from '../context.js';
import { adminDetail } from '../console/admin-session.js';
import { allowParams, integerParam, oneOfParam, stringParam } from '../console/query.js';
import { parseCursor, SEARCH_BY, SEARCH_SORTS, searchSessions } from '../console/search.js';
import { invalidField, notFound } from '../http-errors.js';

export const adminSessionRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/v1/admin/sessions',
    auth: 'api-key',
    async handle(context) {
      const { query } = context;
      allowParams(query, ['q', 'by', 'sort', 'cursor', 'limit']);
      const cursorText = stringParam(query, 'cursor', 64);
      const cursor = cursorText === null ? null : parseCursor(cursorText);
      if (cursorText !== null && cursor === null) throw invalidField('cursor', 'is not a cursor from `next`');
      const page = await searchSessions(context.service, {
        q: stringParam(query, 'q', 256) ?? '',
        by: oneOfParam(query, 'by', SEARCH_BY, 'auto'),
        sort: oneOfParam(query, 'sort', SEARCH_SORTS, '-lastSeenAt'),
        cursor,
        limit: integerParam(query, 'limit', 1, 100) ?? 20,
      });
      return {
        status: 200,
        body: { now: new Date(context.service.manager.options.clock()).toISOString(), ...page },
      };
    },
  },
  {
    method: 'GET',
    path: '/v1/admin/sessions/:id',
    auth: 'api-key',
    async handle(context) {
      allowParams(context.query, []);
      const id = context.params.id as string;
      if (!isSessionId(id)) throw invalidField('id', 'is not a session id (26 base64url characters)');
      context.sessionId = id;
      const session = await context.service.manager.get(id);
      if (session === null) throw notFound('No live session has this id.');
      return {
        status: 200,
        body: {
          now: new Date(context.service.manager.options.clock()).toISOString(),
          session: adminDetail(session),
        },
      };
    },
  },
];
