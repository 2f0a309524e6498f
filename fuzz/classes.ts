/**
 * The input classes of the campaign. Each is a fast-check arbitrary of plans: seeded numbers and hostile
 * values that become a wire request once applied to the live state (real tokens, ids and subjects).
 */
import { METHODS } from 'node:http';
import fc from 'fast-check';
import { type AuthChoice, authArb, authHeaders } from './auth.js';
import {
  controlString,
  deepText,
  hostileString,
  hostileValue,
  hugeNumberText,
  invalidUtf8,
  json,
  loneSurrogateString,
  longString,
  nestedText,
  protoKey,
  wrongTypeValue,
} from './hostile.js';
import { type Mutation, mutate, mutationArb } from './mutate.js';
import {
  BODY_ROUTES,
  type BODYLESS,
  type BodyRoute,
  bodylessDraft,
  bodyText,
  type Draft,
  type Field,
  toWire,
  validDraft,
  withField,
} from './requests.js';
import type { LiveState } from './state.js';
import { rawBytes, type WireRequest } from './wire.js';

export interface Ctx {
  readonly state: LiveState;
  readonly apiKey: string;
}

export type Plan = (ctx: Ctx) => WireRequest;

export interface InputClass {
  readonly name: string;
  readonly about: string;
  /** Share of the campaign's requests, relative to the other classes. */
  readonly weight: number;
  readonly plan: fc.Arbitrary<Plan>;
}

/** Seeded numbers every plan draws on. */
const common = {
  pick: fc.nat(),
  n: fc.nat(),
  which: fc.nat(),
  auth: authArb(0.1),
};
type Common = { pick: number; n: number; which: number; auth: AuthChoice };

const bodyRoute = fc.constantFrom<BodyRoute>(...BODY_ROUTES);

const draftOf = (route: BodyRoute, ctx: Ctx, p: Common): Draft => validDraft(route, ctx.state, p.pick, p.n);
const fieldsOf = (draft: Draft): Field[] => draft.fields ?? [];
const fieldName = (draft: Draft, which: number): string => {
  const fields = fieldsOf(draft);
  return fields.length === 0 ? 'token' : (fields[which % fields.length] as Field)[0];
};
/** The draft with other fields; it stops following the reply when the credential it would act on changed. */
const withBody = (draft: Draft, fields: Field[]): Draft => {
  const credential = (list: readonly Field[] | null): string | undefined =>
    list?.findLast(([name]) => name === draft.credential)?.[1];
  const same = draft.credential === null || credential(draft.fields) === credential(fields);
  return same ? { ...draft, fields } : { ...draft, fields, onReply: undefined };
};
const send = (draft: Draft, ctx: Ctx, p: Common, options: Parameters<typeof toWire>[2] = {}): WireRequest =>
  toWire(draft, authHeaders(p.auth, ctx.apiKey), options);

/** Percent-encodes a path segment; a lone surrogate becomes its WTF-8 bytes (`%ED%A0%80`), which no decoder takes. */
export function encodeSegment(text: string): string {
  return text.replace(/[\ud800-\udbff][\udc00-\udfff]|[\s\S]/g, (unit) => {
    const code = unit.charCodeAt(0);
    if (unit.length === 1 && code >= 0xd800 && code <= 0xdfff)
      return `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%${(0x80 | (code & 0x3f)).toString(16)}`.toUpperCase();
    return encodeURIComponent(unit);
  });
}

/** The same request, sent as exact bytes on its own connection. */
function rawWire(request: WireRequest, lines?: Array<readonly [string, string | Buffer]>): WireRequest {
  const headers = lines ?? request.headers;
  return {
    ...request,
    transport: 'raw',
    headers,
    bytes: rawBytes({ ...request, headers }),
  };
}

// ---------------------------------------------------------------------------------------------------------- valid

const VALID_OPS: ReadonlyArray<BodyRoute | (typeof BODYLESS)[number]> = [
  ...Array<BodyRoute>(3).fill('create'),
  ...Array<BodyRoute>(5).fill('validate'),
  'rotate',
  'rotate',
  'elevate',
  'patch',
  'patch',
  'exchange',
  'exchange',
  'refresh',
  'refresh',
  'verify',
  'verify',
  'verify',
  'revoke',
  'GET /v1/sessions/:id',
  'GET /v1/sessions/:id',
  'GET /v1/subjects/:subject/sessions',
  'DELETE /v1/sessions/:id',
  'DELETE /v1/subjects/:subject/sessions',
  'GET /healthz',
  'GET /metrics',
  'GET /admin',
  'GET /.well-known/jwks.json',
];

const valid: InputClass = {
  name: 'valid',
  about:
    'well-formed requests on every route, from live state (they create and use the sessions the rest mutates)',
  weight: 2,
  plan: fc
    .record({ ...common, op: fc.constantFrom(...VALID_OPS), auth: authArb(0.02) })
    .map((p) => (ctx: Ctx) => {
      const op = ctx.state.wantsSessions() && p.n % 2 === 0 ? 'create' : p.op;
      const draft = (BODY_ROUTES as readonly string[]).includes(op)
        ? validDraft(op as BodyRoute, ctx.state, p.pick, p.n)
        : bodylessDraft(op as (typeof BODYLESS)[number], ctx.state, p.pick, p.n);
      return send(draft, ctx, p);
    }),
};

// ---------------------------------------------------------------------------------------------------- wrong types

const UNKNOWN_NAMES = [
  'subjet',
  'Token',
  'token ',
  '',
  'TOKEN',
  'data.x',
  'level\u0000',
  'é',
  'x'.repeat(300),
];

