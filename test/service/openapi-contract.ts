import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { ROOT } from './child.js';

/**
 * The service's OpenAPI document (docs/openapi.json) as a response checker: which operation a request reached,
 * and whether the response (status, headers, content type, body) is one that operation documents. Used by the
 * fetch hook every service test goes through (`openapi-hook.ts`), and by the tests of the document itself.
 */

export const OPENAPI_PATH = `${ROOT}docs/openapi.json`;

/** The parts of an OpenAPI 3.1 document the checker reads. */
export interface OpenApiDocument {
  readonly openapi: string;
  readonly paths: Readonly<Record<string, PathItem>>;
  readonly components: {
    readonly responses: Readonly<Record<string, ResponseObject>>;
    readonly headers: Readonly<Record<string, HeaderObject>>;
    readonly schemas: Readonly<Record<string, unknown>>;
  };
}
export type PathItem = Readonly<Record<string, unknown>> & { readonly parameters?: unknown };
export interface Operation {
  readonly operationId: string;
  readonly security?: readonly unknown[];
  readonly responses: Readonly<Record<string, ResponseObject | Ref>>;
}
export interface ResponseObject {
  readonly description: string;
  readonly headers?: Readonly<Record<string, HeaderObject | Ref>>;
  readonly content?: Readonly<Record<string, { readonly schema: unknown }>>;
}
export interface HeaderObject {
  readonly required?: boolean;
  readonly schema: unknown;
}
interface Ref {
  readonly $ref: string;
}

/** The HTTP methods an OpenAPI path item may hold. */
export const OPENAPI_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** A response as a test saw it. `path` is the request target: path and query, as sent. */
export interface ObservedResponse {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** Where a request landed in the document. */
export type Located =
  | {
      readonly kind: 'operation';
      readonly template: string;
      readonly method: string;
      readonly operation: Operation;
    }
  | { readonly kind: 'method_not_allowed'; readonly template: string }
  | { readonly kind: 'no_such_path' };

const ID = 'tessera-openapi.json';

/** The extension that marks a path whose last parameter takes one or more segments (the router's `*`). */
export const REST_OF_PATH = 'x-tessera-rest-of-path';

export function loadOpenApiDocument(): OpenApiDocument {
  return JSON.parse(readFileSync(OPENAPI_PATH, 'utf8')) as OpenApiDocument;
}

/** Checks responses against one document; compiled schemas are cached by JSON pointer. */
export class ResponseContract {
  readonly document: OpenApiDocument;
  readonly #bodies: Ajv2020;
  /** Header values are strings on the wire: this instance coerces them to the schema's type first. */
  readonly #headers: Ajv2020;
  readonly #compiled = new Map<string, ValidateFunction>();

  constructor(document: OpenApiDocument = loadOpenApiDocument()) {
    this.document = document;
    this.#bodies = newAjv(document, false);
    this.#headers = newAjv(document, true);
  }

  /** The operation a method and request target reach, with the router's precedence (literal segments win). */
  locate(method: string, target: string): Located {
    const path = target.split('?')[0] as string;
    const parts = path.split('/').slice(1);
    let best: string[] = [];
    let bestLiterals = -1;
    for (const [template, item] of Object.entries(this.document.paths)) {
      const segments = template.split('/').slice(1);
      if (!segmentsMatch(segments, parts, item[REST_OF_PATH] === true)) continue;
      const literals = segments.filter((segment) => !segment.startsWith('{')).length;
      if (literals > bestLiterals) {
        best = [];
        bestLiterals = literals;
      }
      if (literals === bestLiterals) best.push(template);
    }
    if (best.length === 0) return { kind: 'no_such_path' };
    // HEAD is GET without the body (RFC 9110 §9.3.2), unless a path lists HEAD itself.
    const wanted = method.toLowerCase();
    for (const name of wanted === 'head' ? ['head', 'get'] : [wanted]) {
      for (const template of best) {
        const operation = (this.document.paths[template] as PathItem)[name] as Operation | undefined;
        if (operation !== undefined) return { kind: 'operation', template, method: name, operation };
      }
    }
    return { kind: 'method_not_allowed', template: best[0] as string };
  }

  /** Every way `observed` departs from the document; empty when it is a documented response. */
  check(observed: ObservedResponse): string[] {
    const located = this.locate(observed.method, observed.path);
    const status = String(observed.status);
    let pointer: string;
    let response: ResponseObject | undefined;
    if (located.kind === 'operation') {
      const declared = located.operation.responses[status];
      if (declared === undefined) {
        const known = Object.keys(located.operation.responses).join(', ');
        return [
          `status ${status} is not documented for ${located.operation.operationId} (documents ${known})`,
        ];
      }
      [pointer, response] = this.#resolve(
        declared,
        `/paths/${pointerToken(located.template)}/${located.method}/responses/${status}`,
      );
    } else {
      // Outside every operation the service answers 404 (no such path) or 405 (another method), and a
      // token-shaped URL or bad percent-encoding is 400 before routing.
      const outside: Record<string, string> =
        located.kind === 'no_such_path'
          ? { '404': 'NoSuchEndpoint', '400': 'InvalidRequest' }
          : { '405': 'MethodNotAllowed', '400': 'InvalidRequest' };
      const name = outside[status];
      if (name === undefined) {
        const where =
          located.kind === 'no_such_path' ? 'no documented path' : `${located.template} without it`;
        return [`status ${status} for ${observed.method} ${observed.path} (${where}) is not documented`];
      }
      [pointer, response] = this.#resolve({ $ref: `#/components/responses/${name}` }, '');
    }
    return [
      ...this.#checkHeaders(response, pointer, observed.headers),
      ...this.#checkContent(response, pointer, observed),
    ];
  }

