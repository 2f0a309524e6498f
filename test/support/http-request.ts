/**
 * A raw HTTP/1.1 request with exactly the method and headers given (fetch adds and forbids some, and follows
 * redirects): for requests shaped like a proxy's (`Host` of the original site, `Sec-Fetch-Site`, …).
 */
import { type IncomingHttpHeaders, request } from 'node:http';
import { checkIfWatched } from '../service/openapi-hook.js';

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** Every `Set-Cookie` value, in order. */
  readonly setCookies: string[];
  /** The body parsed as JSON, or null when it is not JSON. */
  json<T = Record<string, unknown>>(): T | null;
}

export function httpRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const outgoing = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
        agent: false,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => {
          const setCookie = response.headers['set-cookie'] ?? [];
          try {
            // A response of a service under test must be one docs/openapi.json documents.
            checkIfWatched(
              url,
              options.method ?? 'GET',
              response.statusCode ?? 0,
              toHeaders(response.headers),
              body,
            );
          } catch (error) {
            reject(error);
            return;
          }
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body,
            setCookies: [...setCookie],
            json<T>(): T | null {
              try {
                return JSON.parse(body) as T;
              } catch {
                return null;
              }
            },
          });
        });
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

function toHeaders(incoming: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming)) {
    for (const one of Array.isArray(value) ? value : [value ?? '']) headers.append(name, one);
  }
  return headers;
}
