/**
 * The console's security feed: GET /v1/admin/events (API key), newest first.
 *   ?type=csrf-rejected,revoked  only these record types (comma-separated)
 *   ?before=<seq>                older than this record (the next page: `next` of the page before)
 *   ?after=<seq>                 newer than this record (polling: `latest` of the last answer)
 *   ?subject=<subject>           one subject's records (matched by pseudonym when the trail has a key)
 *   ?session=<id>                one session's records
 *   ?limit=1..200                (default 50)
 * Read from the audit trail file (TESSERA_AUDIT_FILE), else from recent events kept in memory.
 */
import type { AuditRecordType } from '../../audit/record.js';
import { isSessionId } from '../../core/token.js';
import type { Route } from '../context.js';
import { readFeed } from '../console/events.js';
import { allowParams, integerParam, stringParam } from '../console/query.js';
import { invalidField } from '../http-errors.js';

/** Every record type a trail holds: the engine's events and the trail's notes about itself. */
export const FEED_TYPES: readonly AuditRecordType[] = [
  'created',
  'rotated',
  'elevated',
  'renewed',
  'revoked',
  'expired',
  'unknown-token',
  'binding-mismatch',
  'refresh-reuse',
  'csrf-rejected',
  'data-updated',
  'session-limit',
  'revoked-everyone',
  'audit-dropped',
  'audit-recovered',
];

const MAX_SEQ = Number.MAX_SAFE_INTEGER;

function typesParam(text: string | null): ReadonlySet<string> | null {
  if (text === null) return null;
  const types = new Set(text.split(',').map((type) => type.trim()));
  for (const type of types) {
    if (!(FEED_TYPES as readonly string[]).includes(type)) {
      throw invalidField('type', `names an unknown record type (expected some of ${FEED_TYPES.join(', ')})`);
    }
  }
  return types;
}

export const adminEventRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/v1/admin/events',
    auth: 'api-key',
    async handle(context) {
      const { query } = context;
      allowParams(query, ['type', 'before', 'after', 'subject', 'session', 'limit']);
      const sessionId = stringParam(query, 'session', 26);
      if (sessionId !== null && !isSessionId(sessionId)) {
        throw invalidField('session', 'is not a session id (26 base64url characters)');
      }
      const page = await readFeed(context.service, {
        types: typesParam(stringParam(query, 'type', 400)),
        before: integerParam(query, 'before', 1, MAX_SEQ),
        after: integerParam(query, 'after', 0, MAX_SEQ),
        subject: stringParam(query, 'subject', 256),
        sessionId,
        limit: integerParam(query, 'limit', 1, 200) ?? 50,
      });
      return {
        status: 200,
        body: { now: new Date(context.service.manager.options.clock()).toISOString(), ...page },
      };
    },
  },
];
