/**
 * The service's routes as request templates: a valid request for each, built from the live state, that the
 * input classes then send as is or mutate. Bodies are JSON text assembled field by field, so a class can put
 * any literal (`1e400`, a duplicate key, a raw byte) in place of one field.
 */
import type { JsonText } from './hostile.js';
import { json } from './hostile.js';
import { type LiveState, SUBJECTS } from './state.js';
import type { WireReply, WireRequest } from './wire.js';

export type BodyRoute =
  | 'create'
  | 'validate'
  | 'rotate'
  | 'elevate'
  | 'revoke'
  | 'patch'
  | 'exchange'
  | 'refresh'
  | 'verify'
  | 'end-all';

export const BODY_ROUTES: readonly BodyRoute[] = [
  'create',
  'validate',
  'rotate',
  'elevate',
  'revoke',
  'patch',
  'exchange',
  'refresh',
  'verify',
  'end-all',
];

/** Routes that take no body; `:id` and `:subject` are filled from the live state. */
export const BODYLESS = [
  'GET /v1/sessions/:id',
  'DELETE /v1/sessions/:id',
  'GET /v1/subjects/:subject/sessions',
  'DELETE /v1/subjects/:subject/sessions',
  'GET /healthz',
  'GET /metrics',
  'GET /admin',
  'GET /.well-known/jwks.json',
] as const;

/** Paths that answer without the API key (a 2xx elsewhere without it is a finding). */
export const PUBLIC_PATHS = new Set(['/healthz', '/admin', '/.well-known/jwks.json']);

export type Field = readonly [name: string, value: JsonText];

/** One request before it is put on the wire. */
export interface Draft {
  method: string;
  path: string;
  fields: Field[] | null;
  /** The field that names the credential a mutation targets (token, refreshToken, accessToken). */
  credential: string | null;
  /** Keeps the live state in step with what the service answered. */
  onReply?: (reply: WireReply) => void;
}

const IP = '203.0.113.7';
const UA = 'tessera-fuzz/1';

/** A valid request for `route`, from the live state (picks are seeded numbers). */
export function validDraft(route: BodyRoute, state: LiveState, pick: number, n: number): Draft {
  const session = state.session(pick);
  const token = state.token(pick);
  switch (route) {
    case 'create': {
      const subject = SUBJECTS[n % SUBJECTS.length] as string;
      return {
        method: 'POST',
        path: '/v1/sessions',
        fields: [
          ['subject', json(subject)],
          ['data', json({ theme: n % 2 === 0 ? 'dark' : 'light', n, cart: [n % 7] })],
          ['ip', json(IP)],
          ['userAgent', json(UA)],
          ['level', json(1 + (n % 3))],
        ],
        credential: null,
        onReply: (reply) => {
          const body = parse(reply);
          if (reply.status === 201 && typeof body?.token === 'string' && typeof body.session?.id === 'string')
            state.addSession({ token: body.token, id: body.session.id, subject, version: 1 });
        },
      };
    }
    case 'validate':
      return {
        method: 'POST',
        path: '/v1/sessions/validate',
        fields: [['token', json(token)], ...clientFields(n)],
        credential: 'token',
      };
    case 'rotate':
    case 'elevate':
      return {
        method: 'POST',
        path: `/v1/sessions/${route}`,
        fields: [
          ['token', json(token)],
          ...(route === 'elevate' ? [['level', json(2 + (n % 5))] as const] : []),
          ...clientFields(n),
        ],
        credential: 'token',
        onReply: (reply) => {
          const body = parse(reply);
          if (reply.status === 200 && typeof body?.token === 'string') state.replaceToken(token, body.token);
        },
      };
    case 'revoke':
      return {
        method: 'POST',
        path: '/v1/sessions/revoke',
        fields: [['token', json(token)]],
        credential: 'token',
        onReply: (reply) => {
          if (reply.status === 204 && session !== null && session.token === token)
            state.removeSession(session.id, 'logged out');
        },
      };
    case 'patch': {
      const version = session?.version ?? 1;
      return {
        method: 'PATCH',
        path: `/v1/sessions/${state.sessionId(pick)}/data`,
        fields: [
          ['set', json({ [`k${n % 5}`]: n, seen: true })],
          ...(n % 3 === 0 ? [['unset', json(['cart'])] as const] : []),
          ...(n % 2 === 0 ? [['version', json(version)] as const] : []),
        ],
        credential: null,
        onReply: (reply) => {
          const body = parse(reply);
          if (session !== null && typeof body?.session?.version === 'number')
            session.version = body.session.version;
          else if (session !== null && typeof body?.error?.version === 'number')
            session.version = body.error.version;
        },
      };
    }
    case 'exchange':
      return {
        method: 'POST',
        path: '/v1/tokens',
        fields: [['token', json(token)], ...clientFields(n)],
        credential: 'token',
        onReply: (reply) => {
          const body = parse(reply);
          if (
            reply.status === 201 &&
            session !== null &&
            typeof body?.refreshToken === 'string' &&
            typeof body.accessToken === 'string'
          )
            state.addPair({
              refreshToken: body.refreshToken,
              accessToken: body.accessToken,
              sessionId: session.id,
            });
        },
      };
    case 'refresh': {
      const refreshToken = state.refreshToken(pick);
      return {
        method: 'POST',
        path: '/v1/tokens/refresh',
        fields: [['refreshToken', json(refreshToken)], ...clientFields(n)],
        credential: 'refreshToken',
        onReply: (reply) => {
          const body = parse(reply);
          if (
            reply.status === 200 &&
            typeof body?.refreshToken === 'string' &&
            typeof body.accessToken === 'string'
          )
            state.replacePair(refreshToken, body.refreshToken, body.accessToken);
        },
      };
    }
    case 'end-all':
      // Always a near miss of the confirmation phrase: the campaign must never end every session it holds.
      return {
        method: 'POST',
        path: '/v1/sessions/end-all',
        fields: [
          ['confirm', json(['end every session.', 'End every session', 'end every session ', 'yes'][n % 4])],
          ['reason', json('fuzz')],
        ],
        credential: null,
      };
    case 'verify':
      return {
        method: 'POST',
        path: '/v1/tokens/verify',
        fields: [
          ['accessToken', json(state.accessToken(pick))],
          ...(n % 3 === 0 ? [] : [['strict', json(n % 3 === 1)] as const]),
        ],
        credential: 'accessToken',
      };
  }
}

