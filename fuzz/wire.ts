/**
 * Sending one fuzz request over real HTTP and timing its answer.
 *
 * - `http`: node's `http.request` on a keep-alive agent (well-formed HTTP with hostile bodies and header values);
 * - `raw`: the exact bytes on a fresh `node:net` connection (`Connection: close`), for what an HTTP client will
 *   not send: bytes outside latin1 in the request line, NUL and control bytes in headers, bad framing.
 *
 * A request that `http.request` refuses to build (an invalid header value or path) is sent raw instead, so every
 * generated request reaches the server.
 */
import { Agent, request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

export interface WireRequest {
  readonly transport: 'http' | 'raw';
  readonly method: string;
  /** Request target as sent (path and query, or anything else for `raw`). */
  readonly target: string;
  /** Header lines; a name may repeat. Values are latin1 for `http`; `raw` writes Buffers as they are. */
  readonly headers: ReadonlyArray<readonly [string, string | Buffer]>;
  readonly body?: Buffer;
  /** `raw` only: the whole request as bytes (then method, target and headers are only labels). */
  readonly bytes?: Buffer;
  /** Whether the request carries the right API key (a 2xx without it on an API route is a finding). */
  readonly keyValid: boolean;
  /** When set, a 2xx answer is a finding: a mutated or foreign credential was accepted. */
  readonly mustRefuse?: string;
  /** Called with the answer (the valid class keeps the tokens it is given). */
  readonly onReply?: (reply: WireReply) => void;
}

export interface WireReply {
  /** HTTP status, or 0 when no status line arrived. */
  readonly status: number;
  readonly body: string;
  readonly ms: number;
  /** Transport error code when the exchange failed (`ECONNRESET`, `timeout`, `empty`, …). */
  readonly error: string | null;
}

/** Answers slower than this are hangs; the exchange is cut at `ABORT_MS`. */
export const HANG_MS = 5000;
const ABORT_MS = 10_000;
const MAX_KEPT_BODY = 256 * 1024;

export interface Endpoint {
  readonly host: string;
  readonly port: number;
  readonly agent: Agent;
}

export function endpoint(host: string, port: number, sockets: number): Endpoint {
  return { host, port, agent: new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets }) };
}

export async function send(to: Endpoint, request: WireRequest): Promise<WireReply> {
  if (request.transport === 'raw') return sendRaw(to, request.bytes ?? rawBytes(request));
  const first = await sendHttp(to, request, true);
  // A keep-alive socket the server closed while idle can fail on reuse before any byte was read: that is the
  // client's race, not the server's, so it is tried once more on a fresh connection.
  if (first === 'retry') return (await sendHttp(to, request, false)) as WireReply;
  return first;
}

/** The request as HTTP/1.1 bytes with `Connection: close` and a Content-Length for the body. */
export function rawBytes(request: Pick<WireRequest, 'method' | 'target' | 'headers' | 'body'>): Buffer {
  const parts: Buffer[] = [Buffer.from(`${request.method} ${request.target} HTTP/1.1\r\n`, 'latin1')];
  const names = new Set(request.headers.map(([name]) => name.toLowerCase()));
  if (!names.has('host')) parts.push(Buffer.from('Host: 127.0.0.1\r\n'));
  for (const [name, value] of request.headers) {
    parts.push(
      Buffer.from(`${name}: `, 'latin1'),
      typeof value === 'string' ? Buffer.from(value, 'latin1') : value,
    );
    parts.push(Buffer.from('\r\n'));
  }
  if (request.body !== undefined && !names.has('content-length') && !names.has('transfer-encoding'))
    parts.push(Buffer.from(`Content-Length: ${request.body.byteLength}\r\n`));
  parts.push(Buffer.from('Connection: close\r\n\r\n'));
  if (request.body !== undefined) parts.push(request.body);
  return Buffer.concat(parts);
}

