import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { RouteEntry } from '../../src/service/router.js';
import { Router } from '../../src/service/router.js';
import { routes } from '../../src/service/routes/index.js';
import { SERVICE_ERROR_CODES } from '../../src/service/http-errors.js';
import { ROOT } from './child.js';
import { startService, type TestService } from './helpers.js';
import {
  loadOpenApiDocument,
  OPENAPI_METHODS,
  OPENAPI_PATH,
  type Operation,
  type PathItem,
  REST_OF_PATH,
  type ResponseObject,
} from './openapi-contract.js';

const document = loadOpenApiDocument();

/** A router pattern as an OpenAPI path template: `:id` is `{id}`, a last `*` is `{path}`. */
function template(path: string): string {
  return path
    .split('/')
    .map((segment) =>
      segment.startsWith(':') ? `{${segment.slice(1)}}` : segment === '*' ? '{path}' : segment,
    )
    .join('/');
}

/** `METHOD template` for every operation the router serves; a route for any method (`*`) serves them all. */
function served(table: readonly RouteEntry[]): Map<string, RouteEntry> {
  const out = new Map<string, RouteEntry>();
  for (const route of table) {
    const methods = route.method === '*' ? OPENAPI_METHODS.map((m) => m.toUpperCase()) : [route.method];
    for (const method of methods) out.set(`${method} ${template(route.path)}`, route);
  }
  return out;
}

function documented(): Map<string, Operation> {
  const out = new Map<string, Operation>();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of OPENAPI_METHODS) {
      const operation = (item as PathItem)[method] as Operation | undefined;
      if (operation !== undefined) out.set(`${method.toUpperCase()} ${path}`, operation);
    }
  }
  return out;
}

/** The security schemes an operation needs, as `a+b` per alternative (`''` = none). */
function security(operation: Operation): string[] {
  const requirements = (operation.security ??
    (document as { security?: unknown[] }).security ??
    []) as Record<string, unknown>[];
  return requirements.map((requirement) => Object.keys(requirement).sort().join('+'));
}

/** Every (status, error code) pair the document says an error response may carry. */
function documentedErrorCodes(): Set<string> {
  const pairs = new Set<string>();
  const visit = (status: string, response: ResponseObject): void => {
    const schema = response.content?.['application/json']?.schema as
      | { allOf?: { properties?: { error?: { properties?: { code?: { enum?: string[] } } } } }[] }
      | undefined;
    for (const part of schema?.allOf ?? []) {
      for (const code of part.properties?.error?.properties?.code?.enum ?? []) pairs.add(`${status} ${code}`);
    }
  };
  const statusOf: Record<string, string> = {};
  for (const operation of documented().values()) {
    for (const [status, response] of Object.entries(operation.responses)) {
      if ('$ref' in response) statusOf[response.$ref.replace('#/components/responses/', '')] = status;
      else visit(status, response);
    }
  }
  Object.assign(statusOf, { NoSuchEndpoint: '404', MethodNotAllowed: '405' });
  for (const [name, response] of Object.entries(document.components.responses)) {
    const status = statusOf[name];
    assert.ok(status !== undefined, `components.responses.${name} is used by no operation`);
    visit(status, response);
  }
  return pairs;
}

/**
 * `/v1/authz?mode=nginx` answers 440 and 503 as 401 with the code in `X-Tessera-Code` (nginx `auth_request` relays
 * only 401 and 403): the only codes the document pairs with another status than docs/API.md's table.
 */
const NGINX_RESHAPED = new Set(['401 session_expired', '401 store_unavailable']);

/** The rows of the "Error codes" table of docs/API.md, as `status code`. */
function apiMdErrorCodes(): Set<string> {
  const api = readFileSync(`${ROOT}docs/API.md`, 'utf8');
  const section = api.slice(
    api.indexOf('## Error codes'),
    api.indexOf('\n## ', api.indexOf('## Error codes') + 1),
  );
  return new Set([...section.matchAll(/^\| (\d{3}) \| `([a-z_]+)` \|/gm)].map((m) => `${m[1]} ${m[2]}`));
}

