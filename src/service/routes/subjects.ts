import { isSessionId } from '../../core/token.js';
import type { RequestContext, Route } from '../context.js';
import { invalidField } from '../http-errors.js';
import { sessionJson } from '../session-json.js';

function subjectParam(context: RequestContext): string {
  const subject = context.params.subject as string;
  if (subject.length > 256) throw invalidField('subject', 'must be at most 256 characters');
  return subject;
}

export const subjectRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/v1/subjects/:subject/sessions',
    auth: 'api-key',
    async handle(context) {
      const sessions = await context.service.manager.list(subjectParam(context));
      return { status: 200, body: { sessions: sessions.map(sessionJson) } };
    },
  },
  {
    method: 'DELETE',
    path: '/v1/subjects/:subject/sessions',
    auth: 'api-key',
    async handle(context) {
      const subject = subjectParam(context);
      const except = context.query.get('except');
      if (except !== null && !isSessionId(except)) {
        throw invalidField('except', 'is not a session id (26 base64url characters)');
      }
      const revoked = await context.service.manager.revokeSubject(subject, { except });
      return { status: 200, body: { revoked } };
    },
  },
];
