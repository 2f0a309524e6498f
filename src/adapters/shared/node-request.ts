import type { IncomingMessage } from 'node:http';
import { forwardedClient, type ProxyTrust } from '../../core/forwarded.js';
import type { RequestFacts } from '../../transport/request.js';

export interface NodeFactsOptions {
  /**
   * The proxies you run in front of the app, trusted to append to `X-Forwarded-For` (and to set
   * `X-Forwarded-Proto`): `true` or a hop count (the last `n` hops), or a list of their addresses/CIDRs. The
   * client is the rightmost address that is not one of them, never the leftmost one a client can write.
   * (Express and Fastify apply their own `trust proxy` setting instead.)
   * @default false (the socket address)
   * @example ['10.0.0.0/8'] or 1
   */
  trustProxy?: ProxyTrust;
}

/** Request facts from a node:http request (also under Express and Fastify), without copying headers. */
export function nodeRequestFacts(request: IncomingMessage, options: NodeFactsOptions = {}): RequestFacts {
  const trust = options.trustProxy ?? false;
  const facts: RequestFacts = {
    method: request.method ?? 'GET',
    url: request.url ?? '/',
    header: nodeHeaderReader(request),
    ip: clientIp(request, trust),
  };
  const protocol = protocolOf(request, trust);
  return protocol === undefined ? facts : { ...facts, protocol };
}

/** Reads a header of a node:http request: repeated values joined (cookies with `; `), null when absent. */
export function nodeHeaderReader(request: IncomingMessage): (name: string) => string | null {
  return (name: string): string | null => {
    const value = request.headers[name];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(name === 'cookie' ? '; ' : ', ') : value;
  };
}

function clientIp(request: IncomingMessage, trust: ProxyTrust): string | null {
  const socket = request.socket.remoteAddress ?? null;
  if (trust === false) return socket;
  const forwarded = request.headers['x-forwarded-for'];
  return forwardedClient(
    Array.isArray(forwarded) ? forwarded.join(', ') : (forwarded ?? null),
    socket,
    trust,
  );
}

/** The scheme: a TLS socket, or the last `X-Forwarded-Proto` value a trusted proxy set. */
function protocolOf(request: IncomingMessage, trust: ProxyTrust): 'http:' | 'https:' | undefined {
  if ((request.socket as { encrypted?: boolean }).encrypted === true) return 'https:';
  if (trust === false) return undefined;
  const header = request.headers['x-forwarded-proto'];
  const last = (Array.isArray(header) ? header.join(',') : header)?.split(',').at(-1)?.trim().toLowerCase();
  return last === 'https' ? 'https:' : last === 'http' ? 'http:' : undefined;
}