function sendHttp(to: Endpoint, request: WireRequest, mayRetry: boolean): Promise<WireReply | 'retry'> {
  const started = performance.now();
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of request.headers) {
    const text = typeof value === 'string' ? value : value.toString('latin1');
    const existing = headers[name];
    headers[name] =
      existing === undefined
        ? text
        : Array.isArray(existing)
          ? [...existing, text]
          : [String(existing), text];
  }
  if (request.body !== undefined && headers['content-length'] === undefined)
    headers['content-length'] = String(request.body.byteLength);
  let outgoing: ReturnType<typeof httpRequest>;
  try {
    outgoing = httpRequest({
      host: to.host,
      port: to.port,
      method: request.method,
      path: request.target,
      headers,
      agent: mayRetry ? to.agent : false,
      // `setHeader` would reject odd header names; the raw transport covers those.
    });
  } catch {
    return sendRaw(to, rawBytes(request));
  }
  return new Promise((resolve) => {
    let status = 0;
    const chunks: Buffer[] = [];
    let kept = 0;
    let done = false;
    const finish = (error: string | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({
        status,
        body: Buffer.concat(chunks).toString('utf8'),
        ms: performance.now() - started,
        error,
      });
    };
    const timer = setTimeout(() => {
      outgoing.destroy();
      finish('timeout');
    }, ABORT_MS);
    outgoing.on('response', (response) => {
      status = response.statusCode ?? 0;
      response.on('data', (chunk: Buffer) => {
        if (kept < MAX_KEPT_BODY) chunks.push(chunk);
        kept += chunk.byteLength;
      });
      response.on('end', () => finish(null));
      response.on('error', () => finish(null));
      response.on('aborted', () => finish(null));
    });
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      if (status !== 0) return finish(null);
      if (done) return;
      if (mayRetry && outgoing.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE')) {
        done = true;
        clearTimeout(timer);
        resolve('retry');
        return;
      }
      finish(error.code ?? error.message);
    });
    outgoing.end(request.body);
  });
}

function sendRaw(to: Endpoint, bytes: Buffer): Promise<WireReply> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect({ host: to.host, port: to.port });
    const chunks: Buffer[] = [];
    let kept = 0;
    let done = false;
    const finish = (error: string | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const status = statusOf(text);
      resolve({
        status,
        body: bodyOf(text),
        ms: performance.now() - started,
        error: status === 0 ? (error ?? 'empty') : null,
      });
    };
    const timer = setTimeout(() => finish('timeout'), ABORT_MS);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (chunk: Buffer) => {
      if (kept < MAX_KEPT_BODY) chunks.push(chunk);
      kept += chunk.byteLength;
      // A request that kept the connection open (pipelined, or its own framing) ends at its first full answer.
      if (answered(Buffer.concat(chunks).toString('latin1'))) finish(null);
    });
    socket.on('end', () => finish(null));
    socket.on('close', () => finish(null));
    socket.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
  });
}

/** Whether `text` holds a whole final answer with a Content-Length. */
function answered(text: string): boolean {
  let at = 0;
  for (;;) {
    const end = text.indexOf('\r\n\r\n', at);
    if (end === -1) return false;
    const head = text.slice(at, end);
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(head);
    if (status === null) return false;
    if (Number(status[1]) < 200) {
      at = end + 4;
      continue;
    }
    if (status[1] === '204' || status[1] === '304') return true;
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    return length !== null && text.length - (end + 4) >= Number(length[1]);
  }
}

/** The first final (non-1xx) status in a raw answer, or 0. */
function statusOf(text: string): number {
  const pattern = /(?:^|\r\n\r\n)HTTP\/1\.[01] (\d{3})/g;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    const status = Number(match[1]);
    if (status >= 200) return status;
  }
  return 0;
}

function bodyOf(text: string): string {
  const at = text.lastIndexOf('\r\n\r\n');
  return at === -1 ? '' : text.slice(at + 4);
}