  #resolve(declared: ResponseObject | Ref, pointer: string): [string, ResponseObject] {
    if (!('$ref' in declared)) return [pointer, declared];
    const name = declared.$ref.replace('#/components/responses/', '');
    return [
      `/components/responses/${pointerToken(name)}`,
      this.document.components.responses[name] as ResponseObject,
    ];
  }

  #checkHeaders(response: ResponseObject, pointer: string, headers: Headers): string[] {
    const problems: string[] = [];
    for (const [name, declared] of Object.entries(response.headers ?? {})) {
      let header = declared as HeaderObject;
      let at = `${pointer}/headers/${pointerToken(name)}`;
      if ('$ref' in declared) {
        const ref = declared.$ref.replace('#/components/headers/', '');
        header = this.document.components.headers[ref] as HeaderObject;
        at = `/components/headers/${pointerToken(ref)}`;
      }
      const values =
        name.toLowerCase() === 'set-cookie' ? headers.getSetCookie() : [headers.get(name)].filter(present);
      if (values.length === 0) {
        if (header.required === true) problems.push(`header ${name} is required and missing`);
        continue;
      }
      for (const value of values) {
        const validate = this.#validator(this.#headers, `${at}/schema`);
        if (!validate(value)) problems.push(`header ${name}: ${JSON.stringify(value)} ${describe(validate)}`);
      }
    }
    return problems;
  }

  #checkContent(response: ResponseObject, pointer: string, observed: ObservedResponse): string[] {
    const content = response.content;
    const type = observed.headers.get('content-type');
    if (content === undefined) {
      if (observed.text !== '' || type !== null)
        return [`no body is documented, got ${type}: ${clip(observed.text)}`];
      return [];
    }
    const media = (type ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (!Object.hasOwn(content, media)) {
      return [`content type ${type} is not one of the documented ${Object.keys(content).join(', ')}`];
    }
    // A HEAD response carries the headers of a GET and no body.
    if (observed.method.toUpperCase() === 'HEAD')
      return observed.text === '' ? [] : ['a HEAD response has a body'];
    let value: unknown = observed.text;
    if (media === 'application/json') {
      try {
        value = JSON.parse(observed.text);
      } catch {
        return [`the body is not JSON: ${clip(observed.text)}`];
      }
    }
    const validate = this.#validator(this.#bodies, `${pointer}/content/${pointerToken(media)}/schema`);
    return validate(value) ? [] : [`body ${describe(validate)}: ${clip(observed.text)}`];
  }

  /** The validator of the schema at a JSON pointer into the document (`/components/schemas/Session`). */
  schemaAt(pointer: string): ValidateFunction {
    return this.#validator(this.#bodies, pointer);
  }

  #validator(ajv: Ajv2020, pointer: string): ValidateFunction {
    const key = `${ajv === this.#headers ? 'h' : 'b'}${pointer}`;
    let validate = this.#compiled.get(key);
    if (validate === undefined) {
      validate = ajv.compile({ $ref: `${ID}#${pointer}` });
      this.#compiled.set(key, validate);
    }
    return validate;
  }
}

/** Ajv for JSON Schema 2020-12 (OpenAPI 3.1's dialect), holding the whole document so `$ref`s resolve. */
function newAjv(document: OpenApiDocument, coerceTypes: boolean): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, coerceTypes });
  // The document's own top-level fields are not schema keywords: declare them so strict mode accepts them.
  for (const field of Object.keys(document)) ajv.addKeyword(field);
  ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/);
  ajv.addFormat('uri', (value: string) => URL.canParse(value));
  ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
  ajv.addSchema({ ...document, $id: ID });
  return ajv;
}

/**
 * Whether a request path's segments fit a template's. With `rest`, the last parameter takes one or more
 * segments, as the router's `*` does (`/v1/authz/a/b`, and `/v1/authz/` with an empty rest).
 */
function segmentsMatch(template: readonly string[], parts: readonly string[], rest: boolean): boolean {
  if (rest ? parts.length < template.length : template.length !== parts.length) return false;
  return template.every((segment, i) => {
    if (rest && i === template.length - 1) return true;
    return segment.startsWith('{') ? parts[i] !== '' : segment === parts[i];
  });
}

/** One JSON-pointer token, as a URI fragment. */
export function pointerToken(token: string): string {
  return encodeURIComponent(token.replaceAll('~', '~0').replaceAll('/', '~1'));
}

function describe(validate: ValidateFunction): string {
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message}`).join('; ');
}

function clip(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function present(value: string | null): value is string {
  return value !== null;
}
