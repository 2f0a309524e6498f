/**
 * The few request facts Tessera needs, so the core works the same on Web `Request`, node:http and frameworks
 * without building a `Request` per call.
 */
export interface RequestFacts {
  readonly method: string;
  /** Path and query as received (`/a?b=c`) or an absolute URL. */
  readonly url: string;
  /** Returns a header value (joined if repeated) or null. Names are lower-case. */
  header(name: string): string | null;
  /** Client address as the app decided it (socket address, or a trusted proxy header). */
  readonly ip: string | null;
  /**
   * The scheme the client used, when the adapter knows it (a TLS socket, a framework's `protocol` that follows
   * its trust-proxy setting, an absolute URL). The CSRF origin check compares it; unknown is treated strictly.
   */
  readonly protocol?: 'http:' | 'https:';
}

export function factsFromRequest(request: Request, ip: string | null = null): RequestFacts {
  return {
    method: request.method,
    url: request.url,
    header: (name) => request.headers.get(name),
    ip,
  };
}