describe('docs/openapi.json describes exactly the routes the router serves', () => {
  const table = new Router(routes).table();

  it('every route is an operation and every operation a route, with the same authentication', () => {
    const byRouter = served(table);
    const byDocument = documented();
    const missing = [...byRouter.keys()].filter((key) => !byDocument.has(key));
    const extra = [...byDocument.keys()].filter((key) => !byRouter.has(key));
    assert.deepEqual(missing, [], 'routes the router serves that docs/openapi.json lacks');
    assert.deepEqual(extra, [], 'operations in docs/openapi.json that no route serves');
    for (const [key, route] of byRouter) {
      const needs = security(byDocument.get(key) as Operation);
      if (route.auth === 'public') assert.deepEqual(needs, [], `${key} is public`);
      else if (route.auth === 'api-key') assert.deepEqual(needs, ['ApiKey'], `${key} needs the API key`);
      else
        assert.ok(
          !needs.some((alternative) => alternative.includes('ApiKey')),
          `${key} never takes the API key`,
        );
    }
    assert.ok(table.length >= 20, `the router lists ${table.length} routes`);
  });

  it('a route that takes the rest of the path is marked so in the document', () => {
    for (const route of table) {
      const item = document.paths[template(route.path)] as PathItem;
      assert.equal(item[REST_OF_PATH] === true, route.path.endsWith('/*'), `${route.path}: ${REST_OF_PATH}`);
    }
  });

  it('operation ids are unique, and every operation documents 500 and, when it needs the key, 401', () => {
    const ids = new Set<string>();
    for (const [key, operation] of documented()) {
      assert.ok(!ids.has(operation.operationId), `${operation.operationId} is used twice`);
      ids.add(operation.operationId);
      assert.ok(operation.responses['500'] !== undefined, `${key} documents 500 internal`);
      if (security(operation).includes('ApiKey')) assert.ok(operation.responses['401'] !== undefined, key);
    }
  });

  it('the error codes are the table of docs/API.md: every code with its status, and nothing else', () => {
    const table = apiMdErrorCodes();
    assert.ok(table.size >= 16, `docs/API.md lists ${table.size} codes`);
    const codes = new Set([...table].map((pair) => pair.split(' ')[1] as string));
    const enumerated = (document.components.schemas.ErrorCode as { enum: string[] }).enum;
    assert.deepEqual([...enumerated].sort(), [...codes].sort(), 'components.schemas.ErrorCode');
    for (const code of SERVICE_ERROR_CODES) assert.ok(enumerated.includes(code), `${code} is in ErrorCode`);
    const pairs = documentedErrorCodes();
    assert.deepEqual(
      [...pairs].filter((pair) => !table.has(pair) && !NGINX_RESHAPED.has(pair)).sort(),
      [],
      'in the document, not in API.md',
    );
    assert.deepEqual(
      [...table].filter((pair) => !pairs.has(pair)).sort(),
      [],
      'in API.md, not in the document',
    );
  });
});

describe('GET /openapi.json', () => {
  let api: TestService;
  before(async () => {
    api = await startService();
  });
  after(() => api.close());

  it('is served without an API key: the bytes of docs/openapi.json, as JSON, cacheable for a while', async () => {
    const response = await fetch(`${api.base}/openapi.json`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(response.headers.get('cache-control'), 'public, max-age=300');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(await response.text(), readFileSync(OPENAPI_PATH, 'utf8'));
    const head = await fetch(`${api.base}/openapi.json`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
    const wrongMethod = await api.call('POST', '/openapi.json', {});
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get('allow'), 'GET, HEAD');
  });

  it('is an OpenAPI 3.1 document of this service, with the API key (Bearer) as its default security', () => {
    const raw = JSON.parse(readFileSync(OPENAPI_PATH, 'utf8')) as {
      openapi: string;
      security: unknown;
      components: { securitySchemes: Record<string, { type: string; scheme?: string }> };
    };
    assert.equal(raw.openapi, '3.1.0');
    assert.deepEqual(raw.security, [{ ApiKey: [] }]);
    assert.equal(raw.components.securitySchemes.ApiKey?.type, 'http');
    assert.equal(raw.components.securitySchemes.ApiKey?.scheme, 'bearer');
  });
});