const wrongTypes: InputClass = {
  name: 'wrong-types',
  about:
    'one field of a valid body given a value of another JSON type, a dropped or unknown field, or a body that is not an object',
  weight: 1,
  plan: fc
    .record({
      ...common,
      route: bodyRoute,
      value: wrongTypeValue,
      mode: fc.constantFrom('field', 'field', 'field', 'whole', 'drop', 'unknown'),
    })
    .map((p) => (ctx: Ctx) => {
      const draft = draftOf(p.route, ctx, p);
      const fields = fieldsOf(draft);
      const name = fieldName(draft, p.which);
      if (p.mode === 'whole') return send(draft, ctx, p, { body: Buffer.from(p.value) });
      if (p.mode === 'drop')
        return send(
          withBody(
            draft,
            fields.filter(([key]) => key !== name),
          ),
          ctx,
          p,
        );
      if (p.mode === 'unknown')
        return send(
          withBody(draft, [...fields, [UNKNOWN_NAMES[p.n % UNKNOWN_NAMES.length] as string, p.value]]),
          ctx,
          p,
        );
      return send(withBody(draft, withField(fields, name, p.value)), ctx, p);
    }),
};

// --------------------------------------------------------------------------------------------------- huge numbers

const hugeNumbers: InputClass = {
  name: 'huge-numbers',
  about:
    'numbers out of range, past 2^53, non-integers, -0, 1e400 and 5000-digit literals in every numeric place and in data',
  weight: 1,
  plan: fc
    .record({
      ...common,
      value: hugeNumberText,
      target: fc.constantFrom(
        'create.level',
        'elevate.level',
        'patch.version',
        'create.data',
        'patch.set',
        'any',
      ),
      route: bodyRoute,
    })
    .map((p) => (ctx: Ctx) => {
      const [route, field] =
        p.target === 'any' ? [p.route, null] : (p.target.split('.') as [BodyRoute, string]);
      const draft = draftOf(route, ctx, p);
      const fields = fieldsOf(draft);
      if (field === 'data')
        return send(
          withBody(draft, withField(fields, 'data', `{"big":${p.value},"list":[${p.value}]}`)),
          ctx,
          p,
        );
      if (field === 'set') return send(withBody(draft, withField(fields, 'set', `{"n":${p.value}}`)), ctx, p);
      return send(withBody(draft, withField(fields, field ?? fieldName(draft, p.which), p.value)), ctx, p);
    }),
};

// --------------------------------------------------------------------------------------------------- deep nesting

const deepNesting: InputClass = {
  name: 'deep-nesting',
  about:
    'arrays and objects nested 30 to 32,000 deep (around the 32-level data limit and up to the body limit), unclosed nesting',
  weight: 1,
  plan: fc
    .record({
      ...common,
      value: deepText,
      depth: fc.integer({ min: 28, max: 36 }),
      target: fc.constantFrom('create.data', 'patch.set', 'patch.unset', 'boundary', 'any', 'whole'),
      route: bodyRoute,
    })
    .map((p) => (ctx: Ctx) => {
      if (p.target === 'whole') return send(draftOf(p.route, ctx, p), ctx, p, { body: Buffer.from(p.value) });
      if (p.target === 'boundary') {
        const draft = draftOf(p.n % 2 === 0 ? 'create' : 'patch', ctx, p);
        const name = p.n % 2 === 0 ? 'data' : 'set';
        return send(withBody(draft, withField(fieldsOf(draft), name, nestedText(p.depth, 'object'))), ctx, p);
      }
      const [route, field] =
        p.target === 'any' ? [p.route, null] : (p.target.split('.') as [BodyRoute, string]);
      const draft = draftOf(route, ctx, p);
      const value = field === 'data' || field === 'set' ? `{"d":${p.value}}` : p.value;
      return send(
        withBody(draft, withField(fieldsOf(draft), field ?? fieldName(draft, p.which), value)),
        ctx,
        p,
      );
    }),
};

// --------------------------------------------------------------------------------------------------- long strings

const longStrings: InputClass = {
  name: 'long-strings',
  about:
    'strings at and past every length limit (64, 256, 1024, 8192), long field names, bodies of 65,535 to 200,000 bytes, a declared Content-Length past the limit',
  weight: 1,
  plan: fc
    .record({
      ...common,
      route: bodyRoute,
      value: longString,
      mode: fc.constantFrom('field', 'field', 'field', 'data', 'key', 'limit-body', 'oversize', 'declared'),
      size: fc.constantFrom(65_535, 65_536, 65_537, 70_000, 200_000),
    })
    .map((p) => (ctx: Ctx) => {
      const draft = draftOf(p.route, ctx, p);
      const fields = fieldsOf(draft);
      switch (p.mode) {
        case 'data':
          return send(
            withBody(
              draftOf('create', ctx, p),
              withField(fieldsOf(draftOf('create', ctx, p)), 'data', `{"long":${json(p.value)}}`),
            ),
            ctx,
            p,
          );
        case 'key':
          return send(withBody(draft, [...fields, [p.value, '1']]), ctx, p);
        case 'limit-body': {
          const text = bodyText(fields);
          const padding = Math.max(0, p.size - Buffer.byteLength(text));
          return send(draft, ctx, p, { body: Buffer.from(text + ' '.repeat(padding)) });
        }
        case 'oversize':
          return rawWire(send(draft, ctx, p, { body: Buffer.from(`{"subject":"${'a'.repeat(p.size)}"}`) }));
        case 'declared': {
          const request = send(draft, ctx, p, { extraHeaders: [['content-length', String(p.size * 50)]] });
          return rawWire(request);
        }
        default:
          return send(withBody(draft, withField(fields, fieldName(draft, p.which), json(p.value))), ctx, p);
      }
    }),
};

