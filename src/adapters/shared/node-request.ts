import type { IncomingMessage } from 'node:http';
import type { RequestFacts } from '../../transport/request.js';

export interface NodeFactsOptions {
  /**
   * Take the client address from the first `X-Forwarded-For` entry. Only behind a proxy you run.
   * @default false
   */
  trustProxy?: boolean;
}

/** Request facts from a node:http request (also under Express and Fastify), without copying headers. */
export function nodeRequestFacts(request: IncomingMessage, options: NodeFactsOptions = {}): RequestFacts {
  const facts: RequestFacts = {
    method: request.method ?? 'GET',
    url: request.url ?? '/',
    header: nodeHeaderReader(request),
    ip: clientIp(request, options.trustProxy ?? false),
  };
  // A TLS socket is the one scheme node knows by itself; behind a proxy the framework's setting decides.
  return (request.socket as { encrypted?: boolean }).encrypted === true
    ? { ...facts, protocol: 'https:' }
    : facts;
}

/** Reads a header of a node:http request: repeated values joined (cookies with `; `), null when absent. */
export function nodeHeaderReader(request: IncomingMessage): (name: string) => string | null {
  return (name: string): string | null => {
    const value = request.headers[name];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(name === 'cookie' ? '; ' : ', ') : value;
  };
}

function clientIp(request: IncomingMessage, trustProxy: boolean): string | null {
  if (trustProxy) {
    const forwarded = request.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return request.socket.remoteAddress ?? null;
}