/** A valid bodyless request, from the live state. */
export function bodylessDraft(
  route: (typeof BODYLESS)[number],
  state: LiveState,
  pick: number,
  n: number,
): Draft {
  const [method, pattern] = route.split(' ') as [string, string];
  const id = state.sessionId(pick);
  const subject = state.subject(pick);
  let path = pattern.replace(':id', id).replace(':subject', encodeURIComponent(subject));
  let onReply: Draft['onReply'];
  if (route === 'DELETE /v1/sessions/:id')
    onReply = (reply) => reply.status === 204 && state.removeSession(id, 'deleted by id');
  if (route === 'DELETE /v1/subjects/:subject/sessions') {
    const except = n % 4 === 0 ? null : id;
    if (except !== null) path += `?except=${except}`;
    onReply = (reply) => reply.status === 200 && state.removeSubject(subject, except);
  }
  return { method, path, fields: null, credential: null, ...(onReply === undefined ? {} : { onReply }) };
}

function clientFields(n: number): Field[] {
  if (n % 4 === 0) return [];
  if (n % 4 === 1) return [['ip', json(IP)]];
  return [
    ['ip', json(IP)],
    ['userAgent', json(UA)],
  ];
}

/** The JSON text of a body made of these fields, in order (a name may repeat). */
export function bodyText(fields: readonly Field[]): string {
  return `{${fields.map(([name, value]) => `${json(name)}:${value}`).join(',')}}`;
}

/** Replaces (or adds) one field. */
export function withField(fields: readonly Field[], name: string, value: JsonText): Field[] {
  const out = fields.filter(([key]) => key !== name);
  const at = fields.findIndex(([key]) => key === name);
  out.splice(at === -1 ? out.length : at, 0, [name, value]);
  return out;
}

/** Turns a draft into a wire request with the given Authorization header lines and extra headers. */
export function toWire(
  draft: Draft,
  auth: { headers: Array<readonly [string, string]>; valid: boolean },
  options: {
    body?: Buffer;
    extraHeaders?: Array<readonly [string, string | Buffer]>;
    mustRefuse?: string;
  } = {},
): WireRequest {
  const body =
    options.body ?? (draft.fields === null ? undefined : Buffer.from(bodyText(draft.fields), 'utf8'));
  const headers: Array<readonly [string, string | Buffer]> = [...auth.headers];
  if (body !== undefined) headers.push(['content-type', 'application/json']);
  headers.push(...(options.extraHeaders ?? []));
  return {
    transport: 'http',
    method: draft.method,
    target: draft.path,
    headers,
    ...(body === undefined ? {} : { body }),
    keyValid: auth.valid,
    ...(options.mustRefuse === undefined ? {} : { mustRefuse: options.mustRefuse }),
    // A body written by hand may not carry the draft's credential: its reply is not followed.
    ...(draft.onReply === undefined || options.body !== undefined ? {} : { onReply: draft.onReply }),
  };
}

interface ReplyBody {
  token?: unknown;
  refreshToken?: unknown;
  accessToken?: unknown;
  session?: { id?: unknown; version?: unknown };
  error?: { version?: unknown };
}

function parse(reply: WireReply): ReplyBody | null {
  if (reply.body === '' || reply.body[0] !== '{') return null;
  try {
    return JSON.parse(reply.body) as ReplyBody;
  } catch {
    return null;
  }
}