// ---------------------------------------------------------------------------------------------------- bad unicode

/** A body with `bytes` spliced into the value of field `name` (inside its string). */
function splicedBody(fields: readonly Field[], name: string, bytes: Buffer): Buffer {
  const marker = '\u0001SPLICE\u0001';
  const text = bodyText(withField(fields, name, `"a${marker}b"`)).replace(json(marker).slice(1, -1), marker);
  const [before, after] = text.split(marker) as [string, string];
  return Buffer.concat([Buffer.from(before), bytes, Buffer.from(after)]);
}

const BAD_PATH_BYTES = [
  '%ED%A0%80',
  '%00',
  '%C0%AF',
  '%FF',
  '%F4%90%80%80',
  '%E2%82',
  '%F0%9F%98%80',
  '%0A',
  '%25',
  '%',
];

const badUnicode: InputClass = {
  name: 'bad-unicode',
  about:
    'lone surrogates and NUL (escaped), invalid UTF-8, WTF-8 surrogates, raw NUL bytes, BOM and UTF-16 bodies, bad bytes in paths and headers',
  weight: 1,
  plan: fc
    .record({
      ...common,
      route: bodyRoute,
      lone: loneSurrogateString,
      control: controlString,
      bytes: invalidUtf8,
      mode: fc.constantFrom(
        'escaped-lone',
        'escaped-lone',
        'escaped-lone-key',
        'escaped-control',
        'escaped-control',
        'raw-invalid',
        'raw-invalid',
        'raw-nul',
        'raw-wtf8',
        'bom',
        'utf16',
        'path',
        'path',
        'header',
      ),
    })
    .map((p) => (ctx: Ctx) => {
      const draft = draftOf(p.route, ctx, p);
      const fields = fieldsOf(draft);
      const name = fieldName(draft, p.which);
      switch (p.mode) {
        case 'escaped-lone':
          return send(withBody(draft, withField(fields, name, json(p.lone))), ctx, p);
        case 'escaped-lone-key': {
          const create = draftOf(p.n % 2 === 0 ? 'create' : 'patch', ctx, p);
          const target = p.n % 2 === 0 ? 'data' : 'set';
          return send(withBody(create, withField(fieldsOf(create), target, json({ [p.lone]: 1 }))), ctx, p);
        }
        case 'escaped-control':
          if (p.n % 3 === 0) {
            const create = draftOf('create', ctx, p);
            return send(
              withBody(create, withField(fieldsOf(create), 'data', json({ [p.control]: p.control }))),
              ctx,
              p,
            );
          }
          return send(withBody(draft, withField(fields, name, json(p.control))), ctx, p);
        case 'raw-invalid':
          return send(draft, ctx, p, { body: splicedBody(fields, name, p.bytes) });
        case 'raw-nul':
          return send(draft, ctx, p, { body: splicedBody(fields, name, Buffer.from([0])) });
        case 'raw-wtf8':
          return send(draft, ctx, p, { body: splicedBody(fields, name, Buffer.from([0xed, 0xa0, 0x80])) });
        case 'bom':
          return send(draft, ctx, p, {
            body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(bodyText(fields))]),
          });
        case 'utf16':
          return send(draft, ctx, p, { body: Buffer.from(bodyText(fields), 'utf16le') });
        case 'path': {
          const bad = BAD_PATH_BYTES[p.n % BAD_PATH_BYTES.length] as string;
          const encodedControl = encodeSegment(p.control);
          const segment = p.which % 2 === 0 ? `a${bad}b` : encodedControl;
          const routes = [
            'GET /v1/sessions/',
            'DELETE /v1/sessions/',
            'GET /v1/subjects/',
            'DELETE /v1/subjects/',
            'PATCH /v1/sessions/',
          ];
          const [method, prefix] = (routes[p.pick % routes.length] as string).split(' ') as [string, string];
          const path = prefix.includes('subjects')
            ? `${prefix}${segment}/sessions`
            : `${prefix}${segment}${method === 'PATCH' ? '/data' : ''}`;
          const patch = method === 'PATCH' ? [['set', '{"a":1}'] as const] : null;
          return send({ method, path, fields: patch, credential: null }, ctx, p);
        }
        default: {
          const request = send(draft, ctx, p);
          const header = (['user-agent', 'x-forwarded-for', 'cookie', 'accept', 'x-request-id'] as const)[
            p.n % 5
          ] as string;
          return rawWire(request, [...request.headers, [header, Buffer.concat([Buffer.from('v'), p.bytes])]]);
        }
      }
    }),
};

// ------------------------------------------------------------------------------------------ duplicate keys, proto

const duplicateProto: InputClass = {
  name: 'duplicate-proto',
  about:
    'duplicate keys (plain and escaped), __proto__ / constructor / prototype keys at the top, in data, set and unset',
  weight: 1,
  plan: fc
    .record({
      ...common,
      route: bodyRoute,
      key: protoKey,
      value: hostileValue,
      mode: fc.constantFrom(
        'dup-field-bad-last',
        'dup-field-bad-first',
        'dup-escaped',
        'dup-in-data',
        'proto-top',
        'proto-top',
        'proto-data',
        'proto-data',
        'proto-set',
        'proto-unset',
      ),
    })
    .map((p) => (ctx: Ctx) => {
      const draft = draftOf(p.route, ctx, p);
      const fields = fieldsOf(draft);
      const name = fieldName(draft, p.which);
      const create = draftOf('create', ctx, p);
      const patch = draftOf('patch', ctx, p);
      switch (p.mode) {
        case 'dup-field-bad-last':
          return send(withBody(draft, [...fields, [name, p.value]]), ctx, p);
        case 'dup-field-bad-first':
          return send(withBody(draft, [[name, p.value], ...fields]), ctx, p);
        case 'dup-escaped': {
          // "\u0074oken" is "token": the duplicate is only visible after unescaping.
          const escaped = `\\u00${name.charCodeAt(0).toString(16).padStart(2, '0')}${name.slice(1)}`;
          const text = `${bodyText(fields).slice(0, -1)}${fields.length === 0 ? '' : ','}"${escaped}":${p.value}}`;
          return send(draft, ctx, p, { body: Buffer.from(text) });
        }
        case 'dup-in-data':
          return send(
            withBody(
              create,
              withField(fieldsOf(create), 'data', `{"a":1,"a":${p.value},"${p.key}":1,"${p.key}":2}`),
            ),
            ctx,
            p,
          );
        case 'proto-top':
          return send(withBody(draft, [[p.key, p.value], ...fields]), ctx, p);
        case 'proto-data':
          return send(
            withBody(
              create,
              withField(
                fieldsOf(create),
                'data',
                `{"${p.key}":{"polluted":true},"theme":"dark","${p.key}x":${p.value}}`,
              ),
            ),
            ctx,
            p,
          );
        case 'proto-set':
          return send(
            withBody(patch, [['set', `{"${p.key}":${p.n % 2 === 0 ? '{"polluted":true}' : p.value}}`]]),
            ctx,
            p,
          );
        default:
          return send(
            withBody(patch, [
              ['unset', json([p.key, '__proto__', 'constructor'])],
              ...(p.n % 2 === 0 ? [['set', `{"${p.key}":1}`] as const] : []),
            ]),
            ctx,
            p,
          );
      }
    }),
};

// ------------------------------------------------------------------------------------------------ token mutation

const tokenMutation: InputClass = {
  name: 'token-mutation',
  about:
    'live session tokens, ids, refresh and access tokens with one character changed, tokens rotated away, credentials of one kind in the field of another (none may be accepted)',
  weight: 1,
  plan: fc
    .record({
      ...common,
      mutation: mutationArb,
      target: fc.constantFrom(
        'session',
        'session',
        'session',
        'refresh',
        'refresh',
        'access',
        'access',
        'id',
        'dead',
        'cross',
      ),
      route: fc.constantFrom<BodyRoute>('validate', 'validate', 'rotate', 'elevate', 'exchange', 'revoke'),
      strict: fc.boolean(),
    })
    .map((p) => (ctx: Ctx) => {
      const state = ctx.state;
      const m: Mutation = p.mutation;
      switch (p.target) {
        case 'session': {
          const draft = draftOf(p.route, ctx, p);
          const token = state.token(p.pick);
          const bad = mutate(token, m);
          return send(withBody(draft, withField(fieldsOf(draft), 'token', json(bad))), ctx, p, {
            ...(p.route === 'revoke' ? {} : { mustRefuse: 'a mutated session token' }),
          });
        }
        case 'refresh': {
          const draft = draftOf('refresh', ctx, p);
          const bad = mutate(state.refreshToken(p.pick), m);
          return send(withBody(draft, withField(fieldsOf(draft), 'refreshToken', json(bad))), ctx, p, {
            mustRefuse: 'a mutated refresh token',
          });
        }
        case 'access': {
          const bad = mutate(state.accessToken(p.pick), m);
          const draft: Draft = {
            method: 'POST',
            path: '/v1/tokens/verify',
            fields: [
              ['accessToken', json(bad)],
              ['strict', json(p.strict)],
            ],
            credential: 'accessToken',
          };
          return send(draft, ctx, p, { mustRefuse: 'a mutated access token' });
        }
        case 'id': {
          const id = mutate(state.sessionId(p.pick), m);
          const encoded = encodeSegment(id);
          const kinds: Draft[] = [
            { method: 'GET', path: `/v1/sessions/${encoded}`, fields: null, credential: null },
            {
              method: 'PATCH',
              path: `/v1/sessions/${encoded}/data`,
              fields: [['set', '{"x":1}']],
              credential: null,
            },
            { method: 'DELETE', path: `/v1/sessions/${encoded}`, fields: null, credential: null },
          ];
          return send(kinds[p.n % kinds.length] as Draft, ctx, p, { mustRefuse: 'a mutated session id' });
        }
        case 'dead': {
          const dead = state.dead[p.pick % Math.max(1, state.dead.length)];
          const draft = draftOf('validate', ctx, p);
          if (dead === undefined) return send(draft, ctx, p);
          return send(withBody(draft, withField(fieldsOf(draft), 'token', json(dead.token))), ctx, p, {
            mustRefuse: `a session token ${dead.why}`,
          });
        }
        default: {
          const credentials = [
            state.token(p.pick),
            state.refreshToken(p.pick),
            state.accessToken(p.pick),
            state.sessionId(p.pick),
            ctx.apiKey,
          ];
          const value = credentials[p.n % credentials.length] as string;
          const slots: Array<[BodyRoute, string]> = [
            ['validate', 'token'],
            ['exchange', 'token'],
            ['refresh', 'refreshToken'],
            ['verify', 'accessToken'],
          ];
          let [route, field] = slots[p.which % slots.length] as [BodyRoute, string];
          // Only a credential in a field of another kind: a token in its own field is the valid class.
          if (
            (field === 'token' && p.n % 5 === 0) ||
            (field === 'refreshToken' && p.n % 5 === 1) ||
            (field === 'accessToken' && p.n % 5 === 2)
          )
            [route, field] = ['validate', 'token'].includes(field)
              ? ['refresh', 'refreshToken']
              : ['validate', 'token'];
          if (field === 'token' && p.n % 5 === 0) [route, field] = ['verify', 'accessToken'];
          const draft = draftOf(route, ctx, p);
          return send(withBody(draft, withField(fieldsOf(draft), field, json(value))), ctx, p, {
            mustRefuse: 'a credential of another kind',
          });
        }
      }
    }),
};

// ---------------------------------------------------------------------------------------------- methods and paths

const ODD_METHODS = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
  'TRACE',
  'CONNECT',
  'PROPFIND',
  'MKCOL',
  'COPY',
  'MOVE',
  'LOCK',
  'SEARCH',
  'PURGE',
  'REPORT',
  'M-SEARCH',
  'QUERY',
  'get',
  'Post',
  'FOO',
  'GETS',
  'G',
  'X'.repeat(64),
  'GET\u0000',
  'GE T',
  'PRI',
  'BREW',
];

const ROUTE_PATHS = [
  '/healthz',
  '/metrics',
  '/admin',
  '/.well-known/jwks.json',
  '/v1/sessions',
  '/v1/sessions/validate',
  '/v1/sessions/rotate',
  '/v1/sessions/elevate',
  '/v1/sessions/revoke',
  '/v1/sessions/end-all',
  '/v1/sessions/:id',
  '/v1/sessions/:id/data',
  '/v1/subjects/:subject/sessions',
  '/v1/tokens',
  '/v1/tokens/refresh',
  '/v1/tokens/verify',
];

type PathStyle =
  | 'plain'
  | 'trailing-slash'
  | 'double-slash'
  | 'dot-segment'
  | 'dotdot-segment'
  | 'upper'
  | 'query'
  | 'fragment'
  | 'encoded-slash'
  | 'double-encoded'
  | 'hostile-param'
  | 'raw-param'
  | 'long'
  | 'absolute'
  | 'asterisk'
  | 'token-in-url'
  | 'empty-segment'
  | 'odd-fixed';

const ODD_FIXED = [
  '/',
  '',
  '//',
  '/v1',
  '/v1/',
  '/v2/sessions',
  '/v1/sessions/validate/extra',
  '/%',
  '/%zz',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/healthz%00',
  '/admin?%ff',
  '/\\v1\\sessions',
  '/v1/subjects//sessions',
  '/v1/sessions/%20',
  '/ /healthz',
  '/héalthz',
  '/\u00ff',
];

function styledPath(style: PathStyle, template: string, ctx: Ctx, p: Common & { hostile: string }): string {
  const id = ctx.state.sessionId(p.pick);
  const subject = encodeURIComponent(ctx.state.subject(p.pick));
  const fill = (param: string): string => template.replace(':id', param).replace(':subject', param);
  const plain = template.replace(':id', id).replace(':subject', subject);
  switch (style) {
    case 'plain':
      return plain;
    case 'trailing-slash':
      return `${plain}/`;
    case 'double-slash':
      return plain.replace('/', '//');
    case 'dot-segment':
      return plain.replace(/\/([^/]*)$/, '/./$1');
    case 'dotdot-segment':
      return `${plain}/../${plain.split('/').at(-1) ?? ''}`;
    case 'upper':
      return plain.toUpperCase();
    case 'query':
      return `${plain}?${['except=x', 'a=1&a=2', `except=${id}&except=${id}`, '%zz', 'x'.repeat(2000), '&&&=', `q=${encodeSegment(p.hostile)}`][p.n % 7]}`;
    case 'fragment':
      return `${plain}#frag`;
    case 'encoded-slash':
      return fill(`a%2Fb%2F..%2F${id}`);
    case 'double-encoded':
      return fill(`%25${id}`);
    case 'hostile-param':
      return fill(encodeSegment(p.hostile).slice(0, 3000) || '%20');
    case 'raw-param':
      return fill(p.hostile.slice(0, 300) || ' ');
    case 'long':
      return fill('A'.repeat([27, 300, 8000, 17_000][p.n % 4] as number));
    case 'absolute':
      return `http://127.0.0.1${plain}`;
    case 'asterisk':
      return '*';
    case 'token-in-url': {
      const token = ctx.state.token(p.pick);
      return [
        `${plain}?token=${token}`,
        fill(token),
        `${plain}?t=${token.replace(/\./g, '%2E')}`,
        `${plain}?r=${ctx.state.refreshToken(p.pick)}`,
      ][p.n % 4] as string;
    }
    case 'empty-segment':
      return fill('');
    default:
      return ODD_FIXED[p.n % ODD_FIXED.length] as string;
  }
}

const methodsPaths: InputClass = {
  name: 'methods-paths',
  about:
    'every route with odd, lowercase, unknown and malformed methods, and paths with dot segments, encoded slashes, hostile or raw parameters, tokens in the URL, absolute and asterisk forms',
  weight: 1,
  plan: fc
    .record({
      ...common,
      method: fc.constantFrom(...ODD_METHODS),
      template: fc.constantFrom(...ROUTE_PATHS),
      style: fc.constantFrom<PathStyle>(
        'plain',
        'plain',
        'trailing-slash',
        'double-slash',
        'dot-segment',
        'dotdot-segment',
        'upper',
        'query',
        'fragment',
        'encoded-slash',
        'double-encoded',
        'hostile-param',
        'raw-param',
        'long',
        'absolute',
        'asterisk',
        'token-in-url',
        'empty-segment',
        'odd-fixed',
      ),
      hostile: hostileString,
      body: fc.constantFrom('none', 'valid', 'junk'),
      route: bodyRoute,
    })
    .map((p) => (ctx: Ctx) => {
      const path = styledPath(p.style, p.template, ctx, p);
      const valid = draftOf(p.route, ctx, p);
      const draft: Draft = {
        method: p.method,
        path,
        fields: p.body === 'valid' ? fieldsOf(valid) : null,
        credential: null,
      };
      const request = send(draft, ctx, p, p.body === 'junk' ? { body: Buffer.from('{"x":') } : {});
      const needsRaw =
        !METHODS.includes(p.method) || p.method === 'CONNECT' || /[^\x21-\x7e]/.test(path) || path === '';
      return needsRaw ? rawWire(request) : request;
    }),
};

// -------------------------------------------------------------------------------------------------------- headers

type HeaderVariant =
  | 'cookie-huge'
  | 'cookie-many'
  | 'cookie-dup-session'
  | 'cookie-garbage'
  | 'cookie-token'
  | 'cookie-control'
  | 'auth-control'
  | 'auth-latin1'
  | 'auth-huge'
  | 'ctype-missing'
  | 'ctype-odd'
  | 'ctype-dup'
  | 'clen-bad'
  | 'clen-dup'
  | 'clen-short'
  | 'te-chunked'
  | 'te-bad'
  | 'te-and-cl'
  | 'expect-continue'
  | 'expect-odd'
  | 'host-missing'
  | 'host-dup'
  | 'version-odd'
  | 'no-colon'
  | 'obs-fold'
  | 'name-odd'
  | 'latin1-value'
  | 'many-headers'
  | 'huge-header'
  | 'forwarded-junk'
  | 'upgrade';

const HEADER_VARIANTS: HeaderVariant[] = [
  'cookie-huge',
  'cookie-many',
  'cookie-dup-session',
  'cookie-garbage',
  'cookie-garbage',
  'cookie-token',
  'cookie-control',
  'auth-control',
  'auth-latin1',
  'auth-huge',
  'ctype-missing',
  'ctype-odd',
  'ctype-odd',
  'ctype-dup',
  'clen-bad',
  'clen-dup',
  'clen-short',
  'te-chunked',
  'te-bad',
  'te-and-cl',
  'expect-continue',
  'expect-odd',
  'host-missing',
  'host-dup',
  'version-odd',
  'no-colon',
  'obs-fold',
  'name-odd',
  'latin1-value',
  'many-headers',
  'huge-header',
  'forwarded-junk',
  'upgrade',
];

const COOKIE_NAMES = ['__Host-session', 'tessera-session', 'session', '__Secure-session'];
const COOKIE_GARBAGE = [
  '=',
  ';;;;',
  '=;=;=',
  '__Host-session',
  '__Host-session=',
  '__Host-session="',
  '__Host-session=""',
  '__Host-session="ts1.a"',
  ' ; ; ',
  'a=b; a=c; a',
  '__Host-session=%00',
  '$Version=1; __Host-session=x; $Path=/',
  '__Host-session=x, __Host-session=y',
];
const CONTENT_TYPES = [
  'text/plain',
  'application/json; charset=utf-16',
  'application/json;charset=latin1',
  'APPLICATION/JSON',
  'application/json, text/plain',
  'application/jsonp',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  '',
  ';',
  'application/json; charset="utf-8"; x=y',
  `application/json; ${'x'.repeat(5000)}`,
  'application/json\t',
  '*/*',
];

const headerClass: InputClass = {
  name: 'headers',
  about:
    'malformed Cookie and Authorization headers, odd Content-Type / Content-Length / Transfer-Encoding / Expect / Host, bad HTTP versions, folded, nameless, latin1, control-byte, huge and too many headers',
  weight: 1,
  plan: fc
    .record({
      ...common,
      route: bodyRoute,
      variant: fc.constantFrom(...HEADER_VARIANTS),
      hostile: hostileString,
      bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
    })
    .map((p) => (ctx: Ctx) => {
      const draft = draftOf(p.route, ctx, p);
      const base = send(draft, ctx, p);
      const lines = [...base.headers];
      const body = base.body ?? Buffer.alloc(0);
      const cookieName = COOKIE_NAMES[p.n % COOKIE_NAMES.length] as string;
      const token = ctx.state.token(p.pick);
      const controlByte = Buffer.from([[0, 1, 0x0b, 0x0d, 0x1f, 0x7f, 0x0a][p.n % 7] as number]);
      const raw = (
        extra: Array<readonly [string, string | Buffer]>,
        rest: Array<readonly [string, string | Buffer]> = lines,
      ): WireRequest => rawWire(base, [...rest, ...extra]);
      /** The request with a bad Authorization header in place of the one it had. */
      const withAuth = (value: string | Buffer): WireRequest => ({
        ...raw([], [['authorization', value], ...lines.filter(([k]) => k !== 'authorization')]),
        keyValid: false,
      });
      const http = (extra: Array<readonly [string, string]>): WireRequest => ({
        ...base,
        headers: [...lines, ...extra],
      });
      const head = (version = 'HTTP/1.1', headerText = ''): string =>
        `${base.method} ${base.target} ${version}\r\nHost: 127.0.0.1\r\n${lines.map(([k, v]) => `${k}: ${typeof v === 'string' ? v : v.toString('latin1')}`).join('\r\n')}\r\n${headerText}`;
      const bytes = (text: string, tail: Buffer = body): WireRequest => ({
        ...base,
        transport: 'raw',
        bytes: Buffer.concat([Buffer.from(text, 'latin1'), tail]),
      });
      switch (p.variant) {
        case 'cookie-huge':
          return raw([
            ['cookie', `${cookieName}=${'a'.repeat([4000, 15_000, 16_385, 20_000][p.n % 4] as number)}`],
          ]);
        case 'cookie-many':
          return http([
            ['cookie', Array.from({ length: 500 + (p.n % 1500) }, (_, i) => `c${i}=${i}`).join('; ')],
          ]);
        case 'cookie-dup-session':
          return http([
            [
              'cookie',
              `${cookieName}=${token}; ${cookieName}=${mutate(token, { kind: 'replace', position: p.which, pick: p.pick })}`,
            ],
          ]);
        case 'cookie-garbage':
          return http([['cookie', COOKIE_GARBAGE[p.which % COOKIE_GARBAGE.length] as string]]);
        case 'cookie-token':
          return http([['cookie', `${cookieName}=${token}`]]);
        case 'cookie-control':
          return raw([
            ['cookie', Buffer.concat([Buffer.from(`${cookieName}=a`), controlByte, Buffer.from('b')])],
          ]);
        case 'auth-control':
          return withAuth(
            Buffer.concat([
              Buffer.from(`Bearer ${ctx.apiKey.slice(0, 10)}`),
              controlByte,
              Buffer.from(ctx.apiKey.slice(10)),
            ]),
          );
        case 'auth-latin1':
          return withAuth(Buffer.concat([Buffer.from('Bearer '), Buffer.from(p.bytes.map((b) => b | 0x80))]));
        case 'auth-huge':
          return withAuth(`Bearer ${'k'.repeat([1025, 8000, 17_000][p.n % 3] as number)}`);
        case 'ctype-missing':
          return { ...base, headers: lines.filter(([k]) => k !== 'content-type'), body };
        case 'ctype-odd':
          return {
            ...base,
            headers: [
              ...lines.filter(([k]) => k !== 'content-type'),
              ['content-type', CONTENT_TYPES[p.which % CONTENT_TYPES.length] as string],
            ],
          };
        case 'ctype-dup':
          return http([['content-type', 'text/plain']]);
        case 'clen-bad':
          return raw([
            [
              'content-length',
              ['abc', '-1', '1e3', ' 12', '0x10', '+5', '1 2', '99999999999999999999999'][p.n % 8] as string,
            ],
          ]);
        case 'clen-dup':
          return raw([
            ['content-length', String(body.byteLength)],
            ['content-length', String(p.n % 2 === 0 ? body.byteLength : body.byteLength + 1)],
          ]);
        case 'clen-short':
          return raw([['content-length', String(Math.floor(body.byteLength / 2))]]);
        case 'te-chunked': {
          const half = Math.floor(body.byteLength / 2);
          const chunked = Buffer.concat([
            Buffer.from(`${half.toString(16)}\r\n`),
            body.subarray(0, half),
            Buffer.from(`\r\n${(body.byteLength - half).toString(16)};ext=1\r\n`),
            body.subarray(half),
            Buffer.from('\r\n0\r\n\r\n'),
          ]);
          return bytes(head('HTTP/1.1', 'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n'), chunked);
        }
        case 'te-bad':
          return bytes(
            head(
              'HTTP/1.1',
              `Transfer-Encoding: ${['chunked', 'gzip', 'chunked, chunked', 'xchunked', ' chunked'][p.n % 5]}\r\nConnection: close\r\n\r\n`,
            ),
            Buffer.from(`zz\r\n${'x'.repeat(4)}\r\n0\r\n\r\n`),
          );
        case 'te-and-cl':
          return bytes(
            head(
              'HTTP/1.1',
              `Content-Length: ${body.byteLength}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`,
            ),
            Buffer.concat([
              Buffer.from(`${body.byteLength.toString(16)}\r\n`),
              body,
              Buffer.from('\r\n0\r\n\r\n'),
            ]),
          );
        case 'expect-continue':
          return raw([['expect', '100-continue']]);
        case 'expect-odd':
          return raw([['expect', ['foo', '100-continue, foo', '', '200-ok'][p.n % 4] as string]]);
        case 'host-missing':
          return bytes(
            `${base.method} ${base.target} HTTP/1.1\r\n${lines.map(([k, v]) => `${k}: ${typeof v === 'string' ? v : v.toString('latin1')}`).join('\r\n')}\r\nContent-Length: ${body.byteLength}\r\nConnection: close\r\n\r\n`,
          );
        case 'host-dup':
          return raw([
            ['host', 'a.example'],
            ['host', 'b.example'],
          ]);
        case 'version-odd': {
          const version = [
            'HTTP/1.0',
            'HTTP/2.0',
            'HTTP/9.9',
            'http/1.1',
            'HTTP/1.1 ',
            'HTTP/1',
            'HTTP/0.9',
            'HTTP/1.10',
          ][p.n % 8] as string;
          return bytes(head(version, `Content-Length: ${body.byteLength}\r\nConnection: close\r\n\r\n`));
        }
        case 'no-colon':
          return bytes(
            head('HTTP/1.1', `X-No-Colon\r\nContent-Length: ${body.byteLength}\r\nConnection: close\r\n\r\n`),
          );
        case 'obs-fold':
          return bytes(
            head(
              'HTTP/1.1',
              `X-Folded: a\r\n b\r\nContent-Length: ${body.byteLength}\r\nConnection: close\r\n\r\n`,
            ),
          );
        case 'name-odd':
          return bytes(
            head(
              'HTTP/1.1',
              `${['X Space', 'X:Colon', '(x)', 'X\u00e9', ': empty', 'Content-Length : 0'][p.n % 6]}: v\r\nContent-Length: ${body.byteLength}\r\nConnection: close\r\n\r\n`,
            ),
          );
        case 'latin1-value':
          return http([
            [
              ['user-agent', 'accept-language', 'x-forwarded-for', 'cookie'][p.n % 4] as string,
              Buffer.from(p.bytes.map((b) => b | 0x80)).toString('latin1'),
            ],
          ]);
        case 'many-headers':
          return raw(
            Array.from(
              { length: [100, 1999, 2001, 3000][p.n % 4] as number },
              (_, i) => [`x-h${i}`, 'v'] as const,
            ),
          );
        case 'huge-header':
          return raw([['x-big', 'a'.repeat([8000, 16_000, 16_385, 40_000][p.n % 4] as number)]]);
        case 'forwarded-junk':
          return http([
            [
              'x-forwarded-for',
              ['999.1.1.1', '::ffff:1.2.3.4, ,,', 'unknown', '1.1.1.1'.repeat(300), '[::1]:80'][
                p.n % 5
              ] as string,
            ],
            ['forwarded', 'for=";;;";proto=gopher'],
            ['x-real-ip', p.hostile.replace(/[^\x20-\x7e]/g, '?').slice(0, 200)],
          ]);
        default:
          return raw([
            ['connection', 'Upgrade'],
            ['upgrade', ['websocket', 'h2c', 'tls/1.0', ''][p.n % 4] as string],
          ]);
      }
    }),
};

// ------------------------------------------------------------------------------------------------------ raw bytes

const rawBytesClass: InputClass = {
  name: 'raw-bytes',
  about:
    'random bytes as a request, after a request line, as a body; request smuggling shapes; pipelining; HTTP/2 and TLS prefaces; bare LF; truncated JSON',
  weight: 1,
  plan: fc
    .record({
      ...common,
      route: bodyRoute,
      junk: fc.uint8Array({ maxLength: 600 }),
      cut: fc.nat(),
      mode: fc.constantFrom(
        'random',
        'random-after-line',
        'random-headers',
        'random-body',
        'random-body',
        'truncated-json',
        'truncated-json',
        'smuggle-cl-te',
        'smuggle-te-cl',
        'smuggle-te-space',
        'pipeline',
        'h2-preface',
        'tls-hello',
        'nul-flood',
        'bare-lf',
      ),
    })
    .map((p) => (ctx: Ctx) => {
      const draft = draftOf(p.route, ctx, p);
      const base = send(draft, ctx, p);
      const body = base.body ?? Buffer.alloc(0);
      // Never empty or only line ends: a server rightly waits for a request after blank lines.
      const junk = Buffer.concat([Buffer.from('~'), Buffer.from(p.junk)]);
      const end = Buffer.from('\r\n\r\n');
      // Labelled by what the bytes ask for: their request line, and whether they carry the key.
      const label = (bytes: Buffer): WireRequest => {
        const line = /^([^ \r\n]*) ([^ \r\n]*)/.exec(bytes.subarray(0, 4096).toString('latin1'));
        return {
          ...base,
          transport: 'raw',
          method: line?.[1] ?? '(raw)',
          target: line?.[2] ?? '(raw)',
          bytes,
          keyValid: bytes.includes(`Bearer ${ctx.apiKey}`),
        };
      };
      const auth = `Authorization: Bearer ${ctx.apiKey}\r\n`;
      switch (p.mode) {
        case 'random':
          return label(Buffer.concat([junk, end]));
        case 'random-after-line':
          return label(Buffer.concat([Buffer.from(`${base.method} ${base.target} HTTP/1.1\r\n`), junk, end]));
        case 'random-headers':
          return label(
            Buffer.concat([
              Buffer.from(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Junk: `),
              junk,
              Buffer.from('\r\nConnection: close'),
              end,
            ]),
          );
        case 'random-body':
          return { ...rawWire({ ...base, body: junk }) };
        case 'truncated-json': {
          const cut = body.subarray(0, body.byteLength === 0 ? 0 : p.cut % body.byteLength);
          return { ...base, body: cut };
        }
        case 'smuggle-cl-te':
          return label(
            Buffer.from(
              `POST /v1/sessions/validate HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
            ),
          );
        case 'smuggle-te-cl':
          return label(
            Buffer.from(
              `POST /v1/sessions/validate HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n`,
            ),
          );
        case 'smuggle-te-space':
          return label(
            Buffer.from(
              `POST /v1/sessions HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nTransfer-Encoding : chunked\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
            ),
          );
        case 'pipeline':
          return label(
            Buffer.concat([
              Buffer.from(
                `GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nPOST /v1/sessions/validate HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: ${body.byteLength}\r\n\r\n`,
              ),
              body,
              junk,
              end,
            ]),
          );
        case 'h2-preface':
          return label(
            Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x12\x04\x00\x00\x00\x00\x00', 'latin1'),
          );
        case 'tls-hello':
          return label(
            Buffer.concat([
              Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]),
              junk,
              end,
            ]),
          );
        case 'nul-flood':
          return label(Buffer.concat([Buffer.alloc(64 + (p.cut % 4096)), end]));
        default:
          return label(Buffer.from(`GET /healthz HTTP/1.1\nHost: x\nConnection: close\n\n`));
      }
    }),
};

export const INPUT_CLASSES: readonly InputClass[] = [
  valid,
  wrongTypes,
  hugeNumbers,
  deepNesting,
  longStrings,
  badUnicode,
  duplicateProto,
  tokenMutation,
  methodsPaths,
  headerClass,
  rawBytesClass,
];
